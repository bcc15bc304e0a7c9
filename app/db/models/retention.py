"""Retention (资料保存): legal holds, retention runs and the ledger of what each purge removed."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class LegalHold(Base):
    """法律保全: an application, an applicant or a round kept whole past its retention period.

    Set and lifted by an admin, each with a reason; the row is its own audit record: a trigger
    refuses DELETE, and UPDATE except the one that lifts a hold still in force.
    """

    __tablename__ = "legal_holds"
    __table_args__ = (Index("ix_legal_holds_target", "scope", "target_id", postgresql_where=text("lifted_at IS NULL")),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    scope: Mapped[str] = mapped_column(String(20))  # application | applicant | round
    target_id: Mapped[uuid.UUID]
    reason: Mapped[str] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime]
    set_request_id: Mapped[str | None] = mapped_column(String(128))
    lifted_by: Mapped[str | None] = mapped_column(String(200))
    lifted_at: Mapped[datetime | None]
    lift_reason: Mapped[str | None] = mapped_column(Text)
    lift_request_id: Mapped[str | None] = mapped_column(String(128))


class RetentionRun(Base):
    """One applied ``qaward retention run --apply``: when, as of which day, and its summary. Append-only."""

    __tablename__ = "retention_runs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    as_of: Mapped[date] = mapped_column(Date)  # the day (Asia/Shanghai, the service's clock) retention was judged
    actor: Mapped[str] = mapped_column(String(200))
    applied: Mapped[bool] = mapped_column(Boolean)
    summary: Mapped[dict] = mapped_column(JSONB, default=dict)


class RetentionPurge(Base):
    """A line of the purge ledger: one stored file deleted, or one record's personal data redacted.

    ``record_table`` and ``record_id`` name the row kept as a skeleton; a row is purged once
    (the unique constraint), which is what makes a second run change nothing. Append-only.
    """

    __tablename__ = "retention_purges"
    __table_args__ = (
        UniqueConstraint("record_table", "record_id", "action", name="uq_retention_purges_record"),
        Index("ix_retention_purges_application_id", "application_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("retention_runs.id"), index=True)
    application_id: Mapped[uuid.UUID | None]
    record_table: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(20))  # file_deleted | redacted | closed
    detail: Mapped[dict] = mapped_column(JSONB, default=dict)
    purged_at: Mapped[datetime]
