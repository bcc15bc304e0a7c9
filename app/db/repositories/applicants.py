"""The applicant registry (the only SQL for it)."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import lean
from app.db.models.intake import AccountNotification, Applicant, ApplicantRecordEvent
from app.db.models.workflow import Application


async def insert_new(session: AsyncSession, values: dict) -> uuid.UUID | None:
    """Insert unless the identifier (credit code, ID-number hash) or owner is taken; None when taken.

    ``ON CONFLICT DO NOTHING`` makes two concurrent registrations of one code end in one row and
    one clean conflict, never a unique-violation error at commit.
    """
    stmt = insert(Applicant).values(**values).on_conflict_do_nothing().returning(Applicant.id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def get(session: AsyncSession, applicant_id: uuid.UUID, *, for_update: bool = False) -> Applicant | None:
    stmt = select(Applicant).where(Applicant.id == applicant_id).execution_options(populate_existing=True)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def find_by_identity(
    session: AsyncSession, credit_code: str | None, id_number_hash: str | None
) -> Applicant | None:
    conds = []
    if credit_code:
        conds.append(Applicant.credit_code == credit_code)
    if id_number_hash:
        conds.append(Applicant.id_number_hash == id_number_hash)
    if not conds:
        return None
    return (await session.execute(select(Applicant).where(or_(*conds)).limit(1))).scalar_one_or_none()


_VIEW_BY_ID = f"SELECT {lean.columns(Applicant.__table__)} FROM applicants WHERE id = $1"
_VIEW_BY_IDENTITY = (
    f"SELECT {lean.columns(Applicant.__table__)} FROM applicants WHERE credit_code = $1 OR id_number_hash = $2 LIMIT 1"
)


async def view(session: AsyncSession, applicant_id: uuid.UUID) -> lean.RowView | None:
    """The record read-only (facts for a decision), without the ORM."""
    return await lean.fetchrow(session, _VIEW_BY_ID, applicant_id)


async def view_by_identity(
    session: AsyncSession, credit_code: str | None, id_number_hash: str | None
) -> lean.RowView | None:
    """The record a credit code or ID-number hash names, read-only."""
    if not (credit_code or id_number_hash):
        return None
    return await lean.fetchrow(session, _VIEW_BY_IDENTITY, credit_code or None, id_number_hash or None)


async def find_by_principal_ref(session: AsyncSession, ref: str) -> Applicant | None:
    return (await session.execute(select(Applicant).where(Applicant.principal_ref == ref))).scalar_one_or_none()


async def find_conflict(
    session: AsyncSession, credit_code: str | None, id_number_hash: str | None, principal_ref: str | None
) -> Applicant | None:
    conds = []
    if credit_code:
        conds.append(Applicant.credit_code == credit_code)
    if id_number_hash:
        conds.append(Applicant.id_number_hash == id_number_hash)
    if principal_ref:
        conds.append(Applicant.principal_ref == principal_ref)
    return (
        (await session.execute(select(Applicant).where(or_(*conds)).limit(1))).scalar_one_or_none() if conds else None
    )


async def page(
    session: AsyncSession,
    readable: ColumnElement[bool],
    kind: str | None,
    credit_code: str | None,
    name: str | None,
    offset: int,
    limit: int,
) -> tuple[list[Applicant], int]:
    """The records ``readable`` (the caller's access filter, ``app.access.applicants``) lets a list show."""
    base = select(Applicant).where(readable)
    if kind:
        base = base.where(Applicant.kind == kind)
    if credit_code:
        base = base.where(Applicant.credit_code == credit_code)
    if name:
        base = base.where(Applicant.name.contains(name, autoescape=True))
    total = (await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
    rows = (
        (await session.execute(base.order_by(Applicant.created_at, Applicant.id).offset(offset).limit(limit)))
        .scalars()
        .all()
    )
    return list(rows), total


async def programmes_applied(session: AsyncSession, applicant: Applicant) -> set[str]:
    """Programmes in which this applicant has an application (linked, or by the same identifier)."""
    conds = [Application.applicant_id == applicant.id]
    if applicant.credit_code:
        conds.append(Application.credit_code == applicant.credit_code)
    if applicant.id_number_hash:
        conds.append(Application.id_number_hash == applicant.id_number_hash)
    rows = (await session.execute(select(Application.programme).where(or_(*conds)).distinct())).scalars().all()
    return set(rows)


async def recommending_units_of(session: AsyncSession, applicant: Applicant) -> set[str]:
    conds = [Application.applicant_id == applicant.id]
    if applicant.credit_code:
        conds.append(Application.credit_code == applicant.credit_code)
    if applicant.id_number_hash:
        conds.append(Application.id_number_hash == applicant.id_number_hash)
    rows = (
        (
            await session.execute(
                select(Application.recommending_unit)
                .where(or_(*conds), Application.recommending_unit.is_not(None))
                .distinct()
            )
        )
        .scalars()
        .all()
    )
    return set(rows)


# --- the record's own history and its notifications ---------------------------------------


async def add_event(session: AsyncSession, **values) -> None:
    session.add(ApplicantRecordEvent(**values))
    await session.flush()


async def events_of(session: AsyncSession, applicant_id: uuid.UUID) -> list[ApplicantRecordEvent]:
    stmt = (
        select(ApplicantRecordEvent)
        .where(ApplicantRecordEvent.applicant_id == applicant_id)
        .order_by(ApplicantRecordEvent.at, ApplicantRecordEvent.id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def add_notifications(session: AsyncSession, rows: list[dict]) -> list[AccountNotification]:
    added = [AccountNotification(**row) for row in rows]
    session.add_all(added)
    await session.flush()
    return added


async def owner_taken(session: AsyncSession, principal_ref: str, but: uuid.UUID) -> bool:
    """Whether another record already belongs to the account ``principal_ref``."""
    stmt = select(Applicant.id).where(Applicant.principal_ref == principal_ref, Applicant.id != but).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none() is not None


# --- a round action's batch (issue 21): every record at once, read-only ---------------------------

_VIEW_MANY = f"SELECT {lean.columns(Applicant.__table__)} FROM applicants WHERE id = ANY($1::uuid[])"
_VIEW_BY_IDENTITIES = (
    f"SELECT {lean.columns(Applicant.__table__)} FROM applicants"
    " WHERE credit_code = ANY($1::text[]) OR id_number_hash = ANY($2::text[]) ORDER BY id"
)


async def view_many(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, lean.RowView]:
    """``view`` of many records in one statement."""
    if not ids:
        return {}
    return {r.id: r for r in await lean.fetch(session, _VIEW_MANY, list(set(ids)))}


async def view_by_identities(
    session: AsyncSession, credit_codes: list[str], id_number_hashes: list[str]
) -> list[lean.RowView]:
    """The records any of these credit codes or ID-number hashes name (``view_by_identity`` of many)."""
    if not (credit_codes or id_number_hashes):
        return []
    return await lean.fetch(session, _VIEW_BY_IDENTITIES, list(set(credit_codes)), list(set(id_number_hashes)))
