"""Eligibility overrides (the only SQL for them)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.db import lean
from app.db.models.intake import EligibilityOverride


async def add_override(session: AsyncSession, row: EligibilityOverride) -> EligibilityOverride:
    session.add(row)
    await session.flush()
    return row


_OF_APPLICATION = f"SELECT {lean.columns(EligibilityOverride.__table__)} FROM eligibility_overrides WHERE application_id = $1 ORDER BY id"


async def latest_overrides(session: AsyncSession, application_id: uuid.UUID) -> dict[str, lean.RowView]:
    """The override in force per criterion: the latest one recorded (read-only)."""
    out: dict[str, lean.RowView] = {}
    for row in await lean.fetch(session, _OF_APPLICATION, application_id):
        out[row.criterion] = row
    return out


_LAST_CHECK = (
    "SELECT max(occurred_at) FROM application_events "
    "WHERE application_id = $1 AND accepted AND event IN ('submit', 'pass_qualification')"
)


async def last_check_at(session: AsyncSession, application_id: uuid.UUID) -> datetime | None:
    """When the application's eligibility was last checked and accepted (its submission or qualification review)."""
    return await lean.fetchval(session, _LAST_CHECK, application_id)


_OF_APPLICATIONS = (
    f"SELECT {lean.columns(EligibilityOverride.__table__)} FROM eligibility_overrides"
    " WHERE application_id = ANY($1::uuid[]) ORDER BY id"
)


async def latest_overrides_many(
    session: AsyncSession, application_ids: list[uuid.UUID]
) -> dict[uuid.UUID, dict[str, lean.RowView]]:
    """``latest_overrides`` of many applications in one statement (a round action's batch, issue 21)."""
    out: dict[uuid.UUID, dict[str, lean.RowView]] = {i: {} for i in application_ids}
    if application_ids:
        for row in await lean.fetch(session, _OF_APPLICATIONS, list(application_ids)):
            out.setdefault(row.application_id, {})[row.criterion] = row
    return out
