"""2004-2026 节假日安排, seeded from the ``chinese-calendar`` package (INTERPRETATIONS §4).

``chinese_calendar`` marks every rest day as a holiday, weekends included, and gives a holiday
name only to the days of a statutory holiday arrangement (and, with ``is_holiday`` false, to the
make-up working days that belong to one). So: a day off with a name is a statutory holiday; a
Saturday or Sunday that is a working day is a make-up working day (调休上班); a day off without a
name is a plain weekend and is not stored.
"""

from __future__ import annotations

from datetime import date, timedelta
from importlib.metadata import PackageNotFoundError, version

import chinese_calendar

from app.domain.calendar.holidays import CalendarYear

SEED_FIRST_YEAR = 2004
SEED_LAST_YEAR = 2026

# The package's English names → the names in the State Council notices.
HOLIDAY_NAMES_ZH: dict[str, str] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def seed_source() -> str:
    """E.g. ``chinese-calendar 1.11.0``: recorded as the seeded years' source."""
    try:
        return f"chinese-calendar {version('chinesecalendar')}"
    except PackageNotFoundError:  # pragma: no cover - installed under another distribution name
        return f"chinese-calendar {getattr(chinese_calendar, '__version__', 'unknown')}"


def seed_year(year: int, source: str | None = None) -> CalendarYear:
    holidays: dict[date, str] = {}
    makeup: set[date] = set()
    d = date(year, 1, 1)
    while d.year == year:
        working = chinese_calendar.is_workday(d)
        if working and d.weekday() >= 5:
            makeup.add(d)
        elif not working:
            _, name = chinese_calendar.get_holiday_detail(d)
            if name is not None:
                holidays[d] = HOLIDAY_NAMES_ZH.get(name, name)
        d += timedelta(days=1)
    return CalendarYear(year, holidays, frozenset(makeup), source=source or seed_source())


def seed_years(first: int = SEED_FIRST_YEAR, last: int = SEED_LAST_YEAR) -> list[CalendarYear]:
    """The seeded years, oldest first."""
    source = seed_source()
    return [seed_year(y, source) for y in range(first, last + 1)]
