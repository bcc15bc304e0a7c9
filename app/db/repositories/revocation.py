"""Revocation cases, their steps and the items to recover (the only SQL for them)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.revocation import RevocationCase, RevocationCaseStep, RevocationItem


async def insert_case(session: AsyncSession, case: RevocationCase) -> bool:
    """False when the application already has an open case (the partial unique index, whoever raced)."""
    try:
        async with session.begin_nested():
            session.add(case)
            await session.flush()
    except IntegrityError as exc:
        if "uq_revocation_cases_application_id_open" in str(exc.orig):
            return False
        raise
    return True


async def open_case_of(session: AsyncSession, application_id: uuid.UUID) -> RevocationCase | None:
    stmt = select(RevocationCase).where(
        RevocationCase.application_id == application_id, RevocationCase.status == "open"
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_case(session: AsyncSession, case_id: uuid.UUID, *, for_update: bool = False) -> RevocationCase | None:
    stmt = select(RevocationCase).where(RevocationCase.id == case_id)
    if for_update:
        # the row as locked, not a copy an earlier read of the request left in the session (a concurrent
        # change committed meanwhile would be lost)
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def page(
    session: AsyncSession,
    programme: str | None,
    status: str | None,
    application_id: uuid.UUID | None,
    offset: int,
    limit: int,
) -> tuple[list[RevocationCase], int]:
    """Newest first; ``programme`` None: every programme (an admin)."""
    where = []
    if programme is not None:
        where.append(RevocationCase.programme == programme)
    if status is not None:
        where.append(RevocationCase.status == status)
    if application_id is not None:
        where.append(RevocationCase.application_id == application_id)
    total = (await session.execute(select(func.count()).select_from(RevocationCase).where(*where))).scalar_one()
    stmt = (
        select(RevocationCase)
        .where(*where)
        .order_by(RevocationCase.opened_at.desc(), RevocationCase.id)
        .offset(offset)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars()), int(total)


async def steps_of(session: AsyncSession, case_id: uuid.UUID) -> list[RevocationCaseStep]:
    stmt = select(RevocationCaseStep).where(RevocationCaseStep.case_id == case_id).order_by(RevocationCaseStep.seq)
    return list((await session.execute(stmt)).scalars())


async def items_of(session: AsyncSession, case_id: uuid.UUID) -> list[RevocationItem]:
    stmt = select(RevocationItem).where(RevocationItem.case_id == case_id).order_by(RevocationItem.item)
    return list((await session.execute(stmt)).scalars())


async def add_step(session: AsyncSession, step: RevocationCaseStep) -> None:
    session.add(step)
    await session.flush()


async def add_items(session: AsyncSession, items: list[RevocationItem]) -> None:
    session.add_all(items)
    await session.flush()


async def document_no_taken(session: AsyncSession, programme: str, document_no: str) -> bool:
    stmt = select(RevocationCase.id).where(
        RevocationCase.programme == programme, RevocationCase.document_no == document_no
    )
    return (await session.execute(stmt)).first() is not None


async def flush(session: AsyncSession) -> None:
    await session.flush()


async def published_notices(
    session: AsyncSession, programme: str | None, offset: int, limit: int
) -> tuple[list[RevocationCase], int]:
    """The revoked cases (each a public notice), newest decision first."""
    where = [RevocationCase.status == "revoked"]
    if programme is not None:
        where.append(RevocationCase.programme == programme)
    total = (await session.execute(select(func.count()).select_from(RevocationCase).where(*where))).scalar_one()
    stmt = (
        select(RevocationCase)
        .where(*where)
        .order_by(RevocationCase.closed_at.desc(), RevocationCase.id)
        .offset(offset)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars()), int(total)
