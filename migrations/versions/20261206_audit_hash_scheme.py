"""history: each entry names its hash scheme; signed checkpoints of every chain's head

Revision ID: 20261206_audit
Revises: 20261122_0007
Create Date: 2026-12-06

Entries written so far were hashed by scheme 1 (Python's json.dumps over the data as parsed) and
keep it; the application now writes scheme 2 (RFC 8785 over the data as stored). Adding a column
with a constant default rewrites no row, so the append-only trigger is not involved.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "20261206_audit"
down_revision = "20261206_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "application_events",
        sa.Column("hash_scheme", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("made_by", sa.String(length=40), nullable=False),
        sa.Column("chains", sa.Integer(), nullable=False),
        sa.Column("entries", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("heads", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
    )
    op.create_index(op.f("ix_audit_checkpoints_day"), "audit_checkpoints", ["day"])


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_checkpoints_day"), table_name="audit_checkpoints")
    op.drop_table("audit_checkpoints")
    op.drop_column("application_events", "hash_scheme")
