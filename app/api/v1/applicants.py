"""The applicant registry (申报主体): organisations and individuals."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import Query, Request, Response

from app.api.deps import ApplicantsRegister, AppSettings, OfficeOrAdmin, Session, SignedIn
from app.api.pagination import Page, Paging
from app.api.preconditions import etag, require_if_match
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.api.v1.schemas_applicants import (
    ApplicantEventOut,
    ApplicantOwnerIn,
    ApplicantPatch,
    ApplicantRecordOut,
    IndividualIn,
    OrganisationIn,
)
from app.domain import clock
from app.domain.applicants import service

router = v1_router(prefix="/applicants", tags=["applicants"])


def _out(view: service.ApplicantView, response: Response) -> ApplicantRecordOut:
    response.headers["ETag"] = etag(view.applicant.version)
    return ApplicantRecordOut.of(view.applicant, view.id_number)


@router.post(
    "/organisations",
    operation_id="register_organisation",
    status_code=201,
    response_model=ApplicantRecordOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def register_organisation(
    body: OrganisationIn,
    request: Request,
    session: Session,
    settings: AppSettings,
    response: Response,
    principal: ApplicantsRegister,
) -> ApplicantRecordOut:
    """Register an organisation by its 统一社会信用代码. An applicant account registers only the code its token verifies
    (`verified_credit_code`; otherwise 403 `/identity-not-verified`). A code already registered is 409
    `/duplicate-applicant` (with `existing_id` when the caller may read it)."""
    fields = body.model_dump(exclude={"credit_code", "principal_ref", "reason"}, exclude_none=True)
    view = await service.register_organisation(
        session,
        settings,
        principal,
        body.credit_code,
        fields,
        body.principal_ref,
        body.reason,
        request.state.request_id,
    )
    response.headers["Location"] = f"/api/v1/applicants/{view.applicant.id}"
    return _out(view, response)


@router.post(
    "/individuals",
    operation_id="register_individual",
    status_code=201,
    response_model=ApplicantRecordOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def register_individual(
    body: IndividualIn,
    request: Request,
    session: Session,
    settings: AppSettings,
    response: Response,
    principal: ApplicantsRegister,
) -> ApplicantRecordOut:
    """Register a person by ID number (encrypted at rest, found by a keyed hash, masked to everyone but the person and the handling office).
    An applicant account registers only the number its token verifies (`verified_id_number` or `verified_id_number_hash`;
    otherwise 403 `/identity-not-verified`)."""
    fields = body.model_dump(exclude={"id_number", "principal_ref", "reason"}, exclude_none=True)
    view = await service.register_individual(
        session,
        settings,
        principal,
        body.id_number,
        fields,
        body.principal_ref,
        body.reason,
        request.state.request_id,
    )
    response.headers["Location"] = f"/api/v1/applicants/{view.applicant.id}"
    return _out(view, response)


@router.get(
    "", operation_id="list_applicants", response_model=Page[ApplicantRecordOut], responses=problem_responses(401, 403)
)
async def list_applicants(
    session: Session,
    paging: Paging,
    principal: SignedIn,
    kind: Literal["organisation", "individual"] | None = None,
    credit_code: Annotated[str | None, Query(max_length=18)] = None,
    name: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[ApplicantRecordOut]:
    """The registry: an admin's whole, an office's the records it registered or that applied in its programme. ID numbers are always masked in lists."""
    rows, total = await service.list_applicants(
        session, principal, kind, credit_code.upper() if credit_code else None, name, paging.offset, paging.size
    )
    return Page[ApplicantRecordOut](
        items=[ApplicantRecordOut.of(r) for r in rows], page=paging.page, size=paging.size, total=total
    )


@router.get(
    "/{applicant_id}",
    operation_id="get_applicant",
    response_model=ApplicantRecordOut,
    responses=problem_responses(401, 404),
)
async def get_applicant(
    applicant_id: uuid.UUID, session: Session, settings: AppSettings, response: Response, principal: SignedIn
) -> ApplicantRecordOut:
    """An applicant with its `ETag`; the ID number is shown in full only to the person and the handling office."""
    return _out(await service.get_applicant(session, settings, principal, applicant_id), response)


@router.patch(
    "/{applicant_id}",
    operation_id="update_applicant",
    response_model=ApplicantRecordOut,
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update_applicant(
    applicant_id: uuid.UUID,
    body: ApplicantPatch,
    request: Request,
    session: Session,
    settings: AppSettings,
    response: Response,
    principal: SignedIn,
) -> ApplicantRecordOut:
    """Correct facts (needs `If-Match`). The credit code and the ID number identify the record and do not change."""
    applicant = await service.lock_for_update(session, principal, applicant_id)
    require_if_match(request, applicant.version)
    return _out(
        await service.update_applicant(session, settings, principal, applicant, body.model_dump(exclude_unset=True)),
        response,
    )


@router.get(
    "/{applicant_id}/history",
    operation_id="get_applicant_history",
    response_model=list[ApplicantEventOut],
    responses=problem_responses(401, 404),
)
async def get_applicant_history(
    applicant_id: uuid.UUID, session: Session, principal: SignedIn
) -> list[ApplicantEventOut]:
    """登记记录: how the record was registered (the account's verified token, or an office / admin with its reason) and every reassignment."""
    rows = await service.history(session, principal, applicant_id)
    return [
        ApplicantEventOut(
            kind=e.kind,
            how=e.how,
            from_ref=e.from_ref,
            to_ref=e.to_ref,
            reason=e.reason,
            actor=e.actor,
            programme=e.programme,
            request_id=e.request_id,
            at=e.at.astimezone(clock.SHANGHAI),
        )
        for e in rows
    ]


@router.post(
    "/{applicant_id}/owner",
    operation_id="reassign_applicant",
    response_model=ApplicantRecordOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def reassign_applicant(
    applicant_id: uuid.UUID,
    body: ApplicantOwnerIn,
    request: Request,
    session: Session,
    settings: AppSettings,
    response: Response,
    principal: OfficeOrAdmin,
) -> ApplicantRecordOut:
    """Bind the record to the right applicant account (needs `If-Match`; the handling office or an admin), with a reason:
    recorded in its history, both accounts notified. 409 `/account-has-applicant` when that account holds another record."""
    applicant = await service.lock_for_reassignment(session, principal, applicant_id)
    require_if_match(request, applicant.version)
    view = await service.reassign(
        session, settings, principal, applicant, body.principal_ref, body.reason, request.state.request_id
    )
    return _out(view, response)
