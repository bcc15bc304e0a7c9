"""ops: the deadline workers' heartbeats (read by /ready of any replica)

Revision ID: 20261207_ops
Revises: 20261206_review
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "20261207_ops"
down_revision = "20261207_awards"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "worker_heartbeats",
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("beat_at", TZ, nullable=False),
        sa.Column("last_batch_at", TZ, nullable=True),
        sa.Column("last_batch_size", sa.Integer(), nullable=True),
        sa.Column("handled_total", sa.BigInteger(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id", name="pk_worker_heartbeats"),
    )


def downgrade() -> None:
    op.drop_table("worker_heartbeats")
