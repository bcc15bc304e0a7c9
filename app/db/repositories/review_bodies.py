"""The review bodies' tables (the only SQL for them): bodies, engagements, ties, opinion surveys."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.review_bodies import OpinionSurvey, ReviewBody, ReviewBodyEngagement, ReviewBodyTie


async def insert_body(session: AsyncSession, values: dict) -> ReviewBody | None:
    """The new body, or None when the programme already has a body of that code (however requests race)."""
    stmt = (
        insert(ReviewBody)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[ReviewBody.programme, ReviewBody.code])
        .returning(ReviewBody.id)
    )
    new_id = (await session.execute(stmt)).scalar_one_or_none()
    return None if new_id is None else await get_body(session, new_id)


async def get_body(session: AsyncSession, body_id: uuid.UUID, *, for_update: bool = False) -> ReviewBody | None:
    stmt = select(ReviewBody).where(ReviewBody.id == body_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def body_by_code(session: AsyncSession, programme: str, code: str) -> ReviewBody | None:
    stmt = select(ReviewBody).where(ReviewBody.programme == programme, ReviewBody.code == code)
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_bodies(session: AsyncSession, where: ColumnElement[bool]) -> list[ReviewBody]:
    stmt = select(ReviewBody).where(where).order_by(ReviewBody.programme, ReviewBody.code)
    return list((await session.execute(stmt)).scalars().all())


async def insert_engagement(session: AsyncSession, values: dict) -> ReviewBodyEngagement | None:
    """The engagement, or None when the body is already engaged for the round."""
    stmt = (
        insert(ReviewBodyEngagement)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[ReviewBodyEngagement.body_id, ReviewBodyEngagement.round_id])
        .returning(ReviewBodyEngagement.id)
    )
    new_id = (await session.execute(stmt)).scalar_one_or_none()
    if new_id is None:
        return None
    stmt = select(ReviewBodyEngagement).where(ReviewBodyEngagement.id == new_id)
    return (await session.execute(stmt)).scalar_one()


async def engagement(session: AsyncSession, body_id: uuid.UUID, round_id: uuid.UUID) -> ReviewBodyEngagement | None:
    stmt = select(ReviewBodyEngagement).where(
        ReviewBodyEngagement.body_id == body_id, ReviewBodyEngagement.round_id == round_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def engagements_of(session: AsyncSession, body_id: uuid.UUID) -> list[ReviewBodyEngagement]:
    stmt = (
        select(ReviewBodyEngagement)
        .where(ReviewBodyEngagement.body_id == body_id)
        .order_by(ReviewBodyEngagement.engaged_on, ReviewBodyEngagement.id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def add(session: AsyncSession, row: object) -> None:
    session.add(row)
    await session.flush()


async def ties_of(session: AsyncSession, body_id: uuid.UUID) -> list[ReviewBodyTie]:
    stmt = select(ReviewBodyTie).where(ReviewBodyTie.body_id == body_id).order_by(ReviewBodyTie.declared_at)
    return list((await session.execute(stmt)).scalars().all())


async def ties_about(session: AsyncSession, body_id: uuid.UUID, credit_code: str) -> list[ReviewBodyTie]:
    stmt = (
        select(ReviewBodyTie)
        .where(ReviewBodyTie.body_id == body_id, ReviewBodyTie.credit_code == credit_code)
        .order_by(ReviewBodyTie.declared_at, ReviewBodyTie.id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def survey_of(
    session: AsyncSession, application_id: uuid.UUID, *, for_update: bool = False
) -> OpinionSurvey | None:
    stmt = select(OpinionSurvey).where(OpinionSurvey.application_id == application_id)
    if for_update:
        # the row as locked, not a copy an earlier read of the request left in the session (a concurrent
        # change committed meanwhile would be lost)
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def insert_survey(session: AsyncSession, values: dict) -> OpinionSurvey | None:
    """The survey, or None when the application already has one (however requests race)."""
    stmt = (
        insert(OpinionSurvey)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[OpinionSurvey.application_id])
        .returning(OpinionSurvey.id)
    )
    new_id = (await session.execute(stmt)).scalar_one_or_none()
    if new_id is None:
        return None
    return (await session.execute(select(OpinionSurvey).where(OpinionSurvey.id == new_id))).scalar_one()
