"""Reward money (奖金/资助) of an award, and the awards an office records a winner already holds."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base

# the money's states: approved → paid → to_reclaim → reclaimed; approved → cancelled (revoked before payment)
REWARD_STATES = ("approved", "paid", "to_reclaim", "reclaimed", "cancelled")


class RewardRecord(Base):
    """奖金: the office's approval of one winner's reward, its disbursement (拨付) and, after a revocation, its reclaim.

    One row per application, written at the approval; ``version`` is the ETag each later step
    checks (If-Match). The amount is positive by a CHECK: no row can ever be a charge to an
    applicant (jinshan-6a, hangzhou-1.4b, linyi-16a, tianning-20b).
    """

    __tablename__ = "rewards"
    __table_args__ = (
        UniqueConstraint("application_id", name="uq_rewards_application_id"),
        CheckConstraint("amount_yuan > 0", name="amount_positive"),
        CheckConstraint("state IN ('approved', 'paid', 'to_reclaim', 'reclaimed', 'cancelled')", name="state_known"),
        Index("ix_rewards_round_id", "round_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"))
    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rounds.id"))
    programme: Mapped[str] = mapped_column(String(40))
    rule_id: Mapped[str] = mapped_column(String(60))
    clause: Mapped[str | None] = mapped_column(String(40))
    tier: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(40))
    # what the rule gave when the office approved (None: the office sets the amount, linyi-15b's individual)
    entitlement_yuan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    cap_yuan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    breakdown: Mapped[list] = mapped_column(JSONB)
    amount_yuan: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    reason: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    approved_on: Mapped[date] = mapped_column(Date)
    approved_by: Mapped[str] = mapped_column(String(200))
    paid_on: Mapped[date | None] = mapped_column(Date)
    payment_voucher: Mapped[str | None] = mapped_column(String(100))
    paid_by: Mapped[str | None] = mapped_column(String(200))
    # set by ``revoke``: the day and the revocation's document number
    revoked_on: Mapped[date | None] = mapped_column(Date)
    revocation_document_no: Mapped[str | None] = mapped_column(String(100))
    reclaimed_on: Mapped[date | None] = mapped_column(Date)
    reclaim_voucher: Mapped[str | None] = mapped_column(String(100))
    reclaimed_by: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class HeldAward(Base):
    """已获奖项: an award the applicant already holds, recorded by an office with its document and year, and what
    it already received for it (就高不重复: hangzhou-4.4a, linyi-15c; 首次获得: tianning-13b).

    Keyed by the applicant's identity (``holder_key``: ``org:<credit code>`` or ``person:<ID number hash>``), as
    applications are, so it reaches every application of the applicant whether or not it is in the registry."""

    __tablename__ = "held_awards"
    __table_args__ = (
        UniqueConstraint("holder_key", "programme", "award", "year", name="uq_held_awards_holder_key"),
        CheckConstraint("amount_received_yuan >= 0", name="amount_received_not_negative"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    holder_key: Mapped[str] = mapped_column(String(80))
    holder_name: Mapped[str] = mapped_column(String(200))
    programme: Mapped[str] = mapped_column(String(40))  # the programme whose rules read it (the recording office's)
    award: Mapped[str] = mapped_column(String(60))  # a tier of the programme or one of its ``held_awards`` codes
    name_zh: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column(Integer)
    document_no: Mapped[str] = mapped_column(String(100))
    amount_received_yuan: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
