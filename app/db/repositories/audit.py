"""The audit trail's reads for verification and its signed checkpoints (the only SQL for them)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from sqlalchemy import cast, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Text

from app.db.models.audit import AuditCheckpoint
from app.db.models.workflow import Application, ApplicationEvent

_E = ApplicationEvent
# every column the verifier reads; ``data`` as its stored text, parsed by the hash scheme's rules
_ENTRY_COLUMNS = (
    _E.id,
    _E.application_id,
    _E.seq,
    _E.occurred_at,
    _E.actor,
    _E.role,
    _E.request_id,
    _E.event,
    _E.from_state,
    _E.to_state,
    _E.accepted,
    _E.refusal,
    _E.reason,
    cast(_E.data, Text).label("data_text"),
    _E.data_digest,
    _E.prev_hash,
    _E.hash,
    _E.hash_scheme,
)


def _within(column, lo: uuid.UUID | None, hi: uuid.UUID | None) -> list:
    return [
        c for c in (column >= lo if lo is not None else None, column < hi if hi is not None else None) if c is not None
    ]


async def chains(
    session: AsyncSession, lo: uuid.UUID | None = None, hi: uuid.UUID | None = None, batch: int = 2000
) -> AsyncIterator[tuple[uuid.UUID, int, str, list[Any]]]:
    """Every application's recorded head and its entries in chain order, for the applications whose
    id is in [``lo``, ``hi``) (unbounded where None).

    Two server-side cursors in id order, merged here: neither the heads (a dict of every application's
    head grows with the history) nor the entries beyond one chain are held in memory. Ordered by
    (application_id, seq) alone, the unique index's order (no tie-breaker to sort by). Run it in a REPEATABLE READ
    transaction (``begin_snapshot``): heads and entries then come from one snapshot, and an event
    appended meanwhile is in both or in neither.
    """
    apps = await session.stream(
        select(Application.id, Application.history_seq, Application.history_head)
        .where(*_within(Application.id, lo, hi))
        .order_by(Application.id)
        .execution_options(yield_per=batch)
    )
    entries = await session.stream(
        select(*_ENTRY_COLUMNS)
        .where(*_within(_E.application_id, lo, hi))
        .order_by(_E.application_id, _E.seq)
        .execution_options(yield_per=batch)
    )

    async def rows_of(result):
        # a batch per await: one greenlet switch per batch, not per row
        async for batch_rows in result.partitions(batch):
            for row in batch_rows:
                yield row

    entry_iter = aiter(rows_of(entries))
    pending = await anext(entry_iter, None)

    async def take_until(app_id: uuid.UUID | None) -> AsyncIterator[tuple[uuid.UUID, list[Any]]]:
        """The entries of chains before ``app_id`` (None: all that are left), grouped by chain."""
        nonlocal pending
        while pending is not None and (app_id is None or pending.application_id <= app_id):
            current, rows = pending.application_id, []
            while pending is not None and pending.application_id == current:
                rows.append(pending)
                pending = await anext(entry_iter, None)
            yield current, rows

    async for a in rows_of(apps):
        own: list[Any] = []
        async for chain_id, rows in take_until(a.id):
            if chain_id == a.id:
                own = rows
            else:  # entries of an application that has no row (the foreign key forbids it: written by hand)
                yield chain_id, 0, "", rows
        yield a.id, a.history_seq, a.history_head, own
    async for chain_id, rows in take_until(None):
        yield chain_id, 0, "", rows


async def begin_snapshot(session: AsyncSession) -> None:
    """Make the session's transaction REPEATABLE READ: one snapshot for every read that follows."""
    await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


async def slice_starts(session: AsyncSession, slices: int) -> list[uuid.UUID]:
    """Application ids cutting the chains into ``slices`` runs of about as many applications (each
    run starts at one id; ids are random UUIDs, so an even cut of the id space would do as well,
    but the ids present are what a parallel verify must balance)."""
    total = (await session.execute(select(func.count()).select_from(Application))).scalar_one()
    step = max(1, -(-total // max(1, slices)))
    numbered = select(Application.id, func.row_number().over(order_by=Application.id).label("n")).subquery()
    rows = await session.execute(select(numbered.c.id).where((numbered.c.n - 1) % step == 0).order_by(numbered.c.id))
    return [r[0] for r in rows]


async def expected_entries(session: AsyncSession) -> int:
    """How many entries all chains should hold, by their recorded heads (the progress's denominator)."""
    return int((await session.execute(select(func.coalesce(func.sum(Application.history_seq), 0)))).scalar_one())


async def heads(session: AsyncSession) -> list[tuple[str, int, str]]:
    """Every chain's recorded head, sorted by application id as text (the checkpoint's order)."""
    rows = (
        await session.execute(
            select(cast(Application.id, Text), Application.history_seq, Application.history_head).order_by(
                cast(Application.id, Text).collate("C")
            )
        )
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


async def lock_checkpoints(session: AsyncSession) -> None:
    """Serialise checkpoint making across processes until the transaction ends (the worker's one a day)."""
    await session.execute(select(func.pg_advisory_xact_lock(text("hashtext('qaward.audit_checkpoints')"))))


async def checkpoint_on(session: AsyncSession, day: date) -> AuditCheckpoint | None:
    stmt = select(AuditCheckpoint).where(AuditCheckpoint.day == day).order_by(AuditCheckpoint.id.desc()).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


async def latest_checkpoint(session: AsyncSession) -> AuditCheckpoint | None:
    stmt = select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


async def add_checkpoint(session: AsyncSession, values: dict) -> AuditCheckpoint:
    row = AuditCheckpoint(**values)
    session.add(row)
    await session.flush()
    return row
