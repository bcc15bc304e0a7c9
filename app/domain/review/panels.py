"""Panels (评审组) per round and stage, their members' pledge (承诺书), assignments and confidentiality.

A panel belongs to one round and one stage (material, onsite, defence, evaluation), led by one of
its members: the panel does the material review, the on-site review and the comprehensive
evaluation and writes their reports (changning-10d, jinshan-9b), the office organising it
(jinshan-8h). The office assigns applications to members, never to a conflicted one, balanced by
load; a change (a member added, an assignment closed) needs a reason. An expert reads an
application only through an open assignment of its own, once it accepted the programme's pledge,
and every such read is in the read audit (jinshan-21a, hangzhou-6.2a, linyi-20a); anything else
is 404, as if the application did not exist.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import review as access
from app.access import review_bodies as body_access
from app.db.models.review import Assignment, Expert, Panel, PanelMember
from app.db.models.workflow import Application
from app.db.repositories import review as repo
from app.db.repositories import workflow as workflow_repo
from app.domain import clock, read_audit
from app.domain.errors import DomainError, FieldError, invalid, not_found
from app.domain.review import bodies, pool
from app.domain.review.discipline import discipline
from app.identity import Principal

STAGES = ("material", "onsite", "defence", "evaluation")


def _forbidden() -> DomainError:
    return DomainError(
        "forbidden", 403, "当前身份无权管理评审组", "Your role may not manage review panels", title="Forbidden"
    )


async def _experts_of(
    session: AsyncSession, programme: str, ids: list[uuid.UUID], field: str
) -> dict[uuid.UUID, Expert]:
    found = {e.id: e for e in await repo.experts(session, ids) if e.programme == programme}
    missing = [i for i in ids if i not in found]
    if missing:
        raise DomainError(
            "validation-error",
            422,
            "专家不在本项目专家库中",
            "Some experts are not in the programme's pool",
            title="Unprocessable Content",
            errors=[FieldError(f"{field}.{m}", "不在专家库中", "not in the pool", "not_found") for m in missing],
        )
    return found


async def _manager(
    session: AsyncSession, principal: Principal, panel: Panel, hidden: DomainError | None = None
) -> bodies.Manager:
    """Who manages the panel: the office, or the body that formed it; a reader who may not: 403;
    others ``hidden`` (the 404 of what they asked for)."""
    hidden = hidden or not_found("评审组", "Panel", panel.id)
    manager = await bodies.panel_manager(session, principal, panel, hidden)
    if manager is None:
        if access.reads_review(principal, panel.programme):
            raise _forbidden()
        raise hidden
    return manager


def _require_body_experts(manager: bodies.Manager, experts: list[Expert], field: str) -> None:
    """A body's panel holds only the experts it engaged (linyi-8c)."""
    if manager.body is None:
        return
    others = [e.id for e in experts if e.body_id != manager.body.id]
    if others:
        raise DomainError(
            "validation-error",
            422,
            "第三方评审机构只能由本机构聘请的专家组成评审组",
            "A review body's panel holds only the experts the body engaged",
            title="Unprocessable Content",
            errors=[
                FieldError(f"{field}.{i}", "不是本机构的专家", "not an expert of the body", "other_body")
                for i in others
            ],
        )


async def create_panel(
    session: AsyncSession, principal: Principal, body: dict[str, Any]
) -> tuple[Panel, list[PanelMember]]:
    rnd = await workflow_repo.get_round(session, body["round_id"])
    manager = None if rnd is None else await bodies.round_manager(session, principal, rnd)
    if rnd is None or (manager is None and not access.reads_review(principal, rnd.programme)):
        raise not_found("届次", "Round", body["round_id"])
    if manager is None:
        raise _forbidden()
    if body["stage"] not in STAGES:
        raise invalid("stage", f"可选：{'、'.join(STAGES)}", f"one of: {', '.join(STAGES)}", "enum")
    ids = list(dict.fromkeys([body["leader_id"], *body["member_ids"]]))
    experts = await _experts_of(session, rnd.programme, ids, "member_ids")
    today = clock.today()
    for e in experts.values():
        pool.require_active(e, today)
    _require_body_experts(manager, list(experts.values()), "member_ids")
    panel = Panel(
        round_id=rnd.id,
        programme=rnd.programme,
        stage=body["stage"],
        name=body["name"],
        leader_id=body["leader_id"],
        body_id=None if manager.body is None else manager.body.id,
        change_log=[],
        created_by=principal.key,
    )
    await repo.add(session, panel)
    members = [PanelMember(panel_id=panel.id, expert_id=i) for i in ids]
    for m in members:
        session.add(m)
    await session.flush()
    return panel, members


async def readable_panel(
    session: AsyncSession, principal: Principal, panel_id: uuid.UUID
) -> tuple[Panel, list[PanelMember]]:
    """The panel: to the office and admin, and to its own members."""
    panel = await repo.get_panel(session, panel_id)
    if panel is None:
        raise not_found("评审组", "Panel", panel_id)
    members = await repo.members(session, panel.id)
    if access.reads_review(principal, panel.programme):
        return panel, members
    if body_access.is_review_body(principal):
        await _manager(session, principal, panel)
        return panel, members
    me = await _me(session, principal, panel.programme)
    if me is None or me.id not in {m.expert_id for m in members}:
        raise not_found("评审组", "Panel", panel_id)
    return panel, members


async def add_member(
    session: AsyncSession, principal: Principal, panel_id: uuid.UUID, expert_id: uuid.UUID, reason: str
) -> tuple[Panel, list[PanelMember]]:
    """A panel changes only with a recorded reason."""
    panel = await repo.get_panel(session, panel_id, for_update=True)
    if panel is None:
        raise not_found("评审组", "Panel", panel_id)
    manager = await _manager(session, principal, panel)
    if not reason.strip():
        raise invalid("reason", "评审组调整须说明理由", "a change of panel needs a reason", "missing")
    expert = (await _experts_of(session, panel.programme, [expert_id], "expert_id"))[expert_id]
    pool.require_active(expert, clock.today())
    _require_body_experts(manager, [expert], "expert_id")
    if await repo.member(session, panel.id, expert.id) is None:
        session.add(PanelMember(panel_id=panel.id, expert_id=expert.id))
        panel.change_log = [
            *panel.change_log,
            {
                "change": "add_member",
                "expert_id": str(expert.id),
                "reason": reason,
                "by": principal.key,
                "at": clock.now().isoformat(),
            },
        ]
        await session.flush()
    return panel, await repo.members(session, panel.id)


async def remove_member(
    session: AsyncSession, principal: Principal, panel_id: uuid.UUID, expert_id: uuid.UUID, reason: str
) -> tuple[Panel, list[PanelMember]]:
    """A member leaves the panel with a recorded reason; its open assignments close with it (a sheet
    it already submitted stays and counts). The leader is replaced by a new panel, not removed."""
    panel = await repo.get_panel(session, panel_id, for_update=True)
    if panel is None:
        raise not_found("评审组", "Panel", panel_id)
    await _manager(session, principal, panel)
    if not reason.strip():
        raise invalid("reason", "评审组调整须说明理由", "a change of panel needs a reason", "missing")
    member = await repo.member(session, panel.id, expert_id)
    if member is None:
        raise invalid("expert_id", "不是本组成员", "not a member of the panel", "not_member")
    if expert_id == panel.leader_id:
        raise invalid("expert_id", "组长不能移出评审组", "the leader cannot leave the panel", "leader")
    now = clock.now()
    # locked: a recusal committed meanwhile is seen (its assignment no longer open), never overwritten as closed
    for a in await repo.assignments_of(session, panel.id, status="open", for_update=True):
        if a.expert_id == expert_id and await repo.score_of(session, a.id) is None:
            pool.close(a, principal, f"退出评审组：{reason}", now, status="closed")
    await session.delete(member)
    panel.change_log = [
        *panel.change_log,
        {
            "change": "remove_member",
            "expert_id": str(expert_id),
            "reason": reason,
            "by": principal.key,
            "at": now.isoformat(),
        },
    ]
    await session.flush()
    return panel, await repo.members(session, panel.id)


async def _me(session: AsyncSession, principal: Principal, programme: str) -> Expert | None:
    """The expert record the caller is, in ``programme``."""
    if access.expert_programme(principal) != programme:
        return None
    return await repo.expert_by_subject(session, programme, principal.sub)


async def pledge(session: AsyncSession, principal: Principal, panel_id: uuid.UUID) -> tuple[Panel, PanelMember, str]:
    """Accept the programme's pledge (承诺书) as a member of the panel; reading anything needs it first."""
    panel = await repo.get_panel(session, panel_id)
    me = None if panel is None else await _me(session, principal, panel.programme)
    member = None if panel is None or me is None else await repo.member(session, panel.id, me.id)
    if panel is None or member is None:
        raise not_found("评审组", "Panel", panel_id)
    rules = discipline(panel.programme)
    if member.pledged_at is None:
        member.pledged_at = clock.now()
        member.pledge_sha256 = rules.pledge_sha256
        await session.flush()
    return panel, member, rules.pledge_zh


async def assign(
    session: AsyncSession,
    principal: Principal,
    panel_id: uuid.UUID,
    application_id: uuid.UUID,
    expert_ids: list[uuid.UUID] | None,
    count: int,
    reason: str | None,
    industry: str | None = None,
) -> list[Assignment]:
    """Assign an application to members: the named ones, or the ``count`` members without a conflict
    who know the application's ``industry`` first, then the least loaded. The panel row is locked, so
    concurrent assignments count each other's load."""
    panel = await repo.get_panel(session, panel_id, for_update=True)
    if panel is None:
        raise not_found("评审组", "Panel", panel_id)
    await _manager(session, principal, panel)
    app = await repo.get_application(session, application_id)
    if app is None or app.round_id != panel.round_id:
        raise invalid(
            "application_id",
            "该申报不属于本评审组的届次",
            "the application is not in the panel's round",
            "not_in_round",
        )
    members = {m.expert_id for m in await repo.members(session, panel.id)}
    current = {a.expert_id for a in await repo.assignments_of(session, panel.id, app.id, "open")}
    today = clock.today()
    experts = {e.id: e for e in await repo.experts(session, list(members))}
    if expert_ids is not None:
        outside = [i for i in expert_ids if i not in members]
        if outside:
            raise DomainError(
                "validation-error",
                422,
                "只能分配给本评审组成员",
                "Only the panel's members can be assigned",
                title="Unprocessable Content",
                errors=[
                    FieldError(f"expert_ids.{i}", "不是本组成员", "not a member of the panel", "not_member")
                    for i in outside
                ],
            )
        chosen = []
        for i in dict.fromkeys(expert_ids):
            if i in current:
                continue
            pool.require_active(experts[i], today)
            await pool.require_unconflicted(session, experts[i], app)
            chosen.append(experts[i])
    else:
        loads = await repo.open_loads(session, panel.id)
        candidates = []

        def order(e: Expert) -> tuple:
            return (industry is not None and industry not in e.industries, loads.get(e.id, 0), e.name, str(e.id))

        for e in sorted(experts.values(), key=order):
            if e.id in current or e.status != "active" or not (e.term_starts_on <= today <= e.term_ends_on):
                continue
            if await pool.conflicts_of(session, e, app) and await repo.override_for(session, e.id, app.id) is None:
                continue
            candidates.append(e)
        chosen = candidates[: max(count - len(current), 0)]
    now = clock.now()
    made = [
        Assignment(
            panel_id=panel.id,
            application_id=app.id,
            expert_id=e.id,
            status="open",
            reason=reason,
            created_by=principal.key,
            created_at=now,
        )
        for e in chosen
    ]
    for a in made:
        session.add(a)
    await session.flush()
    return made


async def close_assignment(
    session: AsyncSession, principal: Principal, assignment_id: uuid.UUID, reason: str
) -> Assignment:
    """The office takes an assignment back (to reassign it), with a reason; a scored one stays (its sheet counts)."""
    a = await repo.get_assignment(session, assignment_id, for_update=True)
    panel = None if a is None else await repo.get_panel(session, a.panel_id)
    if a is None or panel is None:
        raise not_found("评审分配", "Assignment", assignment_id)
    await _manager(session, principal, panel, not_found("评审分配", "Assignment", assignment_id))
    if not reason.strip():
        raise invalid("reason", "调整分配须说明理由", "a change of assignment needs a reason", "missing")
    if a.status != "open":
        raise DomainError(
            "assignment-closed", 409, "该分配已结束", "The assignment is already closed", title="Conflict"
        )
    if await repo.score_of(session, a.id) is not None:
        # the member's independent score is in: taking the assignment back would drop it from the consensus
        raise DomainError(
            "assignment-scored",
            409,
            "该专家已提交评分，分配不能收回",
            "The expert has already scored this assignment",
            title="Conflict",
        )
    pool.close(a, principal, reason, clock.now(), status="closed")
    await session.flush()
    return a


async def own_assignment(
    session: AsyncSession, principal: Principal, assignment_id: uuid.UUID, *, for_update: bool = False
) -> tuple[Assignment, Panel, Expert]:
    """The caller's own open assignment; anything else (another's, closed, recused) is 404."""
    a = await repo.get_assignment(session, assignment_id, for_update=for_update)
    panel = None if a is None else await repo.get_panel(session, a.panel_id)
    expert = None if a is None else await repo.get_expert(session, a.expert_id)
    if a is None or panel is None or expert is None or not access.is_expert(principal, expert) or a.status != "open":
        raise not_found("评审分配", "Assignment", assignment_id)
    return a, panel, expert


async def recuse(session: AsyncSession, principal: Principal, assignment_id: uuid.UUID, reason: str) -> Assignment:
    """The expert's own recusal request (changning-28c, jinshan-21c) closes its assignment at once."""
    a, _, _ = await own_assignment(session, principal, assignment_id, for_update=True)
    if not reason.strip():
        raise invalid("reason", "须说明回避理由", "a recusal needs its reason", "missing")
    pool.close(a, principal, reason, clock.now(), status="recused")
    await session.flush()
    return a


async def require_pledged(session: AsyncSession, panel: Panel, expert: Expert) -> None:
    member = await repo.member(session, panel.id, expert.id)
    if member is None or member.pledged_at is None:
        raise DomainError(
            "pledge-required",
            403,
            "须先签署评审承诺书",
            "Accept the programme's review pledge first",
            title="Forbidden",
            clause=discipline(panel.programme).confidentiality_clause,
            extra={"panel_id": str(panel.id)},
        )


async def assigned_application(
    session: AsyncSession, principal: Principal, assignment_id: uuid.UUID
) -> tuple[Assignment, Panel, Application]:
    """What the expert reads of an assigned application; each read is in the read audit."""
    a, panel, expert = await own_assignment(session, principal, assignment_id)
    await require_pledged(session, panel, expert)
    app = await repo.get_application(session, a.application_id)
    assert app is not None
    await read_audit.record(session, principal, read_audit.REVIEW_APPLICATION, app.id)
    return a, panel, app


async def my_assignments(session: AsyncSession, principal: Principal) -> list[Assignment]:
    programme = access.expert_programme(principal)
    me = None if programme is None else await repo.expert_by_subject(session, programme, principal.sub)
    return [] if me is None else await repo.open_assignments_of_expert(session, me.id)


async def round_panels(
    session: AsyncSession, principal: Principal, round_id: uuid.UUID
) -> list[tuple[Panel, list[PanelMember]]]:
    """A round's panels with their members, for the office."""
    rnd = await workflow_repo.get_round(session, round_id)
    manager = None if rnd is None else await bodies.round_manager(session, principal, rnd)
    if rnd is None or (manager is None and not access.reads_review(principal, rnd.programme)):
        raise not_found("届次", "Round", round_id)
    body = None if manager is None else manager.body
    return [
        (p, await repo.members(session, p.id))
        for p in await repo.panels_of_round(session, rnd.id)
        if body is None or p.body_id == body.id
    ]


async def panel_assignments(session: AsyncSession, principal: Principal, panel_id: uuid.UUID) -> list[Assignment]:
    """Every assignment of the panel (open, closed, recused, voided) with its reasons, for the office."""
    panel = await repo.get_panel(session, panel_id)
    if panel is None:
        raise not_found("评审组", "Panel", panel_id)
    if not access.reads_review(principal, panel.programme):
        await _manager(session, principal, panel)
    return await repo.assignments_of(session, panel.id)
