"""The read replica (只读副本): a second engine for public reads and exports, never for what decides.

A streaming replica answers what the primary had committed some milliseconds ago. That is fine
for the anonymous public (a notice, the winners, a certificate's status: nothing it reads follows
a write of its own) and for an office's bulk export once the replica has replayed everything the
primary had committed when the export began (the office's own writes included). Everything else,
and every read that follows the caller's own write, stays on the primary.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import Database, connect_failure

log = logging.getLogger(__name__)


class ReadDatabase(Database):
    """The replica's engine: every transaction read-only, so a misrouted write fails loudly (even when
    the URL names the primary itself) instead of being lost on a standby."""

    read_only_settings: dict[str, str] = {"default_transaction_read_only": "on"}
    # after a failed connection the replica is left alone this long: a replica that does not answer
    # would otherwise cost every public read the connect timeout
    retry_after_seconds = 5.0
    _down_until = 0.0

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession | None]:
        """A session on the replica, connected; None when the replica refuses or does not answer
        (the caller reads the primary: a replica down is not the public's outage)."""
        if time.monotonic() < self._down_until:
            yield None
            return
        async with self.sessionmaker() as session:
            try:
                await session.connection()
            except Exception as exc:
                # OSError too: a Unix socket that is not there (the replica stopped) is no answer either
                if not isinstance(exc, OSError) and not connect_failure(exc):
                    raise
                log.warning(
                    "read replica unavailable (%s): reading the primary for %s s",
                    type(exc).__name__,
                    self.retry_after_seconds,
                )
                self._down_until = time.monotonic() + self.retry_after_seconds
                yield None
                return
            try:
                yield session
            finally:
                await session.rollback()


async def primary_lsn(primary: AsyncSession) -> str:
    """The primary's WAL position now: every transaction committed before this request is below it."""
    return (await primary.execute(text("SELECT pg_current_wal_lsn()::text"))).scalar_one()


async def replayed(replica: AsyncSession, lsn: str) -> bool:
    """Whether the replica has replayed up to ``lsn`` (a server not in recovery has everything)."""
    stmt = text(
        "SELECT NOT pg_is_in_recovery() OR coalesce(pg_last_wal_replay_lsn() >= CAST(CAST(:lsn AS text) AS pg_lsn), false)"
    )
    return bool((await replica.execute(stmt, {"lsn": lsn})).scalar_one())


async def caught_up(primary: AsyncSession, replica: AsyncSession, wait_seconds: float) -> bool:
    """Whether the replica holds everything the primary had committed now, waiting up to ``wait_seconds``."""
    lsn = await primary_lsn(primary)
    deadline = time.monotonic() + wait_seconds
    while True:
        if await replayed(replica, lsn):
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.02)


async def in_recovery(session: AsyncSession) -> bool:
    """Whether ``session``'s server is a standby replaying the primary's WAL."""
    return bool((await session.execute(text("SELECT pg_is_in_recovery()"))).scalar_one())
