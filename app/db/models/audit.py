"""Signed checkpoints of the event history (审计锚点): every chain's head on a day, folded into one root."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Identity, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


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
