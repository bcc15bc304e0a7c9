"""The period engine's edges that ordinary dates never reach (Civil Code art. 201, INTERPRETATIONS §4)."""

from __future__ import annotations

from datetime import UTC, date

import pytest

from app.domain.calendar import CalendarYearNotLoaded, HolidayCalendar, compute_period
from app.domain.calendar.periods import recorded_span
from app.domain.calendar.seed import seed_year
from app.domain.errors import DomainError

pytestmark = pytest.mark.no_database


@pytest.fixture(scope="module")
def cal() -> HolidayCalendar:
    return HolidayCalendar.from_years([seed_year(2026)], revision=1)


def test_a_period_starting_on_the_last_representable_day_is_refused_naming_start__civil_code_201(cal):
    """Art. 201 starts counting the day after the event: after 9999-12-31 there is no day to count,
    so the engine answers a 422 on ``start`` instead of overflowing."""
    with pytest.raises(DomainError) as refused:
        compute_period(cal, date.max, 1, "calendar_day")
    assert refused.value.status == 422
    assert refused.value.errors[0].field == "start"
    assert "超出可计算的日期范围" in refused.value.zh and "beyond the last date" in refused.value.en


def test_counting_the_start_day_makes_the_last_representable_day_countable__interpretation_1_4(cal):
    """Counting the start day (INTERPRETATIONS §1), 9999-12-31 itself is day 1: not the range
    guard's refusal but the unloaded year's (§4)."""
    with pytest.raises(CalendarYearNotLoaded):
        compute_period(cal, date.max, 1, "calendar_day", count_start_day=True)
    with pytest.raises(CalendarYearNotLoaded):
        compute_period(cal, date(9999, 12, 30), 1, "working_day")


def test_a_period_records_its_rule_and_displays_its_span__interpretation_5(cal):
    p = compute_period(cal, date(2026, 9, 29), 7, "calendar_day")
    assert p.rule == {"unit": "calendar_day", "length": 7, "count_start_day": False}
    assert p.display() == "2026-09-30 至 2026-10-08 24:00"
    assert p.display_zh() == "2026年9月30日至2026年10月8日24时"


def test_a_working_day_period_needing_one_day_past_the_loaded_years_is_refused__interpretation_4(cal):
    """2026-12-31 is the last loaded working day: a period needing the next one asks for 2027."""
    assert compute_period(cal, date(2026, 12, 30), 1, "working_day").last_day == date(2026, 12, 31)
    with pytest.raises(CalendarYearNotLoaded) as refused:
        compute_period(cal, date(2026, 12, 30), 2, "working_day")
    assert refused.value.year == 2027


def test_a_computed_period_cannot_be_changed(cal):
    p = compute_period(cal, date(2026, 9, 29), 7, "calendar_day")
    with pytest.raises(AttributeError):
        p.last_day = date(2026, 12, 31)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("count_start_day", "first"),
    [(False, date(2026, 9, 30)), (True, date(2026, 9, 29))],
)
def test_a_recorded_deadline_reads_back_its_first_and_last_day__civil_code_201_203(cal, count_start_day, first):
    """A deadline keeps its start and its end instant (24:00 Shanghai of the last day, art. 203);
    the span shown in a notice is read back from them."""
    p = compute_period(cal, date(2026, 9, 29), 7, "calendar_day", count_start_day=count_start_day)
    assert recorded_span(date(2026, 9, 29), p.ends_at, count_start_day) == (first, p.last_day)
    assert recorded_span(date(2026, 9, 29), p.ends_at.astimezone(UTC), count_start_day)[1] == p.last_day
