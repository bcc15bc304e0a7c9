"""The test clock (测试时钟): outside production an admin may freeze the service's 'now'.

Like payment platforms' test clocks, it lets a portal's sandbox and our tests make a
five-working-day notice end without waiting. Absent (404) in production.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel

from app.api.deps import Session, require_roles
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.db.repositories import clock as clock_repo
from app.domain import clock
from app.identity import Principal, Role

router = v1_router(prefix="/testing", tags=["testing"])


class ClockIn(BaseModel):
    now: AwareDatetime


class ClockOut(BaseModel):
    now: datetime
    frozen: bool


def _out() -> ClockOut:
    return ClockOut(now=clock.now().astimezone(clock.SHANGHAI), frozen=clock.frozen() is not None)


@router.get("/clock", operation_id="get_test_clock", response_model=ClockOut)
async def get_clock() -> ClockOut:
    return _out()


@router.put("/clock", operation_id="set_test_clock", response_model=ClockOut, responses=problem_responses(401, 403, 422))
async def set_clock(body: ClockIn, session: Session, principal: Principal = require_roles(Role.admin)) -> ClockOut:
    await clock_repo.write(session, body.now, principal.sub)
    clock.set_frozen(body.now)
    return _out()


@router.delete("/clock", operation_id="reset_test_clock", response_model=ClockOut, responses=problem_responses(401, 403))
async def reset_clock(session: Session, principal: Principal = require_roles(Role.admin)) -> ClockOut:
    await clock_repo.clear(session)
    clock.set_frozen(None)
    return _out()
