"""office: indexes for finding and sorting applications (issue 19)

Lists filter by round or programme and sort by created or updated time (the id last, so a page
boundary is stable and a keyset cursor can follow); the credit code is searched by its start
(LIKE 'X%', which needs the pattern operator class under a non-C collation); the score sort reads
each application's latest consensus.

Revision ID: 20261207_office
Revises: 20261206_review
Create Date: 2026-12-07
"""

from alembic import op

revision = "20261207_office"
down_revision = "20261207_votes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_applications_round_id_created_at", "applications", ["round_id", "created_at", "id"])
    op.create_index("ix_applications_round_id_updated_at", "applications", ["round_id", "updated_at", "id"])
    op.create_index("ix_applications_programme_created_at", "applications", ["programme", "created_at", "id"])
    op.create_index(
        "ix_applications_credit_code_prefix",
        "applications",
        ["credit_code"],
        postgresql_ops={"credit_code": "varchar_pattern_ops"},
    )
    op.create_index(
        "ix_review_consensus_application_id_recorded_at", "review_consensus", ["application_id", "recorded_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_review_consensus_application_id_recorded_at", table_name="review_consensus")
    op.drop_index("ix_applications_credit_code_prefix", table_name="applications")
    op.drop_index("ix_applications_programme_created_at", table_name="applications")
    op.drop_index("ix_applications_round_id_updated_at", table_name="applications")
    op.drop_index("ix_applications_round_id_created_at", table_name="applications")
