"""one live application per applicant and round, enforced by the database

Revision ID: 20261122_0006
Revises: 20261121_0005
Create Date: 2026-11-22

Two partial unique indexes, one per identifier (organisations by credit code, individuals by
ID-number hash), over the rows ``same_applicant_in_round`` counts: every state but ``withdrawn``.
Concurrent creates used to pass that check together and each insert its row.

Rows those concurrent creates already left behind would stop the index from building. They are
legal records (a history chain each, possibly materials and decisions), so the migration neither
deletes nor withdraws them: the earliest live application of each applicant and round stays under
the index, every later one is marked ``duplicate_of`` the earliest and left out of it, for the
office to withdraw through the ordinary event (which keeps its history). A fresh database marks
nothing.
"""

import sqlalchemy as sa
from alembic import op

revision = "20261122_0006"
down_revision = "20261121_0005"
branch_labels = None
depends_on = None

LIVE = "state <> 'withdrawn' AND duplicate_of IS NULL"


def upgrade() -> None:
    op.add_column("applications", sa.Column("duplicate_of", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_applications_duplicate_of_applications"), "applications", "applications", ["duplicate_of"], ["id"]
    )
    for column in ("credit_code", "id_number_hash"):
        op.execute(f"""
            UPDATE applications a SET duplicate_of = first.id
            FROM (
                SELECT DISTINCT ON (round_id, {column}) round_id, {column}, id
                FROM applications
                WHERE {column} IS NOT NULL AND state <> 'withdrawn'
                ORDER BY round_id, {column}, created_at, id
            ) first
            WHERE a.round_id = first.round_id AND a.{column} = first.{column} AND a.id <> first.id AND a.state <> 'withdrawn'
        """)
    op.create_index(
        "uq_applications_round_id_credit_code",
        "applications",
        ["round_id", "credit_code"],
        unique=True,
        postgresql_where=sa.text(LIVE),
    )
    op.create_index(
        "uq_applications_round_id_id_number_hash",
        "applications",
        ["round_id", "id_number_hash"],
        unique=True,
        postgresql_where=sa.text(LIVE),
    )


def downgrade() -> None:
    op.drop_index("uq_applications_round_id_id_number_hash", table_name="applications", postgresql_where=sa.text(LIVE))
    op.drop_index("uq_applications_round_id_credit_code", table_name="applications", postgresql_where=sa.text(LIVE))
    op.drop_constraint(op.f("fk_applications_duplicate_of_applications"), "applications", type_="foreignkey")
    op.drop_column("applications", "duplicate_of")
