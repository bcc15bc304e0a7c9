"""government approval and commendation: submissions (报批), government documents (批准, 表彰决定), awards

Revision ID: 20261207_commend
Revises: 20261206_review
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "20261207_commend"
down_revision = "20261207_linyi"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _fk(column: str, table: str, source: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{table}.id"], name=f"fk_{source}_{column}_{table}")


def upgrade() -> None:
    op.create_table(
        "government_documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("programme", sa.String(40), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("document_no", sa.String(100), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issued_by_zh", sa.String(200), nullable=False),
        sa.Column("title_zh", sa.Text(), nullable=False),
        sa.Column("clause", sa.String(40), nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_government_documents"),
        sa.UniqueConstraint("programme", "document_no", name="uq_government_documents_programme_document_no"),
        sa.UniqueConstraint("round_id", "kind", name="uq_government_documents_round_id_kind"),
        _fk("round_id", "rounds", "government_documents"),
    )
    op.create_table(
        "approval_submissions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("programme", sa.String(40), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("submitted_to_zh", sa.String(200), nullable=False),
        sa.Column("clause", sa.String(40), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("submitted_by", sa.String(200), nullable=False),
        sa.Column("submitted_at", TZ, nullable=False),
        sa.Column("approval_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_approval_submissions"),
        sa.UniqueConstraint("round_id", name="uq_approval_submissions_round_id"),
        _fk("round_id", "rounds", "approval_submissions"),
        _fk("approval_id", "government_documents", "approval_submissions"),
    )
    op.create_table(
        "approval_list_entries",
        sa.Column("submission_id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("submission_id", "application_id", name="pk_approval_list_entries"),
        sa.UniqueConstraint("application_id", name="uq_approval_list_entries_application_id"),
        _fk("submission_id", "approval_submissions", "approval_list_entries"),
        _fk("application_id", "applications", "approval_list_entries"),
    )
    op.create_table(
        "commendation_awards",
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("applicant_kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=True),
        sa.Column("employer", sa.String(200), nullable=True),
        sa.Column("tier", sa.String(40), nullable=False),
        sa.Column("tier_name_zh", sa.String(200), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("category_name_zh", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("document_id", "application_id", name="pk_commendation_awards"),
        sa.UniqueConstraint("application_id", name="uq_commendation_awards_application_id"),
        _fk("document_id", "government_documents", "commendation_awards"),
        _fk("application_id", "applications", "commendation_awards"),
    )


def downgrade() -> None:
    for table in ("commendation_awards", "approval_list_entries", "approval_submissions", "government_documents"):
        op.drop_table(table)
