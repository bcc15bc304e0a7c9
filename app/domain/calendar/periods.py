"""期间计算: the one period engine every legal deadline asks.

Civil Code art. 201: a period counted in days starts on the day after the starting event (the day
a notice is published is not counted), unless a round records that it counts the start day as
day 1 (INTERPRETATIONS §1). Art. 203: the period ends at 24:00 of its last day; when the last day
is a statutory holiday (or a rest day), the day after the holiday is the last day. So:

- ``working_day`` counts only working days (工作日, §2);
- ``calendar_day`` counts every day (天, §3), then a last day that is not a working day moves to
  the next working day; a weekend make-up working day (调休上班) is a working day and stands.

A period that reaches into a year with no loaded calendar is refused (§4), and every result names
the calendar revision it was computed with (§5).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from app.domain.calendar.holidays import CalendarYearNotLoaded, HolidayCalendar
from app.domain.clock import SHANGHAI
from app.domain.errors import invalid


class PeriodUnit(StrEnum):
    WORKING_DAY = "working_day"  # 工作日
    CALENDAR_DAY = "calendar_day"  # 天 / 自然日


@dataclass(frozen=True)
class UnitWords:
    """How a period's unit is written (期间单位的表述), everywhere the service writes it.

    ``count_*`` follows a number ("5个工作日", "7天"; "5 working days", "7 days"); the regulations write
    calendar-day periods as 天 ("不少于7天"), so the service does too, never 日. ``name_*`` is the unit
    itself, where it is contrasted with the other ("以工作日计算", "counted in calendar days").
    """

    count_zh: str
    count_en: str
    name_zh: str
    name_en: str

    def count(self, length: object) -> tuple[str, str]:
        """The period in both languages: ("5个工作日", "5 working days")."""
        return f"{length}{self.count_zh}", f"{length} {self.count_en}"


UNIT_WORDS: dict[str, UnitWords] = {
    PeriodUnit.WORKING_DAY: UnitWords("个工作日", "working days", "工作日", "working days"),
    PeriodUnit.CALENDAR_DAY: UnitWords("天", "days", "自然日", "calendar days"),
}


def unit_words(unit: str | None) -> UnitWords:
    """The words of a rule's unit as stored (a string); a rule that is not in working days counts calendar days."""
    return UNIT_WORDS[PeriodUnit.WORKING_DAY if unit == PeriodUnit.WORKING_DAY else PeriodUnit.CALENDAR_DAY]


@dataclass(frozen=True)
class Period:
    """A computed period: from ``first_day`` to 24:00 (Asia/Shanghai) of ``last_day``."""

    start: date
    first_day: date
    last_day: date
    ends_at: datetime
    unit: PeriodUnit
    length: int
    calendar_revision: int
    count_start_day: bool = False

    @property
    def rule(self) -> dict[str, Any]:
        """The rule as a deadline records it, enough to recompute the period."""
        return {"unit": str(self.unit), "length": self.length, "count_start_day": self.count_start_day}

    def display_zh(self) -> str:
        """E.g. ``2026年9月30日至2026年10月12日24时``."""
        return span_zh(self.first_day, self.last_day)

    def display(self) -> str:
        """E.g. ``2026-09-30 至 2026-10-12 24:00`` (INTERPRETATIONS §5)."""
        return f"{self.first_day.isoformat()} 至 {self.last_day.isoformat()} 24:00"


def date_zh(d: date) -> str:
    """``2026年9月30日``: how a legal date is written in a notice."""
    return f"{d.year}年{d.month}月{d.day}日"


def span_zh(first_day: date, last_day: date) -> str:
    """``2026年9月30日至2026年10月12日24时``: a period as notices state it."""
    return f"{date_zh(first_day)}至{date_zh(last_day)}24时"


def recorded_span(starts_on: date, ends_at: datetime, count_start_day: bool) -> tuple[date, date]:
    """The first and last day of a period recorded as a deadline (its start and its end instant)."""
    first = starts_on if count_start_day else starts_on + timedelta(days=1)
    last = (ends_at.astimezone(SHANGHAI) - timedelta(seconds=1)).date()
    return first, last


def end_of_day(d: date) -> datetime:
    """24:00 of ``d`` in Asia/Shanghai: the next day at 00:00+08:00 (Civil Code art. 203)."""
    return datetime.combine(d + timedelta(days=1), time(0), tzinfo=SHANGHAI)


def compute_period(
    cal: HolidayCalendar,
    start: date,
    length: int,
    unit: PeriodUnit | str,
    count_start_day: bool = False,
) -> Period:
    """The period of ``length`` ``unit``s that starts with the event on ``start``.

    Raises ``CalendarYearNotLoaded`` when any day from the first counted day to the last day
    (after moving it off a rest day) lies in a year that is not loaded.
    """
    try:
        unit = PeriodUnit(unit)
    except ValueError:
        raise invalid("unit", "只能是 working_day 或 calendar_day", "must be working_day or calendar_day") from None
    if length < 1:
        raise invalid("length", "必须是正整数", "must be a positive integer")

    first = start.toordinal() + (0 if count_start_day else 1)  # Civil Code art. 201
    if first > date.max.toordinal():
        raise invalid("start", "超出可计算的日期范围", "is beyond the last date that can be computed")
    span = cal.span_of(first)
    if unit is PeriodUnit.WORKING_DAY:
        # The length-th working day on or after the first day.
        index = span.working_days_before(first) + length - 1
    else:
        last = first + length - 1
        if last > span.last:
            raise CalendarYearNotLoaded(date.fromordinal(span.last).year + 1)
        # Art. 203: the last day, or the next working day when it is a rest day or holiday.
        index = span.working_days_before(last)
    if index >= len(span.working_ordinals):
        raise CalendarYearNotLoaded(date.fromordinal(span.last).year + 1)
    last_day = date.fromordinal(span.working_ordinals[index])
    return Period(
        start=start,
        first_day=date.fromordinal(first),
        last_day=last_day,
        ends_at=end_of_day(last_day),
        unit=unit,
        length=length,
        calendar_revision=cal.revision,
        count_start_day=count_start_day,
    )
