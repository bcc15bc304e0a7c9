"""The read audit (读取审计记录, GB/T 22239 security audit): who read a full ID number or downloaded a file."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Identity, Index, String
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
