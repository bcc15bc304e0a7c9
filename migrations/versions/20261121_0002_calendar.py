"""calendar: loaded years, holidays and make-up working days, revisions; seeded 2004-2026

The seed is read from the installed ``chinese-calendar`` package when the migration runs
(INTERPRETATIONS §4), as revision 1 with source "chinese-calendar <version>".

Revision ID: 20261121_0002
Revises: 20261121_0001
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "20261121_0002"
down_revision = "20261121_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_revisions",
        sa.Column("revision", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("revision", name=op.f("pk_calendar_revisions")),
    )
    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["revision"],
            ["calendar_revisions.revision"],
            name=op.f("fk_calendar_years_revision_calendar_revisions"),
        ),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_years")),
    )
    op.create_table(
        "calendar_days",
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('holiday', 'makeup_workday')", name=op.f("ck_calendar_days_kind")),
        sa.CheckConstraint("kind <> 'holiday' OR name IS NOT NULL", name=op.f("ck_calendar_days_holiday_named")),
        sa.CheckConstraint("year = EXTRACT(YEAR FROM date)", name=op.f("ck_calendar_days_date_in_year")),
        sa.ForeignKeyConstraint(
            ["year"],
            ["calendar_years.year"],
            name=op.f("fk_calendar_days_year_calendar_years"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("date", name=op.f("pk_calendar_days")),
    )
    op.create_index(op.f("ix_calendar_days_year"), "calendar_days", ["year"])
    _seed()


def _seed() -> None:
    from app.domain.calendar.seed import seed_source, seed_years

    source = seed_source()
    revisions = sa.table(
        "calendar_revisions",
        sa.column("revision", sa.Integer),
        sa.column("year", sa.Integer),
        sa.column("source", sa.Text),
        sa.column("actor", sa.String),
    )
    years = sa.table(
        "calendar_years",
        sa.column("year", sa.Integer),
        sa.column("source", sa.Text),
        sa.column("revision", sa.Integer),
    )
    days = sa.table(
        "calendar_days",
        sa.column("date", sa.Date),
        sa.column("year", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("name", sa.Text),
    )
    seeded = seed_years()
    op.bulk_insert(revisions, [{"revision": 1, "year": None, "source": source, "actor": "migration 20261121_0002"}])
    op.execute("SELECT setval(pg_get_serial_sequence('calendar_revisions', 'revision'), 1)")
    op.bulk_insert(years, [{"year": y.year, "source": source, "revision": 1} for y in seeded])
    rows = []
    for y in seeded:
        rows += [{"date": d, "year": y.year, "kind": "holiday", "name": n} for d, n in sorted(y.holidays.items())]
        rows += [{"date": d, "year": y.year, "kind": "makeup_workday", "name": None} for d in sorted(y.makeup_workdays)]
    op.bulk_insert(days, rows)


def downgrade() -> None:
    op.drop_index(op.f("ix_calendar_days_year"), table_name="calendar_days")
    op.drop_table("calendar_days")
    op.drop_table("calendar_years")
    op.drop_table("calendar_revisions")
