"""After the award (获奖后管理): the winners' scheduled duties, the office's follow-up visits, role-model activities."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class AwardDuty(Base):
    """获奖后义务期限: one occurrence of a post-award duty of one winner, a durable deadline.

    Written at the commendation decision from the programme's ``post_award_duties`` schedules
    (jinshan-24b, hangzhou-6.4a, changning-36a, jinshan-28a, linyi-25a). ``status``: ``due`` until
    ``due_at`` passes (the deadline worker then makes it ``overdue``), ``received`` once the report
    (``material_id``, a material through the one file intake) or the follow-up visit fulfils it.
    ``calendar_revision`` is null while the year of its due day is not loaded in the legal calendar:
    the 31 December is then provisional and the worker settles it before calling the duty overdue.
    """

    __tablename__ = "award_duties"
    __table_args__ = (
        UniqueConstraint("application_id", "duty", "sequence", name="uq_award_duties_application_id"),
        Index("ix_award_duties_status_due_at", "status", "due_at"),
        Index("ix_award_duties_programme_round_id", "programme", "round_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"))
    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rounds.id"))
    programme: Mapped[str] = mapped_column(String(40))
    # the duty's id in the programme's data (annual_performance_report, follow_up_management...)
    duty: Mapped[str] = mapped_column(String(80))
    who: Mapped[str] = mapped_column(String(10))  # winner | office
    kind: Mapped[str] = mapped_column(String(20))  # report | follow_up
    clause: Mapped[str] = mapped_column(String(40))
    sequence: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 ... within the duty
    year: Mapped[int] = mapped_column(Integer)  # the year it falls due in
    nominal_due_on: Mapped[date] = mapped_column(Date)  # 31 December of ``year``
    due_on: Mapped[date] = mapped_column(Date)  # its last day, moved off a rest day
    due_at: Mapped[datetime]  # 24:00 Asia/Shanghai of ``due_on``
    calendar_revision: Mapped[int | None] = mapped_column(Integer)
    # False where the text leaves which years or which day open (the programme's reading decides)
    stated: Mapped[bool] = mapped_column(Boolean)
    reading: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(10))  # due | overdue | received
    overdue_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    received_late: Mapped[bool] = mapped_column(Boolean, default=False)
    material_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("application_materials.id"))
    follow_up_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("follow_up_visits.id"))
    received_by: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]


class FollowUpVisit(Base):
    """跟踪管理 / 回访 / 定期评估: one follow-up of a winner and what it found.

    ``result``: ``fine``; ``regressed`` (质量管理绩效严重退步: urged to rectify, changning-36b,
    jinshan-28b); ``minor_problem`` (问题轻微: a summons talk, 约谈, linyi-25b); ``no_longer_eligible``
    (不符合条件 / 应撤销奖励: a revocation is recommended, linyi-25b, changning-36c, jinshan-28c).
    ``revocation_case_id`` is the case opened from it once revocation cases exist.
    """

    __tablename__ = "follow_up_visits"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"), index=True)
    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rounds.id"))
    programme: Mapped[str] = mapped_column(String(40), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(30))
    outcome: Mapped[str] = mapped_column(String(30))  # none | rectify | summons_talk | revocation_recommended
    clause: Mapped[str | None] = mapped_column(String(40))
    findings: Mapped[str] = mapped_column(Text)
    rectify_by: Mapped[date | None] = mapped_column(Date)
    revocation_case_id: Mapped[uuid.UUID | None]
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime]


class RoleModelActivity(Base):
    """示范引领活动: a winner sharing its experience (changning-7a, 32; jinshan-24a; hangzhou-5.1; linyi-18b; tianning-17)."""

    __tablename__ = "role_model_activities"
    __table_args__ = (Index("ix_role_model_activities_programme_held_on", "programme", "held_on"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"), index=True)
    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rounds.id"))
    programme: Mapped[str] = mapped_column(String(40))
    held_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(30))
    audience: Mapped[str] = mapped_column(String(200))
    audience_size: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    clause: Mapped[str | None] = mapped_column(String(40))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime]
