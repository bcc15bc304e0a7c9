"""Credit-platform records, the flags they raise and the revocation candidates they open (the only SQL for them)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.intake import Applicant
from app.db.models.outbox import CreditFlag, CreditRecord, RevocationCandidate
from app.db.models.workflow import Application


async def insert_new(session: AsyncSession, values: dict) -> uuid.UUID | None:
    """The record, unless this client already sent one with its id (then None: the caller reads that one)."""
    stmt = insert(CreditRecord).values(**values).on_conflict_do_nothing().returning(CreditRecord.id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_by_record_id(session: AsyncSession, client: str, record_id: str) -> CreditRecord | None:
    stmt = (
        select(CreditRecord)
        .where(CreditRecord.client == client, CreditRecord.record_id == record_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def registry_records(
    session: AsyncSession, credit_code: str | None, id_number_hash: str | None
) -> list[Applicant]:
    """The registry records the identifier names, locked (their look-back records change)."""
    conds = []
    if credit_code:
        conds.append(Applicant.credit_code == credit_code)
    if id_number_hash:
        conds.append(Applicant.id_number_hash == id_number_hash)
    stmt = select(Applicant).where(or_(*conds)).order_by(Applicant.id).with_for_update()
    # the records as locked: their look-back facts are rewritten from what they hold (else a lost update)
    stmt = stmt.execution_options(populate_existing=True)
    return list((await session.execute(stmt)).scalars().all())


async def applications_of(
    session: AsyncSession, credit_code: str | None, id_number_hash: str | None, programme: str | None
) -> list[Application]:
    conds = []
    if credit_code:
        conds.append(Application.credit_code == credit_code)
    if id_number_hash:
        conds.append(Application.id_number_hash == id_number_hash)
    stmt = select(Application).where(or_(*conds)).order_by(Application.id)
    if programme is not None:
        stmt = stmt.where(Application.programme == programme)
    return list((await session.execute(stmt)).scalars().all())


async def flags_of_record(session: AsyncSession, credit_record_id: uuid.UUID) -> list[CreditFlag]:
    stmt = select(CreditFlag).where(CreditFlag.credit_record_id == credit_record_id).order_by(CreditFlag.id)
    return list((await session.execute(stmt)).scalars().all())


async def flags_of_application(
    session: AsyncSession, application_id: uuid.UUID
) -> list[tuple[CreditFlag, CreditRecord]]:
    stmt = (
        select(CreditFlag, CreditRecord)
        .join(CreditRecord, CreditRecord.id == CreditFlag.credit_record_id)
        .where(CreditFlag.application_id == application_id)
        .order_by(CreditFlag.id)
    )
    return [(f, r) for f, r in (await session.execute(stmt)).all()]


async def candidates_of_record(session: AsyncSession, credit_record_id: uuid.UUID) -> list[RevocationCandidate]:
    stmt = select(RevocationCandidate).where(RevocationCandidate.credit_record_id == credit_record_id)
    return list((await session.execute(stmt)).scalars().all())


async def candidates(
    session: AsyncSession, programme: str | None, status: str | None, offset: int, limit: int
) -> tuple[list[tuple[RevocationCandidate, CreditRecord]], int]:

    conds = []
    if programme is not None:
        conds.append(RevocationCandidate.programme == programme)
    if status is not None:
        conds.append(RevocationCandidate.status == status)
    stmt = (
        select(RevocationCandidate, CreditRecord)
        .join(CreditRecord, CreditRecord.id == RevocationCandidate.credit_record_id)
        .where(*conds)
        .order_by(RevocationCandidate.raised_at.desc(), RevocationCandidate.id.desc())
        .offset(offset)
        .limit(limit)
    )
    rows = [(c, r) for c, r in (await session.execute(stmt)).all()]
    total = (await session.execute(select(func.count()).select_from(RevocationCandidate).where(*conds))).scalar_one()
    return rows, total


async def add(session: AsyncSession, *rows) -> None:
    session.add_all(rows)
    await session.flush()
