"""What the office's statistics and exports read (the only SQL for them, issue 19)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.intake import Applicant
from app.db.models.review import Consensus
from app.db.models.workflow import Application, ApplicationEvent
from app.db.repositories.workflow import latest_score


async def applications(session: AsyncSession, programme: str | None, round_id: uuid.UUID | None) -> list:
    """The applications of a programme and/or round, oldest first, with the applicant's places and latest score."""
    stmt = (
        select(
            Application,
            Applicant.locality,
            Applicant.registered_jurisdiction,
            Applicant.work_jurisdiction,
            latest_score().label("score"),
        )
        .outerjoin(Applicant, Applicant.id == Application.applicant_id)
        .order_by(Application.created_at, Application.id)
    )
    if programme is not None:
        stmt = stmt.where(Application.programme == programme)
    if round_id is not None:
        stmt = stmt.where(Application.round_id == round_id)
    return list((await session.execute(stmt)).all())


async def consensus_totals(session: AsyncSession, ids: list[uuid.UUID]) -> list:
    """(application_id, stage, total) of every consensus of these applications, oldest first."""
    if not ids:
        return []
    stmt = (
        select(Consensus.application_id, Consensus.stage, Consensus.total)
        .where(Consensus.application_id.in_(ids))
        .order_by(Consensus.recorded_at, Consensus.id)
    )
    return list((await session.execute(stmt)).all())


async def transitions(session: AsyncSession, ids: list[uuid.UUID]) -> list:
    """Each accepted event of these applications that changed the state: (id, occurred_at, from, to), in order."""
    if not ids:
        return []
    e = ApplicationEvent
    stmt = (
        select(e.application_id, e.occurred_at, e.from_state, e.to_state)
        .where(e.application_id.in_(ids), e.accepted.is_(True), e.to_state.is_not(None))
        .order_by(e.application_id, e.seq)
    )
    return list((await session.execute(stmt)).all())
