"""What the office's statistics and exports read (the only SQL for them, issue 19).

Both reads stream from server-side cursors (issue 21): a round of 10,000 applications and its
100,000 history entries pass through in chunks, never held in memory at once.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import Row, func, select, true
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.intake import Applicant
from app.db.models.review import Consensus
from app.db.models.workflow import Application, ApplicationEvent

# rows per fetch: a chunk is written to the sheet between two awaits, ~50 ms of the event loop
CHUNK = 500


def _in_scope(stmt, programme: str | None, round_id: uuid.UUID | None):
    if programme is not None:
        stmt = stmt.where(Application.programme == programme)
    if round_id is not None:
        stmt = stmt.where(Application.round_id == round_id)
    return stmt


async def _chunks(session: AsyncSession, stmt, chunk: int) -> AsyncIterator[Sequence[Row[Any]]]:
    result = await session.stream(stmt.execution_options(yield_per=chunk))
    # a chunk per await: one greenlet switch per chunk, not per row
    async for rows in result.partitions(chunk):
        yield rows


def application_rows(
    session: AsyncSession, programme: str | None, round_id: uuid.UUID | None, chunk: int = CHUNK
) -> AsyncIterator[Sequence[Row[Any]]]:
    """The applications of a programme and/or round, oldest first, in chunks: the columns the export
    shows, the applicant's places, and every consensus total (共识评分) with its stage, oldest first
    (``stages``, ``totals``: NULL before any; the last is the latest score)."""
    c = Consensus
    scores = (
        select(
            func.array_agg(aggregate_order_by(c.stage, c.recorded_at, c.id)).label("stages"),
            func.array_agg(aggregate_order_by(c.total, c.recorded_at, c.id)).label("totals"),
        )
        .where(c.application_id == Application.id)
        .lateral("scores")
    )
    a = Application
    stmt = (
        select(
            a.id,
            a.programme,
            a.applicant_name,
            a.credit_code,
            a.id_number_masked,
            a.category,
            a.tier_sought,
            a.tier,
            a.state,
            a.recommending_unit,
            a.outcome,
            a.created_at,
            a.updated_at,
            Applicant.locality,
            Applicant.registered_jurisdiction,
            Applicant.work_jurisdiction,
            scores.c.stages,
            scores.c.totals,
        )
        .outerjoin(Applicant, Applicant.id == a.applicant_id)
        .outerjoin(scores, true())
        .order_by(a.created_at, a.id)
    )
    return _chunks(session, _in_scope(stmt, programme, round_id), chunk)


def stage_spans(
    session: AsyncSession, programme: str | None, round_id: uuid.UUID | None, chunk: int = CHUNK
) -> AsyncIterator[Sequence[Row[Any]]]:
    """Each stay of an application in a state, read from its history: (state, spent, left) where
    ``spent`` is the time until the next accepted event that changed the state (NULL: it is there
    now) and ``left`` how many stays of that state ended. Ordered by state, then ``spent`` (the
    current stays last), so the median of each state is read as its rows pass.

    A stay starts at an accepted event into a state other than the one before (an event that
    keeps the state starts none) and ends at the next that does.
    """
    e = ApplicationEvent
    # per application through its own index (application_id, seq), never a scan of the whole history:
    # a join the planner may hash reads all 10,000,000 entries for a round's 100,000
    events = (
        select(e.seq, e.occurred_at, e.to_state, func.lag(e.to_state).over(order_by=e.seq).label("before"))
        .where(e.application_id == Application.id, e.accepted.is_(True), e.to_state.is_not(None))
        .lateral("events")
    )
    stays = _in_scope(
        select(
            events.c.to_state.label("state"),
            (
                func.lead(events.c.occurred_at).over(partition_by=Application.id, order_by=events.c.seq)
                - events.c.occurred_at
            ).label("spent"),
        )
        .select_from(Application)
        .join(events, true())
        .where(events.c.before.is_distinct_from(events.c.to_state)),
        programme,
        round_id,
    ).subquery("stays")
    stmt = select(
        stays.c.state, stays.c.spent, func.count(stays.c.spent).over(partition_by=stays.c.state).label("left")
    ).order_by(stays.c.state, stays.c.spent.asc().nulls_last())
    return _chunks(session, stmt, chunk)
