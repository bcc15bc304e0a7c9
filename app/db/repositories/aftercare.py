"""After the award: the queries of duties, follow-up visits and role-model activities (the only SQL for them)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.aftercare import AwardDuty, FollowUpVisit, RoleModelActivity
from app.db.models.workflow import Application

OPEN = ("due", "overdue")


async def add_all(session: AsyncSession, rows: list) -> None:
    session.add_all(rows)
    await session.flush()


async def duties_of(session: AsyncSession, application_id: uuid.UUID) -> list[AwardDuty]:
    stmt = select(AwardDuty).where(AwardDuty.application_id == application_id)
    return list((await session.execute(stmt.order_by(AwardDuty.due_on, AwardDuty.duty))).scalars())


async def get_duty(session: AsyncSession, duty_id: uuid.UUID, *, for_update: bool = False) -> AwardDuty | None:
    stmt = select(AwardDuty).where(AwardDuty.id == duty_id)
    if for_update:
        # a row read earlier in this transaction must be refreshed once we hold its lock
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def earliest_open(session: AsyncSession, application_id: uuid.UUID, kind: str) -> AwardDuty | None:
    """The application's open duty of ``kind`` falling due first, locked."""
    stmt = (
        select(AwardDuty)
        .where(AwardDuty.application_id == application_id, AwardDuty.kind == kind, AwardDuty.status.in_(OPEN))
        .order_by(AwardDuty.due_on, AwardDuty.sequence)
        .limit(1)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


def _duty_filters(stmt, filters: dict):
    for column in ("programme", "round_id", "application_id", "kind", "year", "duty"):
        if filters.get(column) is not None:
            stmt = stmt.where(getattr(AwardDuty, column) == filters[column])
    return stmt


async def page_duties(
    session: AsyncSession, readable: ColumnElement[bool], filters: dict, offset: int, limit: int
) -> tuple[list[tuple[AwardDuty, str]], int]:
    """The duties the caller may list (``app.access.aftercare.readable_duties``) with the winner's name, and how many match."""
    base = _duty_filters(select(AwardDuty).where(readable), filters)
    if filters.get("status") is not None:
        base = base.where(AwardDuty.status == filters["status"])
    total = (await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
    stmt = (
        select(AwardDuty, Application.applicant_name)
        .join(Application, Application.id == AwardDuty.application_id)
        .where(AwardDuty.id.in_(select(base.subquery().c.id)))
        .order_by(AwardDuty.due_on, AwardDuty.application_id, AwardDuty.duty, AwardDuty.sequence)
        .offset(offset)
        .limit(limit)
    )
    return [(d, name) for d, name in (await session.execute(stmt)).all()], total


async def duty_counts(
    session: AsyncSession, readable: ColumnElement[bool], filters: dict
) -> list[tuple[str, str, int]]:
    """(duty, status, how many) of the duties the caller may list, filtered."""
    matching = _duty_filters(select(AwardDuty).where(readable), filters).subquery()
    stmt = (
        select(matching.c.duty, matching.c.status, func.count())
        .group_by(matching.c.duty, matching.c.status)
        .order_by(matching.c.duty, matching.c.status)
    )
    return [(d, s, n) for d, s, n in (await session.execute(stmt)).all()]


async def claim_due(session: AsyncSession, now: datetime, limit: int, *, provisional: bool) -> list[AwardDuty]:
    """Open duties whose (``provisional``: nominal) last day has passed, locked; rows another worker holds are
    left to it. Settled and provisional rows are claimed apart, so provisional ones waiting for a calendar
    year never crowd out the others."""
    settled = AwardDuty.calendar_revision.is_(None) if provisional else AwardDuty.calendar_revision.is_not(None)
    stmt = (
        select(AwardDuty)
        .where(AwardDuty.status == "due", AwardDuty.due_at <= now, settled)
        .order_by(AwardDuty.due_at, AwardDuty.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(stmt)).scalars())


async def count_overdue(session: AsyncSession) -> int:
    stmt = select(func.count()).select_from(AwardDuty).where(AwardDuty.status == "overdue")
    return (await session.execute(stmt)).scalar_one()


async def cancel_open(session: AsyncSession, application_id: uuid.UUID) -> int:
    """A revoked award's open duties end (nothing is owed by a title no longer held)."""
    stmt = (
        update(AwardDuty)
        .where(AwardDuty.application_id == application_id, AwardDuty.status.in_(OPEN))
        .values(status="cancelled", version=AwardDuty.version + 1)
    )
    return (await session.execute(stmt)).rowcount


async def page_follow_ups(
    session: AsyncSession, readable: ColumnElement[bool], filters: dict, offset: int, limit: int
) -> tuple[list[tuple[FollowUpVisit, str]], int]:
    base = select(FollowUpVisit).where(readable)
    for column in ("programme", "round_id", "application_id", "outcome", "result"):
        if filters.get(column) is not None:
            base = base.where(getattr(FollowUpVisit, column) == filters[column])
    total = (await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
    stmt = (
        select(FollowUpVisit, Application.applicant_name)
        .join(Application, Application.id == FollowUpVisit.application_id)
        .where(FollowUpVisit.id.in_(select(base.subquery().c.id)))
        .order_by(FollowUpVisit.visited_on.desc(), FollowUpVisit.id)
        .offset(offset)
        .limit(limit)
    )
    return [(v, name) for v, name in (await session.execute(stmt)).all()], total


async def activities_in(
    session: AsyncSession, programme: str, first: date, last: date
) -> list[tuple[RoleModelActivity, str]]:
    """A programme's role-model activities held from ``first`` to ``last``, with the winner's name."""
    stmt = (
        select(RoleModelActivity, Application.applicant_name)
        .join(Application, Application.id == RoleModelActivity.application_id)
        .where(
            RoleModelActivity.programme == programme,
            RoleModelActivity.held_on >= first,
            RoleModelActivity.held_on <= last,
        )
        .order_by(RoleModelActivity.held_on, RoleModelActivity.id)
    )
    return [(a, name) for a, name in (await session.execute(stmt)).all()]
