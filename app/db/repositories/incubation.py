"""Queries of the incubation pool (孵化池): memberships, trainings, attendance."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.incubation import (
    LIVE_MEMBERSHIP_WHERE,
    IncubationAttendance,
    IncubationMember,
    IncubationTraining,
)


async def insert_member(session: AsyncSession, values: dict) -> IncubationMember | None:
    """Add a membership; None when the organisation already holds a live one in the programme
    (however requests race: the partial unique index decides)."""
    stmt = (
        insert(IncubationMember)
        .values(**values)
        .on_conflict_do_nothing(
            index_elements=[IncubationMember.programme, IncubationMember.credit_code],
            index_where=text(LIVE_MEMBERSHIP_WHERE),
        )
        .returning(IncubationMember.id)
    )
    new_id = (await session.execute(stmt)).scalar_one_or_none()
    return None if new_id is None else await get_member(session, new_id)


async def get_member(
    session: AsyncSession, member_id: uuid.UUID, *, for_update: bool = False
) -> IncubationMember | None:
    stmt = select(IncubationMember).where(IncubationMember.id == member_id)
    if for_update:
        # the row as locked replaces a copy an earlier read left in the session (else a lost update)
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_members(
    session: AsyncSession, where: ColumnElement[bool], status: str | None, offset: int, limit: int
) -> tuple[list[IncubationMember], int]:
    stmt = select(IncubationMember).where(where)
    if status is not None:
        stmt = stmt.where(IncubationMember.status == status)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = await session.execute(
        stmt.order_by(IncubationMember.proposed_at.desc(), IncubationMember.id).offset(offset).limit(limit)
    )
    return list(rows.scalars()), total


async def members_of_organisation(session: AsyncSession, programme: str, credit_code: str) -> list[IncubationMember]:
    stmt = (
        select(IncubationMember)
        .where(IncubationMember.programme == programme, IncubationMember.credit_code == credit_code)
        .order_by(IncubationMember.proposed_at, IncubationMember.id)
    )
    return list((await session.execute(stmt)).scalars())


async def members_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, IncubationMember]:
    if not ids:
        return {}
    rows = await session.execute(select(IncubationMember).where(IncubationMember.id.in_(list(ids))))
    return {m.id: m for m in rows.scalars()}


async def add_training(session: AsyncSession, training: IncubationTraining) -> IncubationTraining:
    session.add(training)
    await session.flush()
    return training


async def get_training(session: AsyncSession, training_id: uuid.UUID) -> IncubationTraining | None:
    return await session.get(IncubationTraining, training_id)


async def list_trainings(
    session: AsyncSession, where: ColumnElement[bool], offset: int, limit: int
) -> tuple[list[IncubationTraining], int]:
    stmt = select(IncubationTraining).where(where)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = await session.execute(
        stmt.order_by(IncubationTraining.held_on.desc(), IncubationTraining.id).offset(offset).limit(limit)
    )
    return list(rows.scalars()), total


async def record_attendance(
    session: AsyncSession, training_id: uuid.UUID, member_ids: Sequence[uuid.UUID], by: str, at
) -> None:
    """Each member's attendance once, however often (or concurrently) it is recorded."""
    if not member_ids:
        return
    stmt = (
        insert(IncubationAttendance)
        .values([dict(training_id=training_id, member_id=m, recorded_by=by, recorded_at=at) for m in member_ids])
        .on_conflict_do_nothing()
    )
    await session.execute(stmt)


async def attendees(session: AsyncSession, training_id: uuid.UUID) -> list[uuid.UUID]:
    stmt = (
        select(IncubationAttendance.member_id)
        .where(IncubationAttendance.training_id == training_id)
        .order_by(IncubationAttendance.recorded_at, IncubationAttendance.member_id)
    )
    return list((await session.execute(stmt)).scalars())


async def trainings_attended(
    session: AsyncSession, member_ids: Sequence[uuid.UUID]
) -> list[tuple[uuid.UUID, IncubationTraining]]:
    """(member id, training) for every attendance of ``member_ids``, the earliest training first."""
    if not member_ids:
        return []
    stmt = (
        select(IncubationAttendance.member_id, IncubationTraining)
        .join(IncubationTraining, IncubationTraining.id == IncubationAttendance.training_id)
        .where(IncubationAttendance.member_id.in_(list(member_ids)))
        .order_by(IncubationTraining.held_on, IncubationTraining.id)
    )
    return [(m, t) for m, t in (await session.execute(stmt)).all()]
