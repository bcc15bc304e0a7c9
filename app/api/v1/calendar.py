"""法定日历: loaded years, day look-up, the period engine, deadlines to re-confirm."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Path, Query

from app.api.deps import PUBLIC, AdminOnly, OfficeOrAdmin, Session
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.domain.calendar import service
from app.domain.calendar.periods import PeriodUnit
from app.domain.calendar.schemas import (
    AffectedDeadlineOut,
    CalendarDayOut,
    CalendarYearIn,
    CalendarYearLoaded,
    CalendarYearOut,
    ConfirmDeadlineIn,
    DeadlineConfirmedOut,
    PeriodOut,
)

router = v1_router(prefix="/calendar", tags=["calendar"])

Year = Annotated[int, Path(ge=1949, le=9998, description="the calendar year, e.g. 2027")]


@router.put(
    "/years/{year}",
    operation_id="put_calendar_year",
    response_model=CalendarYearLoaded,
    responses=problem_responses(401, 403, 422),
)
async def put_calendar_year(
    year: Year,
    body: CalendarYearIn,
    session: Session,
    caller: AdminOnly,
) -> dict:
    """Load or replace a year from the State Council's holiday notice; makes a new calendar revision."""
    return await service.load_year(session, year, body, caller.sub)


@router.get("/years", operation_id="list_calendar_years", dependencies=[PUBLIC], response_model=list[CalendarYearOut])
async def list_calendar_years(session: Session) -> list[dict]:
    """Loaded years with their revision, source and loading instant."""
    return await service.list_years(session)


@router.get(
    "/days/{date}",
    operation_id="get_calendar_day",
    dependencies=[PUBLIC],
    response_model=CalendarDayOut,
    responses=problem_responses(422),
)
async def get_calendar_day(date: Annotated[date, Path(description="YYYY-MM-DD")], session: Session) -> dict:
    """Whether a day is a working day, and why (workday, weekend, holiday, make-up working day)."""
    return await service.day(session, date)


@router.get(
    "/periods",
    operation_id="compute_period",
    dependencies=[PUBLIC],
    response_model=PeriodOut,
    responses=problem_responses(422),
)
async def compute_period(
    session: Session,
    start: Annotated[date, Query(description="the day of the starting event (e.g. publication), YYYY-MM-DD")],
    length: Annotated[int, Query(ge=1, le=3660)],
    unit: Annotated[PeriodUnit, Query()],
    count_start_day: Annotated[bool, Query(description="count the start day as day 1")] = False,
) -> PeriodOut:
    """A period per Civil Code arts. 201-203, ending at 24:00 (Asia/Shanghai) of its last day."""
    p = await service.period(session, start, length, unit, count_start_day)
    return PeriodOut(
        start=p.start,
        first_day=p.first_day,
        last_day=p.last_day,
        ends_at=p.ends_at,
        unit=p.unit,
        length=p.length,
        calendar_revision=p.calendar_revision,
        count_start_day=p.count_start_day,
        display_zh=p.display_zh(),
    )


@router.get(
    "/affected-deadlines",
    operation_id="list_affected_deadlines",
    response_model=list[AffectedDeadlineOut],
    responses=problem_responses(401, 403),
)
async def list_affected_deadlines(session: Session, caller: OfficeOrAdmin) -> list[dict]:
    """Open deadlines computed before a year they depend on was changed, for the office to confirm.

    Only those of applications (or rounds) the caller may see. A notice the correction would cut
    short has already moved to its corrected end (changning-21c); one it would shorten waits here.
    """
    return await service.affected_deadlines_for(session, caller)


@router.post(
    "/affected-deadlines/{deadline_id}/confirm",
    operation_id="confirm_affected_deadline",
    response_model=DeadlineConfirmedOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def confirm_affected_deadline(
    deadline_id: uuid.UUID, body: ConfirmDeadlineIn, session: Session, caller: OfficeOrAdmin
) -> dict:
    """The programme's office confirms a notice end a calendar correction would pull earlier, with a reason."""
    return await service.confirm_deadline(session, caller, deadline_id, body.reason, body.move)
