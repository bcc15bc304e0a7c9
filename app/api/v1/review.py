"""Panels (评审组), assignments, the pledge (承诺书), independent scores, the consensus, stage
reports and the ranking. The office sets panels up; experts act on their own assignments."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from fastapi import Request, Response
from pydantic import BaseModel, Field

from app.api.deps import AppSettings, OfficeOnly, ReviewManagers, Session, SignedIn
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.domain.review import panels, ranking, scoresheets

router = v1_router(prefix="/review", tags=["review"])

Stage = Literal["material", "onsite", "defence", "evaluation"]


class PanelIn(BaseModel):
    model_config = {"extra": "forbid"}

    round_id: uuid.UUID
    stage: Stage
    name: str = Field(min_length=1, max_length=200)
    leader_id: uuid.UUID
    member_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)


class MemberOut(BaseModel):
    expert_id: uuid.UUID
    pledged_at: datetime | None


class PanelOut(BaseModel):
    id: uuid.UUID
    round_id: uuid.UUID
    programme: str
    stage: str
    name: str
    leader_id: uuid.UUID
    body_id: uuid.UUID | None = Field(default=None, description="the review body that formed the panel (linyi-8c)")
    members: list[MemberOut]
    change_log: list[dict]


class MemberIn(BaseModel):
    model_config = {"extra": "forbid"}

    expert_id: uuid.UUID
    reason: str = Field(min_length=1, max_length=2000)


class PledgeOut(BaseModel):
    panel_id: uuid.UUID
    pledge_zh: str
    pledged_at: datetime
    pledge_sha256: str


class AssignIn(BaseModel):
    model_config = {"extra": "forbid"}

    application_id: uuid.UUID
    expert_ids: list[uuid.UUID] | None = Field(
        default=None, max_length=50, description="omitted: the least-loaded members without a conflict"
    )
    count: int = Field(default=3, ge=1, le=50, description="how many members review it when expert_ids is omitted")
    reason: str | None = Field(default=None, max_length=2000)
    industry: str | None = Field(
        default=None, max_length=100, description="the application's industry: members knowing it are chosen first"
    )


class AssignmentOut(BaseModel):
    id: uuid.UUID
    panel_id: uuid.UUID
    application_id: uuid.UUID
    expert_id: uuid.UUID
    status: str = Field(description="open | closed | recused | voided (the expert was disqualified)")
    reason: str | None
    closed_reason: str | None
    closed_at: datetime | None
    created_at: datetime


class ReasonIn(BaseModel):
    model_config = {"extra": "forbid"}

    reason: str = Field(min_length=1, max_length=2000)


class AssignedApplicationOut(BaseModel):
    assignment_id: uuid.UUID
    panel_id: uuid.UUID
    stage: str
    application_id: uuid.UUID
    applicant_name: str
    category: str
    tier_sought: str | None
    state: str
    scorebook: str


class ScoreIn(BaseModel):
    model_config = {"extra": "forbid"}

    scores: dict[str, Any] = Field(description="item id → band, a percentage in 5% steps")
    comments: dict[str, Any] = Field(
        default_factory=dict, description="item id → {strengths 优势, improvements 改进机会}"
    )


class SheetOut(BaseModel):
    id: uuid.UUID
    assignment_id: uuid.UUID
    expert_id: uuid.UUID
    book: str
    bands: dict[str, int]
    comments: dict[str, dict[str, str]]
    total: Decimal
    submitted_at: datetime


class ConsensusIn(BaseModel):
    model_config = {"extra": "forbid"}

    scores: dict[str, Any]
    rationale: dict[str, Any] = Field(description="item id → the consensus rationale (every item)")
    comments: dict[str, Any] = Field(default_factory=dict)


class ConsensusOut(BaseModel):
    id: uuid.UUID
    panel_id: uuid.UUID
    application_id: uuid.UUID
    stage: str
    book: str
    bands: dict[str, int]
    rationale: dict[str, str]
    comments: dict[str, dict[str, str]]
    total: Decimal
    results_score: Decimal
    outliers: list[dict]
    recorded_at: datetime


class PanelScoresOut(BaseModel):
    book: str
    members: list[uuid.UUID]
    sheets: list[SheetOut]
    medians: dict[str, Decimal]
    outliers: list[dict] = Field(description="member scores further from the median than the programme's spread")
    consensus: ConsensusOut | None


class ReportIn(BaseModel):
    model_config = {"extra": "forbid"}

    summary: str = Field(min_length=1, max_length=20000)
    strengths: list[str] = Field(default_factory=list, max_length=100)
    improvements: list[str] = Field(default_factory=list, max_length=100)
    held_on: str | None = Field(default=None, max_length=40, description="the visit's or the defence's date")
    team: list[str] = Field(default_factory=list, max_length=50)


class ReportOut(BaseModel):
    id: uuid.UUID
    panel_id: uuid.UUID
    application_id: uuid.UUID
    kind: str = Field(description="material_report | onsite_report | defence_record | evaluation_report")
    content: dict
    recorded_at: datetime


class RankedEntry(BaseModel):
    application_id: uuid.UUID
    name: str
    rank: int
    position: int
    total: Decimal
    results_score: Decimal


class RankingGroup(BaseModel):
    tier: str
    category: str
    entries: list[RankedEntry]


def _panel(panel, members) -> PanelOut:
    return PanelOut(
        id=panel.id,
        round_id=panel.round_id,
        programme=panel.programme,
        stage=panel.stage,
        name=panel.name,
        leader_id=panel.leader_id,
        body_id=panel.body_id,
        members=[MemberOut(expert_id=m.expert_id, pledged_at=m.pledged_at) for m in members],
        change_log=panel.change_log,
    )


def _assignment(a) -> AssignmentOut:
    return AssignmentOut.model_validate(a, from_attributes=True)


@router.post(
    "/panels",
    operation_id="create_panel",
    status_code=201,
    response_model=PanelOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_panel(body: PanelIn, session: Session, principal: ReviewManagers) -> PanelOut:
    """A round's panel for one stage: its leader and members, active experts of the pool; a third-party
    review body engaged for the round (linyi-8a) forms panels of its own experts."""
    return _panel(*await panels.create_panel(session, principal, body.model_dump()))


@router.get(
    "/panels/{panel_id}", operation_id="get_panel", response_model=PanelOut, responses=problem_responses(401, 404)
)
async def get_panel(panel_id: uuid.UUID, session: Session, principal: SignedIn) -> PanelOut:
    """The panel: to the office, an admin and its members."""
    return _panel(*await panels.readable_panel(session, principal, panel_id))


@router.get(
    "/rounds/{round_id}/panels",
    operation_id="list_round_panels",
    response_model=list[PanelOut],
    responses=problem_responses(401, 404),
)
async def list_round_panels(round_id: uuid.UUID, session: Session, principal: SignedIn) -> list[PanelOut]:
    """The round's panels with their members, for the office."""
    return [_panel(p, m) for p, m in await panels.round_panels(session, principal, round_id)]


@router.get(
    "/panels/{panel_id}/assignments",
    operation_id="list_panel_assignments",
    response_model=list[AssignmentOut],
    responses=problem_responses(401, 404),
)
async def list_panel_assignments(panel_id: uuid.UUID, session: Session, principal: SignedIn) -> list[AssignmentOut]:
    """Every assignment of the panel with its reasons (who was assigned, taken back, recused), for the office."""
    return [_assignment(a) for a in await panels.panel_assignments(session, principal, panel_id)]


@router.post(
    "/panels/{panel_id}/members",
    operation_id="add_panel_member",
    response_model=PanelOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def add_panel_member(
    panel_id: uuid.UUID, body: MemberIn, session: Session, principal: ReviewManagers
) -> PanelOut:
    """Add a member, with the reason of the change."""
    return _panel(*await panels.add_member(session, principal, panel_id, body.expert_id, body.reason))


@router.post(
    "/panels/{panel_id}/members/{expert_id}/removal",
    operation_id="remove_panel_member",
    response_model=PanelOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def remove_panel_member(
    panel_id: uuid.UUID, expert_id: uuid.UUID, body: ReasonIn, session: Session, principal: ReviewManagers
) -> PanelOut:
    """A member leaves, with the reason of the change; its open assignments without a sheet close."""
    return _panel(*await panels.remove_member(session, principal, panel_id, expert_id, body.reason))


@router.post(
    "/panels/{panel_id}/pledge",
    operation_id="accept_pledge",
    response_model=PledgeOut,
    responses=problem_responses(401, 404),
)
async def accept_pledge(panel_id: uuid.UUID, session: Session, principal: SignedIn) -> PledgeOut:
    """A member accepts the programme's pledge (承诺书); reading and scoring need it first."""
    panel, member, text = await panels.pledge(session, principal, panel_id)
    return PledgeOut(
        panel_id=panel.id, pledge_zh=text, pledged_at=member.pledged_at, pledge_sha256=member.pledge_sha256
    )


@router.post(
    "/panels/{panel_id}/assignments",
    operation_id="assign_application",
    status_code=201,
    response_model=list[AssignmentOut],
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def assign_application(
    panel_id: uuid.UUID, body: AssignIn, session: Session, principal: ReviewManagers
) -> list[AssignmentOut]:
    """Assign an application to members, never to a conflicted one (409 naming the conflict), balanced by load."""
    made = await panels.assign(
        session, principal, panel_id, body.application_id, body.expert_ids, body.count, body.reason, body.industry
    )
    return [_assignment(a) for a in made]


@router.post(
    "/assignments/{assignment_id}/close",
    operation_id="close_assignment",
    response_model=AssignmentOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def close_assignment(
    assignment_id: uuid.UUID, body: ReasonIn, session: Session, principal: ReviewManagers
) -> AssignmentOut:
    """Take an assignment back (to reassign it), with the reason; refused once the expert scored."""
    return _assignment(await panels.close_assignment(session, principal, assignment_id, body.reason))


@router.post(
    "/assignments/{assignment_id}/recusal",
    operation_id="recuse_from_assignment",
    response_model=AssignmentOut,
    responses=problem_responses(401, 404, 422),
)
async def recuse_from_assignment(
    assignment_id: uuid.UUID, body: ReasonIn, session: Session, principal: SignedIn
) -> AssignmentOut:
    """The expert's own recusal request (changning-28c, jinshan-21c): the assignment closes at once."""
    return _assignment(await panels.recuse(session, principal, assignment_id, body.reason))


@router.get(
    "/my-assignments",
    operation_id="list_my_assignments",
    response_model=list[AssignmentOut],
    responses=problem_responses(401),
)
async def list_my_assignments(session: Session, principal: SignedIn) -> list[AssignmentOut]:
    """The caller's open assignments (an expert's; anyone else has none)."""
    return [_assignment(a) for a in await panels.my_assignments(session, principal)]


@router.get(
    "/assignments/{assignment_id}/application",
    operation_id="read_assigned_application",
    response_model=AssignedApplicationOut,
    responses=problem_responses(401, 403, 404),
)
async def read_assigned_application(
    assignment_id: uuid.UUID, session: Session, principal: SignedIn
) -> AssignedApplicationOut:
    """The application, to its assigned expert only, while the assignment is open, after the pledge
    (jinshan-21a, hangzhou-6.2a, linyi-20a); every read is in the read audit; otherwise 404."""
    a, panel, app = await panels.assigned_application(session, principal, assignment_id)
    return AssignedApplicationOut(
        assignment_id=a.id,
        panel_id=panel.id,
        stage=panel.stage,
        application_id=app.id,
        applicant_name=app.applicant_name,
        category=app.category,
        tier_sought=app.tier_sought,
        state=app.state,
        scorebook=scoresheets.book_of(app).key,
    )


@router.post(
    "/assignments/{assignment_id}/score",
    operation_id="submit_score",
    status_code=201,
    response_model=SheetOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def submit_score(assignment_id: uuid.UUID, body: ScoreIn, session: Session, principal: SignedIn) -> SheetOut:
    """The member's independent score sheet: a band per item of the scorebook, strengths and improvements."""
    row = await scoresheets.submit_score(session, principal, assignment_id, body.scores, body.comments)
    return SheetOut.model_validate(row, from_attributes=True)


@router.get(
    "/panels/{panel_id}/applications/{application_id}/scores",
    operation_id="get_panel_scores",
    response_model=PanelScoresOut,
    responses=problem_responses(401, 403, 404),
)
async def get_panel_scores(
    panel_id: uuid.UUID, application_id: uuid.UUID, session: Session, principal: SignedIn
) -> PanelScoresOut:
    """The members' sheets, medians and outliers: to the office, and to a member once its own sheet is in."""
    found = await scoresheets.panel_scores(session, principal, panel_id, application_id)
    consensus = found["consensus"]
    return PanelScoresOut(
        book=found["book"],
        members=found["members"],
        sheets=[SheetOut.model_validate(s, from_attributes=True) for s in found["sheets"].values()],
        medians=found["medians"],
        outliers=found["outliers"],
        consensus=None if consensus is None else ConsensusOut.model_validate(consensus, from_attributes=True),
    )


@router.post(
    "/panels/{panel_id}/applications/{application_id}/consensus",
    operation_id="record_consensus",
    status_code=201,
    response_model=ConsensusOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def record_consensus(
    panel_id: uuid.UUID, application_id: uuid.UUID, body: ConsensusIn, session: Session, principal: SignedIn
) -> ConsensusOut:
    """The leader's consensus per item with its rationale, once every member scored (422 naming who has not)."""
    row = await scoresheets.record_consensus(
        session, principal, panel_id, application_id, body.scores, body.rationale, body.comments
    )
    return ConsensusOut.model_validate(row, from_attributes=True)


@router.post(
    "/panels/{panel_id}/applications/{application_id}/report",
    operation_id="record_stage_report",
    status_code=201,
    response_model=ReportOut,
    responses=problem_responses(401, 403, 404, 409),
)
async def record_stage_report(
    panel_id: uuid.UUID,
    application_id: uuid.UUID,
    body: ReportIn,
    request: Request,
    session: Session,
    settings: AppSettings,
    principal: SignedIn,
) -> ReportOut:
    """The leader's report of the panel's stage: 现场评审报告, 答辩记录 or 综合评价报告; its PDF (with the
    consensus scores and comments) is stored as a `review_report` material, its hash and data in `content.document`."""
    row = await scoresheets.record_report(
        session, settings, request.state.after_rollback, principal, panel_id, application_id, body.model_dump()
    )
    return ReportOut.model_validate(row, from_attributes=True)


@router.get(
    "/rounds/{round_id}/ranking",
    operation_id="get_review_ranking",
    response_model=list[RankingGroup],
    responses=problem_responses(401, 404),
)
async def get_review_ranking(
    round_id: uuid.UUID, session: Session, principal: SignedIn, stage: Stage = "material"
) -> list[RankingGroup]:
    """Per tier and category by consensus score (then the results items' score), for the office."""
    return [RankingGroup.model_validate(g) for g in await ranking.ranking(session, principal, round_id, stage)]


class ListIn(BaseModel):
    model_config = {"extra": "forbid"}

    stage: Stage = "material"
    tier: str = Field(default="", max_length=40, description="the tier sought ('' when none)")
    category: str = Field(min_length=1, max_length=40)
    chosen: list[str] = Field(max_length=500, description="application ids going on")
    reasons: dict[str, str] = Field(
        default_factory=dict, description="application id → why it is chosen over higher-ranked ones"
    )


class ListOut(BaseModel):
    id: uuid.UUID
    round_id: uuid.UUID
    stage: str
    tier: str
    category: str
    chosen: list[str]
    reasons: dict[str, str]
    departures: list[dict] = Field(description="each chosen entry ranked below one left out, and whom it passed over")
    ranking: list[dict]
    decided_at: datetime


@router.post(
    "/rounds/{round_id}/lists",
    operation_id="decide_review_list",
    status_code=201,
    response_model=ListOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def decide_review_list(round_id: uuid.UUID, body: ListIn, session: Session, principal: OfficeOnly) -> ListOut:
    """The office's on-site list "best among the good" (changning-22b, jinshan-18f): each departure from rank order needs its reason."""
    row = await ranking.decide_list(
        session, principal, round_id, body.stage, body.tier, body.category, body.chosen, body.reasons
    )
    return ListOut.model_validate(row, from_attributes=True)


EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@router.get(
    "/rounds/{round_id}/ranking/export",
    operation_id="export_review_ranking",
    response_class=Response,
    responses={
        200: {"content": {t: {} for t in EXPORT_TYPES.values()}, "description": "the ranking and decided lists"},
        **problem_responses(401, 404),
    },
)
async def export_review_ranking(
    round_id: uuid.UUID,
    session: Session,
    principal: SignedIn,
    format: Literal["xlsx", "csv"] = "xlsx",
    stage: Stage = "material",
) -> Response:
    """The ranking with the decided lists as .xlsx or CSV (UTF-8 with BOM), for the office."""
    body = await ranking.export(session, principal, round_id, stage, format)
    return Response(
        body,
        media_type=EXPORT_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="ranking-{stage}.{format}"'},
    )


@router.get(
    "/panels/{panel_id}/applications/{application_id}/scores/export",
    operation_id="export_panel_scores",
    response_class=Response,
    responses={
        200: {"content": {t: {} for t in EXPORT_TYPES.values()}, "description": "the panel's score sheets"},
        **problem_responses(401, 404),
    },
)
async def export_panel_scores(
    panel_id: uuid.UUID,
    application_id: uuid.UUID,
    session: Session,
    principal: SignedIn,
    format: Literal["xlsx", "csv"] = "xlsx",
) -> Response:
    """The members' sheets and the consensus side by side, medians and outliers marked, for the office."""
    body = await scoresheets.export_sheets(session, principal, panel_id, application_id, format)
    return Response(
        body,
        media_type=EXPORT_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="scores.{format}"'},
    )


class FeedbackIn(BaseModel):
    model_config = {"extra": "forbid"}

    outcome_zh: str = Field(default="", max_length=200, examples=["未进入现场评审"])


class DocumentOut(BaseModel):
    material_id: uuid.UUID
    sha256: str
    data: dict = Field(description="the report's content as JSON (scores as strings)")


@router.post(
    "/panels/{panel_id}/applications/{application_id}/feedback",
    operation_id="issue_feedback_report",
    status_code=201,
    response_model=DocumentOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def issue_feedback_report(
    panel_id: uuid.UUID,
    application_id: uuid.UUID,
    body: FeedbackIn,
    request: Request,
    session: Session,
    settings: AppSettings,
    principal: OfficeOnly,
) -> DocumentOut:
    """The applicant's feedback report (反馈报告, jinshan-18e: also to those not shortlisted) from the
    consensus, category scores against the maximum as a chart: a `feedback_report` material."""
    doc = await scoresheets.issue_feedback(
        session, settings, request.state.after_rollback, principal, panel_id, application_id, body.outcome_zh
    )
    return DocumentOut.model_validate(doc)


class CategoryChange(BaseModel):
    category_id: str
    name_zh: str
    points: int
    previous: Decimal | None
    current: Decimal
    change: Decimal | None


class ComparisonOut(BaseModel):
    application_id: uuid.UUID
    previous_application_id: uuid.UUID | None = Field(
        description="the applicant's earlier application with a consensus, if any"
    )
    current_total: Decimal
    previous_total: Decimal | None
    categories: list[CategoryChange]


@router.get(
    "/applications/{application_id}/comparison",
    operation_id="get_review_comparison",
    response_model=ComparisonOut,
    responses=problem_responses(401, 404, 422),
)
async def get_review_comparison(application_id: uuid.UUID, session: Session, principal: SignedIn) -> ComparisonOut:
    """A re-applicant's consensus beside its previous application's, per category (linyi-13b), for the office."""
    return ComparisonOut.model_validate(await ranking.comparison(session, principal, application_id))
