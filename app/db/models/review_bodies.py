"""The third-party review body (第三方评审机构, linyi-8a-d) and the public-opinion survey (舆情调查, linyi-14e)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class ReviewBody(Base):
    """评审机构: the organisation a programme's office engages to run the technical review (linyi-8a)."""

    __tablename__ = "review_bodies"
    __table_args__ = (UniqueConstraint("programme", "code", name="uq_review_bodies_programme_code"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    programme: Mapped[str] = mapped_column(String(40), index=True)
    # what the ``body`` claim of its tokens names
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18))
    status: Mapped[str] = mapped_column(String(20), default="active")
    status_log: Mapped[list] = mapped_column(JSONB, default=list)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ReviewBodyEngagement(Base):
    """委托: the body engaged for one round under a contract, for a term."""

    __tablename__ = "review_body_engagements"
    __table_args__ = (UniqueConstraint("body_id", "round_id", name="uq_review_body_engagements_body_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    body_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_bodies.id"), index=True)
    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rounds.id"), index=True)
    contract_no: Mapped[str | None] = mapped_column(String(100))
    engaged_on: Mapped[date] = mapped_column(Date)
    term_starts_on: Mapped[date] = mapped_column(Date)
    term_ends_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ReviewBodyTie(Base):
    """The body's own tie to an applicant (its guidance 辅导, consulting, ...): every expert of the body is conflicted."""

    __tablename__ = "review_body_ties"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    body_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_bodies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    detail: Mapped[str] = mapped_column(Text)
    declared_by: Mapped[str] = mapped_column(String(200))
    declared_at: Mapped[datetime]


class OpinionSurvey(Base):
    """舆情调查 (linyi-14e): the sources checked about one application, on a day, and what was found."""

    __tablename__ = "review_opinion_surveys"
    __table_args__ = (UniqueConstraint("application_id", name="uq_review_opinion_surveys_application_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"))
    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rounds.id"), index=True)
    conducted_by: Mapped[str] = mapped_column(String(20))  # body | office
    body_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("review_bodies.id"))
    sources: Mapped[list] = mapped_column(JSONB)
    conducted_on: Mapped[date] = mapped_column(Date)
    finding: Mapped[str] = mapped_column(String(20))  # clear | concerns
    concerns: Mapped[str | None] = mapped_column(Text)
    # the evidence files (screenshots, a survey report): [{material_id, filename, sha256, size}]
    attachments: Mapped[list] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime]
