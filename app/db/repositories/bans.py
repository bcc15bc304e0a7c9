"""Reapplication bans and the applications they are checked against (the only SQL for them)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.intake import ApplicationForm, ReapplicationBan
from app.db.models.workflow import Application, Round


def _identity(model, credit_code: str | None, id_number_hash: str | None, applicant_id: uuid.UUID | None) -> list:
    conds = []
    if credit_code:
        conds.append(model.credit_code == credit_code)
    if id_number_hash:
        conds.append(model.id_number_hash == id_number_hash)
    if applicant_id:
        conds.append(model.applicant_id == applicant_id)
    return conds


async def add(session: AsyncSession, ban: ReapplicationBan) -> ReapplicationBan:
    session.add(ban)
    await session.flush()
    return ban


async def in_force(session: AsyncSession, credit_code: str | None, id_number_hash: str | None, applicant_id: uuid.UUID | None, on: date) -> list[ReapplicationBan]:
    conds = _identity(ReapplicationBan, credit_code, id_number_hash, applicant_id)
    if not conds:
        return []
    stmt = (
        select(ReapplicationBan)
        .where(or_(*conds), ReapplicationBan.starts_on <= on, or_(ReapplicationBan.ends_on.is_(None), ReapplicationBan.ends_on >= on))
        .order_by(ReapplicationBan.starts_on, ReapplicationBan.id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def page(session: AsyncSession, programmes: list[str] | None, include_higher_level_scope: bool, filters: dict, offset: int, limit: int) -> tuple[list[ReapplicationBan], int]:
    base = select(ReapplicationBan)
    if programmes is not None:
        cond = ReapplicationBan.programme.in_(programmes)
        if include_higher_level_scope:
            cond = or_(cond, ReapplicationBan.scope == "same_or_higher_level")
        base = base.where(cond)
    if filters.get("applicant_id"):
        base = base.where(ReapplicationBan.applicant_id == filters["applicant_id"])
    if filters.get("credit_code"):
        base = base.where(ReapplicationBan.credit_code == filters["credit_code"])
    if filters.get("in_force_on"):
        on = filters["in_force_on"]
        base = base.where(ReapplicationBan.starts_on <= on, or_(ReapplicationBan.ends_on.is_(None), ReapplicationBan.ends_on >= on))
    total = (await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
    rows = (await session.execute(base.order_by(ReapplicationBan.starts_on.desc(), ReapplicationBan.id).offset(offset).limit(limit))).scalars().all()
    return list(rows), total


async def other_applications(session: AsyncSession, credit_code: str | None, id_number_hash: str | None, applicant_id: uuid.UUID | None, exclude: uuid.UUID):
    """The identity's other applications with their round's call date: (Application, call_published_on)."""
    conds = _identity(Application, credit_code, id_number_hash, applicant_id)
    if not conds:
        return []
    stmt = (
        select(Application, Round.call_published_on)
        .join(Round, Round.id == Application.round_id)
        .where(or_(*conds), Application.id != exclude)
        .order_by(Round.call_published_on, Application.created_at)
    )
    return list((await session.execute(stmt)).all())


async def self_assessment_score(session: AsyncSession, application_id: uuid.UUID):
    return (await session.execute(select(ApplicationForm.self_assessment_score).where(ApplicationForm.application_id == application_id))).scalar_one_or_none()
