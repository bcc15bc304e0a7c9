"""The expert pool (专家库) and conflicts of interest (回避): kept by the programme's office; an
expert declares its own conflicts and guidance filings (辅导备案)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.api.deps import OfficeOnly, ReviewManagers, Session, SignedIn
from app.api.pagination import Page, Paging
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.domain.review import pool

router = v1_router(prefix="/review", tags=["review"])

Qualification = Literal["national_examiner", "provincial_examiner", "city_examiner", "self_assessor", "other"]
ConflictKind = Literal["employer", "guidance", "consulting", "shareholding", "family", "competitor", "other"]


class ExpertIn(BaseModel):
    model_config = {"extra": "forbid"}

    subject: str = Field(
        min_length=1, max_length=200, description="the identity subject (`sub`) the expert signs in as"
    )
    name: str = Field(min_length=1, max_length=200)
    qualifications: list[Qualification] = Field(default_factory=list, max_length=10)
    industries: list[str] = Field(default_factory=list, max_length=20)
    employer_name: str | None = Field(default=None, max_length=200)
    employer_credit_code: str | None = Field(default=None, max_length=40, description="统一社会信用代码, checked")
    body_id: uuid.UUID | None = Field(
        default=None, description="the third-party review body that engaged the expert (linyi-8c); a body's own: itself"
    )
    term_starts_on: date
    term_ends_on: date


class ExpertOut(BaseModel):
    id: uuid.UUID
    programme: str
    subject: str
    name: str
    qualifications: list[str]
    industries: list[str]
    employer_name: str | None
    employer_credit_code: str | None
    body_id: uuid.UUID | None = None
    term_starts_on: date
    term_ends_on: date
    status: str = Field(description="active | suspended | disqualified")
    status_log: list[dict] = Field(description="each change: from, to, reason, clause, by, at")


class StatusIn(BaseModel):
    model_config = {"extra": "forbid"}

    status: Literal["active", "suspended", "disqualified"]
    reason: str = Field(min_length=1, max_length=2000)


class ConflictIn(BaseModel):
    model_config = {"extra": "forbid"}

    kind: ConflictKind = Field(description="guidance: a guidance filing (辅导备案), recusing the expert automatically")
    credit_code: str | None = Field(default=None, max_length=40, description="the applicant organisation's credit code")
    application_id: uuid.UUID | None = None
    detail: str = Field(min_length=1, max_length=2000)


class ConflictOut(BaseModel):
    id: uuid.UUID
    expert_id: uuid.UUID
    kind: str
    credit_code: str | None
    application_id: uuid.UUID | None
    detail: str
    clause: str | None
    declared_at: datetime


class OverrideIn(BaseModel):
    model_config = {"extra": "forbid"}

    expert_id: uuid.UUID
    application_id: uuid.UUID
    reason: str = Field(min_length=1, max_length=2000)


class OverrideOut(BaseModel):
    id: uuid.UUID
    expert_id: uuid.UUID
    application_id: uuid.UUID
    reason: str
    decided_by: str
    decided_at: datetime


class ConflictRecordOut(BaseModel):
    declarations: list[ConflictOut]
    overrides: list[OverrideOut]


def _out(e) -> ExpertOut:
    return ExpertOut.model_validate(e, from_attributes=True)


@router.post(
    "/experts",
    operation_id="create_expert",
    status_code=201,
    response_model=ExpertOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_expert(body: ExpertIn, session: Session, principal: ReviewManagers) -> ExpertOut:
    """Add a person to the office's programme pool (专家库); a third-party review body engages its own (linyi-8c)."""
    return _out(await pool.create_expert(session, principal, body.model_dump()))


@router.get(
    "/experts", operation_id="list_experts", response_model=Page[ExpertOut], responses=problem_responses(401, 403)
)
async def list_experts(session: Session, paging: Paging, principal: SignedIn) -> Page[ExpertOut]:
    """The office's pool (an admin: every programme's)."""
    rows, total = await pool.list_experts(session, principal, paging.offset, paging.size)
    return Page[ExpertOut](items=[_out(e) for e in rows], page=paging.page, size=paging.size, total=total)


@router.get(
    "/experts/{expert_id}", operation_id="get_expert", response_model=ExpertOut, responses=problem_responses(401, 404)
)
async def get_expert(expert_id: uuid.UUID, session: Session, principal: SignedIn) -> ExpertOut:
    """One expert: to the programme's office, an admin and the expert itself."""
    return _out(await pool.readable_expert(session, principal, expert_id))


@router.post(
    "/experts/{expert_id}/status",
    operation_id="change_expert_status",
    response_model=ExpertOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def change_expert_status(
    expert_id: uuid.UUID, body: StatusIn, session: Session, principal: OfficeOnly
) -> ExpertOut:
    """Suspend, disqualify (changning-28b, jinshan-21b, hangzhou-6.2b, linyi-22b) or reinstate, with the reason."""
    return _out(await pool.change_status(session, principal, expert_id, body.status, body.reason))


@router.post(
    "/experts/{expert_id}/conflicts",
    operation_id="declare_conflict",
    status_code=201,
    response_model=ConflictOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def declare_conflict(
    expert_id: uuid.UUID, body: ConflictIn, session: Session, principal: SignedIn
) -> ConflictOut:
    """The expert declares a conflict (回避申报) or files a guidance record (辅导备案, changning-15b, jinshan-14b)."""
    row = await pool.declare_conflict(session, principal, expert_id, body.model_dump())
    return ConflictOut.model_validate(row, from_attributes=True)


@router.get(
    "/experts/{expert_id}/conflicts",
    operation_id="list_expert_conflicts",
    response_model=ConflictRecordOut,
    responses=problem_responses(401, 404),
)
async def list_expert_conflicts(expert_id: uuid.UUID, session: Session, principal: SignedIn) -> ConflictRecordOut:
    """The expert's declarations and guidance filings, and the office's overrides with their reasons."""
    _, rows, overrides = await pool.conflict_record(session, principal, expert_id)
    return ConflictRecordOut(
        declarations=[ConflictOut.model_validate(r, from_attributes=True) for r in rows],
        overrides=[OverrideOut.model_validate(o, from_attributes=True) for o in overrides],
    )


@router.get(
    "/conflict-overrides",
    operation_id="list_conflict_overrides",
    response_model=list[OverrideOut],
    responses=problem_responses(401, 404, 422),
)
async def list_conflict_overrides(round_id: uuid.UUID, session: Session, principal: SignedIn) -> list[OverrideOut]:
    """A round's conflict overrides with their reasons (oldest first): the programme's office, an
    admin and its supervision team (评审监督小组, hangzhou-6.1) read them."""
    rows = await pool.round_overrides(session, principal, round_id)
    return [OverrideOut.model_validate(o, from_attributes=True) for o in rows]


@router.post(
    "/conflict-overrides",
    operation_id="override_conflict",
    status_code=201,
    response_model=OverrideOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def override_conflict(body: OverrideIn, session: Session, principal: OfficeOnly) -> OverrideOut:
    """The office lets an expert review an application despite a found conflict, with its reason (kept in the record)."""
    row = await pool.override_conflict(session, principal, body.expert_id, body.application_id, body.reason)
    return OverrideOut.model_validate(row, from_attributes=True)
