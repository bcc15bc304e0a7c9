"""The third-party review body (第三方评审机构, linyi-8a-d), engaged by the programme's office for a
round, and the public-opinion survey (舆情调查, linyi-14e) of each application."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import Query, Request
from pydantic import BaseModel, Field

from app.api.content_length import declared_length
from app.api.deps import AppSettings, OfficeOnly, ReviewManagers, Session, SignedIn
from app.api.multipart_upload import disposition_filename
from app.api.problems import problem_responses
from app.api.v1.materials import body_chunks
from app.api.v1.routing import v1_router
from app.domain.files.policy import MATERIAL
from app.domain.review import bodies, opinion_surveys

router = v1_router(prefix="/review", tags=["review"])


class BodyIn(BaseModel):
    model_config = {"extra": "forbid"}

    code: str = Field(
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
        description="what the `body` claim of the body's tokens names",
    )
    name: str = Field(min_length=1, max_length=200)
    credit_code: str = Field(min_length=1, max_length=40, description="统一社会信用代码, checked")


class EngagementIn(BaseModel):
    model_config = {"extra": "forbid"}

    round_id: uuid.UUID
    contract_no: str | None = Field(default=None, max_length=100, description="the engagement contract (委托合同)")
    engaged_on: date
    term_starts_on: date
    term_ends_on: date


class EngagementOut(BaseModel):
    id: uuid.UUID
    round_id: uuid.UUID
    contract_no: str | None
    engaged_on: date
    term_starts_on: date
    term_ends_on: date


class TieIn(BaseModel):
    model_config = {"extra": "forbid"}

    kind: Literal["guidance", "consulting", "shareholding", "competitor", "other"] = Field(
        description="guidance: the body coached the applicant (辅导)"
    )
    credit_code: str = Field(min_length=1, max_length=40, description="the applicant organisation's credit code")
    detail: str = Field(min_length=1, max_length=2000)


class TieOut(BaseModel):
    id: uuid.UUID
    kind: str
    credit_code: str
    detail: str
    declared_by: str
    declared_at: datetime


class BodyOut(BaseModel):
    id: uuid.UUID
    programme: str
    code: str
    name: str
    credit_code: str
    status: str = Field(description="active | suspended | ended")
    status_log: list[dict]


class BodyRecordOut(BodyOut):
    engagements: list[EngagementOut]
    ties: list[TieOut] = Field(description="the body's ties to applicants: each recuses every expert of the body")


class BodyStatusIn(BaseModel):
    model_config = {"extra": "forbid"}

    status: Literal["active", "suspended", "ended"]
    reason: str = Field(min_length=1, max_length=2000)


class SurveyIn(BaseModel):
    model_config = {"extra": "forbid"}

    sources: list[str] = Field(
        min_length=1,
        max_length=50,
        description="what was checked (news media, credit platforms, complaints hotline...)",
    )
    conducted_on: date
    finding: Literal["clear", "concerns"]
    concerns: str | None = Field(default=None, max_length=20000, description="required when finding is concerns")


class SurveyAttachmentOut(BaseModel):
    material_id: uuid.UUID
    filename: str
    sha256: str
    size: int


class SurveyOut(BaseModel):
    id: uuid.UUID
    application_id: uuid.UUID
    round_id: uuid.UUID
    conducted_by: str = Field(description="body | office")
    body_id: uuid.UUID | None
    sources: list[str]
    conducted_on: date
    finding: str
    concerns: str | None
    attachments: list[SurveyAttachmentOut] = Field(
        description="the evidence files, each a material of the application (download: its materials' content)"
    )
    recorded_by: str
    recorded_at: datetime


def _body(b) -> BodyOut:
    return BodyOut.model_validate(b, from_attributes=True)


@router.post(
    "/bodies",
    operation_id="create_review_body",
    status_code=201,
    response_model=BodyOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_review_body(body: BodyIn, session: Session, principal: OfficeOnly) -> BodyOut:
    """The office records the third-party body that runs its programme's technical review (linyi-8a);
    409 `/review-body-not-provided` where no body runs it."""
    return _body(await bodies.create_body(session, principal, body.model_dump()))


@router.get(
    "/bodies", operation_id="list_review_bodies", response_model=list[BodyOut], responses=problem_responses(401, 403)
)
async def list_review_bodies(session: Session, principal: SignedIn) -> list[BodyOut]:
    """The office's bodies (an admin: every programme's; a body: itself)."""
    return [_body(b) for b in await bodies.list_bodies(session, principal)]


@router.get(
    "/bodies/{body_id}",
    operation_id="get_review_body",
    response_model=BodyRecordOut,
    responses=problem_responses(401, 404),
)
async def get_review_body(body_id: uuid.UUID, session: Session, principal: SignedIn) -> BodyRecordOut:
    """The body with its engagements and ties: to its office, an admin and the body itself."""
    b, engagements, ties = await bodies.body_record(session, principal, body_id)
    return BodyRecordOut(
        **_body(b).model_dump(),
        engagements=[EngagementOut.model_validate(e, from_attributes=True) for e in engagements],
        ties=[TieOut.model_validate(t, from_attributes=True) for t in ties],
    )


@router.post(
    "/bodies/{body_id}/status",
    operation_id="change_review_body_status",
    response_model=BodyOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def change_review_body_status(
    body_id: uuid.UUID, body: BodyStatusIn, session: Session, principal: OfficeOnly
) -> BodyOut:
    """Suspend, end or reinstate the body, with the reason (linyi-22a); only an active body acts."""
    return _body(await bodies.change_status(session, principal, body_id, body.status, body.reason))


@router.post(
    "/bodies/{body_id}/engagements",
    operation_id="engage_review_body",
    status_code=201,
    response_model=EngagementOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def engage_review_body(
    body_id: uuid.UUID, body: EngagementIn, session: Session, principal: OfficeOnly
) -> EngagementOut:
    """委托: engage the body for a round of the programme, under a contract, for a term; the body's role
    acts in that round's review only while the term runs."""
    row = await bodies.engage(session, principal, body_id, body.model_dump())
    return EngagementOut.model_validate(row, from_attributes=True)


@router.post(
    "/bodies/{body_id}/ties",
    operation_id="declare_review_body_tie",
    status_code=201,
    response_model=TieOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def declare_review_body_tie(
    body_id: uuid.UUID, body: TieIn, session: Session, principal: ReviewManagers
) -> TieOut:
    """The body's tie to an applicant (its guidance, consulting...), filed by the body or the office:
    every expert of the body is then conflicted with that applicant (linyi-20a)."""
    row = await bodies.declare_tie(session, principal, body_id, body.model_dump())
    return TieOut.model_validate(row, from_attributes=True)


@router.post(
    "/applications/{application_id}/opinion-survey",
    operation_id="record_opinion_survey",
    status_code=201,
    response_model=SurveyOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def record_opinion_survey(
    application_id: uuid.UUID, body: SurveyIn, session: Session, principal: ReviewManagers
) -> SurveyOut:
    """The public-opinion survey (舆情调查, linyi-14e) of the application, by the engaged body or the
    office, once; linyi's defence stage does not pass without it (409 /guard-failed naming `opinion_survey`)."""
    row = await opinion_surveys.record(session, principal, application_id, body.model_dump())
    return SurveyOut.model_validate(row, from_attributes=True)


@router.get(
    "/applications/{application_id}/opinion-survey",
    operation_id="get_opinion_survey",
    response_model=SurveyOut | None,
    responses=problem_responses(401, 403, 404),
)
async def get_opinion_survey(application_id: uuid.UUID, session: Session, principal: SignedIn) -> SurveyOut | None:
    """The survey (null before it is recorded): to the admin, the office and the engaged body."""
    row = await opinion_surveys.read(session, principal, application_id)
    return None if row is None else SurveyOut.model_validate(row, from_attributes=True)


@router.post(
    "/applications/{application_id}/opinion-survey/attachments",
    operation_id="attach_opinion_survey_file",
    status_code=201,
    response_model=SurveyOut,
    responses=problem_responses(401, 403, 404, 409, 413, 415, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": f"The file as the raw body, at most {MATERIAL.limit()} bytes (PDF, JPEG, PNG, docx, xlsx)",
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            "x-max-file-bytes": MATERIAL.limit(),
        }
    },
)
async def attach_opinion_survey_file(
    application_id: uuid.UUID,
    request: Request,
    session: Session,
    settings: AppSettings,
    principal: ReviewManagers,
    filename: Annotated[str | None, Query(max_length=255, description="the file's name")] = None,
) -> SurveyOut:
    """An evidence file of the recorded survey (舆情调查, linyi-14e): a screenshot, the survey's report.
    Kept as a material of the application (`opinion_survey_evidence`) and named on the survey; 409
    `/survey-not-recorded` before the survey is recorded."""
    name = filename or disposition_filename(request.headers.get("content-disposition"))
    row = await opinion_surveys.attach(
        session,
        settings,
        principal,
        request.state.after_rollback,
        application_id,
        name,
        declared_length(request),
        body_chunks(request),
    )
    return SurveyOut.model_validate(row, from_attributes=True)
