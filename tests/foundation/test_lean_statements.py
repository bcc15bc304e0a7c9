"""Statements sent straight to asyncpg (app/db/lean.py) run inside the request's transaction.

The lean path reaches below SQLAlchemy's asyncpg adapter; if an upgrade changed how the adapter
begins its transaction, these reads and writes would silently run in autocommit. These tests
fail first.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.db import lean
from app.db.repositories import clock as clock_repo


async def test_a_lean_first_statement_begins_the_transaction_and_a_rollback_undoes_its_write(app, sync_db):
    async with app.state.db.sessionmaker() as session:
        tx = await session.begin()
        await lean.execute(
            session,
            "INSERT INTO test_clock (id, frozen_at, set_by) VALUES (1, $1, 'lean-test')",
            datetime(2026, 9, 1, tzinfo=UTC),
        )
        # seen inside the transaction, by SQLAlchemy and by the driver alike
        assert await clock_repo.read(session) == datetime(2026, 9, 1, tzinfo=UTC)
        await tx.rollback()
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM test_clock")
        assert cur.fetchone()[0] == 0


async def test_a_lean_read_sees_pending_orm_changes_of_the_same_session(app):
    from app.db.models.platform import TestClock

    async with app.state.db.sessionmaker() as session, session.begin():
        session.add(TestClock(id=1, frozen_at=datetime(2027, 1, 4, tzinfo=UTC), set_by="orm"))
        # not flushed yet: the lean read flushes first, as an ORM query would
        row = await lean.fetchrow(session, "SELECT set_by, frozen_at FROM test_clock WHERE id = 1")
        assert row is not None and row.set_by == "orm"
        await session.rollback()


async def test_a_lean_database_error_is_sqlalchemys_with_its_sqlstate(app):
    async with app.state.db.sessionmaker() as session, session.begin():
        with pytest.raises(DBAPIError) as err:
            await lean.fetchval(session, "SELECT 1 / $1::int", 0)
        assert err.value.orig.sqlstate == "22012"  # division_by_zero: answered 422 like an ORM statement's
        await session.rollback()


async def test_a_lean_write_inside_a_savepoint_is_undone_with_the_savepoint(app, sync_db):
    """SQLAlchemy emits a session's SAVEPOINT when the savepoint first asks for the connection; a lean
    statement must ask too, or it runs outside the savepoint and survives its rollback (the deadline
    worker fires each event in a savepoint, after the request-style test clock read went through lean)."""
    async with app.state.db.sessionmaker() as session:
        async with session.begin():
            await clock_repo.read(session)  # lean first, as every request and worker batch outside production
            savepoint = await session.begin_nested()
            await lean.execute(
                session,
                "INSERT INTO test_clock (id, frozen_at, set_by) VALUES (1, $1, 'lean-test')",
                datetime(2026, 9, 1, tzinfo=UTC),
            )
            await savepoint.rollback()
            assert await lean.fetchval(session, "SELECT count(*) FROM test_clock") == 0
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM test_clock")
        assert cur.fetchone()[0] == 0


async def test_a_lean_error_inside_a_savepoint_is_its_own_and_the_transaction_goes_on_after_it(app):
    """A failed statement inside a savepoint is raised as itself (not as the SAVEPOINT refused after
    it), and rolling the savepoint back lets the transaction continue, as ``_fire`` in
    app/workflow/deadlines.py relies on for a refused event."""
    async with app.state.db.sessionmaker() as session, session.begin():
        await clock_repo.read(session)
        savepoint = await session.begin_nested()
        with pytest.raises(DBAPIError) as err:
            await lean.fetchval(session, "SELECT 1 / $1::int", 0)
        assert err.value.orig.sqlstate == "22012"
        await savepoint.rollback()
        assert await lean.fetchval(session, "SELECT 2") == 2
        await session.rollback()


async def test_a_statements_own_driver_error_is_not_a_lost_connection(app):
    """A wrong argument count is an asyncpg InterfaceError raised before anything is sent: the
    connection is sound, so it is neither dropped nor answered 503 /database-unavailable (a lost
    connection renews the whole pool)."""
    async with app.state.db.sessionmaker() as session, session.begin():
        with pytest.raises(DBAPIError) as err:
            await lean.fetchval(session, "SELECT $1::int", 1, 2)
        assert not err.value.connection_invalidated
        assert not (await session.connection()).invalidated
        assert await lean.fetchval(session, "SELECT $1::int", 3) == 3
        await session.rollback()


def test_the_installed_sqlalchemy_is_the_minor_series_lean_is_tested_on():
    """lean.driver() begins the asyncpg adapter's transaction through a SQLAlchemy internal; another
    minor series may keep the name and change what it means. Re-run this module on the new series,
    then move ``TESTED_ON`` (and the pin in pyproject.toml) together."""
    import sqlalchemy

    assert sqlalchemy.__version__.split(".")[:2] == lean.TESTED_ON.split("."), (sqlalchemy.__version__, lean.TESTED_ON)


def test_lean_refuses_to_load_on_an_adapter_without_the_transaction_internals():
    """Loud at import, not silently in autocommit: the check names what is missing and both versions."""

    class Adapter:
        _transaction = None

    with pytest.raises(RuntimeError, match=r"_start_transaction.*tested on SQLAlchemy 2\.1\.x"):
        lean._check_adapter(Adapter)
    with pytest.raises(RuntimeError, match=r"_transaction, \._start_transaction"):
        lean._check_adapter(type("Bare", (), {}))


def test_lean_touches_no_sqlalchemy_internal_but_the_two_it_guards():
    """Every private attribute lean.py reads belongs to its own objects, except the adapter's two."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(lean))
    private = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and not (isinstance(node.value, ast.Name) and node.value.id == "self")
    }
    assert private == {"_transaction", "_start_transaction"}


async def test_a_lost_connection_has_every_connection_opened_before_it_replaced_at_checkout(app, sync_db):
    """What SQLAlchemy does on a disconnect, through public pool events: the pool's other connections,
    ended by the same restart, are reopened when next checked out instead of failing a request each."""
    import os

    engine = app.state.db.engine
    held = [await engine.connect() for _ in range(3)]
    before = {await conn.scalar(text("SELECT pg_backend_pid()")) for conn in held}
    for conn in held:
        await conn.close()
    with sync_db.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (f"qaward:{os.getpid()}",),
        )
    async with app.state.db.sessionmaker() as session:
        with pytest.raises(DBAPIError) as err:
            await lean.fetchval(session, "SELECT 1")
        assert err.value.connection_invalidated
    after = [await engine.connect() for _ in range(3)]
    try:
        pids = {await conn.scalar(text("SELECT pg_backend_pid()")) for conn in after}
    finally:
        for conn in after:
            await conn.close()
    assert len(pids) == 3 and not pids & before
