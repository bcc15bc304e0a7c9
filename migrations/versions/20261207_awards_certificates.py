"""certificates: the numbered certificate of each commended award, valid or revoked

Revision ID: 20261207_awards
Revises: 20261207_commend
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "20261207_awards"
down_revision = "20261207_commend"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _fk(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{table}.id"], name=f"fk_certificates_{column}_{table}")


def upgrade() -> None:
    op.create_table(
        "certificates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(60), nullable=False),
        sa.Column("programme", sa.String(40), nullable=False),
        sa.Column("award_year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("programme_name_zh", sa.String(200), nullable=False),
        sa.Column("holder_name", sa.String(200), nullable=False),
        sa.Column("applicant_kind", sa.String(20), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=True),
        sa.Column("employer", sa.String(200), nullable=True),
        sa.Column("tier", sa.String(40), nullable=False),
        sa.Column("tier_name_zh", sa.String(200), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("category_name_zh", sa.String(200), nullable=False),
        sa.Column("commendation_no", sa.String(100), nullable=False),
        sa.Column("issued_by_zh", sa.String(200), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("revocation_document_no", sa.String(100), nullable=True),
        sa.Column("revocation_ground", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_certificates"),
        sa.UniqueConstraint("number", name="uq_certificates_number"),
        sa.UniqueConstraint("application_id", name="uq_certificates_application_id"),
        sa.UniqueConstraint(
            "programme", "award_year", "sequence", name="uq_certificates_programme_award_year_sequence"
        ),
        _fk("application_id", "applications"),
        _fk("round_id", "rounds"),
        _fk("document_id", "government_documents"),
    )


def downgrade() -> None:
    op.drop_table("certificates")
