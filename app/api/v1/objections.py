"""Objections (异议) for the office (verification, 核查) and for those who may see the application."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import Request, Response
from fastapi.responses import FileResponse

from app.api.deps import AppSettings, OfficeOnly, OfficeOrAdmin, Session, SignedIn
from app.api.file_responses import file_response
from app.api.filters import ProgrammeFilter
from app.api.pagination import KeysetPaging, Page, Paging, cursor_errors, keyset_page
from app.api.preconditions import etag
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.api.v1.schemas_notices import (
    ObjectionDecisionIn,
    ObjectionDecisionOut,
    ObjectionFactsOut,
    ObjectionFindingIn,
    ObjectionFindingOut,
    ObjectionIdentityIn,
    ObjectionOfficeOut,
    ObjectionResultPreviewIn,
    ObjectionResultPreviewOut,
    facts_out,
    file_out,
    office_objection_out,
    state_name,
)
from app.db.repositories import notices as repo
from app.domain import clock, read_audit
from app.domain.errors import not_found
from app.domain.files import intake
from app.domain.files.policy import OBJECTION_EVIDENCE, VERIFICATION_EVIDENCE
from app.workflow import service
from app.workflow.notices import objections

router = v1_router(tags=["objections"])

StatusFilter = Literal["received", "verifying", "upheld", "dismissed", "moot", "open"]


def _filters(programme, notice_id, application_id, status) -> dict:
    statuses = sorted(objections.OPEN) if status == "open" else ([status] if status else None)
    return {"programme": programme, "notice_id": notice_id, "application_id": application_id, "statuses": statuses}


@router.get(
    "/objections",
    operation_id="list_objections",
    response_model=Page[ObjectionOfficeOut],
    responses=problem_responses(401, 403),
)
async def list_objections(
    session: Session,
    principal: OfficeOrAdmin,
    paging: KeysetPaging,
    notice_id: uuid.UUID | None = None,
    application_id: uuid.UUID | None = None,
    status: StatusFilter | None = None,
    programme: ProgrammeFilter = None,
) -> Page[ObjectionOfficeOut]:
    """Objections to the office's programme, with the objectors' identities (the office only).

    As in every list, the phone is masked and ID and phone numbers in the facts and reasons too;
    `GET /objections/{id}` shows the phone in full, to contact the objector.
    """
    with cursor_errors():
        page = await objections.page_for_office(
            session,
            principal,
            _filters(programme, notice_id, application_id, status),
            paging.offset,
            paging.size,
            cursor=paging.cursor,
        )
    now = clock.now()
    items = [office_objection_out(o, now, listed=True) for o in page.rows]
    return Page[ObjectionOfficeOut](**keyset_page(page, paging, items))


@router.get(
    "/objections/overdue",
    operation_id="list_overdue_verifications",
    response_model=Page[ObjectionOfficeOut],
    responses=problem_responses(401, 403),
)
async def list_overdue(
    session: Session,
    principal: OfficeOrAdmin,
    paging: Paging,
    programme: ProgrammeFilter = None,
) -> Page[ObjectionOfficeOut]:
    """核查超期: open objections past their verification target (hangzhou-3.3.7c: 5 working days), most overdue first, for the office's lead."""
    page = await objections.page_for_office(
        session, principal, _filters(programme, None, None, None), paging.offset, paging.size, overdue=True
    )
    now = clock.now()
    items = [office_objection_out(o, now, listed=True) for o in page.rows]
    return Page[ObjectionOfficeOut](**keyset_page(page, paging, items))


def _office_out(v: objections.OfficeView) -> ObjectionOfficeOut:
    return office_objection_out(v.objection, clock.now(), v.entry.name, v.files, v.findings)


@router.get(
    "/objections/{objection_id}",
    operation_id="get_objection",
    response_model=ObjectionOfficeOut,
    responses=problem_responses(401, 403, 404),
)
async def get_objection(
    objection_id: uuid.UUID, session: Session, response: Response, principal: OfficeOnly
) -> ObjectionOfficeOut:
    """The objection with the objector's identity and phone in full, its findings and files, and its `ETag` (the office only)."""
    v = await objections.office_view(session, principal, objection_id)
    response.headers["ETag"] = etag(v.objection.version)
    return _office_out(v)


@router.post(
    "/objections/{objection_id}/take",
    operation_id="take_objection",
    response_model=ObjectionOfficeOut,
    responses=problem_responses(401, 403, 404, 409, 412, 428),
)
async def take_objection(
    objection_id: uuid.UUID, request: Request, session: Session, response: Response, principal: OfficeOnly
) -> ObjectionOfficeOut:
    """受理: the office starts verifying (needs `If-Match`)."""
    await objections.take(session, principal, objection_id, request.headers.get("if-match"))
    v = await objections.office_view(session, principal, objection_id)
    response.headers["ETag"] = etag(v.objection.version)
    return _office_out(v)


@router.post(
    "/objections/{objection_id}/findings",
    operation_id="record_objection_finding",
    status_code=201,
    response_model=ObjectionFindingOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def record_finding(
    objection_id: uuid.UUID,
    body: ObjectionFindingIn,
    request: Request,
    session: Session,
    settings: AppSettings,
    response: Response,
    principal: OfficeOnly,
) -> ObjectionFindingOut:
    """核查记录: what was found, with the evidence gathered (send an `Idempotency-Key`).

    `Location` is the objection, where the finding is read; `ETag` is the objection's new version."""
    uploads = [
        intake.decode(VERIFICATION_EVIDENCE, f"evidence[{i}]", f.filename, f.content_base64)
        for i, f in enumerate(body.evidence)
    ]
    o, finding, stored = await objections.add_finding(
        session, settings, principal, request.state.after_rollback, objection_id, body.text, uploads
    )
    response.headers["ETag"] = etag(o.version)
    # a finding has no URL of its own: it is read as part of its objection
    response.headers["Location"] = f"/api/v1/objections/{objection_id}"
    return ObjectionFindingOut(
        id=finding.id,
        text=finding.text,
        recorded_by=finding.recorded_by,
        recorded_at=finding.recorded_at.astimezone(clock.SHANGHAI),
        files=[file_out(f) for f in stored],
    )


@router.post(
    "/objections/{objection_id}/decision",
    operation_id="decide_objection",
    response_model=ObjectionDecisionOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def decide_objection(
    objection_id: uuid.UUID,
    body: ObjectionDecisionIn,
    request: Request,
    session: Session,
    response: Response,
    principal: OfficeOnly,
) -> ObjectionDecisionOut:
    """核查结论 (needs `If-Match`): `upheld` disqualifies the application; `dismissed` lets it proceed, at once if its period is over.

    The result is published on the notice without the objector's identity (hangzhou-3.3.7d).
    """
    ctx = service.EventContext(principal, request.state.request_id, request.state.after_rollback)
    o, moved_to = await objections.decide(
        session, ctx, objection_id, request.headers.get("if-match"), body.decision, body.reasons, body.result_zh
    )
    v = await objections.office_view(session, principal, o.id)
    response.headers["ETag"] = etag(o.version)
    return ObjectionDecisionOut(
        objection=_office_out(v), application_state=moved_to, application_state_name_zh=state_name(moved_to)
    )


@router.post(
    "/objections/{objection_id}/decision/preview",
    operation_id="preview_objection_result",
    response_model=ObjectionResultPreviewOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def preview_objection_result(
    objection_id: uuid.UUID, body: ObjectionResultPreviewIn, session: Session, principal: OfficeOnly
) -> ObjectionResultPreviewOut:
    """The result exactly as it would be published on the notice (the objector named nowhere, ID and phone numbers
    masked however written), for the clerk to read before deciding; nothing is changed."""
    text, masked = await objections.preview_result(session, principal, objection_id, body.decision, body.result_zh)
    return ObjectionResultPreviewOut(result_zh=text, masked=masked)


@router.post(
    "/objections/{objection_id}/identity",
    operation_id="confirm_objector_identity",
    response_model=ObjectionOfficeOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def confirm_objector_identity(
    objection_id: uuid.UUID,
    body: ObjectionIdentityIn,
    request: Request,
    session: Session,
    response: Response,
    principal: OfficeOnly,
) -> ObjectionOfficeOut:
    """实名核验 (changning-31a, needs `If-Match`): the office confirms the person behind an objection lodged on the open
    form, saying how; 409 `/identity-already-verified` once verified (by a citizen's token or before)."""
    await objections.confirm_identity(
        session, principal, objection_id, request.headers.get("if-match"), body.method, body.note
    )
    v = await objections.office_view(session, principal, objection_id)
    response.headers["ETag"] = etag(v.objection.version)
    return _office_out(v)


@router.get(
    "/objections/{objection_id}/files/{file_id}",
    operation_id="download_objection_file",
    response_class=FileResponse,
    responses=problem_responses(401, 403, 404, 410),
)
async def download_file(
    objection_id: uuid.UUID, file_id: uuid.UUID, session: Session, settings: AppSettings, principal: OfficeOnly
) -> Response:
    """An evidence file of the objection (the office only)."""
    await objections.office_view(session, principal, objection_id)
    f = await repo.get_file(session, objection_id, file_id)
    if f is None:
        raise not_found("文件", "File", file_id)
    policy = VERIFICATION_EVIDENCE if f.source == "office" else OBJECTION_EVIDENCE
    await read_audit.record(session, principal, read_audit.OBJECTION_FILE, f.id)  # GB/T 22239 audit
    return await file_response(
        settings, intake.blob_key(policy, f.storage_key), media_type=f.content_type, filename=f.filename, size=f.size
    )


@router.get(
    "/applications/{application_id}/objections",
    operation_id="list_application_objections",
    response_model=list[ObjectionFactsOut],
    responses=problem_responses(401, 404),
)
async def list_application_objections(
    application_id: uuid.UUID, session: Session, principal: SignedIn
) -> list[ObjectionFactsOut]:
    """The objections to an application as the applicant sees them: the facts and reasons objected to, never who objected."""
    rows = await objections.for_application(session, principal, application_id)
    return [facts_out(o) for o in rows]
