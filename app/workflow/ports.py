"""What the workflow asks of modules that come after it (objections), as replaceable functions."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

OpenObjectionCounter = Callable[[AsyncSession, uuid.UUID], Awaitable[int]]

# The objections module registers its counter here; with none registered nothing is open.
open_objection_counters: list[OpenObjectionCounter] = []


async def open_objections(session: AsyncSession, application_id: uuid.UUID) -> int:
    total = 0
    for count in open_objection_counters:
        total += await count(session, application_id)
    return total
