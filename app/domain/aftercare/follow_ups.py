"""Follow-up visits (跟踪管理 / 回访 / 定期评估) and what each finding leads to.

The office records a visit of a winner with its result; the programme's data says what a result
leads to (``post_award_duties[].outcomes``): a serious regression → urged to rectify (督促整改,
changning-36b, jinshan-28b); a minor problem → a summons talk (约谈, linyi-25b); no longer meeting
the conditions → a revocation case (changning-36c, jinshan-28c, linyi-25b), opened with the visit
by ``app/workflow/aftercare.record_follow_up``. A result the programme's text gives no consequence
is recorded with the service's reading of it (``stated: false``, no clause). The visit fulfils the
winner's earliest open follow-up duty.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import aftercare as access
from app.db.models.aftercare import AwardDuty, FollowUpVisit
from app.db.repositories import aftercare as repo
from app.domain import clock
from app.domain.aftercare import duties
from app.domain.commendation.rules import not_in_future
from app.domain.errors import DomainError, invalid
from app.domain.programmes.effective import effective_programme
from app.identity import Principal

RESULTS = ("fine", "regressed", "minor_problem", "no_longer_eligible")
# what a result leads to where the programme's text names no consequence (a reading, stated: false)
DEFAULT_ACTION = {
    "fine": "none",
    "regressed": "rectify",
    "minor_problem": "summons_talk",
    "no_longer_eligible": "revocation_recommended",
}


def outcome_of(prog, result: str) -> tuple[str, str | None, bool]:
    """(action, clause, stated) for ``result`` under the programme's follow-up duties."""
    for duty in prog.post_award_duties:
        for o in duty.outcomes:
            if o.result == result:
                return o.action, o.clause, o.stated
    return DEFAULT_ACTION[result], None, result == "fine"


async def record(
    session: AsyncSession,
    principal: Principal,
    app_id: uuid.UUID,
    visited_on: date,
    result: str,
    findings: str,
    rectify_by: date | None,
) -> tuple[FollowUpVisit, AwardDuty | None, bool]:
    app, awarded_on = await duties.winner(
        session,
        principal,
        app_id,
        lambda who, a: access.records_follow_up(who, a.programme),
        DomainError(
            "forbidden",
            403,
            "只有本项目的评审办公室可以登记跟踪回访",
            "Only the programme's office records a follow-up",
            title="Forbidden",
        ),
        for_update=True,
    )
    if result not in RESULTS:
        raise invalid("result", f"可选：{'、'.join(RESULTS)}", f"one of: {', '.join(RESULTS)}", "enum")
    not_in_future(visited_on, clock.today(), "visited_on")
    if visited_on < awarded_on:
        raise invalid(
            "visited_on",
            f"不能早于表彰决定日期（{awarded_on.isoformat()}）",
            f"is before the commendation decision ({awarded_on.isoformat()})",
            "before_award",
        )
    prog = effective_programme(app.programme, app.programme_version, None)
    action, clause, stated = outcome_of(prog, result)
    if rectify_by is not None and action != "rectify":
        raise invalid(
            "rectify_by", "仅督促整改时填写", "is given only where the winner is urged to rectify", "not_applicable"
        )
    if rectify_by is not None and rectify_by <= visited_on:
        raise invalid("rectify_by", "应晚于回访日期", "must be after visited_on", "order")
    visit = FollowUpVisit(
        id=uuid.uuid4(),
        application_id=app.id,
        round_id=app.round_id,
        programme=app.programme,
        visited_on=visited_on,
        result=result,
        outcome=action,
        clause=clause,
        findings=findings,
        rectify_by=rectify_by,
        recorded_by=principal.sub,
        recorded_at=clock.now(),
    )
    await repo.add_all(session, [visit])
    duty = await duties.receive_by_follow_up(session, app.id, visit.id, principal.sub)
    return visit, duty, stated


async def list_follow_ups(session: AsyncSession, principal: Principal, filters: dict, offset: int, limit: int):
    readable = access.readable_by_programme(principal, FollowUpVisit.programme)
    if readable is None:
        raise DomainError(
            "forbidden",
            403,
            "只有评审办公室和评审监督人员可以查看跟踪回访",
            "Only the office and the supervision team read follow-ups",
            title="Forbidden",
        )
    return await repo.page_follow_ups(session, readable, filters, offset, limit)
