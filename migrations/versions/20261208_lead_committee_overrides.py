"""lead: the office's override of a committee member's conflict, with its reason; the public-opinion
survey's attachments (issue 14)

Revision ID: 20261208_lead
Revises: 20261207_office
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "20261208_lead"
down_revision = "20261207_office"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "committee_conflict_overrides",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("decided_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_committee_conflict_overrides"),
        sa.UniqueConstraint("member_id", "application_id", name="uq_committee_conflict_overrides_member_id"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["committee_members.id"], name="fk_committee_conflict_overrides_member_id_committee_members"
        ),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name="fk_committee_conflict_overrides_application_id_applications"
        ),
    )
    op.create_index(
        "ix_committee_conflict_overrides_application_id", "committee_conflict_overrides", ["application_id"]
    )
    # the survey's evidence files (linyi-14e): each a material of the application, named here
    op.add_column(
        "review_opinion_surveys",
        sa.Column("attachments", JSONB(), nullable=False, server_default=sa.text("'[]'::jsonb")),
    )


def downgrade() -> None:
    op.drop_column("review_opinion_surveys", "attachments")
    op.drop_index("ix_committee_conflict_overrides_application_id", table_name="committee_conflict_overrides")
    op.drop_table("committee_conflict_overrides")
