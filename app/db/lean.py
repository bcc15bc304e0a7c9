"""Statements sent straight to asyncpg, inside the session's transaction, for the hot paths.

An ORM statement costs several times its SQL in Python (building the clause, the compiled-cache
key, the unit of work, identity-mapped objects); the event path runs a dozen of them per request.
The reads that only inform a decision (the eligibility facts, the bans, the other applications)
and the batch writes of the deadline worker go through here instead: SQL written once at import,
prepared once per connection by asyncpg's statement cache, rows handed back as read-only views.

Rows read here are not in the session's identity map: they are facts, never changed through the
ORM. A database error is raised as SQLAlchemy's ``DBAPIError`` (its SQLSTATE kept), so the API
answers it like any other (409 on a deadlock, 503 on a lost connection, 422 on a bad value).

One SQLAlchemy internal remains, for want of a public API doing its job: beginning the asyncpg
adapter's transaction (``AsyncAdapt_asyncpg_connection._transaction`` / ``._start_transaction``;
SQLAlchemy begins it only inside its own cursor, on the first statement). It is tested on the
SQLAlchemy minor series ``TESTED_ON``; ``_check_adapter`` refuses to import this module when the
installed SQLAlchemy lacks it, and tests/foundation/test_lean_statements.py fails on another series.
"""

from __future__ import annotations

import inspect
import math
import time
import weakref
from collections.abc import Iterable
from typing import Any

import asyncpg
import sqlalchemy
from sqlalchemy import Engine, Table, event
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

# the SQLAlchemy minor series whose asyncpg adapter driver() was written against and is tested on
TESTED_ON = "2.1"


def _check_adapter(adapter: type) -> None:
    """Fail loudly, naming both versions, when the adapter no longer has the transaction internals
    ``driver()`` uses: a statement sent before BEGIN would otherwise run in autocommit, silently."""
    missing = [
        name
        for name, ok in (
            ("_transaction", hasattr(adapter, "_transaction")),
            ("_start_transaction", inspect.iscoroutinefunction(getattr(adapter, "_start_transaction", None))),
        )
        if not ok
    ]
    if missing:
        raise RuntimeError(
            f"app/db/lean.py needs {adapter.__module__}.{adapter.__qualname__}.{', .'.join(missing)}, which SQLAlchemy "
            f"{sqlalchemy.__version__} does not have; it is tested on SQLAlchemy {TESTED_ON}.x (pin it, or port driver())"
        )


_check_adapter(AsyncAdapt_asyncpg_connection)


class RowView:
    """One row, read by attribute like an ORM object (``row.credit_code``), never written."""

    __slots__ = ("_row",)

    def __init__(self, row: asyncpg.Record) -> None:
        self._row = row

    def __getattr__(self, name: str) -> Any:
        try:
            return self._row[name]
        except KeyError:
            raise AttributeError(name) from None

    def as_dict(self) -> dict[str, Any]:
        return dict(self._row)

    def __repr__(self) -> str:  # never the values: a row may hold personal data
        return f"RowView({', '.join(self._row.keys())})"


def columns(table: Table, prefix: str = "", skip: Iterable[str] = ()) -> str:
    """The column list of ``table`` for a pre-built SELECT (follows the model as it changes)."""
    return ", ".join(f'{prefix}"{c.name}"' for c in table.columns if c.name not in skip)  # quoted: "by", "at"


async def driver(session: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection under ``session``, its transaction begun (so nothing runs outside it).

    Pending ORM changes are flushed first, as an ORM query would (autoflush), so a read here
    sees what the request has written so far. The connection is kept for the rest of the
    session's transaction (or savepoint): reaching it through the session costs more than most
    statements.
    """
    if session.new or session.deleted or session.dirty:
        await session.flush()
    # the innermost transaction: SQLAlchemy emits a savepoint's SAVEPOINT only when the savepoint
    # first asks for the connection, so a new savepoint must ask (session.connection()) before a
    # statement here runs, or the statement runs outside it and survives its rollback
    tx = session.get_nested_transaction() or session.get_transaction()
    cached = session.info.get(_CACHED)
    if cached is not None and tx is not None and cached[0] is tx and tx.is_active:
        return cached[1]
    conn = await session.connection()
    raw = await conn.get_raw_connection()
    adapted = raw.dbapi_connection
    # SQLAlchemy's asyncpg adapter begins its transaction lazily, on its first statement; a
    # statement sent straight to the driver before that would run in autocommit
    if adapted._transaction is None:  # SQLAlchemy internal: see the module docstring (TESTED_ON, _check_adapter)
        try:
            await adapted._start_transaction()
        except Exception as exc:
            raise await _database_error(conn, raw.driver_connection, "BEGIN", exc) from exc
    session.info[_CACHED] = (session.get_nested_transaction() or session.get_transaction(), raw.driver_connection)
    return raw.driver_connection


_CACHED = "lean.driver"


def _lost(exc: BaseException, db: asyncpg.Connection) -> bool:
    """Whether the connection is gone (what SQLAlchemy's asyncpg dialect calls a disconnect) or its
    driver is in a state it cannot leave (InternalClientError: e.g. the server's farewell half read).

    Not any InterfaceError: one raised before anything is sent (a wrong argument count) is this
    statement's fault, and must not have the pool renewed. (A value the driver cannot encode is
    asyncpg's DataError, a PostgresError with SQLSTATE 22000: answered 422 like the server's own.)
    """
    if db.is_closed():
        return True
    while exc is not None:
        if isinstance(
            exc,
            (
                asyncpg.exceptions.ConnectionDoesNotExistError,
                asyncpg.exceptions.InternalClientError,
                ConnectionError,
                OSError,
            ),
        ):
            return True
        if "connection is closed" in str(exc):
            return True
        exc = exc.__cause__
    return False


async def _database_error(conn: AsyncConnection, db: asyncpg.Connection, sql: str, exc: Exception) -> DBAPIError:
    """``exc`` as SQLAlchemy would raise it; a lost connection is dropped, and the pool renewed, at once."""
    lost = _lost(exc, db)
    if lost and not conn.invalidated:
        # as SQLAlchemy does on a disconnect: what ended this connection (a restart, a failover) ended
        # every one opened before it, so the pool replaces each at its next checkout rather than let a
        # request of its own find it dead
        _losses(conn.sync_engine).lost((await conn.get_raw_connection()).info)
        await conn.invalidate()
    orig = exc if hasattr(exc, "sqlstate") else (exc.__cause__ or exc)
    return DBAPIError(sql, None, orig, hide_parameters=True, connection_invalidated=lost)


_OPENED = "lean.opened_at"


class _Losses:
    """When an engine last lost a connection, and the pool listeners (public ``PoolEvents``) that replace,
    at checkout, every connection opened before then: what SQLAlchemy's own disconnect handling does
    with its private ``Pool._invalidate``."""

    def __init__(self, engine: Engine) -> None:
        self.lost_at = -math.inf
        event.listen(engine, "connect", self._stamp)
        event.listen(engine, "checkout", self._refuse_stale)

    def lost(self, info: dict) -> None:
        # only a connection of the current generation moves it: after a restart every stale connection
        # reports its death in turn, and each must not condemn the fresh ones opened since
        if info.get(_OPENED, -math.inf) >= self.lost_at:
            self.lost_at = time.monotonic()

    @staticmethod
    def _stamp(dbapi_connection: Any, record: Any) -> None:
        record.info[_OPENED] = time.monotonic()

    def _refuse_stale(self, dbapi_connection: Any, record: Any, proxy: Any) -> None:
        # a connection unstamped was opened before the listeners: before the loss too
        if record.info.get(_OPENED, -math.inf) < self.lost_at:
            raise DisconnectionError("opened before the database connection was lost")  # the pool reconnects it


_LOSSES: weakref.WeakKeyDictionary[Engine, _Losses] = weakref.WeakKeyDictionary()


def _losses(engine: Engine) -> _Losses:
    """The engine's record of losses, its listeners installed at the first loss (an engine that never
    loses a connection pays nothing at checkout)."""
    found = _LOSSES.get(engine)
    if found is None:
        found = _LOSSES[engine] = _Losses(engine)
    return found


_DRIVER_ERRORS = (
    asyncpg.PostgresError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    OSError,
)


async def _call(session: AsyncSession, method: str, sql: str, args: tuple) -> Any:
    db = await driver(session)
    try:
        return await getattr(db, method)(sql, *args)
    except _DRIVER_ERRORS as exc:
        raise await _database_error(await session.connection(), db, sql, exc) from exc


async def fetch(session: AsyncSession, sql: str, *args: Any) -> list[RowView]:
    return [RowView(r) for r in await _call(session, "fetch", sql, args)]


async def fetchrow(session: AsyncSession, sql: str, *args: Any) -> RowView | None:
    row = await _call(session, "fetchrow", sql, args)
    return None if row is None else RowView(row)


async def fetchval(session: AsyncSession, sql: str, *args: Any) -> Any:
    return await _call(session, "fetchval", sql, args)


async def execute(session: AsyncSession, sql: str, *args: Any) -> str:
    return await _call(session, "execute", sql, args)
