"""法定日历与期间: the holiday calendar and the period engine (INTERPRETATIONS §1-5)."""

from app.domain.calendar.holidays import CalendarYear, CalendarYearNotLoaded, DayKind, HolidayCalendar
from app.domain.calendar.periods import Period, PeriodUnit, compute_period, end_of_day
from app.domain.calendar.validation import invalid_year, validate_year

__all__ = [
    "CalendarYear",
    "CalendarYearNotLoaded",
    "DayKind",
    "HolidayCalendar",
    "Period",
    "PeriodUnit",
    "compute_period",
    "end_of_day",
    "invalid_year",
    "validate_year",
]
