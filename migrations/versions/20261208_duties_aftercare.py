"""duties: post-award duties as durable deadlines, follow-up visits, role-model activities (issue 17)

Revision ID: 20261208_duties
Revises: 20261208_archive
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "20261208_duties"
down_revision = "20261208_archive"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _fk(table: str, column: str, referred: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{referred}.id"], name=f"fk_{table}_{column}_{referred}")


def upgrade() -> None:
    op.create_table(
        "follow_up_visits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("programme", sa.String(40), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("result", sa.String(30), nullable=False),
        sa.Column("outcome", sa.String(30), nullable=False),
        sa.Column("clause", sa.String(40), nullable=True),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("rectify_by", sa.Date(), nullable=True),
        sa.Column("revocation_case_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_follow_up_visits"),
        _fk("follow_up_visits", "application_id", "applications"),
        _fk("follow_up_visits", "round_id", "rounds"),
    )
    op.create_index("ix_follow_up_visits_application_id", "follow_up_visits", ["application_id"])
    op.create_index("ix_follow_up_visits_programme", "follow_up_visits", ["programme"])
    op.create_table(
        "award_duties",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("programme", sa.String(40), nullable=False),
        sa.Column("duty", sa.String(80), nullable=False),
        sa.Column("who", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("clause", sa.String(40), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("nominal_due_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("due_at", TZ, nullable=False),
        sa.Column("calendar_revision", sa.Integer(), nullable=True),
        sa.Column("stated", sa.Boolean(), nullable=False),
        sa.Column("reading", sa.String(80), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("overdue_at", TZ, nullable=True),
        sa.Column("received_at", TZ, nullable=True),
        sa.Column("received_late", sa.Boolean(), nullable=False),
        sa.Column("material_id", sa.Uuid(), nullable=True),
        sa.Column("follow_up_id", sa.Uuid(), nullable=True),
        sa.Column("received_by", sa.String(200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_award_duties"),
        sa.UniqueConstraint("application_id", "duty", "sequence", name="uq_award_duties_application_id"),
        _fk("award_duties", "application_id", "applications"),
        _fk("award_duties", "round_id", "rounds"),
        _fk("award_duties", "material_id", "application_materials"),
        _fk("award_duties", "follow_up_id", "follow_up_visits"),
    )
    op.create_index("ix_award_duties_status_due_at", "award_duties", ["status", "due_at"])
    op.create_index("ix_award_duties_programme_round_id", "award_duties", ["programme", "round_id"])
    op.create_table(
        "role_model_activities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("programme", sa.String(40), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("audience", sa.String(200), nullable=False),
        sa.Column("audience_size", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("clause", sa.String(40), nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_role_model_activities"),
        _fk("role_model_activities", "application_id", "applications"),
        _fk("role_model_activities", "round_id", "rounds"),
    )
    op.create_index("ix_role_model_activities_application_id", "role_model_activities", ["application_id"])
    op.create_index("ix_role_model_activities_programme_held_on", "role_model_activities", ["programme", "held_on"])


def downgrade() -> None:
    op.drop_table("role_model_activities")
    op.drop_table("award_duties")
    op.drop_table("follow_up_visits")
