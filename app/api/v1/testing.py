"""The test clock (测试时钟): outside production an admin may freeze the service's 'now'.

Like payment platforms' test clocks, it lets a portal's sandbox and our tests make a
five-working-day notice end without waiting. Absent (404) in production.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import Request
from pydantic import AwareDatetime, BaseModel, Field, field_validator

from app.api.deps import PUBLIC, AdminOnly, Session
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.db.repositories import clock as clock_repo
from app.domain import clock

router = v1_router(prefix="/testing", tags=["testing"])


class ClockIn(BaseModel):
    now: AwareDatetime = Field(description="between 2000 and 2100 (the calendar's range, with room)")

    @field_validator("now")
    @classmethod
    def _plausible(cls, v: datetime) -> datetime:
        if not 2000 <= v.year <= 2100:
            raise ValueError("the test clock runs between the years 2000 and 2100")
        return v


class ClockOut(BaseModel):
    now: datetime
    frozen: bool


def _out() -> ClockOut:
    return ClockOut(now=clock.now().astimezone(clock.SHANGHAI), frozen=clock.frozen() is not None)


@router.get("/clock", operation_id="get_test_clock", dependencies=[PUBLIC], response_model=ClockOut)
async def get_clock() -> ClockOut:
    """The service's 'now' (Asia/Shanghai) and whether it is frozen (not in production)."""
    return _out()


@router.put(
    "/clock", operation_id="set_test_clock", response_model=ClockOut, responses=problem_responses(401, 403, 422)
)
async def set_clock(body: ClockIn, request: Request, session: Session, principal: AdminOnly) -> ClockOut:
    """Freeze the service's 'now' at an instant (admin; not in production); due deadlines fire as at that instant."""
    await clock_repo.write(session, body.now, principal.sub)
    clock.set_frozen(body.now)
    _wake_worker(request)
    return _out()


class DeadlinesRun(BaseModel):
    fired: int


@router.post(
    "/deadlines/run",
    operation_id="run_due_deadlines",
    response_model=DeadlinesRun,
    responses=problem_responses(401, 403),
)
async def run_due_deadlines(request: Request, principal: AdminOnly) -> DeadlinesRun:
    """Fire every due deadline now, as the worker would (sandboxes and tests; the worker does this by itself)."""
    from app.workflow.deadlines import run_due

    return DeadlinesRun(fired=await run_due(request.app.state.db, request.app.state.settings))


@router.delete(
    "/clock", operation_id="reset_test_clock", response_model=ClockOut, responses=problem_responses(401, 403)
)
async def reset_clock(session: Session, principal: AdminOnly) -> ClockOut:
    """Let the clock run in real time again (admin; not in production)."""
    await clock_repo.clear(session)
    clock.set_frozen(None)
    return _out()


def _wake_worker(request: Request) -> None:
    # the in-process worker looks for newly due deadlines now rather than at its next poll
    worker = getattr(request.app.state, "worker", None)
    if worker is not None:
        worker.wake.set()
