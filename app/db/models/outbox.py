"""The outbox (事件发件箱): domain events written with the change, their publication and webhook deliveries."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class OutboxEvent(Base):
    """An event a partner may care about, inserted in the transaction of the change it reports.

    ``id`` is taken while the writer holds the lock of the thing the event is about (an
    application's row, an objection's row): two events of one subject get ids in the order they
    committed. ``published_seq`` is the position in the change feed, given by the one publisher at a
    time after commit (``app/domain/outbox/publisher.py``): null until then.
    """

    __tablename__ = "outbox_events"
    __table_args__ = (
        UniqueConstraint("published_seq", name="uq_outbox_events_published_seq"),
        Index("ix_outbox_events_unpublished", "id", postgresql_where=text("published_seq IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    # the webhook-id of every delivery of this event (the same on each retry)
    event_id: Mapped[uuid.UUID] = mapped_column(unique=True, default=uuid.uuid4)
    type: Mapped[str] = mapped_column(String(60))
    # what the per-subject order is kept for: "application:<id>", "notice:<id>", ...
    subject: Mapped[str] = mapped_column(String(100))
    programme: Mapped[str | None] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSONB)
    occurred_at: Mapped[datetime]
    published_seq: Mapped[int | None] = mapped_column(BigInteger)
    published_at: Mapped[datetime | None]


class WebhookSubscription(Base):
    """订阅: an integration client's endpoint, the event types it takes, the secrets it is signed with."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    client: Mapped[str] = mapped_column(String(200), index=True)
    url: Mapped[str] = mapped_column(Text)
    event_types: Mapped[list[str]] = mapped_column(ARRAY(String(60)))
    # only the events of this programme (null: every programme's and the service's own)
    programme: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)
    # secrets sealed with the encryption keyring (app/domain/outbox/secrets.py), never stored in clear
    secret_ciphertext: Mapped[bytes]
    previous_secret_ciphertext: Mapped[bytes | None]
    previous_secret_until: Mapped[datetime | None]
    # an SM3-HMAC signature beside the Standard Webhooks one (GM/T 0004), for partners that require it
    sm3: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    rotated_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)


class WebhookDelivery(Base):
    """One event to one subscription: pending until its endpoint answers 2xx, dead after 24 h of failures."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id", name="uq_webhook_deliveries_subscription_id"),
        # the claim's "no earlier pending delivery of the same subject" probe
        Index(
            "ix_webhook_deliveries_pending_subject",
            "subscription_id",
            "subject",
            "seq",
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_webhook_deliveries_pending_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    subscription_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_subscriptions.id"))
    event_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("outbox_events.id"))
    subject: Mapped[str] = mapped_column(String(100))
    seq: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(12))  # pending | delivered | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    last_attempt_at: Mapped[datetime | None]
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
    dead_at: Mapped[datetime | None]


class CreditRecord(Base):
    """信用记录: a fact the public credit platform sent (失信, 行政处罚, 事故), kept with its source.

    Idempotent by the platform's own id; ``withdrawn_on`` is the credit repair (信用修复) when the
    platform withdraws it.
    """

    __tablename__ = "credit_records"
    __table_args__ = (UniqueConstraint("client", "record_id", name="uq_credit_records_client"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    client: Mapped[str] = mapped_column(String(200))
    record_id: Mapped[str] = mapped_column(String(100))
    programme: Mapped[str | None] = mapped_column(String(40))
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    id_number_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    attributes: Mapped[dict] = mapped_column(JSONB, default=dict)
    occurred_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CreditFlag(Base):
    """A credit record that makes an open application's criterion fail: for the office to review (with the clause)."""

    __tablename__ = "credit_flags"
    __table_args__ = (
        UniqueConstraint("application_id", "credit_record_id", "criterion", name="uq_credit_flags_application_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"), index=True)
    credit_record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credit_records.id"))
    programme: Mapped[str] = mapped_column(String(40))
    criterion: Mapped[str] = mapped_column(String(80))
    clause: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12))  # open | cleared
    raised_at: Mapped[datetime]
    cleared_at: Mapped[datetime | None]
    cleared_why: Mapped[str | None] = mapped_column(Text)


class RevocationCandidate(Base):
    """撤销线索: a credit record against a current winner, for the office to consider (not a revocation)."""

    __tablename__ = "revocation_candidates"
    __table_args__ = (
        UniqueConstraint("application_id", "credit_record_id", name="uq_revocation_candidates_application_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"), index=True)
    credit_record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credit_records.id"))
    programme: Mapped[str] = mapped_column(String(40))
    grounds: Mapped[list] = mapped_column(JSONB)  # the programme's revocation grounds it may fall under, with clauses
    status: Mapped[str] = mapped_column(String(12))  # open | withdrawn
    raised_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]
