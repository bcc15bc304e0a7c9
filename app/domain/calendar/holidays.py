"""法定节假日安排: the official holiday calendar, as data.

Working day (工作日, INTERPRETATIONS §2): Monday to Friday that is not a statutory holiday, plus
the weekend make-up working days (调休上班) of the State Council's annual notice. A calendar only
knows the years that were loaded into it; asking about any other year raises
``CalendarYearNotLoaded``, because a legal deadline is never guessed (INTERPRETATIONS §4).

``HolidayCalendar`` is immutable and built once per calendar revision: every contiguous run of
loaded years becomes a ``_Span`` holding one flag per day and the ordinals of its working days, so
the period engine answers with two array look-ups instead of walking day by day.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType

from app.domain.errors import DomainError, FieldError


class DayKind(StrEnum):
    """What a day is in the calendar; the values are the API's values."""

    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    MAKEUP_WORKDAY = "makeup_workday"


class CalendarYearNotLoaded(DomainError):
    """A computation needs a year whose holiday arrangement has not been loaded (§4: never guess)."""

    def __init__(self, year: int) -> None:
        super().__init__(
            slug="calendar-year-not-loaded",
            status=422,
            title="Calendar Year Not Loaded",
            zh=f"{year}年的节假日安排尚未载入，无法判断工作日或计算期间；请管理员依据国务院办公厅通知载入{year}年日历",
            en=(
                f"The holiday calendar for {year} has not been loaded, so the period cannot be "
                f"computed; an administrator must load {year} from the State Council notice"
            ),
            errors=[
                FieldError(
                    "year",
                    f"{year}年的节假日安排尚未载入",
                    f"no holiday calendar is loaded for {year}",
                    code="calendar-year-not-loaded",
                )
            ],
            extra={"year": year},
        )
        self.year = year


@dataclass(frozen=True)
class CalendarYear:
    """One loaded year: its statutory holidays (date → name) and make-up working days."""

    year: int
    holidays: Mapping[date, str]
    makeup_workdays: frozenset[date]
    source: str | None = None
    revision: int | None = None
    loaded_at: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", MappingProxyType(dict(self.holidays)))
        object.__setattr__(self, "makeup_workdays", frozenset(self.makeup_workdays))


@dataclass(frozen=True)
class _Span:
    """A contiguous run of loaded years, from ``first`` to ``last`` ordinal inclusive."""

    first: int
    last: int
    working: bytes  # working[o - first] == 1 when day ordinal o is a working day
    working_ordinals: array  # ordinals of the working days, ascending

    def working_days_before(self, ordinal: int) -> int:
        """How many working days of this span fall strictly before ``ordinal``."""
        return bisect_right(self.working_ordinals, ordinal - 1)


@dataclass(frozen=True)
class HolidayCalendar:
    """The holiday calendar at one revision: the loaded years, immutable."""

    years: Mapping[int, CalendarYear]
    revision: int
    _spans: tuple[_Span, ...] = field(init=False, repr=False, compare=False)
    _span_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _holiday_names: Mapping[date, str] = field(init=False, repr=False, compare=False)
    _makeup: frozenset[date] = field(init=False, repr=False, compare=False)

    @classmethod
    def from_years(cls, years: Iterable[CalendarYear], revision: int) -> HolidayCalendar:
        return cls({y.year: y for y in years}, revision)

    def __post_init__(self) -> None:
        years = MappingProxyType(dict(sorted(self.years.items())))
        object.__setattr__(self, "years", years)
        names: dict[date, str] = {}
        makeup: set[date] = set()
        for y in years.values():
            names.update(y.holidays)
            makeup.update(y.makeup_workdays)
        object.__setattr__(self, "_holiday_names", MappingProxyType(names))
        object.__setattr__(self, "_makeup", frozenset(makeup))
        spans = tuple(self._build_span(run) for run in _contiguous_runs(list(years)))
        object.__setattr__(self, "_spans", spans)
        object.__setattr__(self, "_span_starts", tuple(s.first for s in spans))

    def _build_span(self, run: list[int]) -> _Span:
        first = date(run[0], 1, 1).toordinal()
        last = date(run[-1], 12, 31).toordinal()
        flags = bytearray(last - first + 1)
        ordinals = array("i")
        for o in range(first, last + 1):
            if self._compute_working(date.fromordinal(o)):
                flags[o - first] = 1
                ordinals.append(o)
        return _Span(first, last, bytes(flags), ordinals)

    def _compute_working(self, d: date) -> bool:
        if d in self._makeup:
            return True
        return d.weekday() < 5 and d not in self._holiday_names

    # -- look-ups --------------------------------------------------------------------------------

    @property
    def loaded_years(self) -> tuple[int, ...]:
        return tuple(self.years)

    def is_loaded(self, year: int) -> bool:
        return year in self.years

    def require_year(self, year: int) -> CalendarYear:
        try:
            return self.years[year]
        except KeyError:
            raise CalendarYearNotLoaded(year) from None

    def span_of(self, ordinal: int) -> _Span:
        """The span holding day ``ordinal``; ``CalendarYearNotLoaded`` when its year is not loaded."""
        i = bisect_right(self._span_starts, ordinal) - 1
        if i >= 0:
            span = self._spans[i]
            if ordinal <= span.last:
                return span
        raise CalendarYearNotLoaded(date.fromordinal(ordinal).year)

    def is_working_day(self, d: date) -> bool:
        o = d.toordinal()
        span = self.span_of(o)
        return span.working[o - span.first] == 1

    def day_kind(self, d: date) -> DayKind:
        self.require_year(d.year)
        if d in self._makeup:
            return DayKind.MAKEUP_WORKDAY
        if d in self._holiday_names:
            return DayKind.HOLIDAY
        return DayKind.WEEKEND if d.weekday() >= 5 else DayKind.WORKDAY

    def holiday_name(self, d: date) -> str | None:
        self.require_year(d.year)
        return self._holiday_names.get(d)


def _contiguous_runs(years: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and runs[-1][-1] == y - 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return runs
