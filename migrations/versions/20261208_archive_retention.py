"""archive: legal holds, retention runs and the purge ledger (issue 17, changning-37)

Holds and the ledger are their own audit record: a hold is never deleted and is updated only once,
when it is lifted; runs and ledger lines are append-only.

Revision ID: 20261208_archive
Revises: 20261208_rewards
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "20261208_archive"
down_revision = "20261208_rewards"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_by", sa.String(200), nullable=False),
        sa.Column("set_at", TZ, nullable=False),
        sa.Column("set_request_id", sa.String(128), nullable=True),
        sa.Column("lifted_by", sa.String(200), nullable=True),
        sa.Column("lifted_at", TZ, nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.Column("lift_request_id", sa.String(128), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_legal_holds"),
    )
    op.create_index(
        "ix_legal_holds_target",
        "legal_holds",
        ["scope", "target_id"],
        postgresql_where=sa.text("lifted_at IS NULL"),
    )
    op.create_table(
        "retention_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("finished_at", TZ, nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.Column("summary", postgresql.JSONB(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_retention_runs"),
    )
    op.create_table(
        "retention_purges",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=True),
        sa.Column("record_table", sa.String(60), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("detail", postgresql.JSONB(), nullable=False),
        sa.Column("purged_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["retention_runs.id"], name="fk_retention_purges_run_id_retention_runs"),
        sa.PrimaryKeyConstraint("id", name="pk_retention_purges"),
        sa.UniqueConstraint("record_table", "record_id", "action", name="uq_retention_purges_record"),
    )
    op.create_index("ix_retention_purges_application_id", "retention_purges", ["application_id"])
    op.create_index("ix_retention_purges_run_id", "retention_purges", ["run_id"])
    op.execute(
        """
        CREATE FUNCTION legal_holds_lift_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND OLD.lifted_at IS NULL AND NEW.lifted_at IS NOT NULL
               AND (NEW.id, NEW.scope, NEW.target_id, NEW.reason, NEW.set_by, NEW.set_at)
                   IS NOT DISTINCT FROM (OLD.id, OLD.scope, OLD.target_id, OLD.reason, OLD.set_by, OLD.set_at)
               AND NEW.set_request_id IS NOT DISTINCT FROM OLD.set_request_id THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'legal_holds: a hold is only lifted, once (% refused)', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER legal_holds_lift_only BEFORE UPDATE OR DELETE ON legal_holds "
        "FOR EACH ROW EXECUTE FUNCTION legal_holds_lift_only()"
    )
    op.execute(
        """
        CREATE FUNCTION retention_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- a run's row is written when it starts and completed once when it ends
            IF TG_TABLE_NAME = 'retention_runs' AND TG_OP = 'UPDATE' AND OLD.finished_at IS NULL THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    for table in ("retention_runs", "retention_purges"):
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION retention_append_only()"
        )


def downgrade() -> None:
    for table in ("retention_runs", "retention_purges"):
        op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
    op.execute("DROP FUNCTION retention_append_only()")
    op.execute("DROP TRIGGER legal_holds_lift_only ON legal_holds")
    op.execute("DROP FUNCTION legal_holds_lift_only()")
    op.drop_table("retention_purges")
    op.drop_table("retention_runs")
    op.drop_index("ix_legal_holds_target", table_name="legal_holds")
    op.drop_table("legal_holds")
