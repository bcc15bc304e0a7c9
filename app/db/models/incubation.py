"""The incubation pool (孵化池 / 培育, changning-13a-c, jinshan-12a-c, hangzhou-1.3b): memberships,
trainings and who attended them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base

# the memberships that still hold (or may hold) a place: one per organisation and programme
LIVE_MEMBERSHIP_WHERE = "status IN ('proposed', 'admitted')"


class IncubationMember(Base):
    """孵化池成员: an organisation's membership of a programme's pool, from its proposal (by itself, an
    industry or an expert) through the office's decision to its end, with the cultivation review
    (培育评审, hangzhou-4.3b) it passed."""

    __tablename__ = "incubation_members"
    __table_args__ = (
        Index(
            "uq_incubation_members_live",
            "programme",
            "credit_code",
            unique=True,
            postgresql_where=text(LIVE_MEMBERSHIP_WHERE),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    programme: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    route: Mapped[str] = mapped_column(
        String(30)
    )  # self_application | industry_recommendation | expert_recommendation | other
    recommended_by: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    # the applicant account that proposed itself, if it did
    applicant_ref: Mapped[str | None] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(20))  # proposed | admitted | declined | left
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None]
    admitted_on: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    left_reason: Mapped[str | None] = mapped_column(Text)
    cultivation_passed_on: Mapped[date | None] = mapped_column(Date)
    cultivation_document_no: Mapped[str | None] = mapped_column(String(100))
    cultivation_recorded_by: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    proposed_by: Mapped[str] = mapped_column(String(200))
    proposed_at: Mapped[datetime]


class IncubationTraining(Base):
    """培训: a training of a programme's pool (date, topic, place), always free (changning-13c, jinshan-12c)."""

    __tablename__ = "incubation_trainings"
    __table_args__ = (CheckConstraint("fee_cny = 0", name="free"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    programme: Mapped[str] = mapped_column(String(40), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(200))
    fee_cny: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class IncubationAttendance(Base):
    """A member's attendance at a training, once however often it is recorded."""

    __tablename__ = "incubation_attendance"

    training_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incubation_trainings.id"), primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incubation_members.id"), primary_key=True, index=True)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime]
