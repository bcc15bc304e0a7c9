"""Eligibility overrides (the only SQL for them)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.intake import EligibilityOverride


async def add_override(session: AsyncSession, row: EligibilityOverride) -> EligibilityOverride:
    session.add(row)
    await session.flush()
    return row


async def latest_overrides(session: AsyncSession, application_id: uuid.UUID) -> dict[str, EligibilityOverride]:
    """The override in force per criterion: the latest one recorded."""
    stmt = select(EligibilityOverride).where(EligibilityOverride.application_id == application_id).order_by(EligibilityOverride.id)
    out: dict[str, EligibilityOverride] = {}
    for row in (await session.execute(stmt)).scalars().all():
        out[row.criterion] = row
    return out
