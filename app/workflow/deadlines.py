"""The deadline worker: due deadline rows fire their events, exactly once in effect.

Any number of workers, on any number of machines, may run: each batch claims due rows with
``FOR UPDATE SKIP LOCKED``, fires each as an ordinary event by actor ``system`` (recorded like
any other), and marks the row in the same transaction. A crash rolls the batch back, so its
rows fire on the next run; deadlines missed while everything was down are simply due.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.db.models.workflow import Deadline
from app.db.repositories import clock as clock_repo
from app.db.repositories import workflow as repo
from app.db.session import Database
from app.domain import clock
from app.domain.errors import DomainError
from app.workflow import history
from app.workflow.rounds import fire_round_event
from app.workflow.service import SYSTEM, EventContext, apply_event, load_for_event

log = logging.getLogger("qaward.deadlines")


async def _fire(session: AsyncSession, d: Deadline) -> str:
    ctx = EventContext(SYSTEM, request_id=f"deadline:{d.id}")
    if d.application_id is None:
        rnd = await repo.get_round(session, d.round_id, for_update=True)
        if rnd is None or rnd.state != "open":
            return "skipped: round not open"
        await fire_round_event(session, SYSTEM, rnd, d.event)
        return "fired"
    app, rnd = await load_for_event(session, d.application_id, d.event)
    if app.state != d.stage:
        return f"skipped: application already left {d.stage}"
    try:
        async with session.begin_nested():
            await apply_event(session, ctx, app, rnd, d.event, None, {})
    except DomainError as err:
        # e.g. an objection is still open: the notice waits; deciding the objection moves it on
        history.append(session, app, ctx.actor, d.event, app.state, None, False, None, {}, err.slug, clock.now())
        return f"waiting: {err.slug}"
    return "fired"


async def run_due(db: Database, settings: Settings, batch: int = 200) -> int:
    """Fire every due deadline, batch by batch; returns how many were handled."""
    handled = 0
    while True:
        async with db.transaction() as session:
            if not settings.production:
                clock.set_frozen(await clock_repo.read(session))
            now = clock.now()
            due = await repo.claim_due(session, now, batch)
            for d in due:
                result = await _fire(session, d)
                d.status = "waiting" if result.startswith("waiting") else "fired"
                d.fired_at = now
                d.result = result
        handled += len(due)
        if len(due) < batch:
            return handled


class DeadlineWorker:
    """Polls for due deadlines inside ``qaward serve`` (or alone in ``qaward worker``)."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db, self.settings = db, settings
        self.wake = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def run(self) -> None:
        while True:
            try:
                n = await run_due(self.db, self.settings)
                if n:
                    log.info("fired %s due deadlines", n)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("deadline worker run failed; retrying")
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=self.settings.worker_poll_seconds)
            except TimeoutError:
                pass
            self.wake.clear()

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="deadline-worker")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
