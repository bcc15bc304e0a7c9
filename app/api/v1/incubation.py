"""The incubation pool (孵化池 / 培育, changning-13a-c, jinshan-12a-c, hangzhou-1.3b, 4.3b): proposals,
the office's admission, free trainings and attendance, the cultivation review, and an applicant's
pool history on its application."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from app.api.deps import OfficeOnly, Session, SignedIn, require_roles
from app.api.pagination import Page, Paging
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.domain.incubation import service
from app.identity import Principal, Role

router = v1_router(tags=["incubation"])

Route = Literal["self_application", "industry_recommendation", "expert_recommendation", "other"]
Status = Literal["proposed", "admitted", "declined", "left"]
# who may propose an organisation: the office records any way in, the others their own (changning-13b)
Proposers = Annotated[Principal, require_roles(Role.office, Role.applicant, Role.expert, Role.recommender)]


class ProposeIn(BaseModel):
    model_config = {"extra": "forbid"}

    programme: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200, description="the organisation's name")
    credit_code: str = Field(min_length=1, max_length=40, description="统一社会信用代码, checked")
    route: Route = Field(
        description="how it joins (changning-13b, jinshan-12b): 自行申报 self_application, 行业推荐 "
        "industry_recommendation, 专家推荐 expert_recommendation, other. An applicant account applies for "
        "the organisation its token verifies, an expert and a recommending unit recommend; the office records any"
    )
    recommended_by: str | None = Field(default=None, max_length=200, description="who recommends (the office names it)")
    note: str | None = Field(default=None, max_length=2000)


class TrainingOut(BaseModel):
    id: uuid.UUID
    programme: str
    held_on: date
    topic: str
    place: str
    fee_cny: Decimal = Field(description="always 0: pool trainings are free (changning-13c, jinshan-12c)")


class MemberOut(BaseModel):
    id: uuid.UUID
    programme: str
    name: str
    credit_code: str
    route: str
    recommended_by: str | None
    note: str | None
    status: str = Field(description="proposed | admitted | declined | left")
    decision_reason: str | None
    decided_at: datetime | None
    admitted_on: date | None
    left_on: date | None
    left_reason: str | None
    cultivation_review_passed: bool = Field(
        description="passed the cultivation review (hangzhou-4.3b): what a cultivation subsidy rests on"
    )
    cultivation_passed_on: date | None
    cultivation_document_no: str | None
    proposed_at: datetime
    trainings: list[TrainingOut] = Field(default_factory=list, description="the trainings attended, earliest first")
    clauses: dict[str, str | None] = Field(default_factory=dict, description="the programme's pool clauses")


class DecisionIn(BaseModel):
    model_config = {"extra": "forbid"}

    admit: bool
    on: date | None = Field(default=None, description="the day admitted (default today)")
    reason: str | None = Field(default=None, max_length=2000, description="required to decline")


class LeaveIn(BaseModel):
    model_config = {"extra": "forbid"}

    on: date
    reason: str = Field(min_length=1, max_length=2000)


class CultivationIn(BaseModel):
    model_config = {"extra": "forbid"}

    passed_on: date
    document_no: str = Field(min_length=1, max_length=100, description="the review's result document")


class TrainingIn(BaseModel):
    model_config = {"extra": "forbid"}

    programme: str = Field(min_length=1, max_length=40)
    held_on: date
    topic: str = Field(min_length=1, max_length=200)
    place: str = Field(min_length=1, max_length=200)


class AttendanceIn(BaseModel):
    model_config = {"extra": "forbid"}

    member_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)


class AttendanceOut(BaseModel):
    training: TrainingOut
    member_ids: list[uuid.UUID]


def _training(t) -> TrainingOut:
    return TrainingOut.model_validate(t, from_attributes=True)


def _member(m, trainings=(), clauses=None) -> MemberOut:
    return MemberOut(
        id=m.id,
        programme=m.programme,
        name=m.name,
        credit_code=m.credit_code,
        route=m.route,
        recommended_by=m.recommended_by,
        note=m.note,
        status=m.status,
        decision_reason=m.decision_reason,
        decided_at=m.decided_at,
        admitted_on=m.admitted_on,
        left_on=m.left_on,
        left_reason=m.left_reason,
        cultivation_review_passed=m.cultivation_passed_on is not None,
        cultivation_passed_on=m.cultivation_passed_on,
        cultivation_document_no=m.cultivation_document_no,
        proposed_at=m.proposed_at,
        trainings=[_training(t) for t in trainings],
        clauses=clauses or {},
    )


def _view(v: service.MemberView) -> MemberOut:
    return _member(v.member, v.trainings, v.clauses)


@router.post(
    "/incubation/members",
    operation_id="propose_incubation_member",
    status_code=201,
    response_model=MemberOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def propose_incubation_member(body: ProposeIn, session: Session, principal: Proposers) -> MemberOut:
    """Propose an organisation for the pool: by itself, an industry or an expert (changning-13b, jinshan-12b)."""
    return _view(await service.propose(session, principal, body.model_dump()))


@router.get(
    "/incubation/members",
    operation_id="list_incubation_members",
    response_model=Page[MemberOut],
    responses=problem_responses(401, 403),
)
async def list_incubation_members(
    session: Session, paging: Paging, principal: SignedIn, status: Status | None = None
) -> Page[MemberOut]:
    """The pool (the office's and the supervision team's programme; an applicant account: its own proposals)."""
    rows, total = await service.list_members(session, principal, status, paging.offset, paging.size)
    return Page[MemberOut](items=[_member(m) for m in rows], page=paging.page, size=paging.size, total=total)


@router.get(
    "/incubation/members/{member_id}",
    operation_id="get_incubation_member",
    response_model=MemberOut,
    responses=problem_responses(401, 404),
)
async def get_incubation_member(member_id: uuid.UUID, session: Session, principal: SignedIn) -> MemberOut:
    """One membership with the trainings attended."""
    return _view(await service.read_member(session, principal, member_id))


@router.post(
    "/incubation/members/{member_id}/decision",
    operation_id="decide_incubation_member",
    response_model=MemberOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def decide_incubation_member(
    member_id: uuid.UUID, body: DecisionIn, session: Session, principal: OfficeOnly
) -> MemberOut:
    """The office admits (changning-13a, jinshan-12a) or declines with its reason, once."""
    return _view(await service.decide(session, principal, member_id, body.admit, body.on, body.reason))


@router.post(
    "/incubation/members/{member_id}/departure",
    operation_id="end_incubation_membership",
    response_model=MemberOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def end_incubation_membership(
    member_id: uuid.UUID, body: LeaveIn, session: Session, principal: OfficeOnly
) -> MemberOut:
    """The membership ends on a day, with its reason."""
    return _view(await service.leave(session, principal, member_id, body.on, body.reason))


@router.post(
    "/incubation/members/{member_id}/cultivation-review",
    operation_id="record_cultivation_review",
    response_model=MemberOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def record_cultivation_review(
    member_id: uuid.UUID, body: CultivationIn, session: Session, principal: OfficeOnly
) -> MemberOut:
    """The member passed the cultivation review (hangzhou-4.3b), on a day, by a document: the fact a
    cultivation subsidy rests on."""
    return _view(
        await service.record_cultivation_review(session, principal, member_id, body.passed_on, body.document_no)
    )


@router.post(
    "/incubation/trainings",
    operation_id="schedule_incubation_training",
    status_code=201,
    response_model=TrainingOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def schedule_incubation_training(body: TrainingIn, session: Session, principal: OfficeOnly) -> TrainingOut:
    """A training of the pool (date, topic, place), free of charge (changning-13c, jinshan-12c)."""
    return _training(await service.schedule_training(session, principal, body.model_dump()))


@router.get(
    "/incubation/trainings",
    operation_id="list_incubation_trainings",
    response_model=Page[TrainingOut],
    responses=problem_responses(401, 403),
)
async def list_incubation_trainings(session: Session, paging: Paging, principal: SignedIn) -> Page[TrainingOut]:
    """The pool's trainings, latest first."""
    rows, total = await service.list_trainings(session, principal, paging.offset, paging.size)
    return Page[TrainingOut](items=[_training(t) for t in rows], page=paging.page, size=paging.size, total=total)


@router.put(
    "/incubation/trainings/{training_id}/attendance",
    operation_id="record_training_attendance",
    response_model=AttendanceOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def record_training_attendance(
    training_id: uuid.UUID, body: AttendanceIn, session: Session, principal: OfficeOnly
) -> AttendanceOut:
    """Who attended (members on the training's day); recording one twice changes nothing."""
    training, members = await service.record_attendance(session, principal, training_id, body.member_ids)
    return AttendanceOut(training=_training(training), member_ids=members)


@router.get(
    "/incubation/trainings/{training_id}/attendance",
    operation_id="get_training_attendance",
    response_model=AttendanceOut,
    responses=problem_responses(401, 404),
)
async def get_training_attendance(training_id: uuid.UUID, session: Session, principal: SignedIn) -> AttendanceOut:
    """Who attended the training."""
    training, members = await service.training_attendees(session, principal, training_id)
    return AttendanceOut(training=_training(training), member_ids=members)


@router.get(
    "/applications/{application_id}/incubation",
    operation_id="get_application_incubation_history",
    response_model=list[MemberOut],
    responses=problem_responses(401, 404),
)
async def get_application_incubation_history(
    application_id: uuid.UUID, session: Session, principal: SignedIn
) -> list[MemberOut]:
    """The applicant's pool history in the application's programme (memberships oldest first, with
    the trainings attended): to whoever may see the application."""
    return [_view(v) for v in await service.history_of_application(session, principal, application_id)]
