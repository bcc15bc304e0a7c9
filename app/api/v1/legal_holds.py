"""Legal holds (法律保全): an admin keeps an application, an applicant or a round from the retention purge."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import Query, Request
from pydantic import BaseModel, Field

from app.api.deps import AdminOnly, Session
from app.api.pagination import Page, Paging
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.domain.retention import holds

router = v1_router(prefix="/legal-holds", tags=["retention"])

Scope = Literal["application", "applicant", "round"]


class LegalHoldIn(BaseModel):
    model_config = {"extra": "forbid"}

    scope: Scope = Field(
        description="what the hold keeps: an application, an applicant's record (all its applications) or a round"
    )
    target_id: uuid.UUID = Field(description="the application's, applicant's or round's id")
    reason: str = Field(min_length=1, max_length=2000, examples=["（2036）沪0105民初1234号案件证据保全"])


class LiftIn(BaseModel):
    model_config = {"extra": "forbid"}

    reason: str = Field(min_length=1, max_length=2000, examples=["案件已审结，保全解除"])


class LegalHoldOut(BaseModel):
    id: uuid.UUID
    scope: Scope
    target_id: uuid.UUID
    reason: str
    set_by: str
    set_at: datetime
    active: bool = Field(description="in force: not lifted")
    lifted_by: str | None
    lifted_at: datetime | None
    lift_reason: str | None

    @classmethod
    def of(cls, h) -> LegalHoldOut:
        return cls(
            id=h.id,
            scope=h.scope,
            target_id=h.target_id,
            reason=h.reason,
            set_by=h.set_by,
            set_at=h.set_at,
            active=h.lifted_at is None,
            lifted_by=h.lifted_by,
            lifted_at=h.lifted_at,
            lift_reason=h.lift_reason,
        )


@router.post(
    "",
    operation_id="set_legal_hold",
    status_code=201,
    response_model=LegalHoldOut,
    responses=problem_responses(401, 403, 422),
)
async def set_legal_hold(body: LegalHoldIn, request: Request, session: Session, principal: AdminOnly) -> LegalHoldOut:
    """Set a hold with its reason: no retention purge touches what it names until it is lifted (recorded with who and when)."""
    hold = await holds.set_hold(
        session, principal.sub, request.state.request_id, body.scope, body.target_id, body.reason
    )
    return LegalHoldOut.of(hold)


@router.get(
    "",
    operation_id="list_legal_holds",
    response_model=Page[LegalHoldOut],
    responses=problem_responses(401, 403, 422),
)
async def list_legal_holds(
    session: Session,
    paging: Paging,
    principal: AdminOnly,
    active: Annotated[bool | None, Query(description="true: in force; false: lifted")] = None,
    scope: Scope | None = None,
    target_id: uuid.UUID | None = None,
) -> Page[LegalHoldOut]:
    """The holds, newest first."""
    rows, total = await holds.list_holds(session, active, scope, target_id, paging.offset, paging.size)
    return Page(items=[LegalHoldOut.of(h) for h in rows], page=paging.page, size=paging.size, total=total)


@router.get(
    "/{hold_id}",
    operation_id="get_legal_hold",
    response_model=LegalHoldOut,
    responses=problem_responses(401, 403, 404),
)
async def get_legal_hold(hold_id: uuid.UUID, session: Session, principal: AdminOnly) -> LegalHoldOut:
    """One hold, set or lifted."""
    return LegalHoldOut.of(await holds.get_hold(session, hold_id))


@router.post(
    "/{hold_id}/lift",
    operation_id="lift_legal_hold",
    response_model=LegalHoldOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def lift_legal_hold(
    hold_id: uuid.UUID, body: LiftIn, request: Request, session: Session, principal: AdminOnly
) -> LegalHoldOut:
    """Lift a hold in force, with the reason (a lifted hold is 409 `/legal-hold-lifted`); the next retention run may purge what it kept."""
    hold = await holds.lift_hold(session, principal.sub, request.state.request_id, hold_id, body.reason)
    return LegalHoldOut.of(hold)
