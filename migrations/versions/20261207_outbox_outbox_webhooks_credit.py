"""outbox, webhook subscriptions and deliveries, credit records with their flags and revocation candidates

Revision ID: 20261207_outbox
Revises: 20261206_review
Create Date: 2026-12-07

Issue 18. Domain events are written to ``outbox_events`` in the transaction of the change; a
publisher gives each its feed position (``published_seq``) after commit and fans it out to the
subscriptions as ``webhook_deliveries``. The credit platform's records are facts
(``credit_records``); those reaching an open application flag it (``credit_flags``), those
reaching a winner open a ``revocation_candidates`` row for the office.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "20261207_outbox"
down_revision = "20261207_ops"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("notices", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("programme", sa.String(length=40), nullable=True),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_seq", sa.BigInteger(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbox_events_event_id")),
        sa.UniqueConstraint("published_seq", name="uq_outbox_events_published_seq"),
    )
    op.create_index(
        "ix_outbox_events_unpublished", "outbox_events", ["id"], postgresql_where=sa.text("published_seq IS NULL")
    )
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client", sa.String(length=200), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("event_types", postgresql.ARRAY(sa.String(length=60)), nullable=False),
        sa.Column("programme", sa.String(length=40), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("secret_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("previous_secret_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("previous_secret_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sm3", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscriptions")),
    )
    op.create_index(op.f("ix_webhook_subscriptions_client"), "webhook_subscriptions", ["client"], unique=False)
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dead_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhook_subscriptions.id"],
            name=op.f("fk_webhook_deliveries_subscription_id_webhook_subscriptions"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["outbox_events.id"], name=op.f("fk_webhook_deliveries_event_id_outbox_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("subscription_id", "event_id", name="uq_webhook_deliveries_subscription_id"),
    )
    op.create_index(
        "ix_webhook_deliveries_pending_subject",
        "webhook_deliveries",
        ["subscription_id", "subject", "seq"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "ix_webhook_deliveries_pending_due",
        "webhook_deliveries",
        ["next_attempt_at"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "credit_records",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client", sa.String(length=200), nullable=False),
        sa.Column("record_id", sa.String(length=100), nullable=False),
        sa.Column("programme", sa.String(length=40), nullable=True),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("id_number_hash", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("attributes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_records")),
        sa.UniqueConstraint("client", "record_id", name="uq_credit_records_client"),
    )
    op.create_index(op.f("ix_credit_records_credit_code"), "credit_records", ["credit_code"], unique=False)
    op.create_index(op.f("ix_credit_records_id_number_hash"), "credit_records", ["id_number_hash"], unique=False)
    op.create_table(
        "credit_flags",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("credit_record_id", sa.Uuid(), nullable=False),
        sa.Column("programme", sa.String(length=40), nullable=False),
        sa.Column("criterion", sa.String(length=80), nullable=False),
        sa.Column("clause", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cleared_why", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_credit_flags_application_id_applications")
        ),
        sa.ForeignKeyConstraint(
            ["credit_record_id"], ["credit_records.id"], name=op.f("fk_credit_flags_credit_record_id_credit_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_flags")),
        sa.UniqueConstraint("application_id", "credit_record_id", "criterion", name="uq_credit_flags_application_id"),
    )
    op.create_index(op.f("ix_credit_flags_application_id"), "credit_flags", ["application_id"], unique=False)
    op.create_table(
        "revocation_candidates",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("credit_record_id", sa.Uuid(), nullable=False),
        sa.Column("programme", sa.String(length=40), nullable=False),
        sa.Column("grounds", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_revocation_candidates_application_id_applications")
        ),
        sa.ForeignKeyConstraint(
            ["credit_record_id"],
            ["credit_records.id"],
            name=op.f("fk_revocation_candidates_credit_record_id_credit_records"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revocation_candidates")),
        sa.UniqueConstraint("application_id", "credit_record_id", name="uq_revocation_candidates_application_id"),
    )
    op.create_index(
        op.f("ix_revocation_candidates_application_id"), "revocation_candidates", ["application_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("revocation_candidates")
    op.drop_table("credit_flags")
    op.drop_table("credit_records")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_subscriptions")
    op.drop_table("outbox_events")
    op.drop_column("notices", "closed_at")
