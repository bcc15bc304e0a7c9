"""The incubation pool's use cases: propose, admit or decline, leave, trainings, attendance, the
cultivation review, and a member's pool history as its applications show it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import incubation as access
from app.access import roles
from app.db.models.incubation import IncubationMember, IncubationTraining
from app.db.repositories import incubation as repo
from app.db.repositories import review as review_repo
from app.db.repositories import workflow as workflow_repo
from app.domain import clock
from app.domain.errors import DomainError, FieldError, conflict, invalid, not_found
from app.domain.identifiers import IdentifierError, validate_credit_code
from app.domain.incubation.rules import rules
from app.domain.review import confidentiality
from app.identity import Principal, Role

RECOMMENDATIONS = ("industry_recommendation", "expert_recommendation")


def _forbidden(
    zh: str = "当前身份无权管理孵化池", en: str = "Your role may not manage the incubation pool"
) -> DomainError:
    return DomainError("forbidden", 403, zh, en, title="Forbidden")


def _member_not_found(member_id: object) -> DomainError:
    return not_found("孵化池成员", "Incubation pool member", member_id)


@dataclass
class MemberView:
    member: IncubationMember
    trainings: list[IncubationTraining] = field(default_factory=list)
    clauses: dict[str, str | None] = field(default_factory=dict)


def _clauses(programme: str) -> dict[str, str | None]:
    r = rules(programme)
    return {
        "admission": r.admission_clause,
        "routes": r.routes_clause,
        "free_training": r.free_training_clause,
        "cultivation_review": r.cultivation_review_clause,
    }


async def _route_of_caller(session: AsyncSession, principal: Principal, programme: str, data: dict[str, Any]):
    """The way in and who recommends, as the caller may propose (changning-13b, jinshan-12b): the
    office records any way with the recommender named; an applicant account applies for itself (the
    organisation its token verifies, checked once the code is), an expert of the programme and a
    recommending unit recommend. Who may propose is decided before the body's values are judged."""
    route, by = data["route"], (data.get("recommended_by") or "").strip() or None
    if roles.is_office_of(principal, programme):
        if route in RECOMMENDATIONS and by is None:
            raise invalid("recommended_by", "推荐加入须写明推荐方", "a recommendation names who recommends", "missing")
        return route, by, None
    if roles.applicant_of(principal) is not None:
        if route != "self_application":
            raise invalid(
                "route", "申报账号只能自行申报加入", "an applicant account joins by self-application", "route"
            )
        return route, None, roles.applicant_of(principal)
    if principal.has(Role.expert) and principal.programme == programme and principal.sub:
        expert = await review_repo.expert_by_subject(session, programme, principal.sub)
        if expert is not None and expert.status == "active":
            if route != "expert_recommendation":
                raise invalid("route", "专家只能推荐加入", "an expert joins organisations by recommendation", "route")
            return route, f"专家：{expert.name}", None
    if roles.unit_of(principal) is not None:
        if route != "industry_recommendation":
            raise invalid(
                "route", "推荐单位只能推荐加入", "a recommending unit joins organisations by recommendation", "route"
            )
        return route, f"推荐单位：{roles.unit_of(principal)}", None
    raise _forbidden(
        "当前身份不能为该项目的孵化池提出加入", "Your role may not propose members of this programme's pool"
    )


async def propose(session: AsyncSession, principal: Principal, data: dict[str, Any]) -> MemberView:
    """An organisation proposed for the pool (自行申报、行业推荐、专家推荐, changning-13b, jinshan-12b);
    it is a member once the office admits it (changning-13a, jinshan-12a)."""
    programme = data["programme"]
    rules(programme)
    route, by, own = await _route_of_caller(session, principal, programme, data)
    try:
        data["credit_code"] = validate_credit_code(data["credit_code"])
    except IdentifierError as err:
        raise err.for_field("credit_code") from None
    if own is not None and (principal.verified_credit_code or "").upper() != data["credit_code"]:
        raise DomainError(
            "identity-not-verified",
            403,
            "只能为令牌实名认证的组织申请加入孵化池",
            "An applicant account applies only for the organisation its token verifies",
            title="Forbidden",
        )
    member = await repo.insert_member(
        session,
        dict(
            id=uuid.uuid4(),
            programme=programme,
            name=data["name"].strip(),
            credit_code=data["credit_code"],
            route=route,
            recommended_by=by,
            note=(data.get("note") or "").strip() or None,
            applicant_ref=own,
            status="proposed",
            version=1,
            proposed_by=principal.key,
            proposed_at=clock.now(),
        ),
    )
    if member is None:
        raise conflict(
            "already-in-pool",
            "该组织已在孵化池中或正待审核",
            "The organisation is already a member of the pool or awaits the office's decision",
            credit_code=data["credit_code"],
        )
    return MemberView(member, [], _clauses(programme))


async def _managed(session: AsyncSession, principal: Principal, member_id: uuid.UUID) -> IncubationMember:
    member = await repo.get_member(session, member_id, for_update=True)
    if member is None or not access.may_view_member(principal, member):
        raise _member_not_found(member_id)
    if not access.manages_pool(principal, member.programme):
        raise _forbidden()
    return member


def _not_future(on: date, name: str) -> None:
    if on > clock.today():
        raise invalid(name, "日期不能晚于今天", "the date cannot be in the future", "future")


async def decide(
    session: AsyncSession, principal: Principal, member_id: uuid.UUID, admit: bool, on: date | None, reason: str | None
) -> MemberView:
    """The office admits (纳入孵化池, changning-13a, jinshan-12a) or declines with its reason, once."""
    member = await _managed(session, principal, member_id)
    if member.status != "proposed":
        raise conflict(
            "already-decided", "该加入申请已处理", "The proposal was already decided", member_status=member.status
        )
    reason = (reason or "").strip() or None
    if not admit and reason is None:
        raise invalid("reason", "不予纳入须说明理由", "a decline needs its reason", "missing")
    on = on or clock.today()
    _not_future(on, "on")
    member.status = "admitted" if admit else "declined"
    member.admitted_on = on if admit else None
    member.decision_reason = reason
    member.decided_by, member.decided_at = principal.key, clock.now()
    member.version += 1
    await session.flush()
    return await _view(session, member)


async def leave(session: AsyncSession, principal: Principal, member_id: uuid.UUID, on: date, reason: str) -> MemberView:
    """The membership ends (退出孵化池) on a day, with the reason."""
    member = await _managed(session, principal, member_id)
    if member.status != "admitted":
        raise conflict(
            "not-a-member",
            "该组织不是孵化池成员",
            "The organisation is not a member of the pool",
            member_status=member.status,
        )
    _not_future(on, "on")
    if member.admitted_on is not None and on < member.admitted_on:
        raise invalid("on", "退出日期不能早于纳入日期", "the day cannot precede the admission", "order")
    member.status, member.left_on, member.left_reason = "left", on, reason.strip()
    member.version += 1
    await session.flush()
    return await _view(session, member)


async def record_cultivation_review(
    session: AsyncSession, principal: Principal, member_id: uuid.UUID, passed_on: date, document_no: str
) -> MemberView:
    """The member passed the cultivation review (通过评审，达到培育机制要求, hangzhou-4.3b): the fact the
    one-off subsidy rests on (the subsidy itself is the rewards' affair: ``cultivation_passed``)."""
    member = await _managed(session, principal, member_id)
    clause = rules(member.programme).cultivation_review_clause
    if clause is None:
        raise DomainError(
            "cultivation-review-not-provided",
            409,
            "该项目的办法未规定培育评审",
            "The programme's regulation provides no cultivation review",
            title="Conflict",
        )
    if member.status not in ("admitted", "left"):
        raise conflict(
            "not-a-member",
            "该组织不是孵化池成员",
            "The organisation is not a member of the pool",
            member_status=member.status,
        )
    if member.cultivation_passed_on is not None:
        raise conflict(
            "cultivation-review-recorded", "培育评审结果已记录", "The cultivation review is already recorded"
        )
    _not_future(passed_on, "passed_on")
    if member.admitted_on is not None and passed_on < member.admitted_on:
        raise invalid("passed_on", "通过日期不能早于纳入日期", "the day cannot precede the admission", "order")
    if member.left_on is not None and passed_on > member.left_on:
        raise invalid("passed_on", "通过日期不能晚于退出日期", "the day cannot follow the member's departure", "order")
    member.cultivation_passed_on, member.cultivation_document_no = passed_on, document_no.strip()
    member.cultivation_recorded_by = principal.key
    member.version += 1
    await session.flush()
    return await _view(session, member)


async def cultivation_passed(session: AsyncSession, programme: str, credit_code: str) -> tuple[date, str] | None:
    """When and by which document the organisation passed the programme's cultivation review
    (hangzhou-4.3b), or None: what a cultivation subsidy (rewards) is to check before it is granted."""
    for m in reversed(await repo.members_of_organisation(session, programme, credit_code)):
        if m.cultivation_passed_on is not None:
            return m.cultivation_passed_on, m.cultivation_document_no or ""
    return None


async def _view(session: AsyncSession, member: IncubationMember) -> MemberView:
    attended = [t for _, t in await repo.trainings_attended(session, [member.id])]
    return MemberView(member, attended, _clauses(member.programme))


async def read_member(session: AsyncSession, principal: Principal, member_id: uuid.UUID) -> MemberView:
    member = await repo.get_member(session, member_id)
    if member is None or not access.may_view_member(principal, member):
        raise _member_not_found(member_id)
    return await _view(session, member)


async def list_members(
    session: AsyncSession, principal: Principal, status: str | None, offset: int, limit: int
) -> tuple[list[IncubationMember], int]:
    where = access.readable_members(principal)
    if where is None:
        raise _forbidden("当前身份无权查阅孵化池", "Your role may not read the incubation pool")
    return await repo.list_members(session, where, status, offset, limit)


async def schedule_training(session: AsyncSession, principal: Principal, data: dict[str, Any]) -> IncubationTraining:
    """A training of the pool (date, topic, place); free of charge (免费接受培训, changning-13c, jinshan-12c)."""
    programme = data["programme"]
    rules(programme)  # 409 for a programme without a pool, 422 for no programme
    if not access.manages_pool(principal, programme):
        raise _forbidden()
    # changning-13c, jinshan-12c: members are trained free; the request has no fee to set (a body naming one
    # is 422 naming `fee_cny`) and the table's CHECK holds the fee at 0 whatever the code does
    topic, place = data["topic"].strip(), data["place"].strip()
    if not topic or not place:
        raise invalid("topic" if not topic else "place", "不能为空", "cannot be blank", "missing")
    return await repo.add_training(
        session,
        IncubationTraining(
            id=uuid.uuid4(),
            programme=programme,
            held_on=data["held_on"],
            topic=topic,
            place=place,
            fee_cny=Decimal("0.00"),
            created_by=principal.key,
            created_at=clock.now(),
        ),
    )


async def list_trainings(
    session: AsyncSession, principal: Principal, offset: int, limit: int
) -> tuple[list[IncubationTraining], int]:
    where = access.readable_trainings(principal)
    if where is None:
        raise _forbidden("当前身份无权查阅孵化池培训", "Your role may not read the pool's trainings")
    return await repo.list_trainings(session, where, offset, limit)


async def record_attendance(
    session: AsyncSession, principal: Principal, training_id: uuid.UUID, member_ids: list[uuid.UUID]
) -> tuple[IncubationTraining, list[uuid.UUID]]:
    """Who attended: each a member of the training's pool on its day; recording one twice changes nothing."""
    training = await repo.get_training(session, training_id)
    if training is None or not access.reads_pool(principal, training.programme):
        raise not_found("培训", "Training", training_id)
    if not access.manages_pool(principal, training.programme):
        raise _forbidden()
    found = await repo.members_by_id(session, member_ids)
    errors = []
    for i, m_id in enumerate(member_ids):
        m = found.get(m_id)
        on_day = (
            m is not None
            and m.programme == training.programme
            and m.admitted_on is not None
            and m.admitted_on <= training.held_on
            and (m.left_on is None or training.held_on <= m.left_on)
        )
        if not on_day:
            errors.append(
                FieldError(
                    f"member_ids[{i}]",
                    "不是培训当日该项目孵化池的成员",
                    "not a member of the programme's pool on the training's day",
                    "not_a_member",
                )
            )
    if errors:
        raise DomainError(
            "validation-error",
            422,
            "请求参数“member_ids”无效：有组织不是培训当日的孵化池成员",
            "Invalid value for 'member_ids': some are not members of the pool on the training's day",
            title="Unprocessable Content",
            errors=errors,
        )
    await repo.record_attendance(session, training.id, list(dict.fromkeys(member_ids)), principal.key, clock.now())
    return training, await repo.attendees(session, training.id)


async def training_attendees(
    session: AsyncSession, principal: Principal, training_id: uuid.UUID
) -> tuple[IncubationTraining, list[uuid.UUID]]:
    training = await repo.get_training(session, training_id)
    if training is None or not access.reads_pool(principal, training.programme):
        raise not_found("培训", "Training", training_id)
    return training, await repo.attendees(session, training.id)


async def history_of_application(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID
) -> list[MemberView]:
    """The pool history of the application's applicant in its programme (its memberships, oldest
    first, each with the trainings attended): to whoever may see the application."""
    app = await workflow_repo.get_application(session, application_id)
    if app is None or not await confidentiality.may_view(session, principal, app):
        raise not_found("申报", "Application", application_id)
    if app.credit_code is None:
        return []
    members = await repo.members_of_organisation(session, app.programme, app.credit_code)
    attended = await repo.trainings_attended(session, [m.id for m in members])
    clauses = _clauses(app.programme) if members else {}
    return [MemberView(m, [t for mid, t in attended if mid == m.id], clauses) for m in members]
