"""A follow-up visit (跟踪回访 / 定期评估) and, where its finding says the winner no longer meets the
conditions, the revocation case it opens in the same transaction (changning-36c, jinshan-28c, linyi-25b).

The follow-up is the domain's (``app/domain/aftercare/follow_ups``); the case is the workflow's
(``app/workflow/revocation``), so the two meet here, above both.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.aftercare import AwardDuty, FollowUpVisit
from app.db.repositories import revocation as revocation_repo
from app.db.repositories import workflow as workflow_repo
from app.domain.aftercare import follow_ups
from app.domain.aftercare.revocation_referral import referral_ground
from app.domain.programmes.effective import effective_programme
from app.identity import Principal
from app.workflow import revocation


async def record_follow_up(
    session: AsyncSession,
    principal: Principal,
    app_id: uuid.UUID,
    visited_on: date,
    result: str,
    findings: str,
    rectify_by: date | None,
) -> tuple[FollowUpVisit, AwardDuty | None, bool]:
    visit, duty, stated = await follow_ups.record(session, principal, app_id, visited_on, result, findings, rectify_by)
    if visit.outcome == "revocation_recommended":
        visit.revocation_case_id = await _refer(session, principal, visit)
        await session.flush()
    return visit, duty, stated


async def _refer(session: AsyncSession, principal: Principal, visit: FollowUpVisit) -> uuid.UUID | None:
    """The case the finding opens; the one already open for the award, if any (one at a time)."""
    open_case = await revocation_repo.open_case_of(session, visit.application_id)
    if open_case is not None:
        return open_case.id
    app = await workflow_repo.get_application(session, visit.application_id)
    rnd = None if app is None else await workflow_repo.get_round(session, app.round_id)
    if app is None or rnd is None:
        return None
    ground = referral_ground(
        effective_programme(rnd.programme, rnd.programme_version, rnd.overrides), app.applicant_kind
    )
    if ground is None:
        return None
    opening = revocation.CaseOpening(
        application_id=app.id,
        source="office_finding",
        ground=ground.id,
        evidence=f"跟踪回访（{visit.visited_on.isoformat()}，{visit.clause or ''}）：{visit.findings}",
        received_on=visit.visited_on,
    )
    return (await revocation.open_case(session, principal, opening)).case.id
