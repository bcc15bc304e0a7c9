"""Independent scores, the consensus, stage reports and the ranking (评分、共识、评审报告、排名).

A member scores an assigned application alone: the others' sheets stay hidden from it until its
own is in. The leader records the consensus per item with its rationale once every member with an
open assignment has scored; scores further from the panel median than the programme's spread are
flagged beside it. Each act re-checks the expert's conflicts (``pool.require_unconflicted``).

Concurrency: a sheet is written under its assignment's row lock (so an office taking the
assignment back waits, then sees the sheet, or the sheet sees the assignment closed) and is unique
per assignment; the consensus and the stage reports are written under the panel's row lock, once
per panel and application. Nothing is counted twice and nothing submitted is dropped.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import review as access
from app.access import review_bodies as body_access
from app.config import Settings
from app.db.models.review import Consensus, Panel, ScoreSheet, StageReport
from app.db.models.workflow import Application
from app.db.repositories import review as repo
from app.domain import clock
from app.domain.errors import DomainError, FieldError, not_found
from app.domain.review import bodies, opinion_surveys, pool, report_files
from app.domain.review.panels import own_assignment, require_pledged
from app.domain.review.registry import get_review_registry
from app.domain.review.reports.office import scoresheets_csv, scoresheets_xlsx
from app.domain.review.schema import Scorebook
from app.domain.review.scoring import (
    consensus_sheet,
    outliers,
    panel_medians,
    refuse_fields,
    score_sheet,
)
from app.identity import Principal

# the report each stage's panel writes, which the stage's pass event is guarded by
REPORT_KINDS = {
    "material": "material_report",
    "onsite": "onsite_report",
    "defence": "defence_record",
    "evaluation": "evaluation_report",
}
MAX_COMMENT = 4000


def book_of(app: Application) -> Scorebook:
    """The book the application is scored against; an application naming no tier where the book
    depends on the tier (hangzhou) is scored against its category's first listed book, the one of
    the highest tier: the service's reading until the applicant says which tier it seeks."""
    review = get_review_registry()
    if app.tier_sought is None:
        use = next((u for u in review.programme(app.programme).books if u.category == app.category), None)
        if use is not None:
            return review.book(use.book, use.edition)
    return review.book_for(app.programme, app.category, app.tier_sought)


def _comments(book: Scorebook, comments: dict[str, Any], field: str = "comments") -> dict[str, dict[str, str]]:
    """Strengths (优势) and improvement opportunities (改进机会) per item of the book."""
    errors: list[FieldError] = []
    out: dict[str, dict[str, str]] = {}
    for item_id, value in comments.items():
        where = f"{field}.{item_id}"
        if item_id not in book.items:
            errors.append(
                FieldError(
                    where,
                    f"评分项“{item_id}”不在评分手册{book.key}中",
                    f"item '{item_id}' is not in scorebook {book.key}",
                    "unknown_item",
                )
            )
            continue
        if not isinstance(value, dict) or set(value) - {"strengths", "improvements"}:
            errors.append(
                FieldError(where, "应为 {strengths, improvements}", "must be {strengths, improvements}", "type")
            )
            continue
        bad = [k for k, v in value.items() if not isinstance(v, str) or len(v) > MAX_COMMENT]
        if bad:
            errors += [
                FieldError(
                    f"{where}.{k}",
                    f"应为不超过 {MAX_COMMENT} 个字符的文字",
                    f"must be text of at most {MAX_COMMENT} characters",
                    "string_type",
                )
                for k in bad
            ]
            continue
        out[item_id] = {k: value[k] for k in ("strengths", "improvements") if k in value}
    if errors:
        raise refuse_fields(errors)
    return out


def _already(what_zh: str, what_en: str) -> DomainError:
    return DomainError(
        "already-recorded",
        409,
        f"{what_zh}已记录，不能重复提交",
        f"The {what_en} is already recorded",
        title="Conflict",
    )


async def submit_score(
    session: AsyncSession,
    principal: Principal,
    assignment_id: uuid.UUID,
    scores: dict[str, Any],
    comments: dict[str, Any],
) -> ScoreSheet:
    a, panel, expert = await own_assignment(session, principal, assignment_id, for_update=True)
    await require_pledged(session, panel, expert)
    pool.require_active(expert, clock.today())
    app = await repo.get_application(session, a.application_id)
    assert app is not None
    # re-checked at every act: a declaration filed after the assignment bars the score too
    await pool.require_unconflicted(session, expert, app)
    book = book_of(app)
    sheet = score_sheet(book, scores, complete=True, field="scores")
    notes = _comments(book, comments)
    if await repo.score_of(session, a.id) is not None:
        raise _already("评分表", "score sheet")
    row = ScoreSheet(
        assignment_id=a.id,
        panel_id=panel.id,
        application_id=app.id,
        expert_id=expert.id,
        book=book.key,
        bands={i.item_id: i.band for i in sheet.items},
        comments=notes,
        total=sheet.total,
        submitted_at=clock.now(),
    )
    await repo.add(session, row)
    return row


async def _panel_and_app(
    session: AsyncSession, panel_id: uuid.UUID, application_id: uuid.UUID, *, lock: bool = False
) -> tuple[Panel, Application]:
    panel = await repo.get_panel(session, panel_id, for_update=lock)
    app = None if panel is None else await repo.get_application(session, application_id)
    if panel is None or app is None or app.round_id != panel.round_id:
        raise not_found("评审组中的申报", "Application in panel", application_id)
    return panel, app


async def _body_panel(session: AsyncSession, principal: Principal, panel: Panel, application_id: uuid.UUID) -> None:
    """The caller is the body that formed the panel (for its engaged round), else 404 (403 outside its scope)."""
    hidden = not_found("评审组中的申报", "Application in panel", application_id)
    manager = await bodies.panel_manager(session, principal, panel, hidden)
    if manager is None or manager.body is None:
        raise hidden


async def _counted(
    session: AsyncSession, panel: Panel, app: Application
) -> tuple[list[uuid.UUID], dict[str, ScoreSheet]]:
    """The members the consensus waits for (open or scored assignments) and their sheets, by expert id."""
    assignments = await repo.assignments_of(session, panel.id, app.id)
    sheets = {s.assignment_id: s for s in await repo.scores_of(session, panel.id, app.id)}
    members: list[uuid.UUID] = []
    by_member: dict[str, ScoreSheet] = {}
    for a in assignments:
        # a recused member's sheet never counts; a closed one was taken back before scoring
        if a.status == "open" or (a.status == "closed" and a.id in sheets):
            members.append(a.expert_id)
            if a.id in sheets:
                by_member[str(a.expert_id)] = sheets[a.id]
    return members, by_member


async def panel_scores(
    session: AsyncSession, principal: Principal, panel_id: uuid.UUID, application_id: uuid.UUID
) -> dict[str, Any]:
    """The sheets, medians and outliers: to the office at once, to a member only once its own sheet is in."""
    panel, app = await _panel_and_app(session, panel_id, application_id)
    members, sheets = await _counted(session, panel, app)
    if body_access.is_review_body(principal):
        await _body_panel(session, principal, panel, application_id)
    elif not access.reads_review(principal, panel.programme):
        me = (
            await repo.expert_by_subject(session, panel.programme, principal.sub)
            if access.expert_programme(principal) == panel.programme
            else None
        )
        if me is None or me.id not in members:
            raise not_found("评审组中的申报", "Application in panel", application_id)
        if str(me.id) not in sheets:
            raise DomainError(
                "scores-hidden",
                403,
                "提交本人的独立评分后才能查看其他专家的评分",
                "Other members' scores are shown only once you have submitted yours",
                title="Forbidden",
            )
    book = book_of(app)
    bands = {m: s.bands for m, s in sheets.items()}
    spread = get_review_registry().outlier_spread(app.programme)
    consensus = await repo.consensus_of(session, panel.id, app.id)
    return {
        "book": book.key,
        "members": [str(m) for m in members],
        "sheets": sheets,
        "medians": {k: str(v) for k, v in panel_medians(book, bands).items()},
        "outliers": [
            {
                "member": o.member,
                "item_id": o.item_id,
                "band": o.band,
                "median": str(o.median),
                "difference": str(o.difference),
            }
            for o in outliers(book, bands, spread)
        ],
        "consensus": consensus,
    }


async def record_consensus(
    session: AsyncSession,
    principal: Principal,
    panel_id: uuid.UUID,
    application_id: uuid.UUID,
    scores: dict[str, Any],
    rationale: dict[str, Any],
    comments: dict[str, Any],
) -> Consensus:
    """The leader's consensus per item, with a rationale per item, once every member scored."""
    panel, app = await _panel_and_app(session, panel_id, application_id, lock=True)
    leader = await repo.get_expert(session, panel.leader_id)
    if leader is None or not access.is_expert(principal, leader):
        if access.reads_review(principal, panel.programme) or access.expert_programme(principal) == panel.programme:
            raise DomainError(
                "forbidden",
                403,
                "共识评分由评审组组长记录",
                "Only the panel's leader records the consensus",
                title="Forbidden",
            )
        raise not_found("评审组中的申报", "Application in panel", application_id)
    await require_pledged(session, panel, leader)
    await pool.require_unconflicted(session, leader, app)
    if await repo.consensus_of(session, panel.id, app.id) is not None:
        raise _already("共识评分", "consensus")
    members, sheets = await _counted(session, panel, app)
    if not members:
        raise refuse_fields(
            [FieldError("members", "该申报尚未分配评审专家", "no member is assigned this application", "no_members")]
        )
    book = book_of(app)
    bands = {m: s.bands for m, s in sheets.items()}
    sheet = consensus_sheet(book, scores, [str(m) for m in members], bands)
    missing = [i for i in book.items if not (isinstance(rationale.get(i), str) and rationale[i].strip())]
    unknown = [i for i in rationale if i not in book.items]
    if missing or unknown:
        raise refuse_fields(
            [
                FieldError(
                    f"rationale.{i}", "须说明该评分项的共识理由", "each item's consensus needs its rationale", "missing"
                )
                for i in missing
            ]
            + [
                FieldError(f"rationale.{i}", "不在评分手册中", "not an item of the scorebook", "unknown_item")
                for i in unknown
            ]
        )
    spread = get_review_registry().outlier_spread(app.programme)
    row = Consensus(
        panel_id=panel.id,
        application_id=app.id,
        stage=panel.stage,
        book=book.key,
        bands={i.item_id: i.band for i in sheet.items},
        rationale={i: rationale[i] for i in book.items},
        comments=_comments(book, comments),
        total=sheet.total,
        results_score=sheet.results_score,
        outliers=[
            {
                "member": o.member,
                "item_id": o.item_id,
                "band": o.band,
                "median": str(o.median),
                "difference": str(o.difference),
            }
            for o in outliers(book, bands, spread)
        ],
        recorded_by=principal.key,
        recorded_at=clock.now(),
    )
    await repo.add(session, row)
    return row


async def record_report(
    session: AsyncSession,
    settings: Settings,
    after_rollback: list[Callable],
    principal: Principal,
    panel_id: uuid.UUID,
    application_id: uuid.UUID,
    content: dict[str, Any],
) -> StageReport:
    """The stage's report by the panel's leader: 现场评审报告, 答辩记录 or 综合评价报告 (with strengths and
    improvements); the panel submits the comprehensive evaluation report to the office (jinshan-9c)."""
    panel, app = await _panel_and_app(session, panel_id, application_id, lock=True)
    leader = await repo.get_expert(session, panel.leader_id)
    as_body = body_access.is_review_body(principal)
    if as_body:
        # the body reports its technical review in writing (linyi-8d), for the panels it formed
        await _body_panel(session, principal, panel, application_id)
    elif leader is None or not access.is_expert(principal, leader):
        if access.reads_review(principal, panel.programme) or access.expert_programme(principal) == panel.programme:
            raise DomainError(
                "forbidden",
                403,
                "评审报告由评审组组长记录",
                "Only the panel's leader records the report",
                title="Forbidden",
            )
        raise not_found("评审组中的申报", "Application in panel", application_id)
    assert leader is not None
    if not as_body:
        await require_pledged(session, panel, leader)
    await pool.require_unconflicted(session, leader, app)
    kind = REPORT_KINDS[panel.stage]
    if await repo.report_of(session, app.id, kind) is not None:
        raise _already("评审报告", "report")
    # the document people read: its PDF stored as a material with its hash, its data as JSON
    extra: dict[str, Any] = {}
    if kind == "evaluation_report":
        # the comprehensive report carries the public-opinion survey's result (linyi-8d, 14e-f)
        survey = await opinion_surveys.survey_of(session, app)
        if survey is not None:
            extra["opinion_survey"] = opinion_surveys.as_report_data(survey)
    document = await report_files.issue(
        session, settings, after_rollback, principal, panel, app, {**content, **extra}, book_of(app)
    )
    row = await repo.insert_report(
        session,
        dict(
            id=uuid.uuid4(),
            panel_id=panel.id,
            application_id=app.id,
            kind=kind,
            content={**content, **extra, "document": document},
            recorded_by=principal.key,
            recorded_at=clock.now(),
        ),
    )
    if row is None:  # another panel's leader recorded it a moment ago
        raise _already("评审报告", "report")
    return row


# --- what the machine's guards read -----------------------------------------------------------------


async def review_facts(session: AsyncSession, application_id: uuid.UUID) -> dict[str, bool]:
    """The review pieces an application holds: a material-review consensus and each stage's report."""
    kinds = await repo.report_kinds(session, application_id)
    return {
        "material_consensus": await repo.consensus_for_stage(session, application_id, "material") is not None,
        "onsite_report": "onsite_report" in kinds,
        "defence_record": "defence_record" in kinds,
        "evaluation_report": "evaluation_report" in kinds,
        "opinion_survey": await opinion_surveys.survey_of_id(session, application_id) is not None,
    }


async def export_sheets(
    session: AsyncSession, principal: Principal, panel_id: uuid.UUID, application_id: uuid.UUID, fmt: str
) -> bytes:
    """The members' sheets and the consensus side by side, with the medians and the outliers
    marked, as .xlsx or CSV: the office's record of the panel's scoring."""
    panel, app = await _panel_and_app(session, panel_id, application_id)
    if body_access.is_review_body(principal):
        await _body_panel(session, principal, panel, application_id)
    elif not access.reads_review(principal, panel.programme):
        raise not_found("评审组中的申报", "Application in panel", application_id)
    _, sheets = await _counted(session, panel, app)
    book = book_of(app)
    names = {e.id: e.name for e in await repo.experts(session, [uuid.UUID(m) for m in sheets])}
    labelled = [(names.get(uuid.UUID(m), m), score_sheet(book, s.bands)) for m, s in sheets.items()]
    bands = {m: s.bands for m, s in sheets.items()}
    flagged = [
        (names.get(uuid.UUID(o.member), o.member), o.item_id)
        for o in outliers(book, bands, get_review_registry().outlier_spread(app.programme))
    ]
    consensus = await repo.consensus_of(session, panel.id, app.id)
    if consensus is not None:
        labelled.append(("共识", score_sheet(book, consensus.bands)))
    medians = panel_medians(book, bands)
    if fmt == "xlsx":
        return scoresheets_xlsx(book, labelled, medians=medians, flagged=flagged)
    return scoresheets_csv(book, labelled, medians=medians, flagged=flagged)


async def issue_feedback(
    session: AsyncSession,
    settings: Settings,
    after_rollback: list[Callable],
    principal: Principal,
    panel_id: uuid.UUID,
    application_id: uuid.UUID,
    outcome_zh: str,
) -> dict[str, Any]:
    """The office gives the applicant its feedback report from the panel's consensus (jinshan-18e)."""
    panel, app = await _panel_and_app(session, panel_id, application_id)
    if not access.reads_review(principal, panel.programme):
        raise not_found("评审组中的申报", "Application in panel", application_id)
    if not access.manages_review(principal, panel.programme):
        raise DomainError(
            "forbidden",
            403,
            "反馈报告由评审办公室出具",
            "The programme's office issues the feedback report",
            title="Forbidden",
        )
    consensus = await repo.consensus_of(session, panel.id, app.id)
    if consensus is None:
        raise refuse_fields(
            [FieldError("consensus", "该申报尚无共识评分", "the application has no consensus score yet", "missing")]
        )
    return await report_files.issue_feedback(
        session, settings, after_rollback, principal, app, consensus, book_of(app), outcome_zh
    )
