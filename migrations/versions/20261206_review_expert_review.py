"""expert review: the expert pool, conflicts, panels, assignments, scores, consensus, stage reports, on-site lists

Revision ID: 20261206_review
Revises: 20261206_keys
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "20261206_review"
down_revision = "20261206_audit"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _fk(column: str, table: str, source: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{table}.id"], name=f"fk_{source}_{column}_{table}")


def upgrade() -> None:
    op.create_table(
        "review_experts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("programme", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("qualifications", JSONB(), nullable=False),
        sa.Column("industries", JSONB(), nullable=False),
        sa.Column("employer_name", sa.String(200), nullable=True),
        sa.Column("employer_credit_code", sa.String(18), nullable=True),
        sa.Column("term_starts_on", sa.Date(), nullable=False),
        sa.Column("term_ends_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_log", JSONB(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_experts"),
        sa.UniqueConstraint("programme", "subject", name="uq_review_experts_programme_subject"),
    )
    op.create_index("ix_review_experts_programme", "review_experts", ["programme"])
    op.create_index("ix_review_experts_employer_credit_code", "review_experts", ["employer_credit_code"])
    op.create_table(
        "review_conflicts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=True),
        sa.Column("application_id", sa.Uuid(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("clause", sa.String(40), nullable=True),
        sa.Column("declared_by", sa.String(200), nullable=False),
        sa.Column("declared_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_conflicts"),
        _fk("expert_id", "review_experts", "review_conflicts"),
        _fk("application_id", "applications", "review_conflicts"),
    )
    op.create_index("ix_review_conflicts_expert_id", "review_conflicts", ["expert_id"])
    op.create_table(
        "review_conflict_overrides",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("decided_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_conflict_overrides"),
        sa.UniqueConstraint("expert_id", "application_id", name="uq_review_conflict_overrides_expert_id"),
        _fk("expert_id", "review_experts", "review_conflict_overrides"),
        _fk("application_id", "applications", "review_conflict_overrides"),
    )
    op.create_table(
        "review_panels",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("programme", sa.String(40), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("leader_id", sa.Uuid(), nullable=False),
        sa.Column("change_log", JSONB(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_panels"),
        _fk("round_id", "rounds", "review_panels"),
        _fk("leader_id", "review_experts", "review_panels"),
    )
    op.create_index("ix_review_panels_round_id", "review_panels", ["round_id"])
    op.create_table(
        "review_panel_members",
        sa.Column("panel_id", sa.Uuid(), nullable=False),
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("pledged_at", TZ, nullable=True),
        sa.Column("pledge_sha256", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("panel_id", "expert_id", name="pk_review_panel_members"),
        _fk("panel_id", "review_panels", "review_panel_members"),
        _fk("expert_id", "review_experts", "review_panel_members"),
    )
    op.create_table(
        "review_assignments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("panel_id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("closed_reason", sa.Text(), nullable=True),
        sa.Column("closed_by", sa.String(200), nullable=True),
        sa.Column("closed_at", TZ, nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_assignments"),
        _fk("panel_id", "review_panels", "review_assignments"),
        _fk("application_id", "applications", "review_assignments"),
        _fk("expert_id", "review_experts", "review_assignments"),
    )
    op.create_index("ix_review_assignments_panel_id", "review_assignments", ["panel_id"])
    op.create_index("ix_review_assignments_application_id", "review_assignments", ["application_id"])
    op.create_index("ix_review_assignments_expert_id", "review_assignments", ["expert_id"])
    op.create_index(
        "uq_review_assignments_open",
        "review_assignments",
        ["panel_id", "application_id", "expert_id"],
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "review_scores",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assignment_id", sa.Uuid(), nullable=False),
        sa.Column("panel_id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("book", sa.String(80), nullable=False),
        sa.Column("bands", JSONB(), nullable=False),
        sa.Column("comments", JSONB(), nullable=False),
        sa.Column("total", sa.Numeric(8, 1), nullable=False),
        sa.Column("submitted_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_scores"),
        sa.UniqueConstraint("assignment_id", name="uq_review_scores_assignment_id"),
        _fk("assignment_id", "review_assignments", "review_scores"),
        _fk("panel_id", "review_panels", "review_scores"),
        _fk("application_id", "applications", "review_scores"),
        _fk("expert_id", "review_experts", "review_scores"),
    )
    op.create_index("ix_review_scores_panel_id", "review_scores", ["panel_id"])
    op.create_index("ix_review_scores_application_id", "review_scores", ["application_id"])
    op.create_table(
        "review_consensus",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("panel_id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("book", sa.String(80), nullable=False),
        sa.Column("bands", JSONB(), nullable=False),
        sa.Column("rationale", JSONB(), nullable=False),
        sa.Column("comments", JSONB(), nullable=False),
        sa.Column("total", sa.Numeric(8, 1), nullable=False),
        sa.Column("results_score", sa.Numeric(8, 1), nullable=False),
        sa.Column("outliers", JSONB(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_consensus"),
        sa.UniqueConstraint("panel_id", "application_id", name="uq_review_consensus_panel_id"),
        _fk("panel_id", "review_panels", "review_consensus"),
        _fk("application_id", "applications", "review_consensus"),
    )
    op.create_index("ix_review_consensus_application_id", "review_consensus", ["application_id"])
    op.create_table(
        "review_reports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("panel_id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("content", JSONB(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_reports"),
        sa.UniqueConstraint("application_id", "kind", name="uq_review_reports_application_id"),
        _fk("panel_id", "review_panels", "review_reports"),
        _fk("application_id", "applications", "review_reports"),
    )
    op.create_table(
        "review_onsite_lists",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("tier", sa.String(40), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("chosen", JSONB(), nullable=False),
        sa.Column("reasons", JSONB(), nullable=False),
        sa.Column("departures", JSONB(), nullable=False),
        sa.Column("ranking", JSONB(), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("decided_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_onsite_lists"),
        sa.UniqueConstraint("round_id", "stage", "tier", "category", name="uq_review_onsite_lists_round_id"),
        _fk("round_id", "rounds", "review_onsite_lists"),
    )


def downgrade() -> None:
    for table in (
        "review_onsite_lists",
        "review_reports",
        "review_consensus",
        "review_scores",
        "review_assignments",
        "review_panel_members",
        "review_panels",
        "review_conflict_overrides",
        "review_conflicts",
        "review_experts",
    ):
        op.drop_table(table)
