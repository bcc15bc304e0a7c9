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


async def chains(session: AsyncSession, batch: int = 2000) -> AsyncIterator[tuple[uuid.UUID, int, str, list[Any]]]:
    """Every application's recorded head and its entries in chain order: one streamed read of the
    history (not one query per application), grouped here."""
    apps = (
        await session.execute(
            select(Application.id, Application.history_seq, Application.history_head).order_by(Application.id)
        )
    ).all()
    heads = {a.id: (a.history_seq, a.history_head) for a in apps}
    seen: set[uuid.UUID] = set()
    current: uuid.UUID | None = None
    rows: list[Any] = []
    result = await session.stream(
        select(*_ENTRY_COLUMNS).order_by(_E.application_id, _E.seq, _E.id).execution_options(yield_per=batch)
    )
    async for row in result:
        if row.application_id != current:
            if current is not None:
                seen.add(current)
                yield current, *heads.get(current, (0, "")), rows
            current, rows = row.application_id, []
        rows.append(row)
    if current is not None:
        seen.add(current)
        yield current, *heads.get(current, (0, "")), rows
    for app_id, (seq, head) in heads.items():
        if app_id not in seen:
            yield app_id, seq, head, []


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
