"""Statistics (统计) per round and programme: counts by state, tier, category, district and
recommending unit, and how many days applications spend in each stage (read from the history).

The export (``exports.py``) is built from the same rows, so its totals are the API's. The rows
pass once, in chunks from server-side cursors (issue 21): the counts and the stage times are kept
as they pass, so memory does not grow with the round (10,000 applications, 100,000 history entries).
"""

from __future__ import annotations

import math
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import office, roles
from app.db.repositories import recommendation as unit_repo
from app.db.repositories import statistics as repo
from app.db.repositories import workflow as workflow_repo
from app.domain.errors import DomainError, invalid, not_found
from app.domain.lookups import service as lookups
from app.domain.programmes.registry import get_registry
from app.domain.states import STATE_NAMES_ZH, ApplicationState
from app.identity import Principal

NONE_ZH = "（未填）"


@dataclass
class Scope:
    programme: str | None
    round_id: uuid.UUID | None
    round_label: str | None


def _forbidden() -> DomainError:
    return DomainError(
        "forbidden",
        403,
        "只有本项目的评审办公室或管理员可以查看统计和导出",
        "Only the programme's office or an admin may read its statistics and exports",
        title="Forbidden",
    )


async def scope_of(
    session: AsyncSession, principal: Principal, programme: str | None, round_id: uuid.UUID | None
) -> Scope:
    """The programme and round asked for, checked: a round the caller may not report on is 404."""
    if round_id is not None:
        rnd = await workflow_repo.get_round(session, round_id)
        if rnd is None or not office.reads_office_reports(principal, rnd.programme):
            raise not_found("届次", "Round", round_id)
        if programme is not None and programme != rnd.programme:
            raise invalid("programme", f"该届次属于“{rnd.programme}”", f"the round belongs to '{rnd.programme}'")
        return Scope(rnd.programme, rnd.id, rnd.label)
    codes = get_registry().codes()
    if programme is None:
        programme = roles.office_programme(principal)
        if programme is None and not roles.is_admin(principal):
            raise _forbidden()
        return Scope(programme, None, None)
    if programme not in codes:
        raise invalid(
            "programme",
            f"没有这个评奖项目，可选：{'、'.join(codes)}",
            f"no such programme; one of: {', '.join(codes)}",
            "enum",
        )
    if not office.reads_office_reports(principal, programme):
        raise _forbidden()
    return Scope(programme, None, None)


class Tally:
    """The counts of a scope's applications (汇总), kept as the rows pass: a counter per view, as
    large as the codes it counts (states, tiers, units), never as the rows."""

    def __init__(self) -> None:
        self.total = 0
        self.states: Counter[str] = Counter()
        self.tiers: Counter[str | None] = Counter()
        self.tiers_sought: Counter[str | None] = Counter()
        self.categories: Counter[str | None] = Counter()
        self.districts: Counter[str | None] = Counter()
        self.localities: Counter[str | None] = Counter()
        self.units: Counter[str | None] = Counter()
        self.programmes: set[str] = set()

    def add(self, rows: Sequence[Any]) -> None:
        self.total += len(rows)
        for r in rows:
            self.states[r.state] += 1
            self.tiers[r.tier] += 1
            self.tiers_sought[r.tier_sought] += 1
            self.categories[r.category] += 1
            self.districts[r.registered_jurisdiction or r.work_jurisdiction] += 1
            self.localities[r.locality] += 1
            self.units[r.recommending_unit] += 1
            self.programmes.add(r.programme)


def _add_exactly(partials: list[float], x: float) -> None:
    """Adds ``x`` to a sum kept exact as non-overlapping floats (Shewchuk's algorithm, the one
    ``math.fsum`` runs): ``math.fsum(partials)`` is then ``math.fsum`` of every value added, so
    the mean is ``statistics.fmean``'s to the last bit without keeping the values."""
    i = 0
    for y in partials:
        if abs(x) < abs(y):
            x, y = y, x
        hi = x + y
        lo = y - (hi - x)
        if lo:
            partials[i] = lo
            i += 1
        x = hi
    partials[i:] = [x]


class Stays:
    """One state's stays, read shortest first and the current ones last (``repo.stage_spans``):
    the median is picked as the middle rows pass, the longest is the last, the sum kept exact."""

    def __init__(self, left: int) -> None:
        self.left = left
        self.seen = 0
        self.now = 0
        self.partials: list[float] = []
        self.lower = self.upper = self.longest = 0.0

    def add(self, spent: timedelta | None) -> None:
        if spent is None:
            self.now += 1
            return
        seconds = spent.total_seconds()
        if self.seen == (self.left - 1) // 2:
            self.lower = seconds
        if self.seen == self.left // 2:
            self.upper = seconds
        _add_exactly(self.partials, seconds)
        self.longest = seconds
        self.seen += 1

    def median(self) -> float:
        # statistics.median: the middle one, or the mean of the two middle ones
        return self.lower if self.left % 2 else (self.lower + self.upper) / 2


async def stage_days(session: AsyncSession, scope: Scope) -> list[dict[str, Any]]:
    """Per state: how many applications passed through it and the days they spent (mean, median, max), from the history."""
    stays: dict[str, Stays] = {}
    async for rows in repo.stage_spans(session, scope.programme, scope.round_id):
        for state, spent, left in rows:
            held = stays.get(state)
            if held is None:
                held = stays[state] = Stays(left)
            held.add(spent)
    out = []
    for s in ApplicationState:
        held = stays.get(s)
        if held is None:
            continue
        done = held.left
        out.append(
            {
                "state": s.value,
                "name_zh": STATE_NAMES_ZH[s],
                "left": done,
                "in_it_now": held.now,
                "mean_days": _days(math.fsum(held.partials) / done) if done else None,
                "median_days": _days(held.median()) if done else None,
                "max_days": _days(held.longest) if done else None,
            }
        )
    return out


async def summarise(
    session: AsyncSession, scope: Scope, sink: Callable[[Sequence[Any]], None] | None = None
) -> dict[str, Any]:
    """The statistics of ``scope``, its applications read once in chunks (each chunk handed to
    ``sink`` too, e.g. the export's sheet, in the export's order): memory bounded by a chunk, not the round."""
    tally = Tally()
    async for rows in repo.application_rows(session, scope.programme, scope.round_id):
        tally.add(rows)
        if sink is not None:
            sink(rows)
    stages = await stage_days(session, scope)
    units: dict[str, str] = {}
    for code in sorted(tally.programmes):
        units |= {u.code: u.name_zh for u in await unit_repo.all_in_programme(session, code)}
    return summary(scope, tally, stages, units)


def _days(seconds: float) -> Decimal:
    return Decimal(str(seconds / 86400)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _counted(counts: Counter[str | None], names: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"code": code, "name_zh": names.get(code, code) if code else NONE_ZH, "count": n}
        for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] or ""))
    ]


def _jurisdiction_names() -> dict[str, str]:
    """Each programme's jurisdiction and its parents by code and by division code (changning, 310105: 上海市长宁区)."""
    reg = get_registry()
    names: dict[str, str] = {}
    for code in reg.codes():
        j = reg.get(code).jurisdiction
        names[j.code] = j.name_zh
        if j.division:
            names[j.division] = j.name_zh
        for parent in j.parents:
            if parent.name_zh:
                names[parent.code] = names[parent.division] = parent.name_zh
    return names


def summary(scope: Scope, tally: Tally, stages: list[dict[str, Any]], unit_names: dict[str, str]) -> dict[str, Any]:
    lookup = {
        name: {v["code"]: v["name_zh"] for v in lookups.values(name, scope.programme)}
        for name in ("localities", "tiers", "categories")
    }
    return {
        "programme": scope.programme,
        "round_id": scope.round_id,
        "round_label": scope.round_label,
        "total": tally.total,
        "by_state": [
            {"code": s.value, "name_zh": STATE_NAMES_ZH[s], "count": tally.states[s]}
            for s in ApplicationState
            if tally.states.get(s)
        ],
        "by_tier": _counted(tally.tiers, lookup["tiers"]),
        "by_tier_sought": _counted(tally.tiers_sought, lookup["tiers"]),
        "by_category": _counted(tally.categories, lookup["categories"]),
        "by_district": _counted(tally.districts, {**lookup["localities"], **_jurisdiction_names()}),
        "by_locality": _counted(tally.localities, lookup["localities"]),
        "by_recommending_unit": _counted(tally.units, unit_names),
        "stage_days": stages,
    }


async def for_caller(
    session: AsyncSession, principal: Principal, programme: str | None, round_id: uuid.UUID | None
) -> dict[str, Any]:
    return await summarise(session, await scope_of(session, principal, programme, round_id))


def programme_name(scope: Scope) -> str:
    """The programme's Chinese name (the service's when the scope is every programme)."""
    if scope.programme is None:
        return "政府质量奖"
    return get_registry().get(scope.programme).name_zh
