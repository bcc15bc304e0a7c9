"""Certificates (the only SQL for them)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.awards import Certificate


async def next_sequence(session: AsyncSession, programme: str, award_year: int) -> int:
    """The next free place in the programme's certificates of that year; held until the transaction ends, so two
    commendations of the same year (two rounds) number one after the other, never twice."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"certificates:{programme}:{award_year}"}
    )
    stmt = select(func.coalesce(func.max(Certificate.sequence), 0)).where(
        Certificate.programme == programme, Certificate.award_year == award_year
    )
    return int((await session.execute(stmt)).scalar_one()) + 1


async def insert(session: AsyncSession, rows: list[dict]) -> None:
    session.add_all(Certificate(**row) for row in rows)
    await session.flush()


async def by_number(session: AsyncSession, number: str) -> Certificate | None:
    return (await session.execute(select(Certificate).where(Certificate.number == number))).scalar_one_or_none()


async def of_application(session: AsyncSession, application_id: uuid.UUID) -> Certificate | None:
    stmt = select(Certificate).where(Certificate.application_id == application_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def mark_revoked(
    session: AsyncSession,
    application_id: uuid.UUID,
    revoked_on: date,
    document_no: str | None,
    ground: str | None,
    now: datetime,
) -> None:
    await session.execute(
        update(Certificate)
        .where(Certificate.application_id == application_id, Certificate.status == "valid")
        .values(
            status="revoked",
            revoked_on=revoked_on,
            revocation_document_no=document_no,
            revocation_ground=ground,
            version=Certificate.version + 1,
            updated_at=now,
        )
    )
