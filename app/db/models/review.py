"""Expert review (专家评审): the expert pool, conflicts, panels, assignments, scores, consensus, reports."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class Expert(Base):
    """专家库成员: a person of a programme's expert pool, linked to an identity subject (role ``expert``)."""

    __tablename__ = "review_experts"
    __table_args__ = (UniqueConstraint("programme", "subject", name="uq_review_experts_programme_subject"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    programme: Mapped[str] = mapped_column(String(40), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    qualifications: Mapped[list] = mapped_column(JSONB, default=list)
    industries: Mapped[list] = mapped_column(JSONB, default=list)
    employer_name: Mapped[str | None] = mapped_column(String(200))
    employer_credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    # the third-party review body that engaged the expert (linyi-8c), if any
    body_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("review_bodies.id"), index=True)
    term_starts_on: Mapped[date] = mapped_column(Date)
    term_ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")
    # every status change with its reason and clause (changning-28b, jinshan-21b, hangzhou-6.2b, linyi-22b)
    status_log: Mapped[list] = mapped_column(JSONB, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ConflictDeclaration(Base):
    """回避申报 / 辅导备案: an expert's declared tie to an applicant (by credit code) or an application."""

    __tablename__ = "review_conflicts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_experts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    application_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("applications.id"))
    detail: Mapped[str] = mapped_column(Text)
    clause: Mapped[str | None] = mapped_column(String(40))
    declared_by: Mapped[str] = mapped_column(String(200))
    declared_at: Mapped[datetime]


class ConflictOverride(Base):
    """The office's decision that a found conflict does not bar an expert from an application, with its reason."""

    __tablename__ = "review_conflict_overrides"
    __table_args__ = (UniqueConstraint("expert_id", "application_id", name="uq_review_conflict_overrides_expert_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_experts.id"))
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"))
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime]


class Panel(Base):
    """评审组: a round's panel for one stage, led by one of its experts."""

    __tablename__ = "review_panels"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rounds.id"), index=True)
    programme: Mapped[str] = mapped_column(String(40))
    stage: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    leader_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_experts.id"))
    # the review body that formed the panel of its own experts (linyi-8c), if any
    body_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("review_bodies.id"), index=True)
    change_log: Mapped[list] = mapped_column(JSONB, default=list)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class PanelMember(Base):
    """A panel's member; ``pledged_at``: when the member accepted the programme's pledge (承诺书)."""

    __tablename__ = "review_panel_members"

    panel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_panels.id"), primary_key=True)
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_experts.id"), primary_key=True)
    pledged_at: Mapped[datetime | None]
    pledge_sha256: Mapped[str | None] = mapped_column(String(64))


class Assignment(Base):
    """An application assigned to a panel member: ``open`` until closed (reassigned) or recused."""

    __tablename__ = "review_assignments"
    __table_args__ = (
        # one open assignment per member and application in a panel, however requests race
        Index(
            "uq_review_assignments_open",
            "panel_id",
            "application_id",
            "expert_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    panel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_panels.id"), index=True)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"), index=True)
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_experts.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    reason: Mapped[str | None] = mapped_column(Text)
    closed_reason: Mapped[str | None] = mapped_column(Text)
    closed_by: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class ScoreSheet(Base):
    """评分表: one member's independent sheet for one assignment (bands, strengths, improvements per item)."""

    __tablename__ = "review_scores"
    __table_args__ = (UniqueConstraint("assignment_id", name="uq_review_scores_assignment_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    assignment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_assignments.id"))
    panel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_panels.id"), index=True)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"), index=True)
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_experts.id"))
    book: Mapped[str] = mapped_column(String(80))
    bands: Mapped[dict] = mapped_column(JSONB)
    comments: Mapped[dict] = mapped_column(JSONB, default=dict)
    total: Mapped[Decimal] = mapped_column(Numeric(8, 1))
    submitted_at: Mapped[datetime]


class Consensus(Base):
    """共识评分: the leader's consensus per item with its rationale, once per panel and application."""

    __tablename__ = "review_consensus"
    __table_args__ = (
        UniqueConstraint("panel_id", "application_id", name="uq_review_consensus_panel_id"),
        # an application's latest consensus: the score a list sorts by (issue 19)
        Index("ix_review_consensus_application_id_recorded_at", "application_id", "recorded_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    panel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_panels.id"))
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    book: Mapped[str] = mapped_column(String(80))
    bands: Mapped[dict] = mapped_column(JSONB)
    rationale: Mapped[dict] = mapped_column(JSONB)
    comments: Mapped[dict] = mapped_column(JSONB, default=dict)
    total: Mapped[Decimal] = mapped_column(Numeric(8, 1))
    results_score: Mapped[Decimal] = mapped_column(Numeric(8, 1))
    outliers: Mapped[list] = mapped_column(JSONB, default=list)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime]


class StageReport(Base):
    """A stage's report (现场评审报告, 答辩记录, 综合评价报告): one per application and kind."""

    __tablename__ = "review_reports"
    __table_args__ = (UniqueConstraint("application_id", "kind", name="uq_review_reports_application_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    panel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_panels.id"))
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"))
    kind: Mapped[str] = mapped_column(String(40))
    content: Mapped[dict] = mapped_column(JSONB)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime]


class OnsiteList(Base):
    """The office's list of who goes on (入围名单) for one tier and category, with the ranking beside
    it: every departure from rank order carries its reason (changning-22b, jinshan-18f)."""

    __tablename__ = "review_onsite_lists"
    __table_args__ = (
        UniqueConstraint("round_id", "stage", "tier", "category", name="uq_review_onsite_lists_round_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rounds.id"))
    stage: Mapped[str] = mapped_column(String(20))
    tier: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(40))
    chosen: Mapped[list] = mapped_column(JSONB)
    reasons: Mapped[dict] = mapped_column(JSONB)
    departures: Mapped[list] = mapped_column(JSONB)
    ranking: Mapped[list] = mapped_column(JSONB)
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime]
