"""The office's statistics (统计) and exports (导出), and the public notice as a document to post (issue 19)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import Query, Response
from pydantic import BaseModel, Field

from app.api.deps import PUBLIC, ExportSession, OfficeOrAdmin, ReadSession, Session
from app.api.file_responses import written_file_response
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.api.v1.schemas_notices import public_notice_out
from app.domain.statistics import exports, notice_document, report
from app.domain.statistics import service as statistics
from app.workflow.notices import publication

router = v1_router(tags=["office"])

EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
DOCUMENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class CountOut(BaseModel):
    code: str | None
    name_zh: str
    count: int


class StageDaysOut(BaseModel):
    state: str
    name_zh: str
    left: int = Field(description="applications that entered and left the state")
    in_it_now: int
    mean_days: float | None
    median_days: float | None
    max_days: float | None


class StatisticsOut(BaseModel):
    programme: str | None
    round_id: uuid.UUID | None
    round_label: str | None
    total: int
    by_state: list[CountOut]
    by_tier: list[CountOut] = Field(description="the tier given (select)")
    by_tier_sought: list[CountOut]
    by_category: list[CountOut]
    by_district: list[CountOut] = Field(description="the applicant's registered (or work) jurisdiction")
    by_locality: list[CountOut] = Field(description="the applicant's sub-district, town or park")
    by_recommending_unit: list[CountOut]
    stage_days: list[StageDaysOut] = Field(description="days spent in each state, from the history")


@router.get(
    "/statistics",
    operation_id="get_statistics",
    response_model=StatisticsOut,
    responses=problem_responses(401, 403, 404),
)
async def get_statistics(
    session: Session,
    principal: OfficeOrAdmin,
    programme: Annotated[str | None, Query(max_length=40, description="default: the office's own")] = None,
    round_id: uuid.UUID | None = None,
) -> Any:
    """Counts by state, tier, category, district and recommending unit, and days in each stage, for a round or a programme."""
    return await statistics.for_caller(session, principal, programme, round_id)


@router.get(
    "/rounds/{round_id}/export",
    operation_id="export_round_applications",
    response_class=Response,
    responses={
        200: {"content": {t: {} for t in EXPORT_TYPES.values()}, "description": "the round's applications"},
        **problem_responses(401, 403, 404),
    },
)
async def export_round(
    round_id: uuid.UUID,
    session: ExportSession,
    principal: OfficeOrAdmin,
    format: Literal["xlsx", "csv"] = "xlsx",
) -> Response:
    """The round's applications with state, scores and decisions as .xlsx (with the statistics and a chart) or CSV (UTF-8 with BOM)."""
    scope = await statistics.scope_of(session, principal, None, round_id)
    write = exports.write_xlsx if format == "xlsx" else exports.write_csv
    return await written_file_response(
        lambda out: write(session, scope, out), media_type=EXPORT_TYPES[format], filename=f"round-{round_id}.{format}"
    )


@router.get(
    "/rounds/{round_id}/report",
    operation_id="get_round_report",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "the round's statistics with a chart"},
        **problem_responses(401, 403, 404),
    },
)
async def round_report(round_id: uuid.UUID, session: ExportSession, principal: OfficeOrAdmin) -> Response:
    """The round's statistics as a PDF report: the counts, a bar chart by state and the days in each stage."""
    scope = await statistics.scope_of(session, principal, None, round_id)
    body = report.pdf_bytes(await statistics.summarise(session, scope), statistics.programme_name(scope))
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="round-{round_id}-report.pdf"'},
    )


@router.get(
    "/public/notices/{notice_id}/document",
    operation_id="get_public_notice_document",
    dependencies=[PUBLIC],
    response_class=Response,
    responses={
        200: {"content": {t: {} for t in DOCUMENT_TYPES.values()}, "description": "the notice ready to post"},
        **problem_responses(404),
    },
)
async def public_notice_document(
    notice_id: uuid.UUID, session: ReadSession, format: Literal["html", "docx"] = "html"
) -> Response:
    """The notice (公示) as an HTML fragment or a Word document ready to post; the same content as the public page."""
    notice = public_notice_out(await publication.view(session, notice_id)).model_dump(mode="json")
    if format == "html":
        return Response(
            notice_document.html_fragment(notice),
            media_type=DOCUMENT_TYPES["html"],
            headers={"Cache-Control": "private, no-cache"},
        )
    return Response(
        notice_document.docx_bytes(notice),
        media_type=DOCUMENT_TYPES["docx"],
        headers={
            "Cache-Control": "private, no-cache",
            "Content-Disposition": f'attachment; filename="notice-{notice_id}.docx"',
        },
    )
