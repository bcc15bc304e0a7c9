"""A stage report as the document people read: the books' PDF (reportlab, STSong-Light), stored as
one of the application's materials (kind ``review_report``) with its SHA-256, its data kept as JSON
on the report row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.db.models.intake import ApplicationMaterial
from app.db.models.review import Consensus, Panel
from app.db.models.workflow import Application
from app.db.repositories import materials as materials_repo
from app.db.repositories import review as repo
from app.db.repositories import workflow as workflow_repo
from app.domain import clock
from app.domain.files import intake
from app.domain.files.policy import MATERIAL
from app.domain.materials.records import material_of
from app.domain.programmes.registry import get_registry
from app.domain.review.reports.documents import (
    EvaluationReport,
    FeedbackReport,
    ItemComments,
    PanelMember,
    ReportStage,
    report_data,
)
from app.domain.review.reports.pdf import render_evaluation_report, render_feedback_report
from app.domain.review.scoring import score_sheet
from app.identity import Principal

REPORT_MATERIAL = "review_report"
FEEDBACK_MATERIAL = "feedback_report"
STAGE_REPORTS = {
    "material": ReportStage.MATERIAL_REVIEW,
    "onsite": ReportStage.ONSITE_REVIEW,
    "defence": ReportStage.DEFENCE,
    "evaluation": ReportStage.COMPREHENSIVE_EVALUATION,
}


async def issue(
    session: AsyncSession,
    settings: Settings,
    after_rollback: list[Callable],
    principal: Principal,
    panel: Panel,
    app: Application,
    content: dict[str, Any],
    book,
) -> dict[str, Any] | None:
    """Render and store the report's PDF; None when no consensus score exists yet to report on."""
    consensus: Consensus | None = await repo.consensus_of(session, panel.id, app.id) or await repo.consensus_for_stage(
        session, app.id, "material"
    )
    if consensus is None:
        return None
    rnd = await workflow_repo.get_round(session, app.round_id)
    version = get_registry().get(app.programme, app.programme_version)
    tiers = {t.code: t.name_zh for t in version.tiers}
    categories = {c.code: c.name_zh for c in version.categories}
    members = await repo.members(session, panel.id)
    experts = {e.id: e for e in await repo.experts(session, [m.expert_id for m in members])}
    report = EvaluationReport(
        programme_zh=version.name_zh,
        round_zh=rnd.label if rnd is not None else "",
        stage=STAGE_REPORTS[panel.stage],
        applicant_name=app.applicant_name,
        tier_zh=tiers.get(app.tier_sought or "", ""),
        category_zh=categories.get(app.category, app.category),
        book=book,
        sheet=score_sheet(book, consensus.bands),
        panel=tuple(
            PanelMember(experts[m.expert_id].name, "组长" if m.expert_id == panel.leader_id else "成员")
            for m in members
            if m.expert_id in experts
        ),
        issued_on=clock.today(),
        comments={
            i: ItemComments(
                strengths=tuple(filter(None, [consensus.comments.get(i, {}).get("strengths", "")])),
                opportunities=tuple(filter(None, [consensus.comments.get(i, {}).get("improvements", "")])),
                rationale=consensus.rationale.get(i, ""),
            )
            for i in book.items
        },
        summary_zh="\n".join(
            [
                content.get("summary", ""),
                *("优势：" + s for s in content.get("strengths", [])),
                *("改进机会：" + s for s in content.get("improvements", [])),
                *_survey_lines(content.get("opinion_survey")),
            ]
        ),
    )
    pdf = render_evaluation_report(report)
    material = await _store(
        session, settings, after_rollback, principal, app, REPORT_MATERIAL, f"{report.title}.pdf", pdf
    )
    return {"material_id": str(material.id), "sha256": material.sha256, "data": report_data(report)}


def _survey_lines(survey: dict[str, Any] | None) -> list[str]:
    """The public-opinion survey's result in the comprehensive report (舆情调查, linyi-14e)."""
    if not survey:
        return []
    finding = "未发现负面舆情" if survey["finding"] == "clear" else f"发现问题：{survey['concerns']}"
    by = "第三方评审机构" if survey["conducted_by"] == "body" else "评审办公室"
    return [f"舆情调查（{by}，{survey['conducted_on']}，渠道：{'、'.join(survey['sources'])}）：{finding}"]


async def _store(
    session: AsyncSession,
    settings: Settings,
    after_rollback: list[Callable],
    principal: Principal,
    app: Application,
    kind: str,
    filename: str,
    pdf: bytes,
) -> ApplicationMaterial:
    """A generated PDF through the one file intake, as a material of the application (sealed at rest)."""
    stored = await intake.store(settings, after_rollback, intake.check(MATERIAL, "report", filename, pdf, settings))
    return await materials_repo.add_material(
        session,
        material_of(app.id, kind, stored, principal.sub, clock.now()),
    )


async def issue_feedback(
    session: AsyncSession,
    settings: Settings,
    after_rollback: list[Callable],
    principal: Principal,
    app: Application,
    consensus: Consensus,
    book,
    outcome_zh: str,
) -> dict[str, Any]:
    """The applicant's feedback report (反馈报告): category scores against the maximum as a chart, the
    strengths and improvement opportunities per item; given to those not shortlisted too (jinshan-18e)."""
    rnd = await workflow_repo.get_round(session, app.round_id)
    version = get_registry().get(app.programme, app.programme_version)
    report = FeedbackReport(
        programme_zh=version.name_zh,
        round_zh=rnd.label if rnd is not None else "",
        applicant_name=app.applicant_name,
        book=book,
        sheet=score_sheet(book, consensus.bands),
        issued_on=clock.today(),
        comments={
            i: ItemComments(
                strengths=tuple(filter(None, [consensus.comments.get(i, {}).get("strengths", "")])),
                opportunities=tuple(filter(None, [consensus.comments.get(i, {}).get("improvements", "")])),
            )
            for i in book.items
        },
        outcome_zh=outcome_zh,
    )
    pdf = render_feedback_report(report)
    material = await _store(session, settings, after_rollback, principal, app, FEEDBACK_MATERIAL, "反馈报告.pdf", pdf)
    return {"material_id": str(material.id), "sha256": material.sha256, "data": report_data(report)}
