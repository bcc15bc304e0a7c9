"""The ranking (排名) and the next list "best among the good" (好中选优, changning-22b, jinshan-18f,
tianning-12d's on-site list); the candidates' list by score order (jinshan-18k).

Per tier and category by consensus total (then the results items, then id: ``scoring.rank``); the
office chooses who goes on with the ranking beside it, and each chosen entry ranked below one left
out needs its recorded reason. The office's exports (.xlsx, CSV) are the books' renderers over the
same ranking and lists.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import review as access
from app.db.models.review import OnsiteList
from app.db.models.workflow import Round
from app.db.repositories import review as repo
from app.db.repositories import workflow as workflow_repo
from app.domain import clock
from app.domain.errors import DomainError, FieldError, not_found
from app.domain.review import bodies
from app.domain.review.reports.office import ranking_csv, ranking_xlsx
from app.domain.review.scoresheets import book_of
from app.domain.review.scoring import (
    Candidate,
    Ranked,
    compare_with_previous,
    departures,
    rank,
    refuse_fields,
    require_departure_reasons,
    score_sheet,
)
from app.identity import Principal


async def _round(session: AsyncSession, principal: Principal, round_id: uuid.UUID) -> Round:
    """The round, to the admin, its office and the body engaged for it (linyi-8d: it reports the ranking)."""
    rnd = await workflow_repo.get_round(session, round_id)
    if rnd is None or not (
        access.reads_review(principal, rnd.programme) or await bodies.round_manager(session, principal, rnd)
    ):
        raise not_found("届次", "Round", round_id)
    return rnd


async def _groups(session: AsyncSession, rnd: Round, stage: str) -> dict[tuple[str, str], list[Ranked]]:
    pairs = await repo.consensus_in_round(session, rnd.id, stage)
    return rank(
        Candidate(
            str(a.id), a.tier_sought or "", a.category, Decimal(c.total), Decimal(c.results_score), a.applicant_name
        )
        for c, a in pairs
    )


def _entry(r: Ranked) -> dict[str, Any]:
    return {
        "application_id": r.application_id,
        "name": r.candidate.name,
        "rank": r.rank,
        "position": r.position,
        "total": str(r.candidate.total),
        "results_score": str(r.candidate.results_score),
    }


async def ranking(session: AsyncSession, principal: Principal, round_id: uuid.UUID, stage: str) -> list[dict[str, Any]]:
    rnd = await _round(session, principal, round_id)
    groups = await _groups(session, rnd, stage)
    return [
        {"tier": tier, "category": category, "entries": [_entry(r) for r in ranked]}
        for (tier, category), ranked in groups.items()
    ]


async def decide_list(
    session: AsyncSession,
    principal: Principal,
    round_id: uuid.UUID,
    stage: str,
    tier: str,
    category: str,
    chosen: list[str],
    reasons: dict[str, str],
) -> OnsiteList:
    """The office's list for one tier and category; a departure from rank order without its reason is 422."""
    rnd = await workflow_repo.get_round(session, round_id, for_update=True)
    if rnd is None or not access.reads_review(principal, rnd.programme):
        raise not_found("届次", "Round", round_id)
    if not access.manages_review(principal, rnd.programme):
        raise DomainError(
            "forbidden", 403, "入围名单由评审办公室确定", "The programme's office decides the list", title="Forbidden"
        )
    group = (await _groups(session, rnd, stage)).get((tier, category))
    if group is None:
        raise refuse_fields(
            [
                FieldError(
                    "category",
                    "该奖项与类别尚无共识评分",
                    "no consensus scores for this tier and category",
                    "not_ranked",
                )
            ]
        )
    found = departures(group, chosen)
    # "好中选优": choosing below the ranking is the office's call, but never an unexplained one
    require_departure_reasons(found, reasons)
    if await repo.onsite_list(session, rnd.id, stage, tier, category) is not None:
        raise DomainError("already-recorded", 409, "该名单已确定", "The list is already decided", title="Conflict")
    row = OnsiteList(
        round_id=rnd.id,
        stage=stage,
        tier=tier,
        category=category,
        chosen=[str(c) for c in chosen],
        reasons={str(d.chosen.application_id): reasons[str(d.chosen.application_id)] for d in found},
        departures=[
            {"chosen": str(d.chosen.application_id), "passed_over": [str(p.application_id) for p in d.passed_over]}
            for d in found
        ],
        ranking=[_entry(r) for r in group],
        decided_by=principal.key,
        decided_at=clock.now(),
    )
    await repo.add(session, row)
    return row


async def export(session: AsyncSession, principal: Principal, round_id: uuid.UUID, stage: str, fmt: str) -> bytes:
    """The ranking with the decided lists (chosen, passed over, reasons) as .xlsx or CSV."""
    rnd = await _round(session, principal, round_id)
    groups = await _groups(session, rnd, stage)
    lists = await repo.onsite_lists(session, rnd.id, stage)
    chosen = [c for lst in lists for c in lst.chosen]
    reasons = {k: v for lst in lists for k, v in lst.reasons.items()}
    render = ranking_xlsx if fmt == "xlsx" else ranking_csv
    return render(groups, chosen, reasons)


async def comparison(session: AsyncSession, principal: Principal, application_id: uuid.UUID) -> dict[str, Any]:
    """A re-applicant's material-review consensus beside its previous application's, per category:
    linyi-13b asks its indicators to improve markedly on the previous application, which the panel
    judges from this (the service shows, it does not decide "markedly")."""
    app = await repo.get_application(session, application_id)
    if app is None or not access.reads_review(principal, app.programme):
        raise not_found("申报", "Application", application_id)
    current = await repo.consensus_for_stage(session, app.id, "material")
    if current is None:
        raise refuse_fields(
            [
                FieldError(
                    "consensus",
                    "该申报尚无材料评审共识评分",
                    "the application has no material-review consensus yet",
                    "missing",
                )
            ]
        )
    found = await repo.previous_consensus(session, app, "material")
    if found is None:
        return {
            "application_id": app.id,
            "previous_application_id": None,
            "current_total": str(current.total),
            "previous_total": None,
            "categories": [],
        }
    previous, before = found
    now_sheet = score_sheet(book_of(app), current.bands)
    then_sheet = score_sheet(book_of(before), previous.bands)
    return {
        "application_id": app.id,
        "previous_application_id": before.id,
        "current_total": str(now_sheet.total),
        "previous_total": str(then_sheet.total),
        "categories": [
            {
                "category_id": c.category_id,
                "name_zh": c.name_zh,
                "points": c.points,
                "previous": None if c.previous is None else str(c.previous),
                "current": str(c.current),
                "change": None if c.change is None else str(c.change),
            }
            for c in compare_with_previous(then_sheet, now_sheet)
        ],
    }
