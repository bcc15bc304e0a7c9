"""Notices (公示), their entries, objections (异议) to them, and the counters that rate-limit the public."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Sequence,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base

# receipt numbers of objections (受理编号) come from one sequence: unique under any concurrency
OBJECTION_RECEIPT_SEQ = Sequence("objection_receipt_seq", metadata=Base.metadata)


class Notice(Base):
    """公示: one published list of a round at one notice point, with its period and objection channel.

    What was published is kept as published: the period, its exact dates text and the entries'
    display fields are written once and never recomputed.
    """

    __tablename__ = "notices"
    __table_args__ = (
        Index("ix_notices_programme_ends_at", "programme", "ends_at"),
        Index("ix_notices_published_at", "published_at", "id"),
        Index("ix_notices_programme_published_at", "programme", "published_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rounds.id"), index=True)
    programme: Mapped[str] = mapped_column(String(40))
    programme_version: Mapped[str] = mapped_column(String(40))
    round_label: Mapped[str] = mapped_column(String(60))
    stage: Mapped[str] = mapped_column(String(40))
    point: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(200))
    title_zh: Mapped[str] = mapped_column(Text)
    clause: Mapped[str | None] = mapped_column(String(40))
    audiences: Mapped[list] = mapped_column(JSONB)
    objections_allowed: Mapped[bool] = mapped_column(Boolean)
    published_at: Mapped[datetime]
    published_on: Mapped[date] = mapped_column(Date)
    first_day_on: Mapped[date] = mapped_column(Date)
    last_day_on: Mapped[date] = mapped_column(Date)
    ends_at: Mapped[datetime]
    period_zh: Mapped[str] = mapped_column(String(120))  # 公示期：2026年9月30日至2026年10月12日24时
    # the rule as applied: unit, length, minimum, count_start_day, clause, stated
    rule: Mapped[dict] = mapped_column(JSONB)
    calendar_revision: Mapped[int] = mapped_column(Integer)
    objection_channel_zh: Mapped[str] = mapped_column(Text)
    # the objection verification target of this notice: length, unit, stated, clause
    verification: Mapped[dict] = mapped_column(JSONB)
    published_by: Mapped[str] = mapped_column(String(200))
    # when its last application left it (the outbox's notice.closed, issue 18); null while any is on it
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class NoticeEntry(Base):
    """One application on a notice, with what the notice shows of it (never an ID number, phone or address)."""

    __tablename__ = "notice_entries"
    __table_args__ = (
        UniqueConstraint("notice_id", "application_id", name="uq_notice_entries_notice_id_application_id"),
        UniqueConstraint("notice_id", "position", name="uq_notice_entries_notice_id_position"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    notice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notices.id"))
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    applicant_kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18))  # organisations: public by law
    employer: Mapped[str | None] = mapped_column(String(200))  # individuals: 工作单位
    category: Mapped[str] = mapped_column(String(40))
    category_name_zh: Mapped[str] = mapped_column(String(100))
    tier: Mapped[str | None] = mapped_column(String(40))
    tier_name_zh: Mapped[str | None] = mapped_column(String(100))
    # jinshan-18m: the winners' notice is also posted inside the applicant's own unit
    unit_posting_required: Mapped[bool] = mapped_column(Boolean, default=False)
    # not_required | awaiting | submitted | accepted | rejected
    unit_posting_status: Mapped[str] = mapped_column(String(16))
    # how the application left this notice: passed | disqualified | withdrawn (null: still on it)
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)


class UnitPostingProof(Base):
    """单位内部公示证明: the applicant's proof that the notice was posted inside its own unit."""

    __tablename__ = "unit_posting_proofs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    entry_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notice_entries.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300))
    # the encryption key version the stored file is sealed under; 0: stored before encryption (app/domain/files/sealing.py)
    key_version: Mapped[int] = mapped_column(Integer, server_default="0")
    posted_from_on: Mapped[date | None] = mapped_column(Date)
    posted_until_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    uploaded_by: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))  # submitted | accepted | rejected
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(Text)


class Objection(Base):
    """异议: a real-name objection to one application on a notice, and its verification (核查).

    The objector's ID number is kept as a keyed hash and a masked form only; the phone number is
    kept for the office to call back and is shown to nobody else.
    """

    __tablename__ = "objections"
    __table_args__ = (
        Index("ix_objections_application_id_status", "application_id", "status"),
        Index("ix_objections_programme_status", "programme", "status"),
        Index("ix_objections_programme_received_at", "programme", "received_at", "id"),
        Index("ix_objections_received_at", "received_at", "id"),
        # what every list settles first (open, target waiting for a calendar year): a few rows of many
        Index("ix_objections_without_target", "programme", postgresql_where=text("verification_due_at IS NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    receipt_no: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    notice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notices.id"), index=True)
    entry_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notice_entries.id"))
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"))
    programme: Mapped[str] = mapped_column(String(40))
    objector_kind: Mapped[str] = mapped_column(String(20))  # person | organisation
    objector_name: Mapped[str] = mapped_column(String(200))
    objector_id_number_hash: Mapped[str | None] = mapped_column(String(64))
    objector_id_number_masked: Mapped[str | None] = mapped_column(String(32))
    objector_credit_code: Mapped[str | None] = mapped_column(String(18))
    objector_contact_person: Mapped[str | None] = mapped_column(String(100))
    objector_phone: Mapped[str] = mapped_column(String(40))
    # keyed hash of the objector's identifier: rate limits and idempotency scope
    objector_key: Mapped[str] = mapped_column(String(64), index=True)
    facts: Mapped[str] = mapped_column(Text)
    reasons: Mapped[str] = mapped_column(Text)
    # 实名核验 (changning-31a): ``token`` when a signed-in citizen's identity-platform token verified
    # the objector named, ``office`` once the office confirmed the person; null: not yet verified
    identity_verified_via: Mapped[str | None] = mapped_column(String(20))
    identity_confirmation: Mapped[str | None] = mapped_column(Text)  # how the office confirmed it
    identity_verified_by: Mapped[str | None] = mapped_column(String(200))
    identity_verified_at: Mapped[datetime | None]
    # received → verifying → upheld | dismissed; moot when the application left the notice otherwise
    status: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime]
    received_on: Mapped[date] = mapped_column(Date)
    # the verification target; null while it reaches a calendar year not loaded yet (never guessed,
    # INTERPRETATIONS §4): the objection is received all the same, its target set once the year is
    verification_due_at: Mapped[datetime | None]
    verification_due_on: Mapped[date | None] = mapped_column(Date)
    verification_rule: Mapped[dict] = mapped_column(JSONB)
    verification_calendar_revision: Mapped[int | None] = mapped_column(Integer)
    taken_by: Mapped[str | None] = mapped_column(String(200))
    taken_at: Mapped[datetime | None]
    decision_reasons: Mapped[str | None] = mapped_column(Text)
    result_zh: Mapped[str | None] = mapped_column(Text)  # the published result (no objector identity)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ObjectionFinding(Base):
    """核查记录: what the office found while verifying an objection."""

    __tablename__ = "objection_findings"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    objection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("objections.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime]


class ObjectionFile(Base):
    """An evidence file: the objector's (佐证材料) or the office's (核查材料, with a finding)."""

    __tablename__ = "objection_files"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    objection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("objections.id"), index=True)
    finding_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("objection_findings.id"))
    source: Mapped[str] = mapped_column(String(16))  # objector | office
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300))
    # the encryption key version the stored file is sealed under; 0: stored before encryption (app/domain/files/sealing.py)
    key_version: Mapped[int] = mapped_column(Integer, server_default="0")
    uploaded_at: Mapped[datetime]


class RateLimitCounter(Base):
    """A fixed-window counter of requests per scope (a client address, an objector), shared by every replica."""

    __tablename__ = "rate_limit_counters"
    __table_args__ = (Index("ix_rate_limit_counters_window_start", "window_start"),)

    scope: Mapped[str] = mapped_column(String(120), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
