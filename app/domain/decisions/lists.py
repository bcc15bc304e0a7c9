"""The candidate list (候选名单 / 获奖建议名单) the office puts to the committee.

Ranked by the consensus score per tier and category (the review's ranking, ``scoring.rank``), the
evaluation reports attached, each departure from rank order with its reason (changning-25a
"结合本区经济社会发展实际与综合评价情况", jinshan-18k "按得分排序", hangzhou-3.3.5b, linyi-14f), the
quotas beside it. Versioned: revised with ``If-Match`` until a meeting takes it as its agenda.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import decisions as access
from app.db.models.decisions import CandidateList
from app.db.models.workflow import Application, Round
from app.db.repositories import decisions as repo
from app.db.repositories import workflow as workflow_repo
from app.domain import clock
from app.domain.decisions.members import forbidden
from app.domain.decisions.procedures import method_for, procedure
from app.domain.errors import DomainError, FieldError, not_found
from app.domain.preconditions import check_if_match
from app.domain.programmes.effective import effective_programme
from app.domain.review.scoring import Candidate, departures, rank, refuse_fields, require_departure_reasons
from app.domain.states import ApplicationState as S
from app.identity import Principal

# states in which an application holds no place (the quota counts the others)
ENDED = [S.WITHDRAWN, S.INELIGIBLE, S.NOT_SHORTLISTED, S.NOT_SELECTED, S.REVOKED, S.DISQUALIFIED]
SCORE_STAGE = "material"  # the consensus score the ranking reads (the review's ranking does the same)


async def readable_round(session: AsyncSession, principal: Principal, round_id: uuid.UUID) -> Round:
    rnd = await workflow_repo.get_round(session, round_id)
    if rnd is None or not access.reads_committee(principal, rnd.programme):
        raise not_found("届次", "Round", round_id)
    return rnd


def _report_links(app_id: uuid.UUID, reports) -> list[dict[str, Any]]:
    out = []
    for r in reports:
        doc = (r.content or {}).get("document") or {}
        material = doc.get("material_id")
        out.append(
            {
                "kind": r.kind,
                "material_id": material,
                "sha256": doc.get("sha256"),
                "href": f"/api/v1/applications/{app_id}/materials/{material}/content" if material else None,
            }
        )
    return out


async def _build(session: AsyncSession, rnd: Round, groups_in: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each proposed group with its ranking, departures and their reasons, reports and quota."""
    prog = effective_programme(rnd.programme, rnd.programme_version, rnd.overrides)
    proc = procedure(rnd.programme)
    tiers = {t.code for t in prog.tiers}
    categories = {c.code for c in prog.categories}
    apps = {a.id: a for a in await repo.applications_in_state(session, rnd.id, S.COMMITTEE_REVIEW)}
    scores = await repo.latest_consensus(session, list(apps), SCORE_STAGE)
    reports: dict[uuid.UUID, list] = {}
    for r in await repo.reports_of(session, list(apps)):
        reports.setdefault(r.application_id, []).append(r)
    seen: dict[str, str] = {}
    errors: list[FieldError] = []
    built = []
    for gi, g in enumerate(groups_in):
        tier, category = g["tier"], g["category"]
        if tier not in tiers:
            errors.append(FieldError(f"groups[{gi}].tier", "本项目无此奖项", "no such tier in the programme", "enum"))
        if category not in categories:
            errors.append(
                FieldError(f"groups[{gi}].category", "本项目无此类别", "no such category in the programme", "enum")
            )
        for ci, c in enumerate(g["chosen"]):
            key = str(c)
            if key in seen:
                errors.append(
                    FieldError(
                        f"groups[{gi}].chosen.{ci}",
                        "同一申报只能列入一个名单组",
                        "an entry may be in one group only",
                        "duplicate",
                    )
                )
            seen[key] = tier
        if errors:
            continue
        # the ranking of the group: every candidate at committee review in its category seeking
        # that tier (or no tier in particular), by consensus score
        pool: list[Application] = [
            a for a in apps.values() if a.category == category and (a.tier_sought in (None, "", tier))
        ]
        ranked = rank(
            Candidate(
                str(a.id),
                tier,
                category,
                Decimal(scores[a.id].total) if a.id in scores else Decimal(0),
                Decimal(scores[a.id].results_score) if a.id in scores else Decimal(0),
                a.applicant_name,
            )
            for a in pool
        ).get((tier, category), [])
        chosen = [str(c) for c in g["chosen"]]
        found = departures(ranked, chosen, field=f"groups[{gi}].chosen")
        # a departure from rank order is the office's call, never an unexplained one (changning-25a, jinshan-18k)
        require_departure_reasons(found, {str(k): v for k, v in g.get("reasons", {}).items()}, f"groups[{gi}].reasons")
        by_id = {r.application_id: r for r in ranked}
        passed_over = {str(d.chosen.application_id): [str(p.application_id) for p in d.passed_over] for d in found}
        quota = next((q for q in prog.quotas if tier in q.tiers and category in q.categories), None)
        method = method_for(rnd.programme, rnd.programme_version, tier)
        built.append(
            {
                "tier": tier,
                "category": category,
                "method": method.kind,
                "method_clause": method.clause,
                "quota": None
                if quota is None
                else {"id": quota.id, "max": quota.max, "soft": quota.soft, "clause": quota.clause},
                "entries": [
                    {
                        "application_id": c,
                        "name": by_id[c].candidate.name,
                        "rank": by_id[c].rank,
                        "total": str(by_id[c].candidate.total),
                        "scored": uuid.UUID(c) in scores,
                        "reason": (g.get("reasons", {}).get(c) or g.get("reasons", {}).get(uuid.UUID(c)))
                        if c in passed_over
                        else None,
                        "passed_over": passed_over.get(c, []),
                        "reports": _report_links(uuid.UUID(c), reports.get(uuid.UUID(c), [])),
                    }
                    for c in chosen
                ],
                "ranking": [
                    {
                        "application_id": r.application_id,
                        "name": r.candidate.name,
                        "rank": r.rank,
                        "total": str(r.candidate.total),
                    }
                    for r in ranked
                ],
                "departure_clause": proc.list_clause,
            }
        )
    if errors:
        raise refuse_fields(errors)
    return built


async def propose(
    session: AsyncSession, principal: Principal, round_id: uuid.UUID, groups: list[dict[str, Any]]
) -> CandidateList:
    rnd = await workflow_repo.get_round(session, round_id, for_update=True)
    if rnd is None or not access.reads_committee(principal, rnd.programme):
        raise not_found("届次", "Round", round_id)
    if not access.manages_committee(principal, rnd.programme):
        raise forbidden("候选名单由评审办公室提出", "The programme's office proposes the candidate list")
    built = await _build(session, rnd, groups)
    row = await repo.insert_list(
        session,
        dict(
            id=uuid.uuid4(),
            round_id=rnd.id,
            programme=rnd.programme,
            groups=built,
            status="proposed",
            version=1,
            proposed_by=principal.key,
            updated_at=clock.now(),
        ),
    )
    if row is None:
        raise DomainError(
            "already-recorded",
            409,
            "本届已有候选名单，请以 If-Match 修改",
            "The round has a candidate list: revise it with If-Match",
            title="Conflict",
        )
    return row


async def readable_list(session: AsyncSession, principal: Principal, list_id: uuid.UUID) -> CandidateList:
    row = await repo.get_list(session, list_id)
    if row is None or not access.reads_committee(principal, row.programme):
        raise not_found("候选名单", "Candidate list", list_id)
    return row


async def revise(
    session: AsyncSession, principal: Principal, list_id: uuid.UUID, groups: list[dict[str, Any]], if_match: str | None
) -> CandidateList:
    row = await repo.get_list(session, list_id, for_update=True)
    if row is None or not access.reads_committee(principal, row.programme):
        raise not_found("候选名单", "Candidate list", list_id)
    if not access.manages_committee(principal, row.programme):
        raise forbidden("候选名单由评审办公室提出", "The programme's office proposes the candidate list")
    check_if_match(if_match, row.version)
    if row.status != "proposed":
        raise DomainError(
            "list-on-agenda",
            409,
            "候选名单已提交会议审议，不能再修改",
            "The candidate list is on a meeting's agenda and can no longer change",
            title="Conflict",
        )
    rnd = await workflow_repo.get_round(session, row.round_id)
    assert rnd is not None
    row.groups = await _build(session, rnd, groups)
    row.version += 1
    row.proposed_by = principal.key
    row.updated_at = clock.now()
    await session.flush()
    return row


async def round_list(session: AsyncSession, principal: Principal, round_id: uuid.UUID) -> CandidateList:
    rnd = await readable_round(session, principal, round_id)
    row = await repo.list_of_round(session, rnd.id)
    if row is None:
        raise not_found("候选名单", "Candidate list", round_id)
    return row
