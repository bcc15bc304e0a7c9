"""The outbox worker: publishes and delivers, inside ``qaward serve``'s worker and ``qaward worker``."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx

from app.config import Settings
from app.db.session import Database
from app.domain.outbox import delivery, publisher

log = logging.getLogger("qaward.outbox")


async def run_once(db: Database, settings: Settings, client: httpx.AsyncClient, batch: int = 200) -> tuple[int, int]:
    """Publish what committed, then deliver what is due until nothing is; returns (published, attempted)."""
    published = await publisher.publish(db)
    attempted = 0
    while True:
        n = await delivery.deliver_due(db, settings, client, batch)
        attempted += n
        if n == 0:
            return published, attempted


class OutboxWorker:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db, self.settings = db, settings

    async def run(self) -> None:
        async with delivery.http_client() as client:
            while True:
                try:
                    await run_once(self.db, self.settings, client)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("outbox worker run failed; retrying")
                await asyncio.sleep(self.settings.worker_poll_seconds)

    @contextlib.asynccontextmanager
    async def running(self):
        task = asyncio.create_task(self.run(), name="outbox-worker")
        try:
            yield task
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
