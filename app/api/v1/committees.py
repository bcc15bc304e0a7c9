"""Committees (评审会 / 区审定委 / 评审组 / 领导小组 / 质发委): members and their conflicts, the
candidate list, meetings, votes, deliberations, the chair's resolutions, the tally, the close that
fires select / not_select, and the minutes (会议纪要)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal
from urllib.parse import quote

from fastapi import Request, Response
from pydantic import BaseModel, Field

from app.api.deps import OfficeOnly, Session, SignedIn
from app.api.preconditions import etag
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.domain.decisions import lists, meetings, members, minutes
from app.domain.decisions.procedures import describe
from app.workflow import committee
from app.workflow.service import EventContext

router = v1_router(prefix="/committees", tags=["committees"])

Choice = Literal["for", "against", "abstain"]


class CommitteeMemberIn(BaseModel):
    model_config = {"extra": "forbid"}

    subject: str = Field(min_length=1, max_length=200, description="the identity subject (token role committee)")
    name: str = Field(min_length=1, max_length=200)
    position: Literal["chair", "member"] = "member"
    employer_name: str | None = Field(default=None, max_length=200)
    employer_credit_code: str | None = Field(default=None, max_length=18)
    term_starts_on: date
    term_ends_on: date


class CommitteeMemberOut(BaseModel):
    id: uuid.UUID
    programme: str
    subject: str
    name: str
    position: str
    employer_name: str | None
    term_starts_on: date
    term_ends_on: date


class CommitteeConflictIn(BaseModel):
    model_config = {"extra": "forbid"}

    kind: str = Field(min_length=1, max_length=20)
    credit_code: str | None = Field(default=None, max_length=18)
    application_id: uuid.UUID | None = None
    detail: str = Field(min_length=1, max_length=2000)


class CommitteeConflictOut(BaseModel):
    id: uuid.UUID
    member_id: uuid.UUID
    kind: str
    credit_code: str | None
    application_id: uuid.UUID | None
    detail: str
    clause: str | None
    declared_at: datetime


class CommitteeOverrideIn(BaseModel):
    model_config = {"extra": "forbid"}

    member_id: uuid.UUID
    application_id: uuid.UUID
    reason: str = Field(min_length=1, max_length=2000, description="why the conflict found does not bar the member")


class CommitteeOverrideOut(BaseModel):
    id: uuid.UUID
    member_id: uuid.UUID
    application_id: uuid.UUID
    reason: str
    decided_by: str
    decided_at: datetime


class CommitteeMemberRecordOut(BaseModel):
    member: CommitteeMemberOut
    conflicts: list[CommitteeConflictOut]
    overrides: list[CommitteeOverrideOut] = Field(description="the office's overrides of its conflicts, with reasons")


class CandidateGroupIn(BaseModel):
    model_config = {"extra": "forbid"}

    tier: str = Field(min_length=1, max_length=40)
    category: str = Field(min_length=1, max_length=40)
    chosen: list[uuid.UUID] = Field(max_length=500, description="the candidates proposed, in the office's order")
    reasons: dict[str, str] = Field(
        default_factory=dict, description="application id → why it is chosen over higher-ranked ones"
    )


class CandidateListIn(BaseModel):
    model_config = {"extra": "forbid"}

    groups: list[CandidateGroupIn] = Field(min_length=1, max_length=50)


class CandidateListOut(BaseModel):
    id: uuid.UUID
    round_id: uuid.UUID
    programme: str
    status: str = Field(description="proposed | on_agenda")
    version: int
    groups: list[dict[str, Any]] = Field(
        description="per tier and category: method, quota, entries (rank, score, reports, departures' reasons), ranking"
    )
    updated_at: datetime


class CommitteeMeetingIn(BaseModel):
    model_config = {"extra": "forbid"}

    list_id: uuid.UUID
    list_etag: str = Field(max_length=100, description="the candidate list's ETag: the agenda is the list as read")
    chair_id: uuid.UUID
    held_on: date


class CommitteeMeetingOut(BaseModel):
    id: uuid.UUID
    round_id: uuid.UUID
    list_id: uuid.UUID
    programme: str
    chair_id: uuid.UUID
    held_on: date
    status: str = Field(description="convened | closed")
    agenda: list[dict[str, Any]]
    attendance: list[str]
    reports: dict[str, Any] = Field(description="kind → the report heard (text, heard_at)")
    deliberations: dict[str, Any]
    resolutions: list[dict[str, Any]]
    outcome: dict[str, Any]
    version: int
    closed_at: datetime | None


class MeetingAttendanceIn(BaseModel):
    model_config = {"extra": "forbid"}

    present: list[uuid.UUID] = Field(max_length=200)


class MeetingReportIn(BaseModel):
    model_config = {"extra": "forbid"}

    text: str = Field(min_length=1, max_length=20000)


class CommitteeVoteIn(BaseModel):
    model_config = {"extra": "forbid"}

    application_id: uuid.UUID
    choice: Choice


class CommitteeVoteOut(BaseModel):
    meeting_id: uuid.UUID
    application_id: uuid.UUID
    method: str
    recorded: bool


class CommitteeDeliberationIn(BaseModel):
    model_config = {"extra": "forbid"}

    application_id: uuid.UUID
    decision: Literal["select", "not_select"]
    note: str | None = Field(default=None, max_length=5000)


class ChairResolutionIn(BaseModel):
    model_config = {"extra": "forbid"}

    tier: str = Field(min_length=1, max_length=40)
    category: str = Field(min_length=1, max_length=40)
    selected: list[uuid.UUID] = Field(max_length=500, description="whom the body selects among those who passed")
    reason: str = Field(min_length=1, max_length=5000)


class MeetingTallyOut(BaseModel):
    meeting_id: uuid.UUID
    status: str
    threshold: dict[str, Any]
    candidates: list[dict[str, Any]]
    groups: list[dict[str, Any]]


def _member(m) -> CommitteeMemberOut:
    return CommitteeMemberOut.model_validate(m, from_attributes=True)


def _list(row, response: Response) -> CandidateListOut:
    response.headers["ETag"] = etag(row.version)
    return CandidateListOut.model_validate(row, from_attributes=True)


def _meeting(row, response: Response) -> CommitteeMeetingOut:
    response.headers["ETag"] = etag(row.version)
    return CommitteeMeetingOut.model_validate(row, from_attributes=True)


@router.get(
    "/rounds/{round_id}/procedure",
    operation_id="get_committee_procedure",
    response_model=dict[str, Any],
    responses=problem_responses(401, 404),
)
async def get_committee_procedure(round_id: uuid.UUID, session: Session, principal: SignedIn) -> dict[str, Any]:
    """The body, its method per tier, quorum and threshold (stated or the service's reading), the quotas."""
    rnd = await lists.readable_round(session, principal, round_id)
    return describe(rnd.programme, rnd.programme_version)


@router.post(
    "/members",
    operation_id="create_committee_member",
    status_code=201,
    response_model=CommitteeMemberOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_committee_member(
    body: CommitteeMemberIn, response: Response, session: Session, principal: OfficeOnly
) -> CommitteeMemberOut:
    """Add a member to the office's programme committee, with its position and term."""
    m = await members.create_member(session, principal, body.model_dump())
    response.headers["Location"] = f"/api/v1/committees/members/{m.id}"
    return _member(m)


@router.get(
    "/members",
    operation_id="list_committee_members",
    response_model=list[CommitteeMemberOut],
    responses=problem_responses(401, 403),
)
async def list_committee_members(session: Session, principal: SignedIn) -> list[CommitteeMemberOut]:
    """The committee of the caller's programme."""
    return [_member(m) for m in await members.list_members(session, principal, principal.programme or "")]


@router.get(
    "/members/{member_id}",
    operation_id="get_committee_member",
    response_model=CommitteeMemberRecordOut,
    responses=problem_responses(401, 404),
)
async def get_committee_member(member_id: uuid.UUID, session: Session, principal: SignedIn) -> CommitteeMemberRecordOut:
    """A member and its declared conflicts."""
    m, declared = await members.record(session, principal, member_id)
    return CommitteeMemberRecordOut(
        member=_member(m),
        conflicts=[CommitteeConflictOut.model_validate(c, from_attributes=True) for c in declared],
        overrides=[_override(o) for o in await members.member_overrides(session, m)],
    )


def _override(row: object) -> CommitteeOverrideOut:
    return CommitteeOverrideOut.model_validate(row, from_attributes=True)


@router.post(
    "/conflict-overrides",
    operation_id="override_committee_conflict",
    status_code=201,
    response_model=CommitteeOverrideOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def override_committee_conflict(
    body: CommitteeOverrideIn, session: Session, principal: OfficeOnly
) -> CommitteeOverrideOut:
    """The office decides that a member's conflict with one candidate does not bar its vote, with a
    reason (e.g. a derived tie that is not one); the supervision team reads every override."""
    return _override(
        await members.override_conflict(session, principal, body.member_id, body.application_id, body.reason)
    )


@router.get(
    "/rounds/{round_id}/conflict-overrides",
    operation_id="list_committee_conflict_overrides",
    response_model=list[CommitteeOverrideOut],
    responses=problem_responses(401, 404),
)
async def list_committee_conflict_overrides(
    round_id: uuid.UUID, session: Session, principal: SignedIn
) -> list[CommitteeOverrideOut]:
    """A round's overrides of members' conflicts with their reasons, oldest first (hangzhou-6.1)."""
    return [_override(o) for o in await members.round_overrides(session, principal, round_id)]


@router.post(
    "/members/{member_id}/conflicts",
    operation_id="declare_committee_conflict",
    status_code=201,
    response_model=CommitteeConflictOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def declare_committee_conflict(
    member_id: uuid.UUID, body: CommitteeConflictIn, response: Response, session: Session, principal: SignedIn
) -> CommitteeConflictOut:
    """The member's own declaration of a tie (回避申报) to an applicant or an application."""
    row = await members.declare_conflict(session, principal, member_id, body.model_dump())
    response.headers["Location"] = f"/api/v1/committees/members/{member_id}"
    return CommitteeConflictOut.model_validate(row, from_attributes=True)


@router.post(
    "/rounds/{round_id}/candidate-list",
    operation_id="propose_candidate_list",
    status_code=201,
    response_model=CandidateListOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def propose_candidate_list(
    round_id: uuid.UUID, body: CandidateListIn, response: Response, session: Session, principal: OfficeOnly
) -> CandidateListOut:
    """The office's ranked candidate list; a departure from rank order needs its reason (changning-25a, jinshan-18k)."""
    row = await lists.propose(session, principal, round_id, [g.model_dump() for g in body.groups])
    response.headers["Location"] = f"/api/v1/committees/rounds/{round_id}/candidate-list"
    return _list(row, response)


@router.get(
    "/rounds/{round_id}/candidate-list",
    operation_id="get_round_candidate_list",
    response_model=CandidateListOut,
    responses=problem_responses(401, 404),
)
async def get_round_candidate_list(
    round_id: uuid.UUID, response: Response, session: Session, principal: SignedIn
) -> CandidateListOut:
    """The round's candidate list with its ETag."""
    return _list(await lists.round_list(session, principal, round_id), response)


@router.put(
    "/candidate-lists/{list_id}",
    operation_id="revise_candidate_list",
    response_model=CandidateListOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def revise_candidate_list(
    list_id: uuid.UUID,
    body: CandidateListIn,
    request: Request,
    response: Response,
    session: Session,
    principal: OfficeOnly,
) -> CandidateListOut:
    """Revise the list (If-Match) until a meeting takes it as its agenda."""
    row = await lists.revise(
        session, principal, list_id, [g.model_dump() for g in body.groups], request.headers.get("if-match")
    )
    return _list(row, response)


@router.post(
    "/meetings",
    operation_id="convene_meeting",
    status_code=201,
    response_model=CommitteeMeetingOut,
    responses=problem_responses(401, 403, 409, 412, 422, 428),
)
async def convene_meeting(
    body: CommitteeMeetingIn, response: Response, session: Session, principal: OfficeOnly
) -> CommitteeMeetingOut:
    """Convene the meeting with the candidate list (as read: its ETag) as its agenda and a chair."""
    row = await meetings.convene(session, principal, body.model_dump())
    response.headers["Location"] = f"/api/v1/committees/meetings/{row.id}"
    return _meeting(row, response)


@router.get(
    "/meetings/{meeting_id}",
    operation_id="get_meeting",
    response_model=CommitteeMeetingOut,
    responses=problem_responses(401, 404),
)
async def get_meeting(
    meeting_id: uuid.UUID, response: Response, session: Session, principal: SignedIn
) -> CommitteeMeetingOut:
    """The meeting: agenda, attendance, reports heard, deliberations, resolutions, outcome."""
    return _meeting(await meetings.readable_meeting(session, principal, meeting_id), response)


@router.put(
    "/meetings/{meeting_id}/attendance",
    operation_id="record_attendance",
    response_model=CommitteeMeetingOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def record_attendance(
    meeting_id: uuid.UUID,
    body: MeetingAttendanceIn,
    request: Request,
    response: Response,
    session: Session,
    principal: OfficeOnly,
) -> CommitteeMeetingOut:
    """The members present (If-Match)."""
    row = await meetings.record_attendance(
        session, principal, meeting_id, body.present, request.headers.get("if-match")
    )
    return _meeting(row, response)


@router.put(
    "/meetings/{meeting_id}/reports/{kind}",
    operation_id="hear_meeting_report",
    response_model=CommitteeMeetingOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def hear_meeting_report(
    meeting_id: uuid.UUID,
    kind: str,
    body: MeetingReportIn,
    request: Request,
    response: Response,
    session: Session,
    principal: OfficeOnly,
) -> CommitteeMeetingOut:
    """A report the body hears before it decides (If-Match): the office's and the supervision team's
    (hangzhou-3.3.6a: office, supervision), the review report (jinshan-18l: review)."""
    row = await meetings.hear_report(session, principal, meeting_id, kind, body.text, request.headers.get("if-match"))
    return _meeting(row, response)


@router.post(
    "/meetings/{meeting_id}/votes",
    operation_id="cast_vote",
    status_code=201,
    response_model=CommitteeVoteOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def cast_vote(
    meeting_id: uuid.UUID, body: CommitteeVoteIn, response: Response, session: Session, principal: SignedIn
) -> CommitteeVoteOut:
    """A present member's vote on one candidate, once: a secret ballot keeps no link to the voter
    (hangzhou-3.3.6b); a show of hands records it by name (hangzhou-3.3.6c). ``Location``: the tally."""
    out = CommitteeVoteOut(**await meetings.vote(session, principal, meeting_id, body.application_id, body.choice))
    response.headers["Location"] = f"/api/v1/committees/meetings/{meeting_id}/tally"
    return out


@router.post(
    "/meetings/{meeting_id}/deliberations",
    operation_id="record_deliberation",
    response_model=CommitteeMeetingOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def record_deliberation(
    meeting_id: uuid.UUID, body: CommitteeDeliberationIn, response: Response, session: Session, principal: SignedIn
) -> CommitteeMeetingOut:
    """The chair records the body's decision on a deliberated candidate (审议), with the members present."""
    row = await meetings.deliberate(session, principal, meeting_id, body.application_id, body.decision, body.note)
    return _meeting(row, response)


@router.post(
    "/meetings/{meeting_id}/resolutions",
    operation_id="resolve_over_quota",
    response_model=CommitteeMeetingOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def resolve_over_quota(
    meeting_id: uuid.UUID, body: ChairResolutionIn, response: Response, session: Session, principal: SignedIn
) -> CommitteeMeetingOut:
    """Where more passed than the places, the chair names whom the body selects, with the reason."""
    return _meeting(await meetings.resolve(session, principal, meeting_id, body.model_dump()), response)


@router.get(
    "/meetings/{meeting_id}/tally",
    operation_id="get_meeting_tally",
    response_model=MeetingTallyOut,
    responses=problem_responses(401, 404),
)
async def get_meeting_tally(meeting_id: uuid.UUID, session: Session, principal: SignedIn) -> MeetingTallyOut:
    """The count per candidate (secret ballots from the ballots alone) and per group against the places."""
    return MeetingTallyOut(**await meetings.tally(session, principal, meeting_id))


@router.post(
    "/meetings/{meeting_id}/close",
    operation_id="close_meeting",
    response_model=CommitteeMeetingOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def close_meeting(
    meeting_id: uuid.UUID, request: Request, response: Response, session: Session, principal: SignedIn
) -> CommitteeMeetingOut:
    """The chair closes the meeting: each candidate's select / not_select fired by the committee, in one transaction."""
    ctx = EventContext(principal, request.state.request_id, request.state.after_rollback)
    return _meeting(await committee.close_meeting(session, ctx, meeting_id), response)


@router.get(
    "/meetings/{meeting_id}/minutes",
    operation_id="get_meeting_minutes",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "the minutes (会议纪要)"},
        **problem_responses(401, 404, 409),
    },
)
async def get_meeting_minutes(meeting_id: uuid.UUID, session: Session, principal: SignedIn) -> Response:
    """The minutes (会议纪要) of a closed meeting as a PDF."""
    name, pdf = await minutes.minutes_pdf(session, principal, meeting_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f"attachment; filename*=utf-8''{quote(name)}"},
    )
