"""What the calendar API reads and answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from app.domain.calendar.holidays import DayKind
from app.domain.calendar.periods import PeriodUnit


class HolidayIn(BaseModel):
    model_config = {"extra": "forbid"}

    date: date
    name: str = Field(min_length=1, max_length=100, examples=["国庆节"])


class CalendarYearIn(BaseModel):
    """A year's arrangement as the State Council's annual notice states it."""

    model_config = {"extra": "forbid"}

    holidays: list[HolidayIn] = Field(max_length=366)
    makeup_workdays: list[date] = Field(default_factory=list, max_length=366)
    source: str = Field(min_length=1, max_length=500, examples=["国务院办公厅关于2027年部分节假日安排的通知"])


class CalendarYearOut(BaseModel):
    year: int
    revision: int
    source: str
    loaded_at: datetime


class CalendarYearLoaded(CalendarYearOut):
    holidays: list[HolidayIn]
    makeup_workdays: list[date]


class CalendarDayOut(BaseModel):
    date: date
    working_day: bool
    kind: DayKind
    holiday_name: str | None


class PeriodOut(BaseModel):
    start: date
    first_day: date
    last_day: date
    ends_at: datetime = Field(description="24:00 of last_day in Asia/Shanghai, i.e. the next day at 00:00+08:00")
    unit: PeriodUnit
    length: int
    calendar_revision: int
    count_start_day: bool
    display_zh: str = Field(examples=["2026年9月30日至2026年10月12日24时"])


class AffectedDeadlineOut(BaseModel):
    """An open deadline computed before a year it depends on was changed: the office confirms it.

    A workflow deadline (``id`` its deadline's), or an open objection's verification target
    (``kind`` ``objection_verification``, ``id`` the objection's).
    """

    id: str
    application_id: str | None
    kind: str = Field(examples=["notice_end", "objection_verification"])
    rule: dict[str, Any] | None
    starts_on: date
    ends_at: datetime | None
    calendar_revision: int
    status: str
    changed_years: list[int]
    latest_revision: int


class ConfirmDeadlineIn(BaseModel):
    """The office's answer to a calendar correction that would pull a notice's end earlier."""

    reason: str = Field(min_length=1, max_length=2000, description="why (recorded with the deadline)")
    move: bool = Field(
        default=False, description="true: end at the corrected (earlier) end; false: keep the published end"
    )


class DeadlineConfirmedOut(BaseModel):
    id: str
    application_id: str
    kind: str
    ends_at: datetime
    calendar_revision: int
    corrections: list[dict[str, Any]] = Field(
        description="each calendar correction checked: both revisions, moved, by, reason"
    )
