"""Reward money and the awards a winner already holds (the only SQL for them)."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.commendation import CommendationAward, GovernmentDocument
from app.db.models.rewards import HeldAward, RewardRecord
from app.db.models.workflow import Application

# the money still standing as the winner's: approved or paid, not cancelled or reclaimed
STANDING = ("approved", "paid")


def _same_applicant(app: Application) -> ColumnElement[bool]:
    """The applicant of ``app`` in any round: an organisation by its credit code, a person by the ID number's hash."""
    if app.credit_code:
        return Application.credit_code == app.credit_code
    return Application.id_number_hash == app.id_number_hash


async def get(session: AsyncSession, application_id: uuid.UUID, *, for_update: bool = False) -> RewardRecord | None:
    stmt = select(RewardRecord).where(RewardRecord.application_id == application_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def insert(session: AsyncSession, values: dict) -> RewardRecord:
    row = RewardRecord(**values)
    session.add(row)
    await session.flush()
    return row


async def flush(session: AsyncSession) -> None:
    await session.flush()


async def earlier_wins(session: AsyncSession, app: Application) -> list[tuple[CommendationAward, GovernmentDocument]]:
    """The applicant's other commended awards of the same programme that still stand (not revoked)."""
    if not (app.credit_code or app.id_number_hash):
        return []
    stmt = (
        select(CommendationAward, GovernmentDocument)
        .join(GovernmentDocument, GovernmentDocument.id == CommendationAward.document_id)
        .join(Application, Application.id == CommendationAward.application_id)
        .where(
            Application.programme == app.programme,
            Application.id != app.id,
            Application.state == "awarded",
            _same_applicant(app),
        )
    )
    return [(r[0], r[1]) for r in (await session.execute(stmt)).all()]


async def earlier_rewards(session: AsyncSession, app: Application) -> list[RewardRecord]:
    """What the service approved or paid the same applicant under the same programme for another award."""
    if not (app.credit_code or app.id_number_hash):
        return []
    stmt = (
        select(RewardRecord)
        .join(Application, Application.id == RewardRecord.application_id)
        .where(
            RewardRecord.programme == app.programme,
            RewardRecord.application_id != app.id,
            RewardRecord.state.in_(STANDING),
            _same_applicant(app),
        )
        .order_by(RewardRecord.approved_on)
    )
    return list((await session.execute(stmt)).scalars().all())


async def held_awards(session: AsyncSession, holder_key: str | None, programme: str) -> list[HeldAward]:
    if holder_key is None:
        return []
    stmt = (
        select(HeldAward)
        .where(HeldAward.holder_key == holder_key, HeldAward.programme == programme)
        .order_by(HeldAward.year, HeldAward.award)
    )
    return list((await session.execute(stmt)).scalars().all())


async def find_held_award(
    session: AsyncSession, holder_key: str, programme: str, award: str, year: int
) -> HeldAward | None:
    stmt = select(HeldAward).where(
        HeldAward.holder_key == holder_key,
        HeldAward.programme == programme,
        HeldAward.award == award,
        HeldAward.year == year,
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def insert_held_award(session: AsyncSession, values: dict) -> HeldAward:
    row = HeldAward(**values)
    session.add(row)
    await session.flush()
    return row


async def winners_of_round(
    session: AsyncSession, round_id: uuid.UUID
) -> list[tuple[CommendationAward, Application, RewardRecord | None]]:
    """Every winner the round's commendation named, with its application and its reward (if approved), in order."""
    stmt = (
        select(CommendationAward, Application, RewardRecord)
        .join(GovernmentDocument, GovernmentDocument.id == CommendationAward.document_id)
        .join(Application, Application.id == CommendationAward.application_id)
        .outerjoin(RewardRecord, RewardRecord.application_id == CommendationAward.application_id)
        .where(GovernmentDocument.round_id == round_id)
        .order_by(CommendationAward.position)
    )
    return [(r[0], r[1], r[2]) for r in (await session.execute(stmt)).all()]
