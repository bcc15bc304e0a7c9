"""The third-party review body (第三方评审机构, linyi-8a-d): the organisation a programme's office
engages to run the technical review, with its own experts.

Where a programme's data says so (``review_body``, linyi-8a), the office records the body (name,
credit code, status), engages it for a round (委托: contract, engaged on, term) and the body's
role (``review_body``, scoped to the programme and naming the body) then does in that round's
review what the office does: forms panels of its own experts (linyi-8c), assigns and takes back,
reads the scores and the ranking, writes the stage reports (8d) and the public-opinion survey
(14e). Never another programme (403), never another body's panel (404), nothing outside the review.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import review as access
from app.access import review_bodies as body_access
from app.db.models.review_bodies import ReviewBody, ReviewBodyEngagement, ReviewBodyTie
from app.db.models.workflow import Round
from app.db.repositories import review_bodies as repo
from app.db.repositories import workflow as workflow_repo
from app.domain import clock
from app.domain.errors import DomainError, FieldError, invalid, not_found
from app.domain.identifiers import IdentifierError, validate_credit_code
from app.domain.programmes.registry import get_registry
from app.domain.programmes.schema import ReviewBodyRule
from app.identity import Principal

STATUSES = ("active", "suspended", "ended")
# the body's own ties to an applicant: any of them conflicts every expert of the body (linyi-20a)
TIE_KINDS = ("guidance", "consulting", "shareholding", "competitor", "other")


def _forbidden(
    zh: str = "当前身份无权管理第三方评审机构", en: str = "Your role may not manage review bodies"
) -> DomainError:
    return DomainError("forbidden", 403, zh, en, title="Forbidden")


def _outside_scope() -> DomainError:
    return DomainError(
        "forbidden",
        403,
        "第三方评审机构只能在其受委托项目、受委托届次的专家评审中行事",
        "A review body acts only in the expert review of the programme and round it is engaged for",
        title="Forbidden",
    )


def rule_of(programme: str, version: str | None = None) -> ReviewBodyRule | None:
    """The programme's statement that a third-party body runs its review (linyi-8a), if it has one."""
    try:
        return get_registry().get(programme, version).review_body
    except DomainError:
        return None


def _provided_anywhere(programme: str) -> ReviewBodyRule | None:
    return next((v.review_body for v in get_registry().versions(programme) if v.review_body is not None), None)


def _credit_code(value: str, field: str) -> str:
    try:
        return validate_credit_code(value)
    except IdentifierError as err:
        raise err.for_field(field) from None


# --- the office's records ---------------------------------------------------------------------------


async def create_body(session: AsyncSession, principal: Principal, data: dict[str, Any]) -> ReviewBody:
    programme = principal.programme
    if programme is None or not body_access.manages_bodies(principal, programme):
        raise _forbidden()
    if _provided_anywhere(programme) is None:
        raise DomainError(
            "review-body-not-provided",
            409,
            "本项目的评审不由第三方机构承担",
            "This programme's review is not run by a third-party body",
            title="Conflict",
        )
    body = await repo.insert_body(
        session,
        dict(
            id=uuid.uuid4(),
            programme=programme,
            code=data["code"],
            name=data["name"],
            credit_code=_credit_code(data["credit_code"], "credit_code"),
            status="active",
            status_log=[],
            created_by=principal.key,
        ),
    )
    if body is None:
        raise DomainError(
            "duplicate",
            409,
            "本项目已有该代码的评审机构",
            "The programme already has a review body of this code",
            title="Conflict",
            errors=[FieldError("code", "已存在", "already used", "duplicate")],
        )
    return body


async def readable_body(session: AsyncSession, principal: Principal, body_id: uuid.UUID) -> ReviewBody:
    body = await repo.get_body(session, body_id)
    if body is None or not body_access.reads_body(principal, body):
        raise not_found("评审机构", "Review body", body_id)
    return body


async def body_record(
    session: AsyncSession, principal: Principal, body_id: uuid.UUID
) -> tuple[ReviewBody, list[ReviewBodyEngagement], list[ReviewBodyTie]]:
    body = await readable_body(session, principal, body_id)
    return body, await repo.engagements_of(session, body.id), await repo.ties_of(session, body.id)


async def list_bodies(session: AsyncSession, principal: Principal) -> list[ReviewBody]:
    where = body_access.readable_bodies(principal)
    if where is None:
        raise _forbidden()
    return await repo.list_bodies(session, where)


async def _managed(
    session: AsyncSession, principal: Principal, body_id: uuid.UUID, *, lock: bool = False
) -> ReviewBody:
    body = await repo.get_body(session, body_id, for_update=lock)
    if body is None or not body_access.reads_body(principal, body):
        raise not_found("评审机构", "Review body", body_id)
    if not body_access.manages_bodies(principal, body.programme):
        raise _forbidden()
    return body


async def change_status(
    session: AsyncSession, principal: Principal, body_id: uuid.UUID, status: str, reason: str
) -> ReviewBody:
    """Suspend, end or reinstate the body with the reason (linyi-22a: the office supervises it)."""
    body = await _managed(session, principal, body_id, lock=True)
    if not reason.strip():
        raise invalid("reason", "须说明理由", "a reason is required", "missing")
    body.status_log = [
        *body.status_log,
        {"from": body.status, "to": status, "reason": reason, "by": principal.key, "at": clock.now().isoformat()},
    ]
    body.status = status
    await session.flush()
    return body


async def engage(
    session: AsyncSession, principal: Principal, body_id: uuid.UUID, data: dict[str, Any]
) -> ReviewBodyEngagement:
    """委托: the office engages the body for one of its rounds, under a contract, for a term."""
    body = await _managed(session, principal, body_id)
    rnd = await workflow_repo.get_round(session, data["round_id"])
    if rnd is None or rnd.programme != body.programme:
        raise invalid("round_id", "本项目中无此届次", "no such round in the programme", "not_found")
    if rule_of(rnd.programme, rnd.programme_version) is None:
        raise invalid(
            "round_id",
            "该届次适用的评定办法未规定由第三方机构评审",
            "the regulation this round follows has no third-party review",
            "no_review_body",
        )
    if data["term_ends_on"] < data["term_starts_on"]:
        raise invalid(
            "term_ends_on", "委托期限结束日不能早于开始日", "the term cannot end before it starts", "date_order"
        )
    row = await repo.insert_engagement(
        session,
        dict(
            id=uuid.uuid4(),
            body_id=body.id,
            round_id=rnd.id,
            contract_no=data.get("contract_no"),
            engaged_on=data["engaged_on"],
            term_starts_on=data["term_starts_on"],
            term_ends_on=data["term_ends_on"],
            created_by=principal.key,
        ),
    )
    if row is None:
        raise DomainError(
            "already-recorded",
            409,
            "该机构已受委托承担本届评审",
            "The body is already engaged for this round",
            title="Conflict",
        )
    return row


async def declare_tie(
    session: AsyncSession, principal: Principal, body_id: uuid.UUID, data: dict[str, Any]
) -> ReviewBodyTie:
    """The body's tie to an applicant (e.g. it coached it: 辅导): filed by the body or by the office,
    it recuses every expert of the body from that applicant (linyi-20a 客观、公正、独立)."""
    body = await repo.get_body(session, body_id)
    if body is None or not body_access.reads_body(principal, body):
        raise not_found("评审机构", "Review body", body_id)
    if not (body_access.manages_bodies(principal, body.programme) or body_access.acts_for(principal, body)):
        raise _forbidden()
    row = ReviewBodyTie(
        body_id=body.id,
        kind=data["kind"],
        credit_code=_credit_code(data["credit_code"], "credit_code"),
        detail=data["detail"],
        declared_by=principal.key,
        declared_at=clock.now(),
    )
    await repo.add(session, row)
    return row


# --- who manages a round's review: the office, or the body engaged for it -----------------------------


@dataclass(frozen=True)
class Manager:
    """Who runs a round's review for this request: the office (``body`` None) or an engaged body."""

    body: ReviewBody | None = None


OFFICE = Manager()


async def round_manager(session: AsyncSession, principal: Principal, rnd: Round) -> Manager | None:
    """The office of the round's programme, or the body engaged for the round (linyi-8a, 8c);
    None for anyone else (the caller's own rules then answer 404 or 403). A body token outside its
    programme, in a programme whose review no body runs, or for a round it is not engaged for: 403."""
    if access.manages_review(principal, rnd.programme):
        return OFFICE
    scope = body_access.body_scope(principal)
    if scope is None:
        return None
    programme, code = scope
    if programme != rnd.programme or rule_of(rnd.programme, rnd.programme_version) is None:
        raise _outside_scope()
    body = await repo.body_by_code(session, programme, code)
    if body is None or not body_access.acts_for(principal, body):
        raise _outside_scope()
    engaged = await repo.engagement(session, body.id, rnd.id)
    if engaged is None or not (engaged.term_starts_on <= clock.today() <= engaged.term_ends_on):
        raise _outside_scope()
    return Manager(body)


async def acting_body(session: AsyncSession, principal: Principal) -> ReviewBody:
    """The body a ``review_body`` token acts for, in a programme whose review a body runs; else 403."""
    scope = body_access.body_scope(principal)
    if scope is None or _provided_anywhere(scope[0]) is None:
        raise _outside_scope()
    body = await repo.body_by_code(session, *scope)
    if body is None or not body_access.acts_for(principal, body):
        raise _outside_scope()
    return body


async def round_manager_by_id(session: AsyncSession, principal: Principal, round_id: uuid.UUID) -> Manager | None:
    rnd = await workflow_repo.get_round(session, round_id)
    return None if rnd is None else await round_manager(session, principal, rnd)


async def panel_manager(
    session: AsyncSession, principal: Principal, panel, hidden: DomainError | None = None
) -> Manager | None:
    """As ``round_manager`` for the panel's round; a body manages only the panels it formed (others:
    ``hidden``, the 404 of what the caller asked for)."""
    manager = await round_manager_by_id(session, principal, panel.round_id)
    if manager is not None and manager.body is not None and panel.body_id != manager.body.id:
        raise hidden or not_found("评审组", "Panel", panel.id)
    return manager
