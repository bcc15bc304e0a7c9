"""When each occurrence of a post-award duty falls due (义务期限), from the programme's ``schedule``.

Pure: the legal calendar and the award day are given. A year end is 31 December, ending at 24:00
Asia/Shanghai; when that day is a rest day the duty's last day is the next working day (Civil Code
art. 203, as every period of the service). A year the calendar has not loaded is never guessed: the
31 December is kept, marked provisional (no calendar revision), and settled when the worker meets it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.domain.calendar.holidays import CalendarYearNotLoaded, HolidayCalendar
from app.domain.calendar.periods import end_of_day
from app.domain.programmes.schema import PostAwardDuty, Schedule


@dataclass(frozen=True)
class DueDay:
    nominal: date
    day: date
    at: datetime
    revision: int | None  # None: provisional (a year it needs is not loaded)


def years(schedule: Schedule, award_on: date) -> list[int]:
    """The years an occurrence falls due in.

    ``every_years`` within ``within_years`` counted from the award year or the year after it
    (jinshan-24b: 3 years from the award year; hangzhou-6.4a: years 1, 3 and 5 from the year after,
    a reading); a frequency the text does not state (定期) is read as once a year, and a duty with no
    end stated is scheduled ``horizon_years`` ahead (the programme's reading names both).
    """
    start = award_on.year + (1 if schedule.starts == "year_after_award" else 0)
    span = schedule.within_years or schedule.horizon_years
    if span is None:
        return []
    step = schedule.every_years or 1
    return [start + offset for offset in range(0, span, step)]


def due_day(cal: HolidayCalendar, year: int) -> DueDay:
    """31 December of ``year``, moved off a rest day when the calendar knows the days after it."""
    nominal = date(year, 12, 31)
    day = nominal
    try:
        while not cal.is_working_day(day):
            day += timedelta(days=1)
    except CalendarYearNotLoaded:
        return DueDay(nominal, nominal, end_of_day(nominal), None)
    return DueDay(nominal, day, end_of_day(day), cal.revision)


def kind_of(duty: PostAwardDuty) -> str | None:
    """``report`` (a winner's scheduled report), ``follow_up`` (the office's scheduled visit), or None (no deadline)."""
    if duty.schedule is None:
        return None
    return "report" if duty.who == "winner" else "follow_up"


def stated(duty: PostAwardDuty) -> bool:
    """Whether the text itself fixes the years and the day (else the programme's reading does)."""
    s = duty.schedule
    return s is not None and s.frequency_stated and s.due_stated and s.reading is None
