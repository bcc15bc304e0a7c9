"""Two-way supervision (双向监督, changning-29, jinshan-22) and the experts' record (信誉档案).

A rating is two rows with nothing joining them, as a secret ballot is (``app/db/models/decisions.py``):
who rated whom (``supervision_rating_participation``: the pair, no score, no comment) and the rating
(``supervision_ratings``: the rated party, the score and the comment under a random key, no time, no
sequence). The rater is kept only sealed inside the rating (``rater_sealed``: AES-256-GCM under a key
of its own derived from the service's secret), which only the supervision team's read path opens.
Every rating of a rated party is re-issued (new random keys, random order) each time one is added, so
not even the rows' system columns tie a rating to the participation that cast it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class RatingParticipation(Base):
    """Who rated whom, once per pair and direction however requests race; never how."""

    __tablename__ = "supervision_rating_participation"

    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rounds.id"), index=True)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_experts.id"), primary_key=True)
    # applicant_rates_expert | expert_rates_applicant
    direction: Mapped[str] = mapped_column(String(30), primary_key=True)


class SupervisionRating(Base):
    """监督评价: the rated party, a score of 1 to 5 on its observance of discipline and a comment; the
    rater only sealed (opened by the supervision team's read path alone)."""

    __tablename__ = "supervision_ratings"
    __table_args__ = (
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
        CheckConstraint("(rated_expert_id IS NULL) <> (rated_application_id IS NULL)", name="one_rated_party"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    programme: Mapped[str] = mapped_column(String(40))
    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rounds.id"), index=True)
    rated_expert_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("review_experts.id"), index=True)
    rated_application_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("applications.id"), index=True)
    score: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    rater_sealed: Mapped[bytes] = mapped_column(LargeBinary)


class ExpertSanction(Base):
    """A sanction of an expert for a breach of review discipline: criticism (批评), warning (警告) or
    disqualification (取消评审资格) (changning-28b, jinshan-21b, linyi-22b)."""

    __tablename__ = "expert_sanctions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_experts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # criticism | warning | disqualification
    breach: Mapped[str] = mapped_column(Text)
    decided_on: Mapped[date] = mapped_column(Date)
    clause: Mapped[str | None] = mapped_column(String(40))
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime]
