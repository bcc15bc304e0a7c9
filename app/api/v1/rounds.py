"""Rounds (届) and their calls; round-level actions on many applications."""

from __future__ import annotations

import uuid

from fastapi import Request, Response

from app.api.deps import OfficeOnly, RoundsRead, Session, SignedIn
from app.api.filters import ProgrammeFilter
from app.api.pagination import Page, Paging
from app.api.preconditions import etag, require_if_match
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.api.v1.schemas_workflow import ApplicationOut, RoundActionIn, RoundActionOut, RoundEventIn, RoundIn, RoundOut
from app.workflow import batch, rounds, service

router = v1_router(prefix="/rounds", tags=["rounds"])


async def _out_with_next_steps(session, principal, rnd, response: Response) -> RoundOut:
    response.headers["ETag"] = etag(rnd.version)
    allowed, deadlines = await rounds.next_steps(session, principal, rnd)
    return RoundOut.of(rnd, allowed, deadlines)


@router.post(
    "",
    operation_id="create_round",
    status_code=201,
    response_model=RoundOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_round(body: RoundIn, session: Session, response: Response, principal: OfficeOnly) -> RoundOut:
    """Create a round in `draft` (office of the programme); `publish` opens its call."""
    rnd = await rounds.create_round(
        session,
        principal,
        body.programme,
        body.label,
        body.call.title,
        body.call.published_on,
        body.call.opens_at,
        body.call.closes_at,
        [o.model_dump() for o in body.overrides],
    )
    response.headers["Location"] = f"/api/v1/rounds/{rnd.id}"
    return await _out_with_next_steps(session, principal, rnd, response)


@router.get("", operation_id="list_rounds", response_model=Page[RoundOut], responses=problem_responses(401, 403))
async def list_rounds(
    session: Session,
    principal: RoundsRead,
    paging: Paging,
    programme: ProgrammeFilter = None,
) -> Page[RoundOut]:
    """The rounds (届), optionally of one programme, with their call, state and quota adjustments (a draft: its office's and the admins' only)."""
    rows, total = await rounds.list_rounds(session, programme, None, paging.offset, paging.size, principal)
    return Page[RoundOut](items=[RoundOut.of(r) for r in rows], page=paging.page, size=paging.size, total=total)


@router.get(
    "/{round_id}", operation_id="get_round", response_model=RoundOut, responses=problem_responses(401, 403, 404)
)
async def get_round(round_id: uuid.UUID, session: Session, response: Response, principal: RoundsRead) -> RoundOut:
    """One round with its call (published on, opens at, closes at), the programme version it binds, its state and its override log; `ETag` for its events."""
    rnd = await rounds.get_round(session, round_id, principal=principal)
    return await _out_with_next_steps(session, principal, rnd, response)


@router.post(
    "/{round_id}/events",
    operation_id="fire_round_event",
    response_model=RoundOut,
    responses=problem_responses(401, 403, 404, 409, 412, 428),
)
async def fire_round_event(
    round_id: uuid.UUID,
    body: RoundEventIn,
    request: Request,
    session: Session,
    response: Response,
    principal: OfficeOnly,
) -> RoundOut:
    """`publish` (draft→open), `start_review`, `decide`, `announce`, `archive`; `close` is fired by the window's deadline.
    The answer carries the round's next `allowed_events` and its deadlines; names and roles: `GET /api/v1/programmes/{code}/events`."""
    rnd = await rounds.get_round(session, round_id, for_update=True, principal=principal)
    require_if_match(request, rnd.version)
    rnd = await rounds.fire_round_event(session, principal, rnd, body.event)
    return await _out_with_next_steps(session, principal, rnd, response)


@router.post(
    "/{round_id}/actions",
    operation_id="fire_round_action",
    response_model=RoundActionOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def fire_round_action(
    round_id: uuid.UUID, body: RoundActionIn, request: Request, session: Session, principal: SignedIn
) -> RoundActionOut:
    """One event on many applications in one transaction (each recorded); send an `Idempotency-Key` to retry safely.
    Each application is answered as its `GET` gives it, with this caller's `allowed_events` and its `deadlines`."""
    ctx = service.EventContext(principal, request.state.request_id, request.state.after_rollback)
    apps = await batch.fire_many(session, ctx, round_id, body.event, body.applications, body.reason, body.data)
    rnd = await rounds.get_round(session, round_id)
    # each application as its GET gives it: what this caller may fire next and its deadlines
    steps = await batch.next_steps_many(session, principal, apps, rnd)
    return RoundActionOut(event=body.event, applications=[ApplicationOut.of(a, *steps[a.id]) for a in apps])
