"""rewards: the reward money of each award (approved, paid, to reclaim, reclaimed); held_awards: awards a winner
already holds, recorded by an office for the reward rules

Revision ID: 20261208_rewards
Revises: 20261208_revoke
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "20261208_rewards"
down_revision = "20261208_revoke"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
MONEY = sa.Numeric(14, 2)


def upgrade() -> None:
    op.create_table(
        "rewards",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("programme", sa.String(40), nullable=False),
        sa.Column("rule_id", sa.String(60), nullable=False),
        sa.Column("clause", sa.String(40), nullable=True),
        sa.Column("tier", sa.String(40), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("entitlement_yuan", MONEY, nullable=True),
        sa.Column("cap_yuan", MONEY, nullable=True),
        sa.Column("breakdown", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("amount_yuan", MONEY, nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("approved_by", sa.String(200), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("payment_voucher", sa.String(100), nullable=True),
        sa.Column("paid_by", sa.String(200), nullable=True),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("revocation_document_no", sa.String(100), nullable=True),
        sa.Column("reclaimed_on", sa.Date(), nullable=True),
        sa.Column("reclaim_voucher", sa.String(100), nullable=True),
        sa.Column("reclaimed_by", sa.String(200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rewards"),
        sa.UniqueConstraint("application_id", name="uq_rewards_application_id"),
        sa.CheckConstraint("amount_yuan > 0", name="ck_rewards_amount_positive"),
        sa.CheckConstraint(
            "state IN ('approved', 'paid', 'to_reclaim', 'reclaimed', 'cancelled')", name="ck_rewards_state_known"
        ),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"], name="fk_rewards_application_id_applications"),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name="fk_rewards_round_id_rounds"),
    )
    op.create_index("ix_rewards_round_id", "rewards", ["round_id"])
    op.create_table(
        "held_awards",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("holder_key", sa.String(80), nullable=False),
        sa.Column("holder_name", sa.String(200), nullable=False),
        sa.Column("programme", sa.String(40), nullable=False),
        sa.Column("award", sa.String(60), nullable=False),
        sa.Column("name_zh", sa.String(100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("document_no", sa.String(100), nullable=False),
        sa.Column("amount_received_yuan", MONEY, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_held_awards"),
        sa.UniqueConstraint("holder_key", "programme", "award", "year", name="uq_held_awards_holder_key"),
        sa.CheckConstraint("amount_received_yuan >= 0", name="ck_held_awards_amount_received_not_negative"),
    )


def downgrade() -> None:
    op.drop_table("held_awards")
    op.drop_index("ix_rewards_round_id", table_name="rewards")
    op.drop_table("rewards")
