"""Recommending units (the only SQL for them)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import lean
from app.db.models.recommendation import RecommendingUnit


async def add(session: AsyncSession, values: dict) -> RecommendingUnit | None:
    """Insert a unit; None when its (programme, code) is taken.

    ``ON CONFLICT DO NOTHING`` makes concurrent creates of one code end in one row and clean
    conflicts, never a unique-violation error.
    """
    stmt = (
        pg_insert(RecommendingUnit)
        .values(id=uuid.uuid4(), **values)
        .on_conflict_do_nothing()
        .returning(RecommendingUnit.id)
    )
    new_id = (await session.execute(stmt)).scalar_one_or_none()
    return None if new_id is None else await get(session, new_id)


async def get(session: AsyncSession, unit_id: uuid.UUID, *, for_update: bool = False) -> RecommendingUnit | None:
    stmt = select(RecommendingUnit).where(RecommendingUnit.id == unit_id)
    if for_update:
        # the row as locked replaces a copy an earlier read left in the session (else a lost update)
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def find_by_code(session: AsyncSession, programme: str, code: str) -> RecommendingUnit | None:
    stmt = select(RecommendingUnit).where(RecommendingUnit.programme == programme, RecommendingUnit.code == code)
    return (await session.execute(stmt)).scalar_one_or_none()


async def page(
    session: AsyncSession, programme: str | None, offset: int, limit: int
) -> tuple[list[RecommendingUnit], int]:
    base = select(RecommendingUnit)
    if programme:
        base = base.where(RecommendingUnit.programme == programme)
    total = (await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
    rows = (
        (
            await session.execute(
                base.order_by(RecommendingUnit.programme, RecommendingUnit.code).offset(offset).limit(limit)
            )
        )
        .scalars()
        .all()
    )
    return list(rows), total


_BY_CODE = f"SELECT {lean.columns(RecommendingUnit.__table__)} FROM recommending_units WHERE code = $1 AND ($2::text IS NULL OR programme = $2) ORDER BY programme"


async def find_all_by_code(session: AsyncSession, code: str, programme: str | None = None) -> list[lean.RowView]:
    """Units with this code (a recommender's ``unit`` scope), in one programme or in any; read-only."""
    return await lean.fetch(session, _BY_CODE, code, programme or None)


async def all_in_programme(session: AsyncSession, programme: str) -> list[RecommendingUnit]:
    """Every unit of a programme, by code (a programme has tens, not thousands)."""
    stmt = select(RecommendingUnit).where(RecommendingUnit.programme == programme).order_by(RecommendingUnit.code)
    return list((await session.execute(stmt)).scalars().all())


_BY_CODES = (
    f"SELECT {lean.columns(RecommendingUnit.__table__)} FROM recommending_units"
    " WHERE code = ANY($1::text[]) AND ($2::text IS NULL OR programme = $2) ORDER BY code, programme"
)


async def find_all_by_codes(
    session: AsyncSession, codes: list[str], programme: str | None = None
) -> dict[str, list[lean.RowView]]:
    """``find_all_by_code`` of many codes in one statement (a round action's batch, issue 21)."""
    out: dict[str, list[lean.RowView]] = {c: [] for c in codes}
    if codes:
        for row in await lean.fetch(session, _BY_CODES, list(set(codes)), programme or None):
            out.setdefault(row.code, []).append(row)
    return out
