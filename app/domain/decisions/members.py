"""Committee members (评审会 / 区审定委 / 评审组 / 领导小组 / 质发委 成员) and their conflicts (回避).

The office keeps the members: an identity subject with role ``committee`` scoped to the programme,
a name, a position (chair or member) and a term. A member declares its ties to an applicant or an
application as an expert does; the expert review's one conflict rule (``pool.person_conflicts``)
decides, with the programme's recusal clause, and is re-checked at every vote.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import decisions as access
from app.db.models.decisions import CommitteeConflict, CommitteeConflictOverride, CommitteeMember
from app.db.models.workflow import Application
from app.db.repositories import decisions as repo
from app.db.repositories import workflow as workflow_repo
from app.domain import clock
from app.domain.decisions.procedures import procedure
from app.domain.errors import DomainError, FieldError, invalid, not_found
from app.domain.review.pool import Conflict, credit_code_field, declared_tie, person_conflicts
from app.identity import Principal

POSITIONS = ("chair", "member")


def forbidden(
    zh: str = "当前身份无权管理评审委员会", en: str = "Your role may not manage the committee"
) -> DomainError:
    return DomainError("forbidden", 403, zh, en, title="Forbidden")


async def create_member(session: AsyncSession, principal: Principal, body: dict[str, Any]) -> CommitteeMember:
    programme = principal.programme
    if programme is None or not access.manages_committee(principal, programme):
        raise forbidden()
    if body["position"] not in POSITIONS:
        raise invalid("position", f"可选：{'、'.join(POSITIONS)}", f"one of: {', '.join(POSITIONS)}", "enum")
    if body["term_ends_on"] < body["term_starts_on"]:
        raise invalid("term_ends_on", "任期结束日不能早于开始日", "the term cannot end before it starts", "date_order")
    member = await repo.insert_member(
        session,
        dict(
            id=uuid.uuid4(),
            programme=programme,
            subject=body["subject"],
            name=body["name"],
            position=body["position"],
            employer_name=body.get("employer_name"),
            employer_credit_code=credit_code_field(body.get("employer_credit_code"), "employer_credit_code"),
            term_starts_on=body["term_starts_on"],
            term_ends_on=body["term_ends_on"],
            created_by=principal.key,
        ),
    )
    if member is None:
        raise DomainError(
            "duplicate",
            409,
            "该身份已是本项目评审委员会成员",
            "This identity is already a member of the programme's committee",
            title="Conflict",
            errors=[FieldError("subject", "已存在", "already a member", "duplicate")],
        )
    return member


async def list_members(session: AsyncSession, principal: Principal, programme: str) -> list[CommitteeMember]:
    if not access.reads_committee(principal, programme):
        raise forbidden("当前身份无权查看评审委员会", "Your role may not read the committee")
    return await repo.members_of(session, programme)


async def readable_member(session: AsyncSession, principal: Principal, member_id: uuid.UUID) -> CommitteeMember:
    member = await repo.get_member(session, member_id)
    if member is None or not access.reads_committee(principal, member.programme):
        raise not_found("评审委员会成员", "Committee member", member_id)
    return member


def in_term(member: CommitteeMember, on: date) -> bool:
    return member.term_starts_on <= on <= member.term_ends_on


async def declare_conflict(
    session: AsyncSession, principal: Principal, member_id: uuid.UUID, body: dict[str, Any]
) -> CommitteeConflict:
    """The member's own declaration (回避申报): a tie to an applicant's credit code or an application."""
    member = await readable_member(session, principal, member_id)
    if not access.is_member(principal, member):
        # the duty is the person's own ("本人应主动提出回避", changning-28c, jinshan-21c)
        raise forbidden("回避申报须由委员本人提出", "Only the member declares its conflicts")
    kind, code, app_id = declared_tie(body)
    if app_id is not None:
        apps = await repo.applications(session, [app_id])
        if not apps or apps[0].programme != member.programme:
            raise invalid("application_id", "本项目中无此申报", "no such application in the programme", "not_found")
    row = CommitteeConflict(
        member_id=member.id,
        kind=kind,
        credit_code=code,
        application_id=app_id,
        detail=body["detail"],
        clause=procedure(member.programme).recusal_clause,
        declared_by=principal.key,
        declared_at=clock.now(),
    )
    await repo.add(session, row)
    return row


async def conflicts_of(session: AsyncSession, member: CommitteeMember, app: Application) -> list[Conflict]:
    """Every conflict between the member and the candidate, declared or derived (the experts' rule)."""
    clause = procedure(member.programme).recusal_clause
    return person_conflicts(
        employer_credit_code=member.employer_credit_code,
        declarations=await repo.declarations_about(session, member.id, app.id, app.credit_code),
        app=app,
        recusal_clause=clause,
        guidance_recusal_clause=clause,
        employer_detail="委员任职单位即申报组织（统一社会信用代码相同）",
    )


async def barring_conflicts(session: AsyncSession, member: CommitteeMember, app: Application) -> list[Conflict]:
    """The conflicts that bar the member from the candidate: every one found, unless the office
    overrode them for this candidate with a reason (the experts' rule: pool.require_unconflicted)."""
    found = await conflicts_of(session, member, app)
    if found and await repo.override_for(session, member.id, app.id) is not None:
        return []
    return found


async def override_conflict(
    session: AsyncSession, principal: Principal, member_id: uuid.UUID, application_id: uuid.UUID, reason: str
) -> CommitteeConflictOverride:
    """The office's decision that the member may still vote on the candidate, with its reason; the
    supervision team (评审监督小组, hangzhou-6.1) reads every one."""
    member = await readable_member(session, principal, member_id)
    if not access.manages_committee(principal, member.programme):
        raise forbidden()
    apps = await repo.applications(session, [application_id])
    if not apps or apps[0].programme != member.programme:
        raise invalid("application_id", "本项目中无此申报", "no such application in the programme", "not_found")
    if not reason.strip():
        raise invalid("reason", "须说明理由", "a reason is required", "missing")
    if not await conflicts_of(session, member, apps[0]):
        # nothing to override: recording one would let a conflict declared later pass unseen
        raise invalid(
            "application_id",
            "该委员与该候选申报无利害关系，无需决定",
            "the member has no conflict with this candidate to override",
            "no_conflict",
        )
    row = await repo.insert_override(
        session,
        dict(
            id=uuid.uuid4(),
            member_id=member.id,
            application_id=apps[0].id,
            reason=reason,
            decided_by=principal.key,
            decided_at=clock.now(),
        ),
    )
    if row is None:
        raise DomainError(
            "already-recorded",
            409,
            "该委员与该候选申报的回避决定已记录",
            "An override for this member and candidate is already recorded",
            title="Conflict",
        )
    return row


async def round_overrides(
    session: AsyncSession, principal: Principal, round_id: uuid.UUID
) -> list[CommitteeConflictOverride]:
    """A round's overrides, oldest first: the office, the committee, the supervision team, an admin."""
    rnd = await workflow_repo.get_round(session, round_id)
    if rnd is None or not access.reads_committee(principal, rnd.programme):
        raise not_found("届次", "Round", round_id)
    return await repo.overrides_of_round(session, rnd.id)


async def member_overrides(session: AsyncSession, member: CommitteeMember) -> list[CommitteeConflictOverride]:
    return await repo.overrides_of(session, member.id)


def conflicted_error(member: CommitteeMember, app: Application, found: list[Conflict]) -> DomainError:
    kinds = "、".join(sorted({c.kind for c in found}))
    return DomainError(
        "member-conflicted",
        409,
        f"委员“{member.name}”与候选申报存在利害关系（{kinds}），应当回避，不得就其表决",
        f"Member '{member.name}' has a conflict of interest with this candidate ({kinds}) and may not vote on it",
        title="Conflict",
        clause=found[0].clause,
        extra={"member_id": str(member.id), "application_id": str(app.id), "conflicts": [c.as_dict() for c in found]},
    )


async def record(
    session: AsyncSession, principal: Principal, member_id: uuid.UUID
) -> tuple[CommitteeMember, list[CommitteeConflict]]:
    member = await readable_member(session, principal, member_id)
    return member, await repo.declarations_of(session, member.id)
