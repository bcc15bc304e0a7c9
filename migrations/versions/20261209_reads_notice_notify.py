"""reads: a NOTIFY on every committed change a public notice shows (issue 21)

Each app process keeps the public notices it served in memory (app/api/notice_cache.py) and drops one
when this channel names it: the notice itself, its entries, its objections, and the state of an
application on it (the four things the notice's version digests, app/db/repositories/notices.py
``_NOTICE_VERSION``). NOTIFY is delivered at commit, in commit order, never for a rolled-back change.
Payloads: the notice's id; ``*`` (a table truncated: everything); ``clock:<epoch seconds>`` or ``clock:``
(the test clock set or cleared: whether a period is over moves with it).

The applications trigger runs on every event of the workflow, so it is kept cheap: only when the
state itself changed (the WHEN clause, decided without calling the function), then one lookup by
the indexed ``notice_entries.application_id``, which finds nothing for an application on no notice.

Revision ID: 20261209_reads
Revises: 20261209_lead
Create Date: 2026-12-09
"""

from alembic import op

revision = "20261209_reads"
down_revision = "20261209_lead"
branch_labels = None
depends_on = None

CHANNEL = "qaward_public_notice"

FUNCTIONS = {
    "qaward_notify_notice": f"""
        BEGIN
          IF TG_OP = 'DELETE' THEN
            PERFORM pg_notify('{CHANNEL}', OLD.id::text);
          ELSE
            PERFORM pg_notify('{CHANNEL}', NEW.id::text);
          END IF;
          RETURN NULL;
        END""",
    # entries and objections: the notice they are on (both, should one ever move)
    "qaward_notify_notice_part": f"""
        BEGIN
          IF TG_OP <> 'INSERT' THEN
            PERFORM pg_notify('{CHANNEL}', OLD.notice_id::text);
          END IF;
          IF TG_OP <> 'DELETE' THEN
            PERFORM pg_notify('{CHANNEL}', NEW.notice_id::text);
          END IF;
          RETURN NULL;
        END""",
    "qaward_notify_application_notices": f"""
        BEGIN
          PERFORM pg_notify('{CHANNEL}', e.notice_id::text) FROM notice_entries e WHERE e.application_id = NEW.id;
          RETURN NULL;
        END""",
    "qaward_notify_all_notices": f"""
        BEGIN
          PERFORM pg_notify('{CHANNEL}', '*');
          RETURN NULL;
        END""",
    # the instant as epoch seconds: text independent of the writer's TimeZone and DateStyle
    "qaward_notify_test_clock": f"""
        BEGIN
          IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
            PERFORM pg_notify('{CHANNEL}', 'clock:');
          ELSE
            PERFORM pg_notify('{CHANNEL}', 'clock:' || extract(epoch FROM NEW.frozen_at)::text);
          END IF;
          RETURN NULL;
        END""",
}

TRIGGERS = [
    ("notices", "qaward_notice_changed", "AFTER INSERT OR UPDATE OR DELETE", "ROW", "", "qaward_notify_notice"),
    (
        "notice_entries",
        "qaward_notice_entry_changed",
        "AFTER INSERT OR UPDATE OR DELETE",
        "ROW",
        "",
        "qaward_notify_notice_part",
    ),
    (
        "objections",
        "qaward_notice_objection_changed",
        "AFTER INSERT OR UPDATE OR DELETE",
        "ROW",
        "",
        "qaward_notify_notice_part",
    ),
    (
        "applications",
        "qaward_notice_application_state_changed",
        "AFTER UPDATE OF state",
        "ROW",
        "WHEN (OLD.state IS DISTINCT FROM NEW.state)",
        "qaward_notify_application_notices",
    ),
    (
        "test_clock",
        "qaward_test_clock_changed",
        "AFTER INSERT OR UPDATE OR DELETE",
        "ROW",
        "",
        "qaward_notify_test_clock",
    ),
    ("test_clock", "qaward_test_clock_truncated", "AFTER TRUNCATE", "STATEMENT", "", "qaward_notify_test_clock"),
    *[
        (table, f"qaward_{table}_truncated_notices", "AFTER TRUNCATE", "STATEMENT", "", "qaward_notify_all_notices")
        for table in ("notices", "notice_entries", "objections", "applications")
    ],
]


def upgrade() -> None:
    for name, body in FUNCTIONS.items():
        op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $${body}\n$$")
    for table, trigger, when, level, condition, function in TRIGGERS:
        op.execute(
            f"CREATE TRIGGER {trigger} {when} ON {table} FOR EACH {level} {condition} EXECUTE FUNCTION {function}()"
        )


def downgrade() -> None:
    for table, trigger, *_ in TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger} ON {table}")
    for name in FUNCTIONS:
        op.execute(f"DROP FUNCTION {name}()")
