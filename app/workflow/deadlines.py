"""The deadline worker: due deadline rows fire their events, exactly once in effect.

Any number of workers, on any number of machines, may run: each batch claims due rows with
``FOR UPDATE SKIP LOCKED``, fires each as an ordinary event by actor ``system`` (recorded like
any other), and marks the row in the same transaction. A crash rolls the batch back, so its
rows fire on the next run; deadlines missed while everything was down are simply due.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from types import SimpleNamespace

from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.db.models.workflow import Deadline
from app.db.repositories import clock as clock_repo
from app.db.repositories import idempotency as idempotency_repo
from app.db.repositories import operations as operations_repo
from app.db.repositories import workflow as repo
from app.db.session import Database
from app.domain import checkpoints, clock, history, read_audit
from app.domain.aftercare import duties
from app.domain.errors import DomainError
from app.domain.files import sweep as file_sweep
from app.domain.outbox.worker import OutboxWorker
from app.domain.states import RoundState
from app.workflow import checks
from app.workflow.machine import Facts, workflow_for
from app.workflow.rounds import fire_round_event
from app.workflow.service import SYSTEM, Attempt, EventContext, apply_event, decide, load_for_event, recording_refusals

log = logging.getLogger("qaward.deadlines")


async def _fire(session: AsyncSession, d: Deadline) -> str:
    ctx = EventContext(SYSTEM, request_id=f"deadline:{d.id}")
    if d.application_id is None:
        rnd = await repo.get_round(session, d.round_id, for_update=True)
        if rnd is None or rnd.state != RoundState.OPEN:
            return "skipped: round not open"
        await fire_round_event(session, SYSTEM, rnd, d.event)
        return "fired"
    app, rnd = await load_for_event(session, d.application_id, d.event)
    if app.state != d.stage:
        return f"skipped: application already left {d.stage}"
    try:
        async with recording_refusals(session, ctx):
            ctx.attempt = Attempt.of(app, d.event, None, {})
            await apply_event(session, ctx, app, rnd, d.event, None, {})
    except DomainError as err:
        # e.g. an objection is still open: the notice waits; deciding the objection moves it on
        return f"waiting: {err.slug}"
    return "fired"


async def _close_notices(session: AsyncSession, due: list, now) -> None:
    """``close_notice`` for a whole batch: one lock query, one objection count, bulk writes.

    Each application is decided by the same transition function as a clerk's event (``decide``:
    the same machine, conditions and refusals, the round's state included), then the same checks;
    only the reads and writes are done for the batch at once, with Core statements, so draining
    a large backlog stays fast.
    """
    apps = {a.id: a for a in await repo.lock_application_rows(session, [d.application_id for d in due])}
    rounds = await repo.rounds_by_id(session, {a.round_id for a in apps.values()})
    objections = await checks.open_objections_many(session, list(apps))
    events: list[dict] = []
    moved: dict = {}  # application id → (from state, target, new version)
    marks: tuple[list, list, list] = ([], [], [])
    heads = {a.id: (a.history_seq, a.history_head) for a in apps.values()}
    ctx = EventContext(SYSTEM)
    for d in due:
        app = apps.get(d.application_id)
        if app is None or app.state != d.stage or app.id in moved:
            _mark(marks, d.id, "fired", f"skipped: application already left {d.stage}")
            continue
        wf = workflow_for(app.programme, app.programme_version)
        rnd = rounds[app.round_id]
        facts = Facts(notice_period_over=d.ends_at <= now, open_objections=objections.get(app.id, 0))
        refusal, failed, target = None, None, None
        try:
            target = decide(ctx, wf, app, rnd, d.event, None, {}, facts, now).target
            # checks read the application (a row here, read-only)
            await checks.run_checks(session, app, rnd, d.event, {})
        except DomainError as err:
            refusal, failed = err.slug, err.extra.get("condition")
        actor = history.Actor("system", "system", f"deadline:{d.id}")
        seq, head = heads[app.id]
        if refusal:
            # e.g. an objection is still open: the notice waits; deciding the objection moves it on
            entry = history.next_entry(
                app.id, seq + 1, head, actor, d.event, app.state, None, False, None, {}, refusal, now
            )
            _mark(marks, d.id, "waiting", f"waiting: {refusal}" + (f" ({failed})" if failed else ""))
        else:
            entry = history.next_entry(
                app.id, seq + 1, head, actor, d.event, app.state, target, True, None, {}, None, now
            )
            moved[app.id] = (app.state, target, app.version + 1)
            _mark(marks, d.id, "fired", "fired")
        heads[app.id] = (seq + 1, entry["hash"])
        events.append(entry)
    ids = list(moved)
    await repo.update_application_states(
        session,
        ids,
        [moved[i][1] for i in ids],
        [moved[i][2] for i in ids],
        [heads[i][0] for i in ids],
        [heads[i][1] for i in ids],
        now,
    )
    only_heads = [i for i in heads if i not in moved and heads[i][0] != apps[i].history_seq]
    await repo.update_application_heads(
        session, only_heads, [heads[i][0] for i in only_heads], [heads[i][1] for i in only_heads]
    )
    await repo.insert_events(session, events)
    await repo.mark_deadlines(session, *marks, now)
    await repo.cancel_other_open_deadlines(session, ids, [d.id for d in due], now, "left the notice by close_notice")
    for app_id in ids:
        # hooks see the application as it now is (a read-only view: no row is loaded per application)
        view = SimpleNamespace(**{**apps[app_id]._mapping, "state": moved[app_id][1], "version": moved[app_id][2]})
        await checks.after_event(session, view, rounds[view.round_id], "close_notice", moved[app_id][0], {})


def _mark(marks: tuple[list, list, list], deadline_id, status: str, result: str) -> None:
    marks[0].append(deadline_id)
    marks[1].append(status)
    marks[2].append(result)


async def run_due(db: Database, settings: Settings, batch: int = 1000) -> int:
    """Fire every due deadline, batch by batch; returns how many were handled."""
    handled = 0
    while True:
        async with db.transaction() as session:
            if not settings.production:
                clock.set_frozen(await clock_repo.read(session))
            now = clock.now()
            due = await repo.claim_due_rows(session, now, batch)
            notices = [d for d in due if d.application_id is not None and d.event == "close_notice"]
            if notices:
                await _close_notices(session, notices, now)
            others = [d for d in due if d.application_id is None or d.event != "close_notice"]
            marks: tuple[list, list, list] = ([], [], [])
            for d in others:
                result = await _fire(session, d)
                _mark(marks, d.id, "waiting" if result.startswith("waiting") else "fired", result)
            await repo.mark_deadlines(session, *marks, now)
            if len(due) < batch:
                # post-award duties past their last day: overdue, announced in the outbox (issue 17)
                await duties.mark_overdue(session, now)
        if due:
            waiting = marks[1].count("waiting")
            log.info(
                "deadline batch: %s handled (%s close_notice, %s waiting)",
                len(due),
                len(notices),
                waiting,
                extra={"batch": len(due), "close_notice": len(notices), "waiting": waiting, "as_of": now.isoformat()},
            )
        handled += len(due)
        if len(due) < batch:
            return handled


async def purge_idempotency_keys(db: Database) -> int:
    """Idempotency keys are kept ``idempotency_ttl_hours`` (24 h at least), then forgotten."""
    async with db.transaction() as session:
        return await idempotency_repo.purge_expired(session, clock.now())


FILE_SWEEP_SECONDS = 3600  # stored files no record names (app/domain/files/sweep.py)
CHECKPOINT_SECONDS = 600  # how often the worker asks whether today's audit checkpoint exists


async def make_daily_checkpoint(db: Database, settings: Settings) -> None:
    """Today's signed checkpoint of the history, once per Asia/Shanghai day (app/domain/checkpoints.py)."""
    try:
        made = await checkpoints.make_daily(db, settings)
    except checkpoints.NoSigningKey as err:
        log.error("no audit checkpoint made: %s", err)
        return
    if made is not None:
        log.info("audit checkpoint of %s: %s chains, root %s", made.doc["day"], made.doc["chains"], made.doc["root"])


HEARTBEAT_SECONDS = 5.0  # how often an idle worker says it is alive (QAWARD_WORKER_STALE_SECONDS is the limit)
GONE_WORKER_SECONDS = 7 * 24 * 3600  # a heartbeat silent this long is a worker that will not come back


class DeadlineWorker:
    """Polls for due deadlines inside ``qaward serve`` (or alone in ``qaward worker``).

    It beats a heartbeat row (``worker_heartbeats``) every few seconds and after each batch,
    which ``/ready`` of any replica reads; a clean stop removes its row.
    """

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db, self.settings = db, settings
        self.wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self.host, self.pid = socket.gethostname(), os.getpid()
        self.id = f"{self.host}:{self.pid}:{uuid.uuid4().hex[:8]}"
        self._last_beat = 0.0

    async def beat(self, batch_size: int | None = None) -> None:
        if batch_size is None and time.monotonic() - self._last_beat < HEARTBEAT_SECONDS:
            return
        async with self.db.transaction() as session:
            await operations_repo.beat(session, self.id, self.host, self.pid, batch_size)
        self._last_beat = time.monotonic()

    async def run(self) -> None:
        log.info(
            "deadline worker %s started (polling every %ss)",
            self.id,
            self.settings.worker_poll_seconds,
            extra={"worker": self.id, "host": self.host, "pid": self.pid},
        )
        try:
            # the outbox's publisher and webhook delivery run beside it, in the same process (issue 18)
            async with OutboxWorker(self.db, self.settings).running():
                await self._run()
        finally:
            log.info("deadline worker %s stopping", self.id, extra={"worker": self.id})
            with contextlib.suppress(Exception):
                # shielded: a cancelled task still removes its row (no false "stale worker" after a clean stop)
                await asyncio.shield(self._remove())

    async def _remove(self) -> None:
        async with self.db.transaction() as session:
            await operations_repo.remove(session, self.id)

    async def _run(self) -> None:
        last_purge = 0.0
        loop = asyncio.get_running_loop()
        next_sweep = loop.time() + 60  # not at once: a process restarting in a loop would sweep in a loop
        next_checkpoint = loop.time()  # one a day at most whenever it runs (checkpoints.make_daily)
        while True:
            try:
                n = await run_due(self.db, self.settings)  # logs each batch
                await self.beat(n or None)
                if loop.time() - last_purge > 300:
                    await purge_idempotency_keys(self.db)
                    async with self.db.transaction() as session:
                        await operations_repo.purge_gone(session, GONE_WORKER_SECONDS)
                    last_purge = loop.time()
                if loop.time() >= next_sweep:
                    next_sweep = loop.time() + FILE_SWEEP_SECONDS
                    await file_sweep.sweep(self.db, self.settings)
                    await read_audit.purge(self.db, self.settings)  # past retention only (GB/T 22239: 6 months)
                if loop.time() >= next_checkpoint:
                    next_checkpoint = loop.time() + CHECKPOINT_SECONDS
                    await make_daily_checkpoint(self.db, self.settings)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("deadline worker run failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=self.settings.worker_poll_seconds)
            self.wake.clear()

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="deadline-worker")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
