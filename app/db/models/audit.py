"""Audit records: the read audit (读取审计记录, GB/T 22239 security audit: who read a full ID number or downloaded a
file) and the signed checkpoints of the event history (审计锚点: every chain's head on a day, folded into one root)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Identity, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class ReadAuditRecord(Base):
    """One read: who (subject and roles), what (record kind and id), when, and the request that read it.

    Written in the read's own transaction, so a read whose transaction fails is neither served nor
    recorded. Kept ``QAWARD_READ_AUDIT_RETENTION_DAYS`` (6 months at least), then deleted by the worker.
    """

    __tablename__ = "read_audit"
    __table_args__ = (
        Index("ix_read_audit_record", "record_kind", "record_id"),
        Index("ix_read_audit_subject_read_at", "subject", "read_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(index=True)
    subject: Mapped[str] = mapped_column(String(200))
    roles: Mapped[str] = mapped_column(String(200))
    record_kind: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[uuid.UUID]
    request_id: Mapped[str | None] = mapped_column(String(200))


class AuditCheckpoint(Base):
    """The heads of all chains at one instant, their root and its signature (app/domain/checkpoints.py)."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    # the Asia/Shanghai day it anchors: the worker makes at most one per day
    day: Mapped[date] = mapped_column(Date, index=True)
    made_at: Mapped[datetime]
    made_by: Mapped[str] = mapped_column(String(40))
    chains: Mapped[int] = mapped_column(Integer)
    entries: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(Text)
    # [[application id, seq, head hash], ...] sorted by application id: what the root folds
    heads: Mapped[list] = mapped_column(JSONB)
