"""奖金的核定、拨付与追回: a winner's reward money from its entitlement to its disbursement, and back after a revocation.

The money's states: ``approved`` (核定) → ``paid`` (拨付) → ``to_reclaim`` (待追回, set by ``revoke``)
→ ``reclaimed`` (已追回); an award revoked before its money was paid goes ``approved`` → ``cancelled``
(nothing left the treasury, nothing to reclaim).

Concurrency: every step locks the application's row first, as an event does, then the reward's; so
two clerks approving at once, or a disbursement racing a revocation, run one after the other and the
second sees what the first did (409 or 412). Each step writes an outbox event in the same transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import rewards as access
from app.db.models.rewards import HeldAward, RewardRecord
from app.db.models.workflow import Application, Round
from app.db.repositories import commendation as commendation_repo
from app.db.repositories import rewards as repo
from app.db.repositories import workflow as workflow_repo
from app.domain import clock
from app.domain.awards import rewards
from app.domain.awards.rewards import Entitlement, Fact
from app.domain.errors import DomainError, conflict, invalid, not_found
from app.domain.outbox.events import emit
from app.domain.preconditions import check_if_match
from app.domain.programmes.effective import effective_programme
from app.domain.programmes.registry import get_registry
from app.domain.programmes.version import ProgrammeVersion
from app.domain.review import confidentiality
from app.domain.revocation import revocation_day
from app.identity import Principal

STATE_ZH = {
    "approved": "已核定",
    "paid": "已拨付",
    "to_reclaim": "待追回",
    "reclaimed": "已追回",
    "cancelled": "已取消（撤销时未拨付）",
}


@dataclass(frozen=True)
class RewardView:
    application: Application
    entitlement: Entitlement
    record: RewardRecord | None


def _forbidden() -> DomainError:
    return DomainError(
        "forbidden",
        403,
        "仅本项目的评审办公室可办理奖金",
        "Only the programme's office handles reward money",
        title="Forbidden",
    )


def _programme(rnd: Round) -> ProgrammeVersion:
    return effective_programme(rnd.programme, rnd.programme_version, rnd.overrides)


async def entitlement_of(session: AsyncSession, app: Application, rnd: Round) -> Entitlement:
    """The winner's entitlement now: after its commendation, by its programme's rule and the facts recorded."""
    commended = await commendation_repo.commendation_of(session, app.id)
    if commended is None or app.state != "awarded":
        return rewards.not_a_winner()
    award, _doc = commended
    prog = _programme(rnd)
    rule = next((r for r in prog.rewards if r.tier == award.tier and r.category == award.category), None)
    tiers = {t.code: t.name_zh for t in prog.tiers}
    earlier = [
        Fact("service", a.tier, a.tier_name_zh, d.issued_on.year, d.document_no)
        for a, d in await repo.earlier_wins(session, app)
    ]
    held = await repo.held_awards(session, holder_key(app), app.programme)
    earlier += [Fact("recorded", h.award, h.name_zh, h.year, h.document_no) for h in held if h.award in tiers]
    held_facts = [
        Fact("recorded", h.award, h.name_zh, h.year, h.document_no, h.amount_received_yuan)
        for h in held
        if h.amount_received_yuan > 0
    ]
    paid_before = [
        Fact("service", r.tier, tiers.get(r.tier, r.tier), r.approved_on.year, None, r.amount_yuan)
        for r in await repo.earlier_rewards(session, app)
    ]
    return rewards.compute(rule, award.tier_name_zh, earlier, held_facts, paid_before)


async def _visible(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID, *, lock: bool
) -> tuple[Application, Round]:
    found = (
        await workflow_repo.get_application_and_round(session, application_id)
        if lock
        else await _unlocked(session, application_id)
    )
    if found is None or not await confidentiality.may_view(session, principal, found[0], read=not lock):
        raise not_found("申报", "The application", application_id)
    return found


async def _unlocked(session: AsyncSession, application_id: uuid.UUID) -> tuple[Application, Round] | None:
    app = await workflow_repo.get_application(session, application_id)
    if app is None:
        return None
    rnd = await workflow_repo.get_round(session, app.round_id)
    return None if rnd is None else (app, rnd)


async def view(session: AsyncSession, principal: Principal, application_id: uuid.UUID) -> RewardView:
    """The reward of an application the caller may see: its entitlement with the breakdown, and the money's state."""
    app, rnd = await _visible(session, principal, application_id, lock=False)
    return RewardView(app, await entitlement_of(session, app, rnd), await repo.get(session, app.id))


async def _managed(session: AsyncSession, principal: Principal, application_id: uuid.UUID) -> tuple[Application, Round]:
    # the application's row locked first, as an event locks it: a revocation and a payment never interleave
    app, rnd = await _visible(session, principal, application_id, lock=True)
    if not access.manages_rewards(principal, app.programme):
        raise _forbidden()
    return app, rnd


def _not_in_future(field_name: str, on: date) -> None:
    if on > clock.today():
        raise invalid(field_name, "日期不能晚于今天", "cannot be in the future", "future")


async def approve(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID, amount: object, reason: str | None
) -> RewardView:
    """核定: the office approves the amount, never above the cap; an amount other than the entitlement needs a reason."""
    app, rnd = await _managed(session, principal, application_id)
    ent = await entitlement_of(session, app, rnd)
    if not ent.winner:
        raise conflict(
            "not-a-winner",
            "该申报尚未获奖表彰，不能核定奖金",
            "The application is not a commended winner: no reward to approve",
            field="application_id",
            state=app.state,
        )
    if await repo.get(session, app.id) is not None:
        raise conflict(
            "reward-already-approved",
            "该获奖者的奖金已核定",
            "The winner's reward is already approved",
            field="application_id",
        )
    if not ent.payable:
        why = ent.lines[-1]  # the step that left nothing: not granted, not the first win, or the cap after deductions
        raise DomainError(
            "no-reward-entitlement",
            409,
            f"该获奖者无应得奖金：{why.zh}",
            f"The winner is entitled to no reward: {why.en}",
            title="Conflict",
            clause=why.clause,
            extra={"field": "amount_yuan", "breakdown": [line.as_dict() for line in ent.lines]},
        )
    value = rewards.parse_amount("amount_yuan", amount)
    if ent.cap_yuan is not None and value > ent.cap_yuan:
        raise DomainError(
            "validation-error",
            422,
            f"核定金额{value}元超过上限{ent.cap_yuan}元",
            f"The amount CNY {value} is above the cap of CNY {ent.cap_yuan}",
            title="Unprocessable Content",
            clause=ent.clause,
            errors=[
                invalid("amount_yuan", f"不得超过{ent.cap_yuan}元", f"at most CNY {ent.cap_yuan}", "above_cap").errors[
                    0
                ]
            ],
        )
    reason = (reason or "").strip() or None
    if ent.entitlement_yuan is not None and value != ent.entitlement_yuan and reason is None:
        raise invalid(
            "reason",
            f"核定金额与应得金额{ent.entitlement_yuan}元不同，须说明理由",
            f"an amount other than the entitlement (CNY {ent.entitlement_yuan}) needs a reason",
            "required",
        )
    award, _ = await commendation_repo.commendation_of(session, app.id) or (None, None)
    assert award is not None  # a winner has its commendation
    now = clock.now()
    record = await repo.insert(
        session,
        {
            "id": uuid.uuid4(),
            "application_id": app.id,
            "round_id": app.round_id,
            "programme": app.programme,
            "rule_id": ent.rule_id,
            "clause": ent.clause,
            "tier": award.tier,
            "category": award.category,
            "entitlement_yuan": ent.entitlement_yuan,
            "cap_yuan": ent.cap_yuan,
            "breakdown": [line.as_dict() for line in ent.lines],
            "amount_yuan": value,
            "reason": reason,
            "state": "approved",
            "approved_on": clock.today(),
            "approved_by": principal.sub,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        },
    )
    await _emit(session, "reward.approved", record, {"approved_on": record.approved_on.isoformat()})
    return RewardView(app, ent, record)


async def _record_for_change(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID, if_match: str | None
) -> tuple[Application, Round, RewardRecord]:
    app, rnd = await _managed(session, principal, application_id)
    record = await repo.get(session, app.id, for_update=True)
    if record is None:
        raise conflict(
            "reward-not-approved",
            "该获奖者的奖金尚未核定",
            "The winner's reward has not been approved yet",
            field="application_id",
        )
    check_if_match(if_match, record.version)
    return app, rnd, record


def _wrong_state(record: RewardRecord, needed: str, zh: str, en: str) -> DomainError:
    return conflict(
        "reward-state",
        f"奖金当前为“{STATE_ZH[record.state]}”，{zh}",
        f"The reward is {record.state}: {en}",
        state=record.state,
        requires=needed,
    )


async def disburse(
    session: AsyncSession,
    principal: Principal,
    application_id: uuid.UUID,
    if_match: str | None,
    paid_on: date,
    voucher: str,
) -> RewardView:
    """拨付: the approved money paid out, on a day with its voucher number (never twice; never after a revocation)."""
    app, rnd, record = await _record_for_change(session, principal, application_id, if_match)
    if record.state != "approved":
        raise _wrong_state(record, "approved", "只有已核定的奖金可以拨付", "only an approved reward is paid")
    _not_in_future("paid_on", paid_on)
    if paid_on < record.approved_on:
        raise invalid("paid_on", "拨付日期不能早于核定日期", "cannot precede the approval", "before_approval")
    record.state = "paid"
    record.paid_on = paid_on
    record.payment_voucher = voucher
    record.paid_by = principal.sub
    _bump(record)
    await repo.flush(session)
    await _emit(session, "reward.paid", record, {"paid_on": paid_on.isoformat(), "voucher": voucher})
    return RewardView(app, await entitlement_of(session, app, rnd), record)


async def reclaim(
    session: AsyncSession,
    principal: Principal,
    application_id: uuid.UUID,
    if_match: str | None,
    reclaimed_on: date,
    voucher: str,
) -> RewardView:
    """追回: money paid for a revoked award came back, on a day with its voucher number."""
    app, rnd, record = await _record_for_change(session, principal, application_id, if_match)
    if record.state != "to_reclaim":
        raise _wrong_state(
            record, "to_reclaim", "只有撤销后待追回的奖金可以登记追回", "only a reward to reclaim is reclaimed"
        )
    _not_in_future("reclaimed_on", reclaimed_on)
    if record.revoked_on is not None and reclaimed_on < record.revoked_on:
        raise invalid("reclaimed_on", "追回日期不能早于撤销日期", "cannot precede the revocation", "before_revocation")
    record.state = "reclaimed"
    record.reclaimed_on = reclaimed_on
    record.reclaim_voucher = voucher
    record.reclaimed_by = principal.sub
    _bump(record)
    await repo.flush(session)
    await _emit(session, "reward.reclaimed", record, {"reclaimed_on": reclaimed_on.isoformat(), "voucher": voucher})
    return RewardView(app, await entitlement_of(session, app, rnd), record)


def _bump(record: RewardRecord) -> None:
    record.version += 1
    record.updated_at = clock.now()


async def _emit(session: AsyncSession, type_: str, record: RewardRecord, extra: dict) -> None:
    await emit(
        session,
        type_,
        {
            "application_id": str(record.application_id),
            "programme": record.programme,
            "round_id": str(record.round_id),
            "tier": record.tier,
            "category": record.category,
            "amount_yuan": rewards.yuan(record.amount_yuan),
            "state": record.state,
            **extra,
        },
    )


async def after_event(
    session: AsyncSession, app: Application, rnd: Round, event: str, from_state: str, data: dict
) -> None:
    """``revoke``: paid money is to be reclaimed, unpaid money is cancelled, in the event's own transaction (the
    application's row is locked by the event, so a disbursement waits and then finds the new state)."""
    if event != "revoke":
        return
    record = await repo.get(session, app.id, for_update=True)
    if record is None or record.state not in repo.STANDING:
        return
    record.state = "to_reclaim" if record.state == "paid" else "cancelled"
    record.revoked_on = revocation_day(data)  # the case's decision date when a case revoked it
    record.revocation_document_no = str(data["document_no"])[:100] if data.get("document_no") else None
    _bump(record)
    await repo.flush(session)
    await _emit(
        session,
        "reward.to_reclaim" if record.state == "to_reclaim" else "reward.cancelled",
        record,
        {"revoked_on": record.revoked_on.isoformat(), "revocation_document_no": record.revocation_document_no},
    )


# --- a round's rewards ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundRewards:
    round: Round
    rows: list[RewardView]
    totals: dict[str, Decimal]


def totals_of(records: list[RewardRecord]) -> dict[str, Decimal]:
    """approved: every amount still or once owed (cancelled excluded); paid: every amount that left the treasury."""
    zero = rewards.ZERO
    return {
        "approved": sum((r.amount_yuan for r in records if r.state != "cancelled"), zero),
        "paid": sum((r.amount_yuan for r in records if r.state in ("paid", "to_reclaim", "reclaimed")), zero),
        "to_reclaim": sum((r.amount_yuan for r in records if r.state == "to_reclaim"), zero),
        "reclaimed": sum((r.amount_yuan for r in records if r.state == "reclaimed"), zero),
    }


async def of_round(session: AsyncSession, principal: Principal, round_id: uuid.UUID) -> RoundRewards:
    """每个获奖者的应得、核定、拨付与追回: the round's commended winners with their money (office, admin, supervision)."""
    rnd = await workflow_repo.get_round(session, round_id)
    if rnd is None or not access.reads_round_rewards(principal, rnd.programme, rnd.state):
        raise not_found("届次", "The round", round_id)
    views = []
    for _award, app, record in await repo.winners_of_round(session, round_id):
        views.append(RewardView(app, await entitlement_of(session, app, rnd), record))
    return RoundRewards(rnd, views, totals_of([v.record for v in views if v.record is not None]))


# --- awards a winner already holds ----------------------------------------------------------------


def holder_key(app: Application) -> str | None:
    """The applicant's identity, as applications carry it: an organisation's credit code, a person's ID number hash."""
    if app.credit_code:
        return f"org:{app.credit_code}"
    return f"person:{app.id_number_hash}" if app.id_number_hash else None


async def held_awards(session: AsyncSession, principal: Principal, application_id: uuid.UUID) -> list[HeldAward]:
    """The awards the programme's office recorded about the applicant of an application the caller may see."""
    app, _rnd = await _visible(session, principal, application_id, lock=False)
    return await repo.held_awards(session, holder_key(app), app.programme)


async def record_held_award(
    session: AsyncSession,
    principal: Principal,
    application_id: uuid.UUID,
    award: str,
    year: int,
    document_no: str,
    amount_received: object | None,
    note: str | None,
) -> HeldAward:
    """已获奖项: the programme's office records an award the applicant holds (an earlier win of the programme, a
    higher-level award), read by first-time-only (tianning-13b) and 就高不重复 (hangzhou-4.4a, linyi-15c)."""
    app, _rnd = await _managed(session, principal, application_id)
    key = holder_key(app)
    if key is None:
        raise conflict("not-a-winner", "该申报无申报主体标识", "The application names no applicant identity")
    current = get_registry().get(app.programme)
    kinds = {t.code: t.name_zh for t in current.tiers} | {h.code: h.name_zh for h in current.held_awards}
    if award not in kinds:
        raise invalid(
            "award",
            f"不是本项目可登记的奖项，可选：{'、'.join(kinds)}",
            f"not an award this programme records; one of: {', '.join(kinds)}",
            "unknown",
        )
    if year > clock.today().year:
        raise invalid("year", "年度不能晚于今年", "cannot be after this year", "future")
    received = (
        rewards.ZERO
        if amount_received in (None, 0, "0", "0.00")
        else rewards.parse_amount("amount_received_yuan", amount_received)
    )
    if await repo.find_held_award(session, key, app.programme, award, year) is not None:
        raise conflict(
            "held-award-recorded",
            "该奖项（同一年度）已登记",
            "This award of that year is already recorded",
            field="award",
        )
    return await repo.insert_held_award(
        session,
        {
            "id": uuid.uuid4(),
            "holder_key": key,
            "holder_name": app.applicant_name,
            "programme": app.programme,
            "award": award,
            "name_zh": kinds[award],
            "year": year,
            "document_no": document_no,
            "amount_received_yuan": received,
            "note": note,
            "recorded_by": principal.sub,
            "created_at": clock.now(),
        },
    )
