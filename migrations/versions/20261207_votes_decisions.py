"""committee decisions: members, conflicts, candidate lists, meetings, vote participation, secret ballots, decisions

Revision ID: 20261207_votes
Revises: 20261206_review
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "20261207_votes"
down_revision = "20261207_outbox"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _fk(column: str, table: str, source: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{table}.id"], name=f"fk_{source}_{column}_{table}")


def upgrade() -> None:
    op.create_table(
        "committee_members",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("programme", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("position", sa.String(20), nullable=False),
        sa.Column("employer_name", sa.String(200), nullable=True),
        sa.Column("employer_credit_code", sa.String(18), nullable=True),
        sa.Column("term_starts_on", sa.Date(), nullable=False),
        sa.Column("term_ends_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_committee_members"),
        sa.UniqueConstraint("programme", "subject", name="uq_committee_members_programme_subject"),
    )
    op.create_index("ix_committee_members_programme", "committee_members", ["programme"])
    op.create_table(
        "committee_conflicts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=True),
        sa.Column("application_id", sa.Uuid(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("clause", sa.String(40), nullable=True),
        sa.Column("declared_by", sa.String(200), nullable=False),
        sa.Column("declared_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_committee_conflicts"),
        _fk("member_id", "committee_members", "committee_conflicts"),
        _fk("application_id", "applications", "committee_conflicts"),
    )
    op.create_index("ix_committee_conflicts_member_id", "committee_conflicts", ["member_id"])
    op.create_table(
        "committee_candidate_lists",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("programme", sa.String(40), nullable=False),
        sa.Column("groups", JSONB(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("proposed_by", sa.String(200), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_committee_candidate_lists"),
        sa.UniqueConstraint("round_id", name="uq_committee_candidate_lists_round_id"),
        _fk("round_id", "rounds", "committee_candidate_lists"),
    )
    op.create_table(
        "committee_meetings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("list_id", sa.Uuid(), nullable=False),
        sa.Column("programme", sa.String(40), nullable=False),
        sa.Column("chair_id", sa.Uuid(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("agenda", JSONB(), nullable=False),
        sa.Column("attendance", JSONB(), nullable=False),
        sa.Column("reports", JSONB(), nullable=False),
        sa.Column("deliberations", JSONB(), nullable=False),
        sa.Column("resolutions", JSONB(), nullable=False),
        sa.Column("outcome", JSONB(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("convened_by", sa.String(200), nullable=False),
        sa.Column("convened_at", TZ, nullable=False),
        sa.Column("closed_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_committee_meetings"),
        sa.UniqueConstraint("list_id", name="uq_committee_meetings_list_id"),
        _fk("round_id", "rounds", "committee_meetings"),
        _fk("list_id", "committee_candidate_lists", "committee_meetings"),
        _fk("chair_id", "committee_members", "committee_meetings"),
    )
    op.create_index("ix_committee_meetings_round_id", "committee_meetings", ["round_id"])
    op.create_table(
        "committee_vote_participation",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("choice", sa.String(10), nullable=True),
        sa.PrimaryKeyConstraint("meeting_id", "application_id", "member_id", name="pk_committee_vote_participation"),
        sa.CheckConstraint(
            "(method = 'secret_ballot') = (choice IS NULL)",
            name=op.f("ck_committee_vote_participation_secret_no_choice"),
        ),
        _fk("meeting_id", "committee_meetings", "committee_vote_participation"),
        _fk("application_id", "applications", "committee_vote_participation"),
        _fk("member_id", "committee_members", "committee_vote_participation"),
    )
    op.create_table(
        "committee_secret_ballots",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("choice", sa.String(10), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_committee_secret_ballots"),
        _fk("meeting_id", "committee_meetings", "committee_secret_ballots"),
        _fk("application_id", "applications", "committee_secret_ballots"),
    )
    op.create_index("ix_committee_secret_ballots_meeting_id", "committee_secret_ballots", ["meeting_id"])
    op.create_table(
        "committee_decisions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("result", sa.String(20), nullable=False),
        sa.Column("tier", sa.String(40), nullable=True),
        sa.Column("decided_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_committee_decisions"),
        sa.UniqueConstraint("application_id", "meeting_id", name="uq_committee_decisions_application_id"),
        _fk("meeting_id", "committee_meetings", "committee_decisions"),
        _fk("application_id", "applications", "committee_decisions"),
    )
    op.create_index("ix_committee_decisions_application_id", "committee_decisions", ["application_id"])


def downgrade() -> None:
    for table in (
        "committee_decisions",
        "committee_secret_ballots",
        "committee_vote_participation",
        "committee_meetings",
        "committee_candidate_lists",
        "committee_conflicts",
        "committee_members",
    ):
        op.drop_table(table)
