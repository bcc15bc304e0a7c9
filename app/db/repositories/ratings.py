"""Queries of two-way supervision (双向监督) and the experts' record (信誉档案).

``supervision_ratings`` holds no rater: ``rater_sealed`` is opened only by the supervision team's
read path (``app.domain.ratings.service.round_ratings``). Every rating of a rated party in a round is
re-issued when one is added (``add_rating``), under an advisory lock per rated party.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.ratings import ExpertSanction, RatingParticipation, SupervisionRating
from app.db.models.review import Assignment, Expert
from app.db.models.workflow import Application

# an assignment that recused never met the applicant
MET = Assignment.status != "recused"


async def experts_met(session: AsyncSession, application_id: uuid.UUID) -> list[Expert]:
    """The experts who reviewed the application (an assignment of it that was not a recusal), by name."""
    stmt = (
        select(Expert)
        .where(Expert.id.in_(select(Assignment.expert_id).where(Assignment.application_id == application_id, MET)))
        .order_by(Expert.name, Expert.id)
    )
    return list((await session.execute(stmt)).scalars())


async def applications_met(session: AsyncSession, expert_id: uuid.UUID) -> list[Application]:
    """The applications the expert reviewed (an assignment that was not a recusal)."""
    stmt = (
        select(Application)
        .where(Application.id.in_(select(Assignment.application_id).where(Assignment.expert_id == expert_id, MET)))
        .order_by(Application.created_at, Application.id)
    )
    return list((await session.execute(stmt)).scalars())


async def applications_of_account(session: AsyncSession, applicant_ref: str) -> list[Application]:
    stmt = (
        select(Application)
        .where(Application.applicant_ref == applicant_ref)
        .order_by(Application.created_at, Application.id)
    )
    return list((await session.execute(stmt)).scalars())


async def met(session: AsyncSession, expert_id: uuid.UUID, application_id: uuid.UUID) -> bool:
    stmt = select(
        select(Assignment.id)
        .where(Assignment.expert_id == expert_id, Assignment.application_id == application_id, MET)
        .exists()
    )
    return bool((await session.execute(stmt)).scalar())


async def participate(
    session: AsyncSession, round_id: uuid.UUID, application_id: uuid.UUID, expert_id: uuid.UUID, direction: str
) -> bool:
    """Record that the pair rated in this direction; False when it already had (however requests race)."""
    stmt = (
        insert(RatingParticipation)
        .values(round_id=round_id, application_id=application_id, expert_id=expert_id, direction=direction)
        .on_conflict_do_nothing()
        .returning(RatingParticipation.application_id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def rated_pairs(
    session: AsyncSession, *, application_ids: Sequence[uuid.UUID] = (), expert_id: uuid.UUID | None = None
) -> set[tuple[uuid.UUID, uuid.UUID, str]]:
    """(application, expert, direction) of every rating cast by the pairs asked about."""
    stmt = select(RatingParticipation.application_id, RatingParticipation.expert_id, RatingParticipation.direction)
    if expert_id is not None:
        stmt = stmt.where(RatingParticipation.expert_id == expert_id)
    else:
        stmt = stmt.where(RatingParticipation.application_id.in_(list(application_ids)))
    return {(a, e, d) for a, e, d in (await session.execute(stmt)).all()}


async def add_rating(session: AsyncSession, values: dict) -> None:
    """Add a rating and re-issue every rating of its rated party in the round: new random keys, a
    random order, one transaction, so neither a key, a row's place nor its transaction (``xmin``)
    tells which participation cast which rating."""
    rated = values["rated_expert_id"] or values["rated_application_id"]
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
        {"key": f"supervision-ratings:{values['round_id']}:{rated}"},
    )
    same = (
        SupervisionRating.round_id == values["round_id"],
        SupervisionRating.rated_expert_id == values["rated_expert_id"]
        if values["rated_expert_id"] is not None
        else SupervisionRating.rated_application_id == values["rated_application_id"],
    )
    cols = ("programme", "round_id", "rated_expert_id", "rated_application_id", "score", "comment", "rater_sealed")
    kept = [
        dict(zip(cols, r, strict=True))
        for r in (await session.execute(select(*(getattr(SupervisionRating, c) for c in cols)).where(*same))).all()
    ]
    await session.execute(delete(SupervisionRating).where(*same))
    rows = [*kept, {c: values[c] for c in cols}]
    secrets.SystemRandom().shuffle(rows)
    await session.execute(insert(SupervisionRating), [{"id": uuid.uuid4(), **r} for r in rows])


async def ratings_of_round(
    session: AsyncSession, round_id: uuid.UUID, offset: int, limit: int
) -> tuple[list[SupervisionRating], int]:
    where = SupervisionRating.round_id == round_id
    total = (await session.execute(select(func.count()).where(where))).scalar_one()
    stmt = (
        select(SupervisionRating)
        .where(where)
        # by what is rated and the random key: nothing of when or by whom
        .order_by(SupervisionRating.rated_expert_id, SupervisionRating.rated_application_id, SupervisionRating.id)
        .offset(offset)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars()), total


async def ratings_of_expert(session: AsyncSession, expert_id: uuid.UUID) -> list[tuple[int, str | None]]:
    """(score, comment) of every rating of the expert, ordered by score and random key."""
    stmt = (
        select(SupervisionRating.score, SupervisionRating.comment)
        .where(SupervisionRating.rated_expert_id == expert_id)
        .order_by(SupervisionRating.score, SupervisionRating.id)
    )
    return [(s, c) for s, c in (await session.execute(stmt)).all()]


async def add_sanction(session: AsyncSession, sanction: ExpertSanction) -> ExpertSanction:
    session.add(sanction)
    await session.flush()
    return sanction


async def sanctions_of(session: AsyncSession, expert_id: uuid.UUID) -> list[ExpertSanction]:
    stmt = (
        select(ExpertSanction)
        .where(ExpertSanction.expert_id == expert_id)
        .order_by(ExpertSanction.decided_on, ExpertSanction.decided_at, ExpertSanction.id)
    )
    return list((await session.execute(stmt)).scalars())
