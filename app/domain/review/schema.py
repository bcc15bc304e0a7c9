"""The schema of a scorebook (评分手册) and of which programme category uses which.

A scorebook is the points table a panel scores against: categories (类目) of items (评分项),
each item worth some points and judged either as a process (方法、展开、学习、整合) or on its
results (水平、趋势、对比、整合), as GB/Z 19579 describes for GB/T 19580. One file per book under
``scorebooks/`` (``gbt19580.yaml`` holds ``code: gbt19580``), one entry per edition, like the
programme definitions. Each edition says where its figures come from (``source``); figures not
checked against the standard's own text carry ``stated: false`` and the reason.

``programme_books.yaml`` maps each programme's categories (and, where they differ, tiers) to an
edition of a book, citing the clause that names the standard; where the text leaves it open the
entry is the service's reading (``stated: false``) with the reason. It also holds each
programme's outlier spread, the distance from the panel median that flags a member's score.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from app.domain.programmes.schema import ApplicantKind, Cited, Code, Model

# "4.1.2", "1", "c2.3": what a standard numbers its items with
PartId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=32)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class ItemKind(StrEnum):
    """How an item is judged (GB/Z 19579)."""

    PROCESS = "process"  # 过程: 方法、展开、学习、整合
    RESULTS = "results"  # 结果: 水平、趋势、对比、整合


def _unique_ids(ids: list[str], where: str) -> None:
    repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
    if repeated:
        raise ValueError(f"{where}: duplicate id '{repeated[0]}'")


class Item(Model):
    """评分项: one scored item of a category."""

    id: PartId
    name_zh: Text
    name_en: Text
    points: int = Field(gt=0)
    kind: ItemKind


class BookCategory(Model):
    """类目: a category of items; its points are the sum of its items'."""

    id: PartId
    name_zh: Text
    name_en: Text
    points: int = Field(gt=0)
    items: list[Item] = Field(min_length=1)

    @model_validator(mode="after")
    def _items_sum_to_category(self) -> BookCategory:
        total = sum(i.points for i in self.items)
        if total != self.points:
            raise ValueError(f"items: the items' points sum to {total}, not the category's {self.points}")
        return self


class Reference(Model):
    """A text consulted for the figures, and what it confirmed."""

    where: Text
    confirms: Text


class Source(Model):
    """Where an edition's figures come from.

    ``stated: true`` only when the categories, items and points were checked against the
    standard's own text; otherwise ``stated: false`` and ``reason`` says what is not verified.
    """

    document: Text
    stated: bool
    reason: str | None = None
    references: list[Reference] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unverified_needs_reason(self) -> Source:
        if not self.stated and not (self.reason and self.reason.strip()):
            raise ValueError("reason: figures not verified against the text (stated: false) must say why")
        return self


class Edition(Model):
    """One edition of a book: its categories, items and points."""

    edition: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z._-]+$")]
    title_zh: Text
    total: int = Field(gt=0)
    source: Source
    categories: list[BookCategory] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Edition:
        total = sum(c.points for c in self.categories)
        if total != self.total:
            raise ValueError(f"categories: the categories' points sum to {total}, not the total {self.total}")
        _unique_ids([c.id for c in self.categories], "categories")
        # one id space for categories and items: a score names an item, a report a category
        _unique_ids([c.id for c in self.categories] + [i.id for c in self.categories for i in c.items], "items")
        return self


class ScorebookFile(Model):
    """A scorebook file: the book's identity and its editions."""

    code: Code
    name_zh: Text
    name_en: Text
    applicant_kind: ApplicantKind
    # a book the programme's office writes itself, no national or local standard behind it
    programme_defined: bool = False
    editions: list[Edition] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_editions(self) -> ScorebookFile:
        _unique_ids([e.edition for e in self.editions], "editions")
        return self


class Scorebook(Model):
    """One edition of a book, ready to score against (``code`` + ``edition`` identify it)."""

    code: Code
    name_zh: str
    name_en: str
    applicant_kind: ApplicantKind
    programme_defined: bool
    edition: str
    title_zh: str
    total: int
    source: Source
    categories: list[BookCategory]

    @property
    def key(self) -> str:
        return f"{self.code}@{self.edition}"

    @cached_property
    def items(self) -> dict[str, Item]:
        """Every item by id, in book order."""
        return {i.id: i for c in self.categories for i in c.items}

    @cached_property
    def category_of(self) -> dict[str, BookCategory]:
        """item id -> its category."""
        return {i.id: c for c in self.categories for i in c.items}

    @cached_property
    def results_points(self) -> int:
        """The points of the results items (the first tie-break of a ranking)."""
        return sum(i.points for i in self.items.values() if i.kind is ItemKind.RESULTS)


class Reasoned(Cited):
    """A cited value; the service's reading (``stated: false``) says why in ``reason``."""

    reason: str | None = None

    @model_validator(mode="after")
    def _reading_needs_reason(self) -> Reasoned:
        if not self.stated and not (self.reason and self.reason.strip()):
            raise ValueError("reason: a value the text does not state (stated: false) must give the reading's reason")
        return self


class BookUse(Reasoned):
    """Which book a programme's category (and, if given, only these tiers) is scored against."""

    category: Code
    tiers: list[Code] | None = None  # None: every tier
    book: Code
    edition: str | None = None  # None: the book's latest edition


class OutlierSpread(Reasoned):
    """How far a member's score may lie from the panel median before it is flagged.

    ``percent``: percentage points of the item's band; ``points``: points of the item's score.
    A member is flagged when the difference is MORE than ``value``.
    """

    value: Decimal = Field(gt=0)
    unit: Literal["percent", "points"]


class ProgrammeReview(Model):
    """A programme's review data: its books and its outlier spread."""

    outlier_spread: OutlierSpread
    books: list[BookUse] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_book_per_category_and_tier(self) -> ProgrammeReview:
        seen: set[tuple[str, str | None]] = set()  # (category, tier); tier None: the whole category
        for i, use in enumerate(self.books):
            taken = {t for c, t in seen if c == use.category}
            clash = bool(taken) if use.tiers is None else (None in taken or bool(taken & set(use.tiers)))
            if clash:
                raise ValueError(f"books.{i}: category '{use.category}' (or one of its tiers) already has a book")
            seen |= {(use.category, t) for t in (use.tiers or [None])}
        return self
