"""The office's daily work on an application: what it still lacks, and its recommending unit (issue 19)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel, Field

from app.api.deps import Session, SignedIn
from app.api.filters import ProgrammeFilter
from app.api.preconditions import etag
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.api.v1.schemas_workflow import ApplicationOut
from app.domain.materials import completeness
from app.domain.recommendation import choice

router = v1_router(prefix="/applications", tags=["applications"])
applicants_router = v1_router(prefix="/applicants", tags=["applicants"])


class MissingPiece(BaseModel):
    piece: str = Field(description="`form`, `form.fields.<key>` or `materials.<kind>`")
    name_zh: str
    name_en: str
    clause: str | None


class CompletenessOut(BaseModel):
    application_id: uuid.UUID
    complete: bool
    clause: str | None = Field(description="the clause on what an application holds")
    form: dict[str, Any] | None = Field(description="the form's schema: name and typed fields (label, type, limits)")
    materials: list[dict[str, Any]] = Field(description="the materials the category requires, each with its clause")
    missing: list[MissingPiece]


class UnitChoiceIn(BaseModel):
    model_config = {"extra": "forbid"}

    unit: str | None = Field(
        max_length=60, pattern=r"^[A-Za-z0-9_.-]+$", description="a recommending unit's code; null clears it"
    )
    reason: str = Field(min_length=1, max_length=2000, description="why it changes (kept in the history)")


class ApplicantUnitsOut(BaseModel):
    applicant_id: uuid.UUID
    programme: str
    applicant_registered: bool
    applicant_places: list[dict[str, Any]] = Field(description="each place of the applicant and the attribute it is")
    how_covers_matches: str
    units: list[dict[str, Any]] = Field(description="the programme's units, covering ones first, with `matched`")


class CoveringUnitsOut(BaseModel):
    application_id: uuid.UUID
    recommending_unit: str | None
    programme: str
    applicant_registered: bool
    applicant_places: list[dict[str, Any]] = Field(description="each place of the applicant and the attribute it is")
    how_covers_matches: str
    units: list[dict[str, Any]] = Field(description="the programme's units, covering ones first, with `matched`")


@router.get(
    "/{application_id}/completeness",
    operation_id="get_application_completeness",
    response_model=CompletenessOut,
    responses=problem_responses(401, 404),
)
async def get_completeness(application_id: uuid.UUID, session: Session, principal: SignedIn) -> CompletenessOut:
    """What the application must hold to be submitted (the form's fields, the materials) and what it still lacks, each with its clause."""
    return CompletenessOut(**await completeness.for_caller(session, principal, application_id))


@router.get(
    "/{application_id}/recommending-units",
    operation_id="list_covering_units",
    response_model=CoveringUnitsOut,
    responses=problem_responses(401, 404),
)
async def covering_units(application_id: uuid.UUID, session: Session, principal: SignedIn) -> CoveringUnitsOut:
    """The programme's recommending units with their Chinese names, those covering the applicant first, each with how `covers` matched."""
    return CoveringUnitsOut(**await choice.for_application(session, principal, application_id))


@router.put(
    "/{application_id}/recommending-unit",
    operation_id="change_recommending_unit",
    response_model=ApplicationOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def change_recommending_unit(
    application_id: uuid.UUID,
    body: UnitChoiceIn,
    request: Request,
    session: Session,
    response: Response,
    principal: SignedIn,
) -> ApplicationOut:
    """Choose or change the recommending unit while in `draft` (needs `If-Match`; the reason goes into the history)."""
    app = await choice.change_unit(
        session,
        principal,
        request.state.request_id,
        application_id,
        body.unit,
        body.reason,
        request.headers.get("if-match"),
    )
    response.headers["ETag"] = etag(app.version)
    return ApplicationOut.of(app)


@applicants_router.get(
    "/{applicant_id}/recommending-units",
    operation_id="list_units_covering_applicant",
    response_model=ApplicantUnitsOut,
    responses=problem_responses(401, 404),
)
async def units_covering_applicant(
    applicant_id: uuid.UUID, programme: ProgrammeFilter, session: Session, principal: SignedIn
) -> ApplicantUnitsOut:
    """Before applying: the programme's recommending units, those covering this registered applicant first, with how `covers` matched."""
    return ApplicantUnitsOut(**await choice.for_applicant(session, principal, applicant_id, programme))
