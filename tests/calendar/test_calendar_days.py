"""The holiday calendar: working days, day kinds, seeded years (INTERPRETATIONS §2, §4)."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from app.domain.calendar import CalendarYearNotLoaded, DayKind, HolidayCalendar
from app.domain.calendar.seed import HOLIDAY_NAMES_ZH, seed_years


@pytest.fixture(scope="module")
def cal() -> HolidayCalendar:
    return HolidayCalendar.from_years(seed_years(), revision=1)


def test_seeded_years_agree_with_chinese_calendar_every_day_2004_2026__interpretation_4(cal):
    assert cal.loaded_years == tuple(range(2004, 2027))
    d = date(2004, 1, 1)
    while d <= date(2026, 12, 31):
        assert cal.is_working_day(d) == chinese_calendar.is_workday(d), d
        d += timedelta(days=1)


def test_seeded_holidays_carry_chinese_names_and_plain_weekends_are_not_holidays__interpretation_2(cal):
    assert cal.holiday_name(date(2026, 10, 1)) == "国庆节"
    assert cal.holiday_name(date(2026, 2, 17)) == "春节"
    assert cal.holiday_name(date(2026, 9, 25)) == "中秋节"
    assert cal.holiday_name(date(2015, 9, 3)) == HOLIDAY_NAMES_ZH["Anti-Fascist 70th Day"]
    # Sunday 2026-10-11 is a plain weekend, Saturday 10-03 a holiday inside National Day.
    assert cal.day_kind(date(2026, 10, 11)) is DayKind.WEEKEND
    assert cal.holiday_name(date(2026, 10, 11)) is None
    assert cal.day_kind(date(2026, 10, 3)) is DayKind.HOLIDAY
    names = {n for y in cal.years.values() for n in y.holidays.values()}
    assert names <= set(HOLIDAY_NAMES_ZH.values())


def test_day_kinds_of_2026__interpretation_2(cal):
    assert cal.day_kind(date(2026, 9, 29)) == "workday"
    assert cal.day_kind(date(2026, 10, 1)) == "holiday"
    assert cal.day_kind(date(2026, 10, 10)) == "makeup_workday"
    assert cal.day_kind(date(2026, 9, 20)) == "makeup_workday"
    assert cal.day_kind(date(2026, 9, 19)) == "weekend"
    assert cal.is_working_day(date(2026, 10, 10)) is True
    assert cal.is_working_day(date(2026, 10, 1)) is False
    assert cal.holiday_name(date(2026, 10, 10)) is None


def test_days_of_an_unloaded_year_are_refused__interpretation_4(cal):
    for ask in (cal.is_working_day, cal.day_kind, cal.holiday_name):
        with pytest.raises(CalendarYearNotLoaded) as refused:
            ask(date(2027, 1, 4))
        assert refused.value.extra == {"year": 2027}
    with pytest.raises(CalendarYearNotLoaded):
        cal.is_working_day(date(2003, 12, 31))


def test_calendar_is_immutable(cal):
    with pytest.raises(Exception):
        cal.revision = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        cal.years[2027] = cal.years[2026]  # type: ignore[index]
    with pytest.raises(TypeError):
        cal.years[2026].holidays[date(2026, 3, 2)] = "x"  # type: ignore[index]
