"""The committee's tables (the only SQL for them): members, conflicts, lists, meetings, votes, decisions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, exists, func, literal, select
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.decisions import (
    CandidateList,
    CommitteeConflict,
    CommitteeConflictOverride,
    CommitteeDecision,
    CommitteeMember,
    Meeting,
    SecretBallot,
    VoteParticipation,
)
from app.db.models.review import Consensus, StageReport
from app.db.models.workflow import Application


async def add(session: AsyncSession, row: object) -> None:
    session.add(row)
    await session.flush()


async def insert_member(session: AsyncSession, values: dict) -> CommitteeMember | None:
    """The new member, or None when the programme's committee already holds the subject."""
    stmt = (
        insert(CommitteeMember)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[CommitteeMember.programme, CommitteeMember.subject])
        .returning(CommitteeMember.id)
    )
    new_id = (await session.execute(stmt)).scalar_one_or_none()
    return None if new_id is None else await session.get(CommitteeMember, new_id)


async def get_member(session: AsyncSession, member_id: uuid.UUID) -> CommitteeMember | None:
    return await session.get(CommitteeMember, member_id)


async def member_by_subject(session: AsyncSession, programme: str, subject: str) -> CommitteeMember | None:
    stmt = select(CommitteeMember).where(CommitteeMember.programme == programme, CommitteeMember.subject == subject)
    return (await session.execute(stmt)).scalar_one_or_none()


async def members_of(session: AsyncSession, programme: str) -> list[CommitteeMember]:
    stmt = select(CommitteeMember).where(CommitteeMember.programme == programme).order_by(CommitteeMember.name)
    return list((await session.execute(stmt)).scalars().all())


async def members(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[CommitteeMember]:
    if not ids:
        return []
    stmt = select(CommitteeMember).where(CommitteeMember.id.in_(list(ids)))
    return list((await session.execute(stmt)).scalars().all())


async def declarations_about(
    session: AsyncSession, member_id: uuid.UUID, application_id: uuid.UUID, credit_code: str | None
) -> list[CommitteeConflict]:
    about = CommitteeConflict.application_id == application_id
    if credit_code:
        about = about | (CommitteeConflict.credit_code == credit_code)
    stmt = select(CommitteeConflict).where(CommitteeConflict.member_id == member_id, about)
    return list((await session.execute(stmt)).scalars().all())


async def declarations_of(session: AsyncSession, member_id: uuid.UUID) -> list[CommitteeConflict]:
    stmt = select(CommitteeConflict).where(CommitteeConflict.member_id == member_id)
    return list((await session.execute(stmt)).scalars().all())


async def insert_override(session: AsyncSession, values: dict) -> CommitteeConflictOverride | None:
    """The override, or None when one is already recorded for the member and candidate (however requests race)."""
    stmt = (
        insert(CommitteeConflictOverride)
        .values(**values)
        .on_conflict_do_nothing(
            index_elements=[CommitteeConflictOverride.member_id, CommitteeConflictOverride.application_id]
        )
        .returning(CommitteeConflictOverride.id)
    )
    new_id = (await session.execute(stmt)).scalar_one_or_none()
    return None if new_id is None else await session.get(CommitteeConflictOverride, new_id)


async def override_for(
    session: AsyncSession, member_id: uuid.UUID, application_id: uuid.UUID
) -> CommitteeConflictOverride | None:
    stmt = select(CommitteeConflictOverride).where(
        CommitteeConflictOverride.member_id == member_id, CommitteeConflictOverride.application_id == application_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def overrides_of_round(session: AsyncSession, round_id: uuid.UUID) -> list[CommitteeConflictOverride]:
    """Every override on a candidate of the round, oldest first."""
    stmt = (
        select(CommitteeConflictOverride)
        .join(Application, Application.id == CommitteeConflictOverride.application_id)
        .where(Application.round_id == round_id)
        .order_by(CommitteeConflictOverride.decided_at, CommitteeConflictOverride.id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def overrides_of(session: AsyncSession, member_id: uuid.UUID) -> list[CommitteeConflictOverride]:
    stmt = (
        select(CommitteeConflictOverride)
        .where(CommitteeConflictOverride.member_id == member_id)
        .order_by(CommitteeConflictOverride.decided_at, CommitteeConflictOverride.id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def applications(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Application]:
    if not ids:
        return []
    stmt = select(Application).where(Application.id.in_(list(ids)))
    return list((await session.execute(stmt)).scalars().all())


async def applications_in_state(session: AsyncSession, round_id: uuid.UUID, state: str) -> list[Application]:
    stmt = select(Application).where(Application.round_id == round_id, Application.state == state)
    return list((await session.execute(stmt)).scalars().all())


async def latest_consensus(session: AsyncSession, ids: Sequence[uuid.UUID], stage: str) -> dict[uuid.UUID, Consensus]:
    """Each application's latest consensus of ``stage`` (the ranking's score)."""
    if not ids:
        return {}
    stmt = (
        select(Consensus)
        .where(Consensus.application_id.in_(list(ids)), Consensus.stage == stage)
        .order_by(Consensus.application_id, Consensus.recorded_at.desc())
    )
    stmt = stmt.ext(distinct_on(Consensus.application_id))
    return {c.application_id: c for c in (await session.execute(stmt)).scalars().all()}


async def reports_of(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[StageReport]:
    if not ids:
        return []
    stmt = select(StageReport).where(StageReport.application_id.in_(list(ids))).order_by(StageReport.recorded_at)
    return list((await session.execute(stmt)).scalars().all())


async def list_of_round(
    session: AsyncSession, round_id: uuid.UUID, *, for_update: bool = False
) -> CandidateList | None:
    stmt = select(CandidateList).where(CandidateList.round_id == round_id)
    if for_update:
        # the row as locked replaces a copy an earlier read left in the session (else a lost update)
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_list(session: AsyncSession, list_id: uuid.UUID, *, for_update: bool = False) -> CandidateList | None:
    stmt = select(CandidateList).where(CandidateList.id == list_id)
    if for_update:
        # the row as locked replaces a copy an earlier read left in the session (else a lost update)
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def insert_list(session: AsyncSession, values: dict) -> CandidateList | None:
    """The new list, or None when the round has one already (however requests race)."""
    stmt = (
        insert(CandidateList)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[CandidateList.round_id])
        .returning(CandidateList.id)
    )
    new_id = (await session.execute(stmt)).scalar_one_or_none()
    return None if new_id is None else await session.get(CandidateList, new_id)


async def get_meeting(session: AsyncSession, meeting_id: uuid.UUID, *, lock: str | None = None) -> Meeting | None:
    """``lock``: "share" (votes, side by side) or "update" (what changes the meeting, the close)."""
    stmt = select(Meeting).where(Meeting.id == meeting_id)
    if lock is not None:
        stmt = stmt.with_for_update(read=lock == "share")
    if lock is not None:
        stmt = stmt.execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def meeting_of_list(session: AsyncSession, list_id: uuid.UUID) -> Meeting | None:
    stmt = select(Meeting).where(Meeting.list_id == list_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def insert_participation(session: AsyncSession, values: dict) -> bool:
    """Record that a member voted on a candidate; False when it already did (the primary key holds
    however concurrent requests race: exactly one of them inserts)."""
    stmt = insert(VoteParticipation).values(**values).on_conflict_do_nothing().returning(literal(1))
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def insert_ballot(session: AsyncSession, meeting_id: uuid.UUID, application_id: uuid.UUID, choice: str) -> None:
    # a random key, nothing else: no voter, no time, no sequence (hangzhou-3.3.6b)
    await session.execute(
        insert(SecretBallot).values(
            id=uuid.uuid4(), meeting_id=meeting_id, application_id=application_id, choice=choice
        )
    )


async def participation(session: AsyncSession, meeting_id: uuid.UUID) -> list[VoteParticipation]:
    stmt = select(VoteParticipation).where(VoteParticipation.meeting_id == meeting_id)
    return list((await session.execute(stmt)).scalars().all())


async def ballot_counts(session: AsyncSession, meeting_id: uuid.UUID) -> dict[tuple[uuid.UUID, str], int]:
    """The secret ballots counted per candidate and choice (the tally reads the ballots, never the participation)."""
    stmt = (
        select(SecretBallot.application_id, SecretBallot.choice, func.count())
        .where(SecretBallot.meeting_id == meeting_id)
        .group_by(SecretBallot.application_id, SecretBallot.choice)
    )
    return {(a, c): n for a, c, n in (await session.execute(stmt)).all()}


async def reissue_ballots(session: AsyncSession, meeting_id: uuid.UUID) -> None:
    """At the count, every ballot of the meeting is re-written in one statement, in random order
    under new random keys: the rows then share one transaction and carry no trace (system column,
    physical order) of the vote that cast them."""
    old = (
        delete(SecretBallot)
        .where(SecretBallot.meeting_id == meeting_id)
        .returning(SecretBallot.application_id, SecretBallot.choice)
        .cte("old")
    )
    rows = select(func.gen_random_uuid(), literal(meeting_id), old.c.application_id, old.c.choice).order_by(
        func.random()
    )
    await session.execute(insert(SecretBallot).from_select(["id", "meeting_id", "application_id", "choice"], rows))


async def insert_decisions(session: AsyncSession, rows: list[dict]) -> None:
    if rows:
        await session.execute(insert(CommitteeDecision).values(rows))


async def decisions_of_meeting(session: AsyncSession, meeting_id: uuid.UUID) -> list[CommitteeDecision]:
    stmt = select(CommitteeDecision).where(CommitteeDecision.meeting_id == meeting_id)
    return list((await session.execute(stmt)).scalars().all())


async def committee_selected(session: AsyncSession, application_id: uuid.UUID, tier: str | None) -> bool:
    """A closed meeting's decision selects the application (for ``tier``, when one is named)."""
    cond = (CommitteeDecision.application_id == application_id) & (CommitteeDecision.result == "select")
    if tier is not None:
        cond = cond & (CommitteeDecision.tier == tier)
    return bool((await session.execute(select(exists().where(cond)))).scalar())


async def round_has_list(session: AsyncSession, round_id: uuid.UUID) -> bool:
    return bool((await session.execute(select(exists().where(CandidateList.round_id == round_id)))).scalar())


async def places_taken(
    session: AsyncSession,
    round_id: uuid.UUID,
    tiers: list[str],
    categories: list[str],
    ended: list[str],
    exclude: Sequence[uuid.UUID],
) -> int:
    """Applications of the round already holding a place of the quota, the candidates on the agenda aside."""
    stmt = (
        select(func.count())
        .select_from(Application)
        .where(
            Application.round_id == round_id,
            Application.tier.in_(tiers),
            Application.category.in_(categories),
            Application.state.not_in(ended),
            Application.id.not_in(list(exclude)) if exclude else literal(True),
        )
    )
    return (await session.execute(stmt)).scalar_one()
