"""The test clock (测试时钟) on every request, outside production.

The clock is stored (``PUT /api/v1/testing/clock``) so that every process sees the same time;
each request loads it (``load``), in its own transaction, before the endpoint reads
``clock.now()``. In production there is no test clock and nothing is read.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.repositories import clock as clock_repo
from app.domain import clock


async def load(session: AsyncSession) -> None:
    """Set this process's clock from the stored test clock, read in the request's transaction (not in production)."""
    clock.set_frozen(await clock_repo.read(session))
