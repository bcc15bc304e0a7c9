"""The government's acts after the winners' notice: submission (报批), approval (批准), commendation
decision (表彰决定), and the winners' list announced to society (获奖名单公布) as JSON, HTML and PDF."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import Request, Response
from pydantic import BaseModel, Field

from app.api.conditional import revalidated
from app.api.deps import PUBLIC, OfficeOnly, ReadSession, RoundsRead, Session, SignedIn
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.api.v1.schemas_workflow import ApplicationOut
from app.db.models.commendation import CommendationAward, GovernmentDocument
from app.domain.commendation import documents, records
from app.workflow import commendation
from app.workflow.service import EventContext

router = v1_router(tags=["commendation"])

# the list changes only when an award is revoked: a minute's staleness, revalidated by its ETag after
PUBLIC_CACHE = "public, max-age=60"


class ApprovalSubmissionIn(BaseModel):
    model_config = {"extra": "forbid"}

    submitted_on: date = Field(description="the day the list went to the government (not in the future)")
    applications: list[uuid.UUID] = Field(
        min_length=1, max_length=1000, description="the applications that passed the winners' notice, all of them"
    )
    note: str | None = Field(default=None, max_length=2000, examples=["区市场监管局呈报区政府"])


class ApprovalIn(BaseModel):
    model_config = {"extra": "forbid"}

    document_no: str = Field(min_length=1, max_length=100, examples=["长府〔2027〕12号"])
    approved_on: date = Field(description="the approval's date: after the submission, not in the future")
    applications: list[uuid.UUID] | None = Field(
        default=None,
        max_length=1000,
        description="the applications the government approved (default: the whole submitted list)",
    )
    title_zh: str | None = Field(default=None, max_length=300)


class CommendationIn(BaseModel):
    model_config = {"extra": "forbid"}

    document_no: str = Field(min_length=1, max_length=100, examples=["长府〔2027〕15号"])
    decided_on: date = Field(description="the decision's date: on or after the approval, not in the future")
    title_zh: str | None = Field(default=None, max_length=300)


class GovernmentDocumentOut(BaseModel):
    kind: str
    document_no: str
    issued_on: date
    issued_by_zh: str
    title_zh: str
    clause: str | None

    @classmethod
    def of(cls, d: GovernmentDocument | None) -> GovernmentDocumentOut | None:
        if d is None:
            return None
        return cls(
            kind=d.kind,
            document_no=d.document_no,
            issued_on=d.issued_on,
            issued_by_zh=d.issued_by_zh,
            title_zh=d.title_zh,
            clause=d.clause,
        )


class ApprovalListEntryOut(BaseModel):
    application_id: uuid.UUID
    position: int
    approved: bool


class ApprovalSubmissionOut(BaseModel):
    round_id: uuid.UUID
    submitted_on: date
    submitted_to_zh: str
    clause: str | None
    note: str | None
    submitted_by: str
    applications: list[ApprovalListEntryOut]


class CommendationAwardOut(BaseModel):
    application_id: uuid.UUID
    position: int
    applicant_kind: str
    name: str
    credit_code: str | None
    employer: str | None
    tier: str
    tier_name_zh: str
    category: str
    category_name_zh: str

    @classmethod
    def of(cls, a: CommendationAward) -> CommendationAwardOut:
        return cls(
            application_id=a.application_id,
            position=a.position,
            applicant_kind=a.applicant_kind,
            name=a.name,
            credit_code=a.credit_code,
            employer=a.employer,
            tier=a.tier,
            tier_name_zh=a.tier_name_zh,
            category=a.category,
            category_name_zh=a.category_name_zh,
        )


class GovernmentActsOut(BaseModel):
    round_id: uuid.UUID
    submission: ApprovalSubmissionOut | None
    approval: GovernmentDocumentOut | None
    commendation: GovernmentDocumentOut | None
    awards: list[CommendationAwardOut]


class ApprovalOut(BaseModel):
    approval: GovernmentDocumentOut
    applications: list[ApplicationOut]


class ApplicationCommendationOut(BaseModel):
    application_id: uuid.UUID
    commendation: GovernmentDocumentOut | None
    award: CommendationAwardOut | None


class PublicDocumentOut(BaseModel):
    document_no: str
    issued_on: date
    issued_by_zh: str
    title_zh: str


class PublicWinnerOut(BaseModel):
    position: int
    applicant_kind: str
    name: str
    credit_code: str | None
    employer: str | None
    tier: str
    tier_name_zh: str
    category: str
    category_name_zh: str
    revoked: bool


class PublicWinnersOut(BaseModel):
    round_id: uuid.UUID
    programme: str
    programme_name_zh: str
    round_label: str
    title_zh: str
    government_zh: str
    announced: bool
    clause: str | None
    approval: PublicDocumentOut | None
    commendation: PublicDocumentOut | None
    winners: list[PublicWinnerOut]


def _submission_out(sub, entries) -> ApprovalSubmissionOut:
    return ApprovalSubmissionOut(
        round_id=sub.round_id,
        submitted_on=sub.submitted_on,
        submitted_to_zh=sub.submitted_to_zh,
        clause=sub.clause,
        note=sub.note,
        submitted_by=sub.submitted_by,
        applications=[
            ApprovalListEntryOut(application_id=e.application_id, position=e.position, approved=e.approved)
            for e in entries
        ],
    )


def _acts_out(record: records.RoundRecord) -> GovernmentActsOut:
    return GovernmentActsOut(
        round_id=record.round_id,
        submission=_submission_out(record.submission, record.entries) if record.submission else None,
        approval=GovernmentDocumentOut.of(record.approval),
        commendation=GovernmentDocumentOut.of(record.commendation),
        awards=[CommendationAwardOut.of(a) for a in record.awards],
    )


@router.post(
    "/rounds/{round_id}/approval-submission",
    operation_id="submit_for_approval",
    status_code=201,
    response_model=ApprovalSubmissionOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def submit_for_approval(
    round_id: uuid.UUID, body: ApprovalSubmissionIn, session: Session, principal: OfficeOnly
) -> ApprovalSubmissionOut:
    """报批 (the programme's office): the applications that passed the winners' notice go to the government, once
    per round (a second: 409 `/government-act-recorded`), only once no application of the round is still before or
    in its winners' notice (409 `/round-not-ready`), dated after the notice ended and not in the future (422)."""
    sub = await commendation.submit_for_approval(
        session, principal, round_id, body.submitted_on, body.applications, body.note
    )
    return _submission_out(sub.row, sub.entries)


@router.post(
    "/rounds/{round_id}/approval",
    operation_id="record_government_approval",
    status_code=201,
    response_model=ApprovalOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def record_government_approval(
    round_id: uuid.UUID, body: ApprovalIn, request: Request, session: Session, principal: OfficeOnly
) -> ApprovalOut:
    """批准 (the programme's office records the government's approval): its document number (文号, unique per
    programme: 409 `/document-number-taken`) and date; `approve` fires through the machine for every application
    approved, in one transaction (a refusal of any approves none and names it: `application_id`). Send an
    `Idempotency-Key` to retry safely."""
    ctx = EventContext(principal, request.state.request_id, request.state.after_rollback)
    doc, apps = await commendation.approve(
        session, ctx, round_id, body.document_no, body.approved_on, body.applications, body.title_zh
    )
    out = GovernmentDocumentOut.of(doc)
    assert out is not None
    return ApprovalOut(approval=out, applications=[ApplicationOut.of(a) for a in apps])


@router.post(
    "/rounds/{round_id}/commendation",
    operation_id="record_commendation",
    status_code=201,
    response_model=GovernmentActsOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def record_commendation(
    round_id: uuid.UUID, body: CommendationIn, session: Session, principal: OfficeOnly
) -> GovernmentActsOut:
    """表彰决定 (the programme's office records the government's decision): its own document number and date; it
    names every approved winner with the tier and category given. Once recorded, the winners' list is public."""
    await commendation.commend(session, principal, round_id, body.document_no, body.decided_on, body.title_zh)
    return _acts_out(await records.round_record(session, principal, round_id))


@router.get(
    "/rounds/{round_id}/government-acts",
    operation_id="get_round_government_acts",
    response_model=GovernmentActsOut,
    responses=problem_responses(401, 403, 404),
)
async def get_round_government_acts(round_id: uuid.UUID, session: Session, principal: RoundsRead) -> GovernmentActsOut:
    """The round's submission, approval and commendation decision with its awards (each null until recorded)."""
    return _acts_out(await records.round_record(session, principal, round_id))


@router.get(
    "/applications/{application_id}/commendation",
    operation_id="get_application_commendation",
    response_model=ApplicationCommendationOut,
    responses=problem_responses(401, 404),
)
async def get_application_commendation(
    application_id: uuid.UUID, session: Session, principal: SignedIn
) -> ApplicationCommendationOut:
    """The commendation decision naming the application and its award (tier, category), or nulls before it."""
    found = await records.application_commendation(session, principal, application_id)
    award, doc = found if found is not None else (None, None)
    return ApplicationCommendationOut(
        application_id=application_id,
        commendation=GovernmentDocumentOut.of(doc),
        award=CommendationAwardOut.of(award) if award is not None else None,
    )


def _public_out(lst: records.WinnersList) -> PublicWinnersOut:
    def doc(d: records.Document | None) -> PublicDocumentOut | None:
        if d is None:
            return None
        return PublicDocumentOut(
            document_no=d.document_no, issued_on=d.issued_on, issued_by_zh=d.issued_by_zh, title_zh=d.title_zh
        )

    return PublicWinnersOut(
        round_id=lst.round_id,
        programme=lst.programme,
        programme_name_zh=lst.programme_name_zh,
        round_label=lst.round_label,
        title_zh=lst.title_zh,
        government_zh=lst.government_zh,
        announced=lst.announced,
        clause=lst.clause,
        approval=doc(lst.approval),
        commendation=doc(lst.commendation),
        winners=[PublicWinnerOut(**w.__dict__) for w in lst.winners],
    )


_NOT_MODIFIED = {304: {"description": "the list is unchanged since the ETag sent in `If-None-Match`"}}


@router.get(
    "/public/rounds/{round_id}/winners",
    operation_id="get_public_winners",
    dependencies=[PUBLIC],
    response_model=PublicWinnersOut,
    responses={**_NOT_MODIFIED, **problem_responses(404)},
)
async def get_public_winners(round_id: uuid.UUID, request: Request, session: ReadSession) -> Response:
    """获奖名单 (no login; linyi-15a, tianning-12k): the winners with tier and category once the commendation
    decision is recorded (`announced`), with the approval's and the decision's document numbers. Organisations with
    their credit code, individuals with their employer, as the notices showed them; never an ID number. `ETag`."""
    out = _public_out(await records.public_winners(session, round_id))
    return revalidated(request, out.model_dump_json().encode(), "application/json", PUBLIC_CACHE)


@router.get(
    "/public/rounds/{round_id}/winners.html",
    operation_id="get_public_winners_html",
    dependencies=[PUBLIC],
    response_class=Response,
    responses={
        200: {"content": {"text/html": {}}, "description": "the winners' list as a plain page in Chinese"},
        **_NOT_MODIFIED,
        **problem_responses(404),
    },
)
async def get_public_winners_html(round_id: uuid.UUID, request: Request, session: ReadSession) -> Response:
    """The winners' list as a plain HTML page in Chinese (nothing loaded from elsewhere, every value escaped)."""
    page = documents.render_html(await records.public_winners(session, round_id))
    return revalidated(request, page.encode(), "text/html; charset=utf-8", PUBLIC_CACHE, {"Content-Language": "zh-CN"})


@router.get(
    "/public/rounds/{round_id}/winners.pdf",
    operation_id="get_public_winners_pdf",
    dependencies=[PUBLIC],
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "the winners' list as a PDF"},
        **_NOT_MODIFIED,
        **problem_responses(404),
    },
)
async def get_public_winners_pdf(round_id: uuid.UUID, request: Request, session: ReadSession) -> Response:
    """The winners' list as a PDF (Chinese text in STSong-Light, extractable)."""
    pdf = documents.render_pdf(await records.public_winners(session, round_id))
    return revalidated(
        request,
        pdf,
        "application/pdf",
        PUBLIC_CACHE,
        {"Content-Disposition": f'inline; filename="winners-{round_id}.pdf"'},
    )
