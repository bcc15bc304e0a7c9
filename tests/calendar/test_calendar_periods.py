"""The period engine on real 2026 dates (Civil Code arts. 201-203, INTERPRETATIONS §1-5).

2026: Mid-autumn 9-25..9-27, National Day 10-1..10-7; make-up working days Sunday 9-20 and
Saturday 10-10.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

import pytest

from app.domain.calendar import (
    CalendarYear,
    CalendarYearNotLoaded,
    HolidayCalendar,
    PeriodUnit,
    compute_period,
)
from app.domain.calendar.seed import seed_year, seed_years
from app.domain.errors import DomainError

CST = timezone(timedelta(hours=8))


@pytest.fixture(scope="module")
def cal() -> HolidayCalendar:
    return HolidayCalendar.from_years(seed_years(), revision=1)


def test_five_working_days_skip_national_day__civil_code_201__changning_21c(cal):
    p = compute_period(cal, date(2026, 9, 29), 5, "working_day")
    # 9-30, then 10-8, 10-9, 10-10 (Saturday make-up working day counts), 10-12.
    assert p.first_day == date(2026, 9, 30)
    assert p.last_day == date(2026, 10, 12)
    assert p.ends_at == datetime(2026, 10, 13, 0, 0, tzinfo=CST)
    assert p.ends_at.isoformat() == "2026-10-13T00:00:00+08:00"
    assert p.unit is PeriodUnit.WORKING_DAY and p.length == 5 and p.calendar_revision == 1
    assert p.display_zh() == "2026年9月30日至2026年10月12日24时"
    assert p.display() == "2026-09-30 至 2026-10-12 24:00"


def test_five_working_days_counting_start_day_end_on_makeup_saturday__interpretation_1(cal):
    p = compute_period(cal, date(2026, 9, 29), 5, PeriodUnit.WORKING_DAY, count_start_day=True)
    assert p.first_day == date(2026, 9, 29)
    assert p.last_day == date(2026, 10, 10)
    assert p.ends_at.isoformat() == "2026-10-11T00:00:00+08:00"
    assert p.rule == {"unit": "working_day", "length": 5, "count_start_day": True}


def test_seven_days_ending_in_national_day_move_to_next_working_day__civil_code_203__tianning_12i(cal):
    p = compute_period(cal, date(2026, 9, 24), 7, "calendar_day")
    assert p.first_day == date(2026, 9, 25)
    # day 7 is 10-1, a holiday: the last day becomes 10-8, the first working day after it.
    assert p.last_day == date(2026, 10, 8)
    assert p.ends_at.isoformat() == "2026-10-09T00:00:00+08:00"


def test_seven_days_ending_on_makeup_sunday_stand__civil_code_203__jinshan_18m(cal):
    p = compute_period(cal, date(2026, 9, 13), 7, "calendar_day")
    assert p.last_day == date(2026, 9, 20)
    assert p.last_day.weekday() == 6
    assert cal.day_kind(p.last_day) == "makeup_workday"


def test_calendar_days_ending_on_plain_weekend_move_to_monday__civil_code_203(cal):
    # 2026-11-07 is a Saturday: 5 days from 11-02 end on Saturday, moved to Monday 11-09.
    p = compute_period(cal, date(2026, 11, 2), 5, "calendar_day")
    assert p.last_day == date(2026, 11, 9)


def test_calendar_days_ending_on_working_day_stand__civil_code_201(cal):
    p = compute_period(cal, date(2026, 11, 2), 3, "calendar_day")
    assert p.last_day == date(2026, 11, 5)


def test_working_days_from_friday_skip_the_weekend__interpretation_2(cal):
    # Friday 2026-11-06: the first working day counted is Monday 11-09.
    p = compute_period(cal, date(2026, 11, 6), 1, "working_day")
    assert p.first_day == date(2026, 11, 7)
    assert p.last_day == date(2026, 11, 9)


def test_period_needing_2027_is_refused_until_loaded__interpretation_4(cal):
    with pytest.raises(CalendarYearNotLoaded) as refused:
        compute_period(cal, date(2026, 12, 28), 5, "working_day")
    err = refused.value
    assert isinstance(err, DomainError)
    assert err.status == 422 and err.type_uri.endswith("/calendar-year-not-loaded")
    assert err.extra == {"year": 2027} and err.errors[0].field == "year"
    assert "2027" in err.zh and "2027" in err.en

    # A hand-written 2027 (as an admin would load it): 元旦 1-1..1-3, no make-up days.
    y2027 = CalendarYear(2027, {date(2027, 1, d): "元旦" for d in (1, 2, 3)}, frozenset())
    loaded = HolidayCalendar.from_years([*cal.years.values(), y2027], revision=2)
    p = compute_period(loaded, date(2026, 12, 28), 5, "working_day")
    # 12-29, 12-30, 12-31, then 1-4 (Mon), 1-5.
    assert p.last_day == date(2027, 1, 5)
    assert p.calendar_revision == 2


def test_calendar_days_moved_into_an_unloaded_year_are_refused__interpretation_4(cal):
    # 2026-12-31 + ... : 5 days from 12-27 end on Thursday 12-31 and stand.
    assert compute_period(cal, date(2026, 12, 26), 5, "calendar_day").last_day == date(2026, 12, 31)
    with pytest.raises(CalendarYearNotLoaded) as refused:
        compute_period(cal, date(2026, 12, 27), 5, "calendar_day")
    assert refused.value.year == 2027


def test_period_crossing_a_gap_between_loaded_years_is_refused__interpretation_4():
    cal = HolidayCalendar.from_years([seed_year(2024), seed_year(2026)], revision=3)
    with pytest.raises(CalendarYearNotLoaded) as refused:
        compute_period(cal, date(2024, 12, 30), 5, "working_day")
    assert refused.value.year == 2025
    with pytest.raises(CalendarYearNotLoaded) as refused:
        compute_period(cal, date(2025, 6, 1), 5, "calendar_day")
    assert refused.value.year == 2025
    # Not counting 2025-12-31, the period lies wholly in 2026: Sunday 2026-01-04 is a make-up day.
    assert compute_period(cal, date(2025, 12, 31), 1, "working_day").last_day == date(2026, 1, 4)


def test_bad_length_and_unit_are_refused():
    cal = HolidayCalendar.from_years([seed_year(2026)], revision=1)
    with pytest.raises(DomainError) as bad:
        compute_period(cal, date(2026, 3, 2), 0, "working_day")
    assert bad.value.status == 422 and bad.value.errors[0].field == "length"
    with pytest.raises(DomainError) as bad:
        compute_period(cal, date(2026, 3, 2), 3, "fortnight")
    assert bad.value.errors[0].field == "unit"


def test_engine_agrees_with_day_by_day_counting__civil_code_201_203(cal):
    """The array look-ups give the same answer as walking the calendar one day at a time."""

    def walk(start: date, length: int, unit: str, count_start_day: bool) -> date:
        d = start if count_start_day else start + timedelta(days=1)
        if unit == "working_day":
            n = 0
            while True:
                if cal.is_working_day(d):
                    n += 1
                    if n == length:
                        return d
                d += timedelta(days=1)
        d += timedelta(days=length - 1)
        while not cal.is_working_day(d):
            d += timedelta(days=1)
        return d

    start = date(2004, 1, 1)
    for i in range(0, 8000, 7):
        s = start + timedelta(days=i)
        for length in (1, 5, 7, 15):
            for unit in ("working_day", "calendar_day"):
                for csd in (False, True):
                    assert compute_period(cal, s, length, unit, csd).last_day == walk(s, length, unit, csd)


def test_ten_thousand_periods_take_well_under_a_second(cal):
    starts = [date(2004, 1, 1) + timedelta(days=(i * 37) % 8000) for i in range(10_000)]
    t0 = time.perf_counter()
    for i, s in enumerate(starts):
        compute_period(cal, s, 1 + i % 20, "working_day" if i % 2 else "calendar_day", i % 3 == 0)
    assert time.perf_counter() - t0 < 1.0
