"""lead: evidence files of a revocation case (撤销案件的证据材料)

A case's evidence was text only; the report, the credit-platform extract, the verification's findings come as
files. Each goes through the one file intake as a material of the awarded application (kind
``revocation_evidence``) and is named on the case with its SHA-256, as the opinion survey's are.

Revision ID: 20261209_lead
Revises: 20261208_seed
Create Date: 2026-12-09
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "20261209_lead"
down_revision = "20261208_seed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "revocation_cases",
        sa.Column("attachments", postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("revocation_cases", "attachments")
