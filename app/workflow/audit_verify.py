"""``qaward audit verify`` at scale: the chains cut into slices by application id, verified in parallel.

Hashing is Python work (canonical JSON, SHA-256), so the parallelism is processes, not tasks: each
worker process opens its own connection and verifies one slice at a time in its own REPEATABLE
READ snapshot (a chain and its head always come from one snapshot; chains are independent, so
slices need not share one). Memory is bounded by the slice's cursors (a batch of rows and one
chain), not by the history's size. The slices are several per worker so that an unlucky slice
of long chains does not leave the others idle at the end. Progress goes to stderr.
"""

from __future__ import annotations

import asyncio
import bisect
import multiprocessing
import os
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from app.db.repositories import audit as audit_repo
from app.db.session import Database
from app.domain import history

SLICES_PER_WORKER = 8

_counter = None  # the worker process's shared entry counter (set by _init_worker)


def _init_worker(counter) -> None:
    global _counter
    _counter = counter


def _count(n: int) -> None:
    with _counter.get_lock():
        _counter.value += n


async def _verify_slice(db: Database, lo, hi, anchors, name: str, on_entries) -> tuple[history.Report, dict]:
    async with db.transaction() as session:
        return await history.verify_slice(session, anchors, name, lo, hi, on_entries)


def _slice_in_worker(url: str, lo, hi, anchors, name: str) -> tuple[history.Report, dict]:
    async def run():
        db = Database(url, pool_size=1)
        try:
            return await _verify_slice(db, lo, hi, anchors, name, _count)
        finally:
            await db.dispose()

    return asyncio.run(run())


def _slices(starts: list[uuid.UUID]) -> list[tuple[uuid.UUID | None, uuid.UUID | None]]:
    """[lo, hi) per slice; the first open below (an entry of no application sorts anywhere), the last above."""
    if not starts:
        return [(None, None)]
    cuts = [None, *starts[1:], None]
    return list(zip(cuts[:-1], cuts[1:], strict=True))


def _anchors_by_slice(
    anchors: dict[str, tuple[int, str]] | None, slices: list[tuple[uuid.UUID | None, uuid.UUID | None]]
) -> list[dict[str, tuple[int, str]] | None]:
    """Each slice's share of a checkpoint's anchors (one pass, a bisection each)."""
    if anchors is None:
        return [None] * len(slices)
    cuts = [hi for _, hi in slices[:-1]]  # the upper bounds, sorted
    out: list[dict[str, tuple[int, str]] | None] = [{} for _ in slices]
    for key, value in anchors.items():
        try:
            at = bisect.bisect_right(cuts, uuid.UUID(key))
        except ValueError:
            at = 0  # an anchor that is no application id at all: the first slice reports it gone
        out[at][key] = value
    return out


class Progress:
    """A line on stderr every few seconds: entries verified of those expected, the rate, the time left."""

    def __init__(self, expected: int, every: float = 2.0, stream=None) -> None:
        self.expected, self.every, self.stream = expected, every, stream or sys.stderr
        self.started = self.last = time.monotonic()

    def tick(self, done: int, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < self.every:
            return
        self.last = now
        rate = done / max(now - self.started, 1e-9)
        pct = f" ({100 * done / self.expected:.1f}%)" if self.expected else ""
        left = f", about {int((self.expected - done) / rate)} s left" if rate and self.expected > done else ""
        print(f"audit verify: {done:,} of {self.expected:,} entries{pct}, {rate:,.0f}/s{left}", file=self.stream)


async def verify(
    db: Database,
    anchors: dict[str, tuple[int, str]] | None = None,
    name: str = "",
    workers: int = 1,
    progress: Callable[[int, bool], None] | None = None,
) -> history.Report:
    """Every chain verified, by ``workers`` processes (1: in this process, on ``db``)."""
    async with db.transaction() as session:
        starts = await audit_repo.slice_starts(session, max(1, workers) * SLICES_PER_WORKER)
    slices = _slices(starts)
    shares = _anchors_by_slice(anchors, slices)
    report = history.Report()
    parts: dict[int, tuple[history.Report, dict]] = {}
    if workers <= 1:
        done = 0

        def on_entries(n: int) -> None:
            nonlocal done
            done += n
            if progress is not None:
                progress(done, False)

        for i, (lo, hi) in enumerate(slices):
            parts[i] = await _verify_slice(db, lo, hi, shares[i], name, on_entries)
    else:
        ctx = multiprocessing.get_context("spawn")  # no fork of a process holding an event loop and connections
        counter = ctx.Value("q", 0)
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker, initargs=(counter,)) as pool:
            pending: dict[Future, int] = {
                pool.submit(_slice_in_worker, db.url, lo, hi, shares[i], name): i for i, (lo, hi) in enumerate(slices)
            }
            while pending:
                finished, _ = await asyncio.to_thread(wait, list(pending), 1.0, FIRST_COMPLETED)
                for f in finished:
                    parts[pending.pop(f)] = f.result()
                if progress is not None:
                    progress(counter.value, False)
    unseen: dict[str, tuple[int, str]] = {}
    for i in sorted(parts):  # in application id order, as one pass would report
        part, left = parts[i]
        report.chains += part.chains
        report.entries += part.entries
        report.breaks.extend(part.breaks)
        unseen |= left
    report.breaks.extend(history.gone(unseen, name))
    if progress is not None:
        progress(report.entries, True)
    return report


async def expected_entries(db: Database) -> int:
    async with db.transaction() as session:
        return await audit_repo.expected_entries(session)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
