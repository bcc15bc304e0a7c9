"""Scoring arithmetic (评分), as GB/Z 19579 practises it for GB/T 19580 (tianning-7).

An item's score is a percentage band in 5% steps (0, 5, ..., 100) times the item's points. The
service's readings, where the standards leave the arithmetic open:

- an item score is rounded to 0.1 point, half up (15 points at 5% is 0.75, scored 0.8); category
  and total scores are exact sums of the rounded item scores, so a sheet adds up as printed;
- the panel median of an item is the median of the members' bands (the mean of the middle two
  for an even panel, so it may fall between steps);
- a member's score is an outlier when it differs from the median by MORE than the programme's
  spread, in percentage points of the band or in points of the item;
- a ranking orders one tier and category by consensus total, then by the results items' score,
  then by application id; entries equal on both scores share a rank (the id only fixes the
  order they are listed in), so choosing one of them over the other is no departure.

Everything is Decimal; bad input raises a 422 ``DomainError`` naming every bad field.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from app.domain.errors import DomainError, FieldError
from app.domain.review.schema import ItemKind, OutlierSpread, Scorebook

BAND_STEP = 5
BAND_MAX = 100
POINT = Decimal("0.1")
HUNDRED = Decimal(100)

Band = int  # a percentage, a multiple of BAND_STEP in 0..BAND_MAX


def refuse_fields(errors: list[FieldError]) -> DomainError:
    """One 422 naming every bad field."""
    fields = "、".join(e.field for e in errors)
    return DomainError(
        "validation-error",
        422,
        f"评分数据无效：{fields}",
        f"Invalid scoring data: {', '.join(e.field for e in errors)}",
        title="Unprocessable Content",
        errors=errors,
    )


def _band_error(value: object, field: str) -> FieldError | None:
    """Why ``value`` is not a band, or None when it is one."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return FieldError(field, "评分百分比须为数字", "the band must be a number", "not_a_number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return FieldError(field, "评分百分比须为数字", "the band must be a number", "not_a_number")
    if not number.is_finite() or number < 0 or number > BAND_MAX:
        return FieldError(field, "评分百分比须在0至100之间", "the band must lie between 0 and 100", "band_range")
    if number != number.to_integral_value() or number % BAND_STEP != 0:
        return FieldError(field, "评分百分比须以5%为一档", f"the band must be a multiple of {BAND_STEP}%", "band_step")
    return None


def parse_band(value: object, field: str = "band") -> Band:
    """A band from input (an int, a numeral string, a Decimal or an integral float)."""
    error = _band_error(value, field)
    if error:
        raise refuse_fields([error])
    return int(Decimal(str(value).strip()))


def item_score(points: int, band: Band) -> Decimal:
    """Points × band%, to 0.1 point half up."""
    return (Decimal(points) * Decimal(band) / HUNDRED).quantize(POINT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ItemScore:
    item_id: str
    category_id: str
    kind: ItemKind
    points: int
    band: Band
    score: Decimal


@dataclass(frozen=True)
class CategoryScore:
    category_id: str
    name_zh: str
    points: int
    score: Decimal
    scored_items: int


@dataclass(frozen=True)
class SheetScore:
    """A scored sheet: per item, per category and in total, against one edition of a book."""

    book: str  # code@edition
    items: tuple[ItemScore, ...]
    categories: tuple[CategoryScore, ...]
    total: Decimal
    max_total: int
    results_score: Decimal  # the results items' sum: a ranking's first tie-break
    complete: bool  # every item of the book is scored

    def item(self, item_id: str) -> ItemScore:
        return next(i for i in self.items if i.item_id == item_id)

    def category(self, category_id: str) -> CategoryScore:
        return next(c for c in self.categories if c.category_id == category_id)


def validate_bands(
    book: Scorebook, bands: Mapping[str, object], *, complete: bool, field: str = "scores"
) -> dict[str, Band]:
    """The bands by item id, in book order; every bad entry is named as ``<field>.<item id>``.

    ``complete``: every item of the book must be scored (a sheet a member submits, a consensus);
    otherwise a draft may leave items out.
    """
    errors: list[FieldError] = []
    parsed: dict[str, Band] = {}
    for item_id, value in bands.items():
        where = f"{field}.{item_id}"
        if item_id not in book.items:
            errors.append(
                FieldError(
                    where,
                    f"评分项“{item_id}”不在评分手册{book.key}中",
                    f"item '{item_id}' is not in scorebook {book.key}",
                    "unknown_item",
                )
            )
            continue
        error = _band_error(value, where)
        if error:
            errors.append(error)
        else:
            parsed[item_id] = int(Decimal(str(value).strip()))
    if complete:
        errors += [
            FieldError(f"{field}.{i}", "缺少该评分项的评分", f"item '{i}' is not scored", "missing")
            for i in book.items
            if i not in bands
        ]
    if errors:
        raise refuse_fields(errors)
    return {i: parsed[i] for i in book.items if i in parsed}


def score_sheet(
    book: Scorebook, bands: Mapping[str, object], *, complete: bool = True, field: str = "scores"
) -> SheetScore:
    """Score a sheet: each item's band × its points, then the category and total sums."""
    valid = validate_bands(book, bands, complete=complete, field=field)
    items = tuple(
        ItemScore(
            item_id=i,
            category_id=book.category_of[i].id,
            kind=book.items[i].kind,
            points=book.items[i].points,
            band=band,
            score=item_score(book.items[i].points, band),
        )
        for i, band in valid.items()
    )
    categories = tuple(
        CategoryScore(
            category_id=c.id,
            name_zh=c.name_zh,
            points=c.points,
            score=sum((s.score for s in items if s.category_id == c.id), Decimal("0.0")),
            scored_items=sum(1 for s in items if s.category_id == c.id),
        )
        for c in book.categories
    )
    return SheetScore(
        book=book.key,
        items=items,
        categories=categories,
        total=sum((c.score for c in categories), Decimal("0.0")),
        max_total=book.total,
        results_score=sum((s.score for s in items if s.kind is ItemKind.RESULTS), Decimal("0.0")),
        complete=len(items) == len(book.items),
    )


# --- independent scores, then consensus ---------------------------------------------------------


def require_every_member_scored(members: Iterable[str], submitted: Iterable[str], field: str = "members") -> None:
    """A consensus needs every panel member's sheet first: each missing member is named."""
    done = set(submitted)
    missing = [m for m in members if m not in done]
    if missing:
        raise refuse_fields(
            [
                FieldError(
                    f"{field}.{m}",
                    "该评审专家尚未提交独立评分",
                    f"member '{m}' has not submitted a score sheet",
                    "not_submitted",
                )
                for m in missing
            ]
        )


def panel_medians(
    book: Scorebook, sheets: Mapping[str, Mapping[str, object]], field: str = "sheets"
) -> dict[str, Decimal]:
    """The median band of each item over the members who scored it (book order)."""
    valid = {m: validate_bands(book, s, complete=False, field=f"{field}.{m}") for m, s in sheets.items()}
    medians: dict[str, Decimal] = {}
    for item_id in book.items:
        bands = [Decimal(v[item_id]) for v in valid.values() if item_id in v]
        if bands:
            medians[item_id] = statistics.median(bands)
    return medians


@dataclass(frozen=True)
class Outlier:
    """A member's item score further from the panel median than the spread."""

    member: str
    item_id: str
    band: Band
    median: Decimal  # the panel's median band
    difference: Decimal  # in the spread's unit: percentage points or points


def outliers(book: Scorebook, sheets: Mapping[str, Mapping[str, object]], spread: OutlierSpread) -> list[Outlier]:
    """Every member score differing from its item's median by more than ``spread`` (book order, then member)."""
    medians = panel_medians(book, sheets)
    valid = {m: validate_bands(book, s, complete=False, field=f"sheets.{m}") for m, s in sheets.items()}
    found: list[Outlier] = []
    for item_id, median in medians.items():
        points = Decimal(book.items[item_id].points)
        for member in sorted(valid):
            band = valid[member].get(item_id)
            if band is None:
                continue
            gap = abs(Decimal(band) - median)
            difference = gap if spread.unit == "percent" else gap * points / HUNDRED
            if difference > spread.value:
                found.append(Outlier(member, item_id, band, median, difference))
    return found


def consensus_sheet(
    book: Scorebook,
    consensus: Mapping[str, object],
    members: Iterable[str],
    sheets: Mapping[str, Mapping[str, object]],
) -> SheetScore:
    """The consensus the leader records: only once every member has scored, and complete."""
    require_every_member_scored(members, sheets)
    for member, sheet in sheets.items():
        validate_bands(book, sheet, complete=True, field=f"sheets.{member}")
    return score_sheet(book, consensus, complete=True, field="consensus")


# --- ranking and the next list ------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """An application's consensus result, as a ranking reads it."""

    application_id: str
    tier: str
    category: str
    total: Decimal
    results_score: Decimal
    name: str = ""


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    position: int  # 1.. in listed order
    rank: int  # shared by candidates equal on total and results score (1, 2, 2, 4)

    @property
    def application_id(self) -> str:
        return self.candidate.application_id


def _sort_key(c: Candidate) -> tuple[Decimal, Decimal, str]:
    return (-c.total, -c.results_score, str(c.application_id))


def rank(candidates: Iterable[Candidate]) -> dict[tuple[str, str], list[Ranked]]:
    """The ranking of each (tier, category) by consensus total, then results score, then id."""
    pool = list(candidates)
    ids = [str(c.application_id) for c in pool]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise refuse_fields(
            [
                FieldError("candidates", f"申报“{i}”重复出现", f"application '{i}' appears twice", "duplicate")
                for i in repeated
            ]
        )
    groups: dict[tuple[str, str], list[Ranked]] = {}
    for key in sorted({(c.tier, c.category) for c in pool}):
        ordered = sorted((c for c in pool if (c.tier, c.category) == key), key=_sort_key)
        ranked: list[Ranked] = []
        for position, c in enumerate(ordered, start=1):
            prev = ranked[-1] if ranked else None
            same = prev is not None and (prev.candidate.total, prev.candidate.results_score) == (
                c.total,
                c.results_score,
            )
            ranked.append(Ranked(c, position, prev.rank if same and prev else position))
        groups[key] = ranked
    return groups


@dataclass(frozen=True)
class Departure:
    """A chosen entry ranked below entries not chosen: a departure from rank order (needs a reason)."""

    chosen: Ranked
    passed_over: tuple[Ranked, ...]


def departures(ranking: Sequence[Ranked], chosen: Sequence[str], field: str = "chosen") -> list[Departure]:
    """Which chosen entries of one ranking skip a higher-ranked one (changning-22b, jinshan-18f:
    the on-site list is chosen "best among the good" with the ranking beside it)."""
    by_id = {str(r.application_id): r for r in ranking}
    unknown = [
        FieldError(f"{field}.{i}", f"申报“{c}”不在该排名中", f"application '{c}' is not in this ranking", "not_ranked")
        for i, c in enumerate(chosen)
        if str(c) not in by_id
    ]
    if unknown:
        raise refuse_fields(unknown)
    picked = {str(c) for c in chosen}
    skipped = [r for r in ranking if str(r.application_id) not in picked]
    found: list[Departure] = []
    for r in ranking:
        if str(r.application_id) in picked:
            above = tuple(s for s in skipped if s.rank < r.rank)
            if above:
                found.append(Departure(r, above))
    return found


def require_departure_reasons(found: Sequence[Departure], reasons: Mapping[str, str], field: str = "reasons") -> None:
    """Every departure from rank order needs a recorded reason (changning-22b, jinshan-18f)."""
    missing = [d for d in found if not (reasons.get(str(d.chosen.application_id)) or "").strip()]
    if missing:
        raise refuse_fields(
            [
                FieldError(
                    f"{field}.{d.chosen.application_id}",
                    "该申报排名低于未入选者，须说明理由",
                    "this entry is chosen over higher-ranked ones: give the reason",
                    "reason_required",
                )
                for d in missing
            ]
        )


# --- a re-applicant's scores side by side (linyi-13b) -------------------------------------------


@dataclass(frozen=True)
class CategoryComparison:
    category_id: str
    name_zh: str
    points: int
    previous: Decimal | None
    current: Decimal
    change: Decimal | None


def compare_with_previous(previous: SheetScore, current: SheetScore) -> list[CategoryComparison]:
    """The current consensus beside the previous application's, per category: linyi-13b asks a
    re-applicant's indicators to improve markedly, which the panel judges from this."""
    before = {c.category_id: c.score for c in previous.categories}
    return [
        CategoryComparison(
            c.category_id,
            c.name_zh,
            c.points,
            before.get(c.category_id),
            c.score,
            None if c.category_id not in before else c.score - before[c.category_id],
        )
        for c in current.categories
    ]
