"""workflow: rounds, applications, deadlines, the append-only event history

Revision ID: 20261121_0003
Revises: 20261121_0002
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "20261121_0003"
down_revision = "20261121_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rounds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("programme", sa.String(length=40), nullable=False),
        sa.Column("programme_version", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("call_title", sa.Text(), nullable=False),
        sa.Column("call_published_on", sa.Date(), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("overrides", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("override_log", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rounds")),
        sa.UniqueConstraint("programme", "label", name="uq_rounds_programme_label"),
    )
    op.create_index(op.f("ix_rounds_programme"), "rounds", ["programme"], unique=False)
    op.create_table(
        "applications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("programme", sa.String(length=40), nullable=False),
        sa.Column("programme_version", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("tier_sought", sa.String(length=40), nullable=True),
        sa.Column("tier", sa.String(length=40), nullable=True),
        sa.Column("applicant_kind", sa.String(length=20), nullable=False),
        sa.Column("applicant_name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("id_number_hash", sa.String(length=64), nullable=True),
        sa.Column("id_number_masked", sa.String(length=32), nullable=True),
        sa.Column("applicant_ref", sa.String(length=200), nullable=True),
        sa.Column("recommending_unit", sa.String(length=60), nullable=True),
        sa.Column("state", sa.String(length=40), nullable=False),
        sa.Column("outcome", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("correction_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("history_seq", sa.Integer(), nullable=False),
        sa.Column("history_head", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name=op.f("fk_applications_round_id_rounds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
    )
    op.create_index(op.f("ix_applications_applicant_ref"), "applications", ["applicant_ref"], unique=False)
    op.create_index(op.f("ix_applications_credit_code"), "applications", ["credit_code"], unique=False)
    op.create_index(op.f("ix_applications_id_number_hash"), "applications", ["id_number_hash"], unique=False)
    op.create_index(op.f("ix_applications_programme"), "applications", ["programme"], unique=False)
    op.create_index("ix_applications_round_id_state", "applications", ["round_id", "state"], unique=False)
    op.create_table(
        "application_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("from_state", sa.String(length=40), nullable=False),
        sa.Column("to_state", sa.String(length=40), nullable=True),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("refusal", sa.String(length=80), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("data_digest", sa.String(length=64), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_application_events_application_id_applications")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_events")),
        sa.UniqueConstraint("application_id", "seq", name="uq_application_events_application_id_seq"),
    )
    op.create_table(
        "deadlines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=True),
        sa.Column("round_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=True),
        sa.Column("rule", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("calendar_revision", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_deadlines_application_id_applications")
        ),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name=op.f("fk_deadlines_round_id_rounds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadlines")),
    )
    op.create_index(op.f("ix_deadlines_application_id"), "deadlines", ["application_id"], unique=False)
    op.create_index(
        "ix_deadlines_due", "deadlines", ["ends_at"], unique=False, postgresql_where=sa.text("status = 'pending'")
    )
    op.create_index(op.f("ix_deadlines_round_id"), "deadlines", ["round_id"], unique=False)
    # the history is append-only: UPDATE and DELETE are refused by the database itself
    op.execute(
        """
        CREATE FUNCTION application_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'application_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER application_events_append_only BEFORE UPDATE OR DELETE ON application_events "
        "FOR EACH ROW EXECUTE FUNCTION application_events_append_only()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER application_events_append_only ON application_events")
    op.execute("DROP FUNCTION application_events_append_only()")
    op.drop_index(op.f("ix_deadlines_round_id"), table_name="deadlines")
    op.drop_index("ix_deadlines_due", table_name="deadlines", postgresql_where=sa.text("status = 'pending'"))
    op.drop_index(op.f("ix_deadlines_application_id"), table_name="deadlines")
    op.drop_table("deadlines")
    op.drop_table("application_events")
    op.drop_index("ix_applications_round_id_state", table_name="applications")
    op.drop_index(op.f("ix_applications_programme"), table_name="applications")
    op.drop_index(op.f("ix_applications_id_number_hash"), table_name="applications")
    op.drop_index(op.f("ix_applications_credit_code"), table_name="applications")
    op.drop_index(op.f("ix_applications_applicant_ref"), table_name="applications")
    op.drop_table("applications")
    op.drop_index(op.f("ix_rounds_programme"), table_name="rounds")
    op.drop_table("rounds")
