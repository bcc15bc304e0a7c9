"""The public notices' change channel: one LISTEN connection per process to the primary (issue 21).

The triggers of migration ``20261209_reads`` ``NOTIFY`` the channel at the commit of every change a
public notice shows (its id as the payload; ``*`` for everything; ``clock:<epoch>`` for the test
clock). PostgreSQL delivers notifications in commit order, and never those of a rolled-back change.
This module holds the connection: it listens, tells a ``Sink`` what it heard, and reconnects with
backoff; while it is not connected the sink is told so and must trust nothing it kept (a change
committed meanwhile was never heard). A dead server that never closes the socket is found by a ping.

``sync`` is a barrier: a notification this connection sends itself arrives after every
notification of the transactions committed before it was sent (the NOTIFY docs' ordering), so once
it is heard back, everything a write of this process changed has been heard too.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Protocol

import asyncpg

from app.db.session import _asyncpg_url

log = logging.getLogger(__name__)

CHANNEL = "qaward_public_notice"
EVERYTHING = "*"
CLOCK = "clock:"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Sink(Protocol):
    def connected(self, frozen: datetime | None) -> None:
        """Listening from now on; ``frozen``: the test clock as stored when listening began."""

    def lost(self) -> None:
        """Not listening: anything kept may have changed unheard."""

    def changed(self, notice_id: uuid.UUID | None) -> None:
        """A committed change of this notice (None: of any notice)."""

    def clock(self, frozen: datetime | None) -> None:
        """The test clock was set (or cleared: None)."""

    def synced(self, token: str) -> None:
        """The barrier ``token`` came back: every change committed before it was sent has been heard."""


def _instant(epoch: str) -> datetime | None:
    if not epoch:
        return None
    try:
        micros = int(Decimal(epoch) * 1_000_000)
    except InvalidOperation:
        return None
    return _EPOCH + timedelta(microseconds=micros)


class NoticeListener:
    """The one LISTEN connection of this process, kept up for as long as the app runs."""

    def __init__(
        self,
        url: str,
        sink: Sink,
        *,
        test_clock: bool,
        ping_seconds: float = 5.0,
        backoff: tuple[float, float] = (0.1, 10.0),
    ) -> None:
        sa_url, self._connect_args = _asyncpg_url(url)
        self._dsn = sa_url.replace("postgresql+asyncpg://", "postgresql://", 1)
        self._sink = sink
        self._test_clock = test_clock
        self._ping_seconds = ping_seconds
        self._backoff = backoff
        instance = uuid.uuid4().hex
        # this process's own barrier channel: no other listener wakes for it
        self._sync_channel = f"qaward_sync_{instance}"
        # how an operator (or a test) finds this connection in pg_stat_activity
        self.application_name = f"qaward-listen:{os.getpid()}:{instance[:12]}"
        self._conn: asyncpg.Connection | None = None
        self._busy = asyncio.Lock()  # one statement at a time on the connection (ping, barrier, clock)
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="notice-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def reset(self) -> None:
        """End the connection (it is reconnected, and the sink told): when it can no longer be relied on."""
        conn = self._conn
        if conn is not None and not conn.is_closed():
            conn.terminate()

    async def sync(self, token: str) -> bool:
        """Send the barrier ``token`` (heard back through ``Sink.synced``); False when not connected."""
        conn = self._conn
        if conn is None:
            return False
        async with self._busy:
            await conn.execute("SELECT pg_notify($1, $2)", self._sync_channel, token)
        return True

    async def _run(self) -> None:
        delay = self._backoff[0]
        while True:
            try:
                await self._listen()
                delay = self._backoff[0]
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning(
                    "public notice channel unavailable (%s); public notice reads go to the database until it is back",
                    type(exc).__name__,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._backoff[1])

    async def _listen(self) -> None:
        conn = await asyncpg.connect(
            self._dsn,
            **self._connect_args,
            timeout=10,
            server_settings={"application_name": self.application_name},
        )
        closed = asyncio.Event()  # this connection's own: a former one's late callback must not end it
        conn.add_termination_listener(lambda _conn: closed.set())
        try:
            await conn.add_listener(CHANNEL, self._heard)
            await conn.add_listener(self._sync_channel, self._heard_sync)
            # read after LISTEN: a change committed from here on is heard, one committed before is read
            frozen = None
            if self._test_clock:
                frozen = _instant(str(await conn.fetchval(_CLOCK_SQL) or ""))
            self._conn = conn
            self._sink.connected(frozen)
            while not closed.is_set():
                with suppress(TimeoutError):
                    await asyncio.wait_for(closed.wait(), self._ping_seconds)
                    break
                async with self._busy:
                    await conn.fetchval("SELECT 1", timeout=self._ping_seconds)
            raise ConnectionError("the notice channel's connection closed")
        finally:
            self._conn = None
            self._sink.lost()
            if not conn.is_closed():
                conn.terminate()

    def _heard(self, _conn, _pid: int, _channel: str, payload: str) -> None:
        if payload.startswith(CLOCK):
            if self._test_clock:  # production has no test clock, whatever a table says
                self._sink.clock(_instant(payload.removeprefix(CLOCK)))
            return
        if payload == EVERYTHING:
            self._sink.changed(None)
            return
        try:
            notice_id = uuid.UUID(payload)
        except ValueError:
            notice_id = None  # not ours to read: treat as a change of anything
        self._sink.changed(notice_id)

    def _heard_sync(self, _conn, _pid: int, _channel: str, payload: str) -> None:
        self._sink.synced(payload)


_CLOCK_SQL = "SELECT extract(epoch FROM frozen_at)::text FROM test_clock WHERE id = 1"
