"""The read audit's table (the only SQL for it): one row per read, the admin's query, the retention sweep."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.audit import ReadAuditRecord


async def add(session: AsyncSession, record: ReadAuditRecord) -> None:
    session.add(record)
    await session.flush()


async def add_all(session: AsyncSession, records: list[ReadAuditRecord]) -> None:
    session.add_all(records)
    await session.flush()


async def search(
    session: AsyncSession,
    *,
    subject: str | None,
    record_kind: str | None,
    record_id: uuid.UUID | None,
    since: datetime | None,
    until: datetime | None,
    offset: int,
    limit: int,
) -> tuple[list[ReadAuditRecord], int]:
    conds = []
    if subject is not None:
        conds.append(ReadAuditRecord.subject == subject)
    if record_kind is not None:
        conds.append(ReadAuditRecord.record_kind == record_kind)
    if record_id is not None:
        conds.append(ReadAuditRecord.record_id == record_id)
    if since is not None:
        conds.append(ReadAuditRecord.read_at >= since)
    if until is not None:
        conds.append(ReadAuditRecord.read_at < until)
    total = await session.scalar(select(func.count()).select_from(ReadAuditRecord).where(*conds))
    rows = await session.scalars(
        select(ReadAuditRecord)
        .where(*conds)
        .order_by(ReadAuditRecord.read_at.desc(), ReadAuditRecord.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(rows), total or 0


async def delete_older_than(session: AsyncSession, cutoff: datetime) -> int:
    result = await session.execute(delete(ReadAuditRecord).where(ReadAuditRecord.read_at < cutoff))
    return result.rowcount or 0
