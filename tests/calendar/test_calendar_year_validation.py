"""Loading a year from the State Council notice: what is refused, naming the date."""

from __future__ import annotations

from datetime import date

from app.domain.calendar import invalid_year, validate_year

# 国务院办公厅关于2026年部分节假日安排的通知 (National Day part).
NATIONAL_DAY = [(date(2026, 10, d), "国庆节") for d in range(1, 8)]


def test_a_correct_year_passes():
    assert validate_year(2026, NATIONAL_DAY, [date(2026, 9, 20), date(2026, 10, 10)]) == []


def test_weekday_as_makeup_workday_is_refused_naming_the_date__interpretation_2():
    # 2026-10-09 is a Friday: it is a working day already.
    errors = validate_year(2026, NATIONAL_DAY, [date(2026, 9, 20), date(2026, 10, 9)])
    assert [(e.field, e.code) for e in errors] == [("makeup_workdays[1]", "makeup-workday-not-weekend")]
    assert "2026-10-09" in errors[0].zh and "2026-10-09" in errors[0].en
    assert "Friday" in errors[0].en and "星期五" in errors[0].zh


def test_dates_outside_the_year_are_refused():
    errors = validate_year(2027, [(date(2026, 12, 31), "元旦")], [date(2026, 12, 26)])
    assert [(e.field, e.code) for e in errors] == [
        ("holidays[0].date", "date-outside-year"),
        ("makeup_workdays[0]", "date-outside-year"),
    ]
    assert "2026-12-31" in errors[0].en and "2027" in errors[0].zh


def test_a_date_in_both_lists_is_refused():
    errors = validate_year(2026, NATIONAL_DAY, [date(2026, 10, 3)])
    assert [(e.field, e.code) for e in errors] == [("makeup_workdays[0]", "holiday-and-makeup-workday")]
    assert "2026-10-03" in errors[0].en


def test_a_duplicate_holiday_is_refused():
    errors = validate_year(2026, [*NATIONAL_DAY, (date(2026, 10, 2), "国庆节")], [])
    assert [(e.field, e.code) for e in errors] == [("holidays[7].date", "duplicate-holiday")]
    assert "holidays[1]" in errors[0].en


def test_a_holiday_needs_a_name():
    errors = validate_year(2026, [(date(2026, 10, 1), " ")], [])
    assert [(e.field, e.code) for e in errors] == [("holidays[0].name", "missing-name")]


def test_invalid_year_is_a_422_problem_listing_every_error():
    errors = validate_year(2026, NATIONAL_DAY, [date(2026, 10, 9), date(2026, 10, 3)])
    err = invalid_year(2026, errors)
    assert err.status == 422 and err.type_uri.endswith("/calendar-year-invalid")
    assert err.errors == errors and err.extra == {"year": 2026}
    assert "2026-10-09" in err.en
