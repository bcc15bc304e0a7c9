"""real names: the registry record's own history, account notifications, identity-verified objections

Revision ID: 20261206_identity
Revises: 20261122_0007
Create Date: 2026-12-06

Issue 13. A registry record says how it was registered (the account's verified token, or an
office / admin on someone's behalf with a reason) and every reassignment to another account;
both accounts of a reassignment get a notification row (the outbox to come delivers them).
An objection records whether its objector's identity is verified (a signed-in citizen's token,
or the office's confirmation, with how it was confirmed: changning-31a).
"""

import sqlalchemy as sa
from alembic import op

revision = "20261206_identity"
down_revision = "20261206_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applicant_record_events",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("applicant_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("how", sa.String(length=20), nullable=False),
        sa.Column("from_ref", sa.String(length=200), nullable=True),
        sa.Column("to_ref", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("programme", sa.String(length=40), nullable=True),
        sa.Column("request_id", sa.String(length=100), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["applicants.id"], name=op.f("fk_applicant_record_events_applicant_id_applicants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applicant_record_events")),
    )
    op.create_index(
        op.f("ix_applicant_record_events_applicant_id"), "applicant_record_events", ["applicant_id"], unique=False
    )
    op.create_table(
        "account_notifications",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("account_ref", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("text_zh", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_notifications")),
    )
    op.create_index(
        op.f("ix_account_notifications_account_ref"), "account_notifications", ["account_ref"], unique=False
    )
    op.add_column("objections", sa.Column("identity_verified_via", sa.String(length=20), nullable=True))
    op.add_column("objections", sa.Column("identity_confirmation", sa.Text(), nullable=True))
    op.add_column("objections", sa.Column("identity_verified_by", sa.String(length=200), nullable=True))
    op.add_column("objections", sa.Column("identity_verified_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("objections", "identity_verified_at")
    op.drop_column("objections", "identity_verified_by")
    op.drop_column("objections", "identity_confirmation")
    op.drop_column("objections", "identity_verified_via")
    op.drop_index(op.f("ix_account_notifications_account_ref"), table_name="account_notifications")
    op.drop_table("account_notifications")
    op.drop_index(op.f("ix_applicant_record_events_applicant_id"), table_name="applicant_record_events")
    op.drop_table("applicant_record_events")
