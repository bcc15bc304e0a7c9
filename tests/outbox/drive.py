"""Writers, workers and the test clock for the outbox tests (real PostgreSQL, the app's own database pool)."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta

from app.db import lean
from app.domain import outbox
from app.domain.outbox import delivery
from app.domain.outbox.worker import run_once

SUBJECT_TABLE = "outbox_test_subjects"
T0 = datetime.fromisoformat("2026-09-01T09:00:00+08:00")


def make_subjects(sync_db, count: int) -> list[str]:
    """Rows standing for applications: a writer locks one (as an event locks its application) to emit."""
    names = [f"00000000-0000-0000-0000-{i:012d}" for i in range(count)]
    with sync_db.cursor() as cur:
        cur.execute(f"CREATE TABLE IF NOT EXISTS {SUBJECT_TABLE} (subject text PRIMARY KEY, n int NOT NULL)")
        cur.execute(f"TRUNCATE {SUBJECT_TABLE}")
        cur.executemany(f"INSERT INTO {SUBJECT_TABLE} VALUES (%s, 0)", [(n,) for n in names])
    return names


def drop_subjects(sync_db) -> None:
    with sync_db.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {SUBJECT_TABLE}")


async def writer(db, w: int, events: int, subjects: list[str], programme: str = "changning") -> None:
    """``events`` transactions, each locking a random subject's row, counting it up and emitting that count."""
    rnd = random.Random(w)
    for _ in range(events):
        s = rnd.choice(subjects)
        async with db.transaction() as session:
            n = await lean.fetchval(session, f"UPDATE {SUBJECT_TABLE} SET n = n + 1 WHERE subject = $1 RETURNING n", s)
            # a short pause under the lock widens the window in which another writer waits on it
            await asyncio.sleep(rnd.random() * 0.002)
            await outbox.emit(
                session, "application.state_changed", {"application_id": s, "n": n, "writer": w}, programme=programme
            )


async def set_clock(client, admin: dict, at: datetime) -> None:
    r = await client.put("/api/v1/testing/clock", json={"now": at.isoformat()}, headers=admin)
    assert r.status_code == 200, r.text


class Workers:
    """``count`` outbox workers (publisher + delivery) looping in this process until stopped."""

    def __init__(self, db, settings, count: int) -> None:
        self.db, self.settings, self.count = db, settings, count
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    async def _loop(self) -> None:
        async with delivery.http_client() as http:
            while not self._stop.is_set():
                await run_once(self.db, self.settings, http)
                await asyncio.sleep(0.02)

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._loop()) for _ in range(self.count)]

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks)


async def pending(sync_db) -> int:
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM outbox_events WHERE published_seq IS NULL")
        unpublished = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'")
        return unpublished + cur.fetchone()[0]


async def until_drained(sync_db, client, admin, start: datetime, step: timedelta, rounds: int) -> datetime:
    """Move the test clock on by ``step`` until nothing is pending (the backoff waits skipped)."""
    at = start
    for _ in range(rounds):
        await asyncio.sleep(0.3)
        if await pending(sync_db) == 0:
            return at
        at += step
        await set_clock(client, admin, at)
    raise AssertionError(f"still pending after {rounds} steps: {await pending(sync_db)}")
