"""Notices (公示) for the office: publish a round's list, read it, check the applicant's unit posting."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import Request, Response

from app.api.deps import AppSettings, OfficeOnly, OfficeOrAdmin, Session, SignedIn
from app.api.filters import ProgrammeFilter
from app.api.pagination import KeysetPaging, Page, cursor_errors, keyset_page
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.api.v1.schemas_notices import (
    NoticePublishIn,
    NoticeSummaryOut,
    OfficeNoticeOut,
    UnitPostingIn,
    UnitPostingOut,
    UnitPostingProofOut,
    UnitPostingReviewIn,
    UnitPostingReviewOut,
    office_notice_out,
    proof_out,
    summary_out,
    unit_posting_out,
)
from app.domain import clock
from app.domain.files import intake
from app.domain.files.policy import UNIT_POSTING_PROOF
from app.identity import Principal
from app.workflow import service
from app.workflow.notices import publication

router = v1_router(tags=["notices"])


def _ctx(request: Request, principal: Principal) -> service.EventContext:
    return service.EventContext(principal, request.state.request_id, request.state.after_rollback)


@router.post(
    "/rounds/{round_id}/notices",
    operation_id="publish_notice",
    status_code=201,
    response_model=OfficeNoticeOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def publish_notice(
    round_id: uuid.UUID,
    body: NoticePublishIn,
    request: Request,
    session: Session,
    response: Response,
    principal: OfficeOnly,
) -> OfficeNoticeOut:
    """Publish a notice (公示) of the round at a notice point with its applications: `start_notice` for each, in one transaction.

    The period comes from the programme's notice rule through the period engine; the notice
    carries its exact dates, the objection channel and its audiences. Send an `Idempotency-Key`.
    """
    notice, _ = await publication.publish(
        session,
        _ctx(request, principal),
        round_id,
        body.point,
        body.applications,
        body.employers,
        body.title_zh,
        body.channel_note_zh,
    )
    response.headers["Location"] = f"/api/v1/notices/{notice.id}"
    return office_notice_out(await publication.view(session, notice.id, principal))


@router.get(
    "/notices",
    operation_id="list_notices",
    response_model=Page[NoticeSummaryOut],
    responses=problem_responses(401, 403),
)
async def list_notices(
    session: Session,
    principal: OfficeOrAdmin,
    paging: KeysetPaging,
    round_id: uuid.UUID | None = None,
    status: Literal["current", "past"] | None = None,
    programme: ProgrammeFilter = None,
) -> Page[NoticeSummaryOut]:
    """The office's notices (its own programme's; every programme's for an admin), newest first."""
    with cursor_errors():
        page, counts = await publication.page_for_office(
            session,
            principal,
            programme=programme,
            round_id=round_id,
            status=status,
            offset=paging.offset,
            limit=paging.size,
            cursor=paging.cursor,
        )
    now = clock.now()
    items = [summary_out(n, counts.get(n.id, 0), now) for n in page.rows]
    return Page[NoticeSummaryOut](**keyset_page(page, paging, items))


@router.get(
    "/notices/{notice_id}",
    operation_id="get_notice",
    response_model=OfficeNoticeOut,
    responses=problem_responses(401, 403, 404),
)
async def get_notice(notice_id: uuid.UUID, session: Session, principal: OfficeOrAdmin) -> OfficeNoticeOut:
    """The notice with each entry's state, open objections and unit-posting proofs."""
    return office_notice_out(await publication.view(session, notice_id, principal))


@router.post(
    "/notices/{notice_id}/entries/{application_id}/unit-posting",
    operation_id="submit_unit_posting_proof",
    status_code=201,
    response_model=UnitPostingProofOut,
    responses=problem_responses(401, 404, 409, 422),
)
async def submit_unit_posting(
    notice_id: uuid.UUID,
    application_id: uuid.UUID,
    body: UnitPostingIn,
    request: Request,
    session: Session,
    settings: AppSettings,
    response: Response,
    principal: SignedIn,
) -> UnitPostingProofOut:
    """单位内部公示证明: the applicant's proof that the list was posted inside its own unit (jinshan-18m), for the office to check."""
    upload = intake.decode(UNIT_POSTING_PROOF, "content_base64", body.filename, body.content_base64)
    proof, _ = await publication.submit_unit_posting(
        session,
        settings,
        principal,
        request.state.after_rollback,
        notice_id,
        application_id,
        upload,
        body.posted_from_on,
        body.posted_until_on,
        body.note,
    )
    response.headers["Location"] = f"/api/v1/notices/{notice_id}/entries/{application_id}/unit-posting/{proof.id}"
    return proof_out(proof)


@router.post(
    "/notices/{notice_id}/entries/{application_id}/unit-posting/{proof_id}/review",
    operation_id="review_unit_posting_proof",
    response_model=UnitPostingReviewOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def review_unit_posting(
    notice_id: uuid.UUID,
    application_id: uuid.UUID,
    proof_id: uuid.UUID,
    body: UnitPostingReviewIn,
    request: Request,
    session: Session,
    principal: OfficeOnly,
) -> UnitPostingReviewOut:
    """Accept or reject the proof; accepted after the period with no objection open, the notice ends for the application at once."""
    proof, entry, closed = await publication.review_unit_posting(
        session, _ctx(request, principal), notice_id, application_id, proof_id, body.accepted, body.note
    )
    out: UnitPostingOut = unit_posting_out(entry, None)
    return UnitPostingReviewOut(proof=proof_out(proof), unit_posting=out, notice_closed=closed)
