"""Rounds, applications, deadlines and history (the only SQL for them)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.workflow import Application, ApplicationEvent, Deadline, Round


# --- rounds ---------------------------------------------------------------------------------

async def add(session: AsyncSession, row) -> None:
    session.add(row)
    await session.flush()


async def get_round(session: AsyncSession, round_id: uuid.UUID, *, for_update: bool = False) -> Round | None:
    stmt = select(Round).where(Round.id == round_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def find_round(session: AsyncSession, programme: str, label: str) -> Round | None:
    return (await session.execute(select(Round).where(Round.programme == programme, Round.label == label))).scalar_one_or_none()


async def page_rounds(session: AsyncSession, programme: str | None, states: Iterable[str] | None, offset: int, limit: int) -> tuple[list[Round], int]:
    base = select(Round)
    if programme:
        base = base.where(Round.programme == programme)
    if states:
        base = base.where(Round.state.in_(list(states)))
    total = (await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
    rows = (await session.execute(base.order_by(Round.programme, Round.opens_at.desc()).offset(offset).limit(limit))).scalars().all()
    return list(rows), total


# --- applications ---------------------------------------------------------------------------

async def get_application(session: AsyncSession, app_id: uuid.UUID, *, for_update: bool = False) -> Application | None:
    stmt = select(Application).where(Application.id == app_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def lock_applications(session: AsyncSession, ids: list[uuid.UUID]) -> list[Application]:
    """Lock in id order (a fixed order, so two round actions cannot deadlock)."""
    stmt = select(Application).where(Application.id.in_(ids)).order_by(Application.id).with_for_update()
    return list((await session.execute(stmt)).scalars().all())


async def page_applications(session: AsyncSession, filters: dict, offset: int, limit: int) -> tuple[list[Application], int]:
    base = select(Application)
    for name in ("round_id", "state", "programme", "applicant_ref", "recommending_unit"):
        if filters.get(name) is not None:
            base = base.where(getattr(Application, name) == filters[name])
    total = (await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
    rows = (await session.execute(base.order_by(Application.created_at, Application.id).offset(offset).limit(limit))).scalars().all()
    return list(rows), total


async def count_places_taken(session: AsyncSession, round_id: uuid.UUID, tiers: list[str], categories: list[str], ended: list[str], exclude: uuid.UUID) -> int:
    """Applications of the round holding a place of the quota (selected into one of ``tiers``)."""
    stmt = select(func.count()).select_from(Application).where(
        Application.round_id == round_id,
        Application.tier.in_(tiers),
        Application.category.in_(categories),
        Application.state.not_in(ended),
        Application.id != exclude,
    )
    return (await session.execute(stmt)).scalar_one()


async def same_applicant_in_round(session: AsyncSession, round_id: uuid.UUID, category: str, credit_code: str | None, id_hash: str | None) -> Application | None:
    conds = [Application.round_id == round_id, Application.state.not_in(["withdrawn"])]
    who = []
    if credit_code:
        who.append(Application.credit_code == credit_code)
    if id_hash:
        who.append(Application.id_number_hash == id_hash)
    if not who:
        return None
    stmt = select(Application).where(and_(*conds, or_(*who))).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


# --- deadlines ------------------------------------------------------------------------------

async def deadlines_of(session: AsyncSession, app_id: uuid.UUID) -> list[Deadline]:
    stmt = select(Deadline).where(Deadline.application_id == app_id).order_by(Deadline.ends_at)
    return list((await session.execute(stmt)).scalars().all())


async def open_deadline(session: AsyncSession, app_id: uuid.UUID, kind: str, stage: str) -> Deadline | None:
    stmt = select(Deadline).where(Deadline.application_id == app_id, Deadline.kind == kind, Deadline.stage == stage, Deadline.status.in_(["pending", "waiting"]))
    return (await session.execute(stmt.limit(1))).scalar_one_or_none()


async def cancel_open_deadlines(session: AsyncSession, app_id: uuid.UUID, now: datetime, reason: str) -> None:
    await session.execute(
        update(Deadline).where(Deadline.application_id == app_id, Deadline.status.in_(["pending", "waiting"])).values(status="cancelled", fired_at=now, result=reason)
    )


async def claim_due(session: AsyncSession, now: datetime, limit: int) -> list[Deadline]:
    """Due pending deadlines, locked; rows another worker holds are skipped (FOR UPDATE SKIP LOCKED)."""
    stmt = (
        select(Deadline)
        .where(Deadline.status == "pending", Deadline.ends_at <= now)
        .order_by(Deadline.ends_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(stmt)).scalars().all())


async def round_deadline(session: AsyncSession, round_id: uuid.UUID, kind: str) -> Deadline | None:
    stmt = select(Deadline).where(Deadline.round_id == round_id, Deadline.kind == kind, Deadline.application_id.is_(None), Deadline.status == "pending")
    return (await session.execute(stmt.limit(1))).scalar_one_or_none()


# --- history --------------------------------------------------------------------------------

async def history(session: AsyncSession, app_id: uuid.UUID, offset: int, limit: int) -> tuple[list[ApplicationEvent], int]:
    base = select(ApplicationEvent).where(ApplicationEvent.application_id == app_id)
    total = (await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
    rows = (await session.execute(base.order_by(ApplicationEvent.seq).offset(offset).limit(limit))).scalars().all()
    return list(rows), total


async def all_chains(session: AsyncSession):
    """Every application's head and its history, in chain order, streamed."""
    apps = (await session.execute(select(Application.id, Application.history_seq, Application.history_head).order_by(Application.id))).all()
    for app_id, seq, head in apps:
        rows = (await session.execute(select(ApplicationEvent).where(ApplicationEvent.application_id == app_id).order_by(ApplicationEvent.seq))).scalars().all()
        yield app_id, seq, head, rows
