"""linyi's third-party review body (评审机构), its engagements and ties, experts and panels of a body, the public-opinion survey

Revision ID: 20261207_linyi
Revises: 20261206_review
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "20261207_linyi"
down_revision = "20261206_review"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _fk(column: str, table: str, source: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{table}.id"], name=f"fk_{source}_{column}_{table}")


def upgrade() -> None:
    op.create_table(
        "review_bodies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("programme", sa.String(40), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_log", JSONB(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_bodies"),
        sa.UniqueConstraint("programme", "code", name="uq_review_bodies_programme_code"),
    )
    op.create_index("ix_review_bodies_programme", "review_bodies", ["programme"])
    op.create_table(
        "review_body_engagements",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("body_id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("contract_no", sa.String(100), nullable=True),
        sa.Column("engaged_on", sa.Date(), nullable=False),
        sa.Column("term_starts_on", sa.Date(), nullable=False),
        sa.Column("term_ends_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_body_engagements"),
        sa.UniqueConstraint("body_id", "round_id", name="uq_review_body_engagements_body_id"),
        _fk("body_id", "review_bodies", "review_body_engagements"),
        _fk("round_id", "rounds", "review_body_engagements"),
    )
    op.create_index("ix_review_body_engagements_body_id", "review_body_engagements", ["body_id"])
    op.create_index("ix_review_body_engagements_round_id", "review_body_engagements", ["round_id"])
    op.create_table(
        "review_body_ties",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("body_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("declared_by", sa.String(200), nullable=False),
        sa.Column("declared_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_body_ties"),
        _fk("body_id", "review_bodies", "review_body_ties"),
    )
    op.create_index("ix_review_body_ties_body_id", "review_body_ties", ["body_id"])
    op.create_index("ix_review_body_ties_credit_code", "review_body_ties", ["credit_code"])
    op.create_table(
        "review_opinion_surveys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("conducted_by", sa.String(20), nullable=False),
        sa.Column("body_id", sa.Uuid(), nullable=True),
        sa.Column("sources", JSONB(), nullable=False),
        sa.Column("conducted_on", sa.Date(), nullable=False),
        sa.Column("finding", sa.String(20), nullable=False),
        sa.Column("concerns", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_opinion_surveys"),
        sa.UniqueConstraint("application_id", name="uq_review_opinion_surveys_application_id"),
        _fk("application_id", "applications", "review_opinion_surveys"),
        _fk("round_id", "rounds", "review_opinion_surveys"),
        _fk("body_id", "review_bodies", "review_opinion_surveys"),
    )
    op.create_index("ix_review_opinion_surveys_round_id", "review_opinion_surveys", ["round_id"])
    for table in ("review_experts", "review_panels"):
        op.add_column(table, sa.Column("body_id", sa.Uuid(), nullable=True))
        op.create_foreign_key(f"fk_{table}_body_id_review_bodies", table, "review_bodies", ["body_id"], ["id"])
        op.create_index(f"ix_{table}_body_id", table, ["body_id"])


def downgrade() -> None:
    for table in ("review_panels", "review_experts"):
        op.drop_index(f"ix_{table}_body_id", table_name=table)
        op.drop_constraint(f"fk_{table}_body_id_review_bodies", table, type_="foreignkey")
        op.drop_column(table, "body_id")
    op.drop_table("review_opinion_surveys")
    op.drop_table("review_body_ties")
    op.drop_table("review_body_engagements")
    op.drop_table("review_bodies")
