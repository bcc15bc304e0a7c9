"""Making the database refuse a write, to prove a failed transaction leaves nothing behind."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def inserts_refused(sync_db, table: str, *, at_commit: bool = False) -> Iterator[None]:
    """Every INSERT into ``table`` fails: at once (a BEFORE trigger), or only at COMMIT, after the
    endpoint itself succeeded (a deferred constraint trigger)."""
    trigger = (
        f"CREATE CONSTRAINT TRIGGER test_refuse_insert AFTER INSERT ON {table} DEFERRABLE INITIALLY DEFERRED"
        if at_commit
        else f"CREATE TRIGGER test_refuse_insert BEFORE INSERT ON {table}"
    )
    with sync_db.cursor() as cur:
        cur.execute(
            "CREATE FUNCTION test_refuse_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$"
        )
        cur.execute(f"{trigger} FOR EACH ROW EXECUTE FUNCTION test_refuse_insert()")
    try:
        yield
    finally:
        with sync_db.cursor() as cur:
            cur.execute(f"DROP TRIGGER test_refuse_insert ON {table}")
            cur.execute("DROP FUNCTION test_refuse_insert()")
