"""incubation pool (members, trainings, attendance) and two-way supervision (participation, ratings, sanctions)

Revision ID: 20261208_pool
Revises: 20261207_office
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "20261208_pool"
down_revision = "20261208_duties"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _fk(column: str, table: str, source: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{table}.id"], name=f"fk_{source}_{column}_{table}")


def upgrade() -> None:
    op.create_table(
        "incubation_members",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("programme", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("route", sa.String(30), nullable=False),
        sa.Column("recommended_by", sa.String(200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("applicant_ref", sa.String(200), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decided_at", TZ, nullable=True),
        sa.Column("admitted_on", sa.Date(), nullable=True),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("left_reason", sa.Text(), nullable=True),
        sa.Column("cultivation_passed_on", sa.Date(), nullable=True),
        sa.Column("cultivation_document_no", sa.String(100), nullable=True),
        sa.Column("cultivation_recorded_by", sa.String(200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("proposed_by", sa.String(200), nullable=False),
        sa.Column("proposed_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_incubation_members"),
    )
    op.create_index("ix_incubation_members_programme", "incubation_members", ["programme"])
    op.create_index("ix_incubation_members_credit_code", "incubation_members", ["credit_code"])
    op.create_index("ix_incubation_members_applicant_ref", "incubation_members", ["applicant_ref"])
    op.create_index(
        "uq_incubation_members_live",
        "incubation_members",
        ["programme", "credit_code"],
        unique=True,
        postgresql_where=sa.text("status IN ('proposed', 'admitted')"),
    )
    op.create_table(
        "incubation_trainings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("programme", sa.String(40), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("fee_cny", sa.Numeric(12, 2), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_incubation_trainings"),
        # changning-13c, jinshan-12c: trainings are free (免费接受培训)
        sa.CheckConstraint("fee_cny = 0", name="ck_incubation_trainings_free"),
    )
    op.create_index("ix_incubation_trainings_programme", "incubation_trainings", ["programme"])
    op.create_table(
        "incubation_attendance",
        sa.Column("training_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("training_id", "member_id", name="pk_incubation_attendance"),
        _fk("training_id", "incubation_trainings", "incubation_attendance"),
        _fk("member_id", "incubation_members", "incubation_attendance"),
    )
    op.create_index("ix_incubation_attendance_member_id", "incubation_attendance", ["member_id"])

    op.create_table(
        "supervision_rating_participation",
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("direction", sa.String(30), nullable=False),
        sa.PrimaryKeyConstraint("application_id", "expert_id", "direction", name="pk_supervision_rating_participation"),
        _fk("round_id", "rounds", "supervision_rating_participation"),
        _fk("application_id", "applications", "supervision_rating_participation"),
        _fk("expert_id", "review_experts", "supervision_rating_participation"),
    )
    op.create_index("ix_supervision_rating_participation_round_id", "supervision_rating_participation", ["round_id"])
    op.create_table(
        "supervision_ratings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("programme", sa.String(40), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("rated_expert_id", sa.Uuid(), nullable=True),
        sa.Column("rated_application_id", sa.Uuid(), nullable=True),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("rater_sealed", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_supervision_ratings"),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="ck_supervision_ratings_score_range"),
        sa.CheckConstraint(
            "(rated_expert_id IS NULL) <> (rated_application_id IS NULL)", name="ck_supervision_ratings_one_rated_party"
        ),
        _fk("round_id", "rounds", "supervision_ratings"),
        _fk("rated_expert_id", "review_experts", "supervision_ratings"),
        _fk("rated_application_id", "applications", "supervision_ratings"),
    )
    op.create_index("ix_supervision_ratings_round_id", "supervision_ratings", ["round_id"])
    op.create_index("ix_supervision_ratings_rated_expert_id", "supervision_ratings", ["rated_expert_id"])
    op.create_index("ix_supervision_ratings_rated_application_id", "supervision_ratings", ["rated_application_id"])
    op.create_table(
        "expert_sanctions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("breach", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("clause", sa.String(40), nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("decided_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_expert_sanctions"),
        _fk("expert_id", "review_experts", "expert_sanctions"),
    )
    op.create_index("ix_expert_sanctions_expert_id", "expert_sanctions", ["expert_id"])


def downgrade() -> None:
    op.drop_table("expert_sanctions")
    op.drop_table("supervision_ratings")
    op.drop_table("supervision_rating_participation")
    op.drop_table("incubation_attendance")
    op.drop_table("incubation_trainings")
    op.drop_table("incubation_members")
