"""The stored test clock (the only SQL for it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import lean
from app.db.models.platform import TestClock


async def read(session: AsyncSession) -> datetime | None:
    # read on every request outside production: straight to the driver (a lost connection is
    # still answered 503 and the connection dropped when the transaction ends)
    return await lean.fetchval(session, "SELECT frozen_at FROM test_clock WHERE id = 1")


async def write(session: AsyncSession, instant: datetime, actor: str) -> None:
    stmt = insert(TestClock).values(id=1, frozen_at=instant, set_by=actor)
    await session.execute(
        stmt.on_conflict_do_update(index_elements=[TestClock.id], set_={"frozen_at": instant, "set_by": actor})
    )


async def clear(session: AsyncSession) -> None:
    await session.execute(delete(TestClock))
