"""Rounds (届), applications (申报), their deadlines and their event history."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class Round(Base):
    """届: one edition of a programme, bound to the programme version in force on its call's date."""

    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("programme", "label", name="uq_rounds_programme_label"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    programme: Mapped[str] = mapped_column(String(40), index=True)
    programme_version: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(60))
    state: Mapped[str] = mapped_column(String(20))
    call_title: Mapped[str] = mapped_column(Text)
    call_published_on: Mapped[date] = mapped_column(Date)
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    # per-round settings changed from the programme's, each with its reason (INTERPRETATIONS §14)
    overrides: Mapped[dict] = mapped_column(JSONB, default=dict)
    override_log: Mapped[list] = mapped_column(JSONB, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


APPLICANT_ONCE_PER_ROUND_WHERE = "state <> 'withdrawn' AND duplicate_of IS NULL"


class Application(Base):
    """申报: one applicant's application in one round."""

    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_round_id_state", "round_id", "state"),
        # finding and sorting (issue 19): the id last, so pages are stable and keyset-friendly
        Index("ix_applications_round_id_created_at", "round_id", "created_at", "id"),
        Index("ix_applications_round_id_updated_at", "round_id", "updated_at", "id"),
        Index("ix_applications_programme_created_at", "programme", "created_at", "id"),
        Index(
            "ix_applications_credit_code_prefix", "credit_code", postgresql_ops={"credit_code": "varchar_pattern_ops"}
        ),
        # the lists at ten years' scale (issue 21, migration 20261208_seed): every caller's filter and sort
        Index("ix_applications_created_at", "created_at", "id"),
        Index("ix_applications_programme_updated_at", "programme", "updated_at", "id"),
        Index("ix_applications_programme_state_created_at", "programme", "state", "created_at", "id"),
        Index("ix_applications_programme_state_id", "programme", "state", "id"),
        Index("ix_applications_round_id_state_created_at", "round_id", "state", "created_at", "id"),
        Index("ix_applications_recommending_unit_created_at", "recommending_unit", "created_at", "id"),
        # the name searched anywhere by its character pairs (migration 20261208_seed: qaward_bigrams)
        Index(
            "ix_applications_applicant_name_bigrams",
            func.qaward_bigrams(text("applicant_name")),
            postgresql_using="gin",
        ),
        # the same pairs qualified by the programme (migration 20261209_lead_2): an office's search reads its own
        Index(
            "ix_applications_programme_name_bigrams",
            func.qaward_programme_bigrams(text("programme"), text("applicant_name")),
            postgresql_using="gin",
        ),
        # one live application per applicant and round, whatever the timing of concurrent creates:
        # the rows ``same_applicant_in_round`` counts, less duplicates admitted before this index
        Index(
            "uq_applications_round_id_credit_code",
            "round_id",
            "credit_code",
            unique=True,
            postgresql_where=text(APPLICANT_ONCE_PER_ROUND_WHERE),
        ),
        Index(
            "uq_applications_round_id_id_number_hash",
            "round_id",
            "id_number_hash",
            unique=True,
            postgresql_where=text(APPLICANT_ONCE_PER_ROUND_WHERE),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rounds.id"))
    programme: Mapped[str] = mapped_column(String(40), index=True)
    programme_version: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(40))
    tier_sought: Mapped[str | None] = mapped_column(String(40))
    tier: Mapped[str | None] = mapped_column(String(40))  # set by select
    applicant_kind: Mapped[str] = mapped_column(String(20))
    applicant_name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    # individuals: never the number itself here; a keyed hash to find it and a masked form to show
    id_number_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    id_number_masked: Mapped[str | None] = mapped_column(String(32))
    applicant_ref: Mapped[str | None] = mapped_column(String(200), index=True)  # the applicant principal's scope
    applicant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("applicants.id"), index=True
    )  # the registry record (intake)
    recommending_unit: Mapped[str | None] = mapped_column(String(60))
    # set only by migration 20261122_0006 on a second live application of one applicant in one
    # round (left by a race the unique indexes now prevent), to keep it out of those indexes
    duplicate_of: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("applications.id"))
    state: Mapped[str] = mapped_column(String(40))
    # decisions recorded at the current stage (e.g. qualification passed, before its notice starts)
    outcome: Mapped[dict] = mapped_column(JSONB, default=dict)
    correction_until: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)
    history_seq: Mapped[int] = mapped_column(Integer, default=0)
    history_head: Mapped[str] = mapped_column(String(64), default="")
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Deadline(Base):
    """A legal deadline: a row written with the event that starts it, fired by the worker when due."""

    __tablename__ = "deadlines"
    __table_args__ = (Index("ix_deadlines_due", "ends_at", postgresql_where=text("status = 'pending'")),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    application_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("applications.id"), index=True)
    round_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("rounds.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # notice_end, window_close, ...
    event: Mapped[str] = mapped_column(String(40))  # what fires when due
    stage: Mapped[str | None] = mapped_column(String(40))
    rule: Mapped[dict] = mapped_column(JSONB)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_at: Mapped[datetime]
    calendar_revision: Mapped[int | None] = mapped_column(Integer)
    # pending → fired | waiting (due, but its event could not fire yet) | cancelled
    status: Mapped[str] = mapped_column(String(16), default="pending")
    fired_at: Mapped[datetime | None]
    result: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ApplicationEvent(Base):
    """An event attempt, accepted or refused: append-only, each entry chained to the previous one by hash."""

    __tablename__ = "application_events"
    __table_args__ = (UniqueConstraint("application_id", "seq", name="uq_application_events_application_id_seq"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"))
    seq: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(40))
    request_id: Mapped[str | None] = mapped_column(String(128))
    event: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(40))
    to_state: Mapped[str | None] = mapped_column(String(40))
    accepted: Mapped[bool] = mapped_column(Boolean)
    refusal: Mapped[str | None] = mapped_column(String(80))
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSONB, default=dict)
    data_digest: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # how ``hash`` and ``data_digest`` were computed (app/domain/history.py SCHEMES; docs/audit.md)
    hash_scheme: Mapped[int] = mapped_column(SmallInteger, server_default=text("1"))
