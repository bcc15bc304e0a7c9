"""Reward money (奖金/资助): a winner's entitlement with its breakdown, the office's approval (核定), disbursement
(拨付) and, after a revocation, reclaim (追回); a round's rewards as a list and as .xlsx; the awards a winner already
holds (已获奖项), which the reward rules read.

Amounts are yuan with at most two decimals, sent as a string ("600000.00") or a JSON number, answered as strings.
Nothing here takes money from an applicant: every amount is positive and paid to the winner (jinshan-6a,
hangzhou-1.4b, linyi-16a, tianning-20b: no fee is ever charged).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from pydantic import BaseModel, Field, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from app.access import rewards as access
from app.api.deps import OfficeOnly, Permission, Session
from app.api.preconditions import etag
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.db.models.rewards import HeldAward
from app.domain.awards import rewards_export
from app.domain.awards import rewards_service as service
from app.domain.awards.rewards import MAX_YUAN, Entitlement, yuan
from app.domain.awards.rewards_service import RewardView
from app.domain.programmes.effective import effective_programme
from app.identity import Principal, Role

router = v1_router(tags=["rewards"])

REWARDS_READ_ACCESS = Permission("rewards:read", *access.READERS)
ROUND_REWARDS_ACCESS = Permission("rewards:round", Role.admin, Role.office, Role.supervisor)
RewardsRead = Annotated[Principal, Depends(REWARDS_READ_ACCESS)]
RoundRewardsRead = Annotated[Principal, Depends(ROUND_REWARDS_ACCESS)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_AMOUNT_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"


def _amount_schema(minimum: dict) -> dict:
    return {
        "anyOf": [
            {"type": "string", "pattern": _AMOUNT_PATTERN, "examples": ["600000.00"]},
            {"type": "number", **minimum, "maximum": float(MAX_YUAN), "multipleOf": 0.01},
        ],
        "description": "yuan, at most two decimals (a string keeps them exact)",
    }


def _raw_amount(value: Any) -> str | int | float:
    # a JSON true is no amount; the rest is parsed by the domain (rewards.parse_amount), which names the reason
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise PydanticCustomError("decimal_parsing", "Input should be a decimal number")
    return value


AmountIn = Annotated[Any, PlainValidator(_raw_amount), WithJsonSchema(_amount_schema({"exclusiveMinimum": 0}))]
ReceivedIn = Annotated[Any, PlainValidator(_raw_amount), WithJsonSchema(_amount_schema({"minimum": 0}))]
Voucher = Annotated[str, Field(min_length=1, max_length=100, examples=["财拨〔2027〕0153号"])]


class RewardApprovalIn(BaseModel):
    model_config = {"extra": "forbid"}

    amount_yuan: AmountIn
    reason: str | None = Field(
        default=None, max_length=2000, description="required when the amount differs from the entitlement"
    )


class DisbursementIn(BaseModel):
    model_config = {"extra": "forbid"}

    paid_on: date = Field(description="拨付日期: not before the approval, not in the future")
    voucher_no: Voucher


class ReclaimIn(BaseModel):
    model_config = {"extra": "forbid"}

    reclaimed_on: date = Field(description="追回日期: not before the revocation, not in the future")
    voucher_no: Voucher


class BreakdownLineOut(BaseModel):
    step: str = Field(
        description="base | office_sets | first_time_only | deduction | cap | not_granted | no_rule | not_winner"
    )
    clause: str | None
    amount_yuan: str | None
    zh: str
    en: str


class EntitlementOut(BaseModel):
    """应得奖励: the rule's amount after its conditions and deductions, each step with its clause."""

    winner: bool
    rule_id: str | None
    clause: str | None
    kind: str | None = Field(description="fixed | up_to | office_sets (the text gives no amount)")
    base_yuan: str | None
    deducted_yuan: str
    cap_yuan: str | None = Field(description="the most the office may approve; null: the office sets the amount")
    entitlement_yuan: str | None
    payable: bool
    breakdown: list[BreakdownLineOut]

    @classmethod
    def of(cls, e: Entitlement) -> EntitlementOut:
        return cls(
            winner=e.winner,
            rule_id=e.rule_id,
            clause=e.clause,
            kind=e.kind,
            base_yuan=yuan(e.base_yuan),
            deducted_yuan=yuan(e.deducted_yuan) or "0.00",
            cap_yuan=yuan(e.cap_yuan),
            entitlement_yuan=yuan(e.entitlement_yuan),
            payable=e.payable,
            breakdown=[BreakdownLineOut(**line.as_dict()) for line in e.lines],
        )


class WinnerRewardOut(BaseModel):
    """A winner's reward: what it is entitled to and, once approved, the money's state."""

    application_id: uuid.UUID
    round_id: uuid.UUID
    programme: str
    applicant_name: str
    tier: str | None
    category: str
    entitlement: EntitlementOut
    state: str = Field(description="not_approved | approved | paid | to_reclaim | reclaimed | cancelled")
    state_zh: str
    amount_yuan: str | None
    reason: str | None = None
    approved_on: date | None = None
    paid_on: date | None = None
    payment_voucher: str | None = None
    revoked_on: date | None = None
    revocation_document_no: str | None = None
    reclaimed_on: date | None = None
    reclaim_voucher: str | None = None
    version: int | None = Field(default=None, description="the ETag's version; send the ETag as If-Match")

    @classmethod
    def of(cls, v: RewardView) -> WinnerRewardOut:
        r, app = v.record, v.application
        return cls(
            application_id=app.id,
            round_id=app.round_id,
            programme=app.programme,
            applicant_name=app.applicant_name,
            tier=app.tier,
            category=app.category,
            entitlement=EntitlementOut.of(v.entitlement),
            state=r.state if r else "not_approved",
            state_zh=service.STATE_ZH[r.state] if r else "未核定",
            amount_yuan=yuan(r.amount_yuan) if r else None,
            reason=r.reason if r else None,
            approved_on=r.approved_on if r else None,
            paid_on=r.paid_on if r else None,
            payment_voucher=r.payment_voucher if r else None,
            revoked_on=r.revoked_on if r else None,
            revocation_document_no=r.revocation_document_no if r else None,
            reclaimed_on=r.reclaimed_on if r else None,
            reclaim_voucher=r.reclaim_voucher if r else None,
            version=r.version if r else None,
        )


class RoundRewardsOut(BaseModel):
    round_id: uuid.UUID
    programme: str
    items: list[WinnerRewardOut]
    totals: dict[str, str] = Field(
        description="approved (cancelled excluded), paid (ever paid out), to_reclaim, reclaimed; yuan"
    )


class HeldAwardIn(BaseModel):
    model_config = {"extra": "forbid"}

    award: str = Field(
        min_length=1, max_length=60, description="a tier of the office's programme or one of its held_awards codes"
    )
    year: int = Field(ge=1980, le=2100)
    document_no: str = Field(min_length=1, max_length=100, examples=["国质奖〔2025〕3号"])
    amount_received_yuan: ReceivedIn | None = Field(
        default=None, description="the subsidy already received for it (就高不重复 deducts it); default 0"
    )
    note: str | None = Field(default=None, max_length=2000)


class HeldAwardOut(BaseModel):
    id: uuid.UUID
    holder_name: str
    programme: str
    award: str
    name_zh: str
    year: int
    document_no: str
    amount_received_yuan: str
    note: str | None
    created_at: datetime

    @classmethod
    def of(cls, h: HeldAward) -> HeldAwardOut:
        return cls(
            id=h.id,
            holder_name=h.holder_name,
            programme=h.programme,
            award=h.award,
            name_zh=h.name_zh,
            year=h.year,
            document_no=h.document_no,
            amount_received_yuan=yuan(h.amount_received_yuan) or "0.00",
            note=h.note,
            created_at=h.created_at,
        )


def _answer(v: RewardView, response: Response) -> WinnerRewardOut:
    if v.record is not None:
        response.headers["ETag"] = etag(v.record.version)
    return WinnerRewardOut.of(v)


@router.get(
    "/applications/{application_id}/reward",
    operation_id="get_application_reward",
    response_model=WinnerRewardOut,
    responses=problem_responses(401, 403, 404),
)
async def get_reward(
    application_id: uuid.UUID, session: Session, response: Response, principal: RewardsRead
) -> WinnerRewardOut:
    """The winner's entitlement with its breakdown (each step citing its clause) and the money's state, with an
    `ETag` once approved. The programme's office, the admin, the supervision team and the winner's own account."""
    return _answer(await service.view(session, principal, application_id), response)


@router.post(
    "/applications/{application_id}/reward/approval",
    operation_id="approve_application_reward",
    status_code=201,
    response_model=WinnerRewardOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def approve(
    application_id: uuid.UUID, body: RewardApprovalIn, session: Session, response: Response, principal: OfficeOnly
) -> WinnerRewardOut:
    """核定: the programme's office approves the amount once: at most the cap (422 `amount_yuan`), an amount other
    than the entitlement with a `reason`; a non-winner is 409 `/not-a-winner`, a second approval 409
    `/reward-already-approved`, a winner the rule gives nothing 409 `/no-reward-entitlement` with its clause."""
    v = await service.approve(session, principal, application_id, body.amount_yuan, body.reason)
    response.headers["Location"] = f"/api/v1/applications/{application_id}/reward"
    return _answer(v, response)


@router.post(
    "/applications/{application_id}/reward/disbursement",
    operation_id="record_reward_disbursement",
    response_model=WinnerRewardOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def disburse(
    application_id: uuid.UUID,
    body: DisbursementIn,
    request: Request,
    session: Session,
    response: Response,
    principal: OfficeOnly,
) -> WinnerRewardOut:
    """拨付: the approved money paid (needs `If-Match`); once only, never after a revocation (409 `/reward-state`)."""
    v = await service.disburse(
        session, principal, application_id, request.headers.get("if-match"), body.paid_on, body.voucher_no
    )
    return _answer(v, response)


@router.post(
    "/applications/{application_id}/reward/reclaim",
    operation_id="record_reward_reclaim",
    response_model=WinnerRewardOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def reclaim(
    application_id: uuid.UUID,
    body: ReclaimIn,
    request: Request,
    session: Session,
    response: Response,
    principal: OfficeOnly,
) -> WinnerRewardOut:
    """追回: the money of a revoked award came back (needs `If-Match`; only from `to_reclaim`)."""
    v = await service.reclaim(
        session, principal, application_id, request.headers.get("if-match"), body.reclaimed_on, body.voucher_no
    )
    return _answer(v, response)


@router.get(
    "/rounds/{round_id}/rewards",
    operation_id="list_round_rewards",
    response_model=RoundRewardsOut,
    responses=problem_responses(401, 403, 404),
)
async def list_round_rewards(round_id: uuid.UUID, session: Session, principal: RoundRewardsRead) -> RoundRewardsOut:
    """Every winner the round's commendation names, with its entitlement and money, and the round's totals."""
    data = await service.of_round(session, principal, round_id)
    return RoundRewardsOut(
        round_id=data.round.id,
        programme=data.round.programme,
        items=[WinnerRewardOut.of(v) for v in data.rows],
        totals={k: v or "0.00" for k, v in rewards_export.totals_text(data).items()},
    )


@router.get(
    "/rounds/{round_id}/rewards.xlsx",
    operation_id="export_round_rewards",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "the round's rewards"}, **problem_responses(401, 403, 404)},
)
async def export_round_rewards(round_id: uuid.UUID, session: Session, principal: RoundRewardsRead) -> Response:
    """奖金发放表 (.xlsx): one row per winner (entitlement, approved amount, state, dates and vouchers), then the totals."""
    data = await service.of_round(session, principal, round_id)
    prog = effective_programme(data.round.programme, data.round.programme_version, data.round.overrides)
    body = rewards_export.xlsx_bytes(
        data, {t.code: t.name_zh for t in prog.tiers}, {c.code: c.name_zh for c in prog.categories}
    )
    return Response(
        body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="rewards-{round_id}.xlsx"'}
    )


@router.get(
    "/applications/{application_id}/held-awards",
    operation_id="list_held_awards",
    response_model=list[HeldAwardOut],
    responses=problem_responses(401, 403, 404),
)
async def list_held_awards(application_id: uuid.UUID, session: Session, principal: RewardsRead) -> list[HeldAwardOut]:
    """The awards the programme's office recorded about the application's applicant, which its reward rules read."""
    return [HeldAwardOut.of(h) for h in await service.held_awards(session, principal, application_id)]


@router.post(
    "/applications/{application_id}/held-awards",
    operation_id="record_held_award",
    status_code=201,
    response_model=HeldAwardOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def record_held_award(
    application_id: uuid.UUID, body: HeldAwardIn, session: Session, response: Response, principal: OfficeOnly
) -> HeldAwardOut:
    """已获奖项: the programme's office records an award the applicant holds (中国质量奖, 省长质量奖, an earlier win of
    this programme) with its year, document and what it received, read by first-time-only (tianning-13b) and
    就高不重复 (hangzhou-4.4a, linyi-15c)."""
    h = await service.record_held_award(
        session,
        principal,
        application_id,
        body.award,
        body.year,
        body.document_no,
        body.amount_received_yuan,
        body.note,
    )
    response.headers["Location"] = f"/api/v1/applications/{application_id}/held-awards"
    return HeldAwardOut.of(h)
