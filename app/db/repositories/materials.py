"""Application forms, materials and frozen versions (the only SQL for them)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.intake import ApplicationForm, ApplicationMaterial, ApplicationSnapshot


async def add_material(session: AsyncSession, row: ApplicationMaterial) -> ApplicationMaterial:
    session.add(row)
    await session.flush()
    return row


async def get_material(
    session: AsyncSession, application_id: uuid.UUID, material_id: uuid.UUID
) -> ApplicationMaterial | None:
    stmt = select(ApplicationMaterial).where(
        ApplicationMaterial.id == material_id, ApplicationMaterial.application_id == application_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def current_materials(session: AsyncSession, application_id: uuid.UUID) -> list[ApplicationMaterial]:
    stmt = (
        select(ApplicationMaterial)
        .where(ApplicationMaterial.application_id == application_id, ApplicationMaterial.removed_at.is_(None))
        .order_by(ApplicationMaterial.created_at, ApplicationMaterial.id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def get_form(
    session: AsyncSession, application_id: uuid.UUID, *, for_update: bool = False
) -> ApplicationForm | None:
    stmt = select(ApplicationForm).where(ApplicationForm.application_id == application_id)
    if for_update:
        # the row as locked replaces a copy an earlier read left in the session (else a lost update)
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def add_form(session: AsyncSession, form: ApplicationForm) -> ApplicationForm:
    session.add(form)
    await session.flush()
    return form


async def snapshot_count(session: AsyncSession, application_id: uuid.UUID) -> int:
    return (
        await session.execute(
            select(func.count())
            .select_from(ApplicationSnapshot)
            .where(ApplicationSnapshot.application_id == application_id)
        )
    ).scalar_one()


async def add_snapshot(session: AsyncSession, row: ApplicationSnapshot) -> None:
    session.add(row)
    await session.flush()


async def snapshots(session: AsyncSession, application_id: uuid.UUID) -> list[ApplicationSnapshot]:
    stmt = (
        select(ApplicationSnapshot)
        .where(ApplicationSnapshot.application_id == application_id)
        .order_by(ApplicationSnapshot.seq)
    )
    return list((await session.execute(stmt)).scalars().all())


# --- a round action's batch (issue 21): every application's at once ------------------------------


async def forms_of(session: AsyncSession, application_ids: list[uuid.UUID]) -> dict[uuid.UUID, ApplicationForm]:
    stmt = select(ApplicationForm).where(ApplicationForm.application_id.in_(application_ids))
    return {f.application_id: f for f in (await session.execute(stmt)).scalars().all()}


async def current_materials_of(
    session: AsyncSession, application_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[ApplicationMaterial]]:
    """``current_materials`` of many applications, each in its order."""
    stmt = (
        select(ApplicationMaterial)
        .where(ApplicationMaterial.application_id.in_(application_ids), ApplicationMaterial.removed_at.is_(None))
        .order_by(ApplicationMaterial.created_at, ApplicationMaterial.id)
    )
    out: dict[uuid.UUID, list[ApplicationMaterial]] = {i: [] for i in application_ids}
    for m in (await session.execute(stmt)).scalars().all():
        out[m.application_id].append(m)
    return out


async def snapshot_counts(session: AsyncSession, application_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    stmt = (
        select(ApplicationSnapshot.application_id, func.count())
        .where(ApplicationSnapshot.application_id.in_(application_ids))
        .group_by(ApplicationSnapshot.application_id)
    )
    counts = dict((await session.execute(stmt)).all())
    return {i: counts.get(i, 0) for i in application_ids}


async def add_snapshots(session: AsyncSession, rows: list[ApplicationSnapshot]) -> None:
    """Many frozen versions in one flush (one INSERT statement for the batch)."""
    if rows:
        session.add_all(rows)
        await session.flush()
