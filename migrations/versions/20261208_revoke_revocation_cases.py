"""revocation cases: a case per awarded application, its procedure's steps, the items to recover

Revision ID: 20261208_revoke
Revises: 20261208_lead
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "20261208_revoke"
down_revision = "20261208_lead"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    op.create_table(
        "revocation_cases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("programme", sa.String(40), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("credit_record_id", sa.Uuid(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("ground", sa.String(60), nullable=False),
        sa.Column("ground_clause", sa.String(40), nullable=True),
        sa.Column("occurred_on", sa.Date(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("procedure", postgresql.JSONB(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("steps_done", sa.Integer(), nullable=False),
        sa.Column("document_no", sa.String(100), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("opened_by", sa.String(200), nullable=False),
        sa.Column("opened_at", TZ, nullable=False),
        sa.Column("closed_at", TZ, nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_revocation_cases"),
        _fk("revocation_cases", "application_id", "applications"),
        _fk("revocation_cases", "round_id", "rounds"),
        _fk("revocation_cases", "credit_record_id", "credit_records"),
    )
    op.create_index(
        "uq_revocation_cases_application_id_open",
        "revocation_cases",
        ["application_id"],
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_index("ix_revocation_cases_programme_opened_at", "revocation_cases", ["programme", "opened_at"])
    op.create_index(
        "uq_revocation_cases_programme_document_no",
        "revocation_cases",
        ["programme", "document_no"],
        unique=True,
        postgresql_where=sa.text("document_no IS NOT NULL"),
    )
    op.create_table(
        "revocation_case_steps",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(30), nullable=False),
        sa.Column("result", sa.String(12), nullable=False),
        sa.Column("body_zh", sa.String(200), nullable=False),
        sa.Column("clause", sa.String(40), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("document_no", sa.String(100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_role", sa.String(40), nullable=True),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_revocation_case_steps"),
        sa.UniqueConstraint("case_id", "seq", name="uq_revocation_case_steps_case_id_seq"),
        _fk("revocation_case_steps", "case_id", "revocation_cases"),
    )
    op.create_table(
        "revocation_items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("item", sa.String(20), nullable=False),
        sa.Column("clause", sa.String(40), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("recovered_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_revocation_items"),
        sa.UniqueConstraint("case_id", "item", name="uq_revocation_items_case_id_item"),
        _fk("revocation_items", "case_id", "revocation_cases"),
    )


def downgrade() -> None:
    op.drop_table("revocation_items")
    op.drop_table("revocation_case_steps")
    op.drop_index("uq_revocation_cases_programme_document_no", table_name="revocation_cases")
    op.drop_index("ix_revocation_cases_programme_opened_at", table_name="revocation_cases")
    op.drop_index("uq_revocation_cases_application_id_open", table_name="revocation_cases")
    op.drop_table("revocation_cases")
