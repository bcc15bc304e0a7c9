"""Submissions to the government, its documents and the awards they name (the only SQL for them)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.commendation import (
    ApprovalSubmission,
    ApprovalSubmissionEntry,
    CommendationAward,
    GovernmentDocument,
)
from app.db.models.notices import Notice, NoticeEntry
from app.db.models.workflow import Application, Deadline, Round


async def applications_in(session: AsyncSession, round_id: uuid.UUID, states: list[str]) -> list[Application]:
    stmt = (
        select(Application)
        .where(Application.round_id == round_id, Application.state.in_(states))
        .order_by(Application.created_at, Application.id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def winners_notice_last_days(
    session: AsyncSession, app_ids: list[uuid.UUID], stage: str
) -> dict[uuid.UUID, datetime]:
    """When each application's winners' notice ended (its fired ``notice_end`` deadline)."""
    stmt = (
        select(Deadline.application_id, func.max(Deadline.ends_at))
        .where(
            Deadline.application_id.in_(app_ids),
            Deadline.kind == "notice_end",
            Deadline.stage == stage,
            Deadline.status == "fired",
        )
        .group_by(Deadline.application_id)
    )
    return {row[0]: row[1] for row in (await session.execute(stmt)).all()}


async def notice_entries(session: AsyncSession, app_ids: list[uuid.UUID], stage: str) -> dict[uuid.UUID, NoticeEntry]:
    """Each application's entry in the latest notice of ``stage`` that listed it (as the public saw it)."""
    stmt = (
        select(NoticeEntry)
        .join(Notice, Notice.id == NoticeEntry.notice_id)
        .where(NoticeEntry.application_id.in_(app_ids), Notice.stage == stage)
        .order_by(Notice.published_at)
    )
    return {e.application_id: e for e in (await session.execute(stmt)).scalars().all()}


async def get_submission(session: AsyncSession, round_id: uuid.UUID) -> ApprovalSubmission | None:
    stmt = select(ApprovalSubmission).where(ApprovalSubmission.round_id == round_id)
    return (await session.execute(stmt.execution_options(populate_existing=True))).scalar_one_or_none()


async def insert_submission(session: AsyncSession, values: dict, app_ids: list[uuid.UUID]) -> ApprovalSubmission | None:
    """The submission and its list; None when the round already has one (a concurrent request won)."""
    stmt = insert(ApprovalSubmission).values(**values).on_conflict_do_nothing().returning(ApprovalSubmission.id)
    new_id = (await session.execute(stmt)).scalar_one_or_none()
    if new_id is None:
        return None
    await session.execute(
        insert(ApprovalSubmissionEntry),
        [
            {"submission_id": new_id, "application_id": a, "position": i + 1, "approved": False}
            for i, a in enumerate(app_ids)
        ],
    )
    return await session.get(ApprovalSubmission, new_id)


async def submission_entries(session: AsyncSession, submission_id: uuid.UUID) -> list[ApprovalSubmissionEntry]:
    stmt = (
        select(ApprovalSubmissionEntry)
        .where(ApprovalSubmissionEntry.submission_id == submission_id)
        .order_by(ApprovalSubmissionEntry.position)
        .execution_options(populate_existing=True)
    )
    return list((await session.execute(stmt)).scalars().all())


async def mark_approved(
    session: AsyncSession, submission_id: uuid.UUID, approval_id: uuid.UUID, app_ids: list[uuid.UUID]
) -> None:
    await session.execute(
        update(ApprovalSubmissionEntry)
        .where(
            ApprovalSubmissionEntry.submission_id == submission_id,
            ApprovalSubmissionEntry.application_id.in_(app_ids),
        )
        .values(approved=True)
    )
    await session.execute(
        update(ApprovalSubmission).where(ApprovalSubmission.id == submission_id).values(approval_id=approval_id)
    )


async def find_document(session: AsyncSession, programme: str, document_no: str) -> GovernmentDocument | None:
    stmt = select(GovernmentDocument).where(
        GovernmentDocument.programme == programme, GovernmentDocument.document_no == document_no
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def documents_of_round(session: AsyncSession, round_id: uuid.UUID) -> dict[str, GovernmentDocument]:
    stmt = select(GovernmentDocument).where(GovernmentDocument.round_id == round_id)
    return {d.kind: d for d in (await session.execute(stmt)).scalars().all()}


async def insert_document(session: AsyncSession, values: dict) -> GovernmentDocument | None:
    """None when the number or the round's document of that kind is taken (a concurrent request won)."""
    stmt = insert(GovernmentDocument).values(**values).on_conflict_do_nothing().returning(GovernmentDocument.id)
    new_id = (await session.execute(stmt)).scalar_one_or_none()
    return None if new_id is None else await session.get(GovernmentDocument, new_id)


async def insert_awards(session: AsyncSession, rows: list[dict]) -> None:
    if rows:
        await session.execute(insert(CommendationAward), rows)


async def awards_of(session: AsyncSession, document_id: uuid.UUID) -> list[CommendationAward]:
    stmt = (
        select(CommendationAward)
        .where(CommendationAward.document_id == document_id)
        .order_by(CommendationAward.position)
    )
    return list((await session.execute(stmt)).scalars().all())


async def commendation_of(
    session: AsyncSession, application_id: uuid.UUID
) -> tuple[CommendationAward, GovernmentDocument] | None:
    """The commendation of one application: its award and the decision naming it, in one query (issue 16 reads it)."""
    stmt = (
        select(CommendationAward, GovernmentDocument)
        .join(GovernmentDocument, GovernmentDocument.id == CommendationAward.document_id)
        .where(CommendationAward.application_id == application_id)
    )
    row = (await session.execute(stmt)).one_or_none()
    return None if row is None else (row[0], row[1])


async def application_states(session: AsyncSession, app_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    stmt = select(Application.id, Application.state).where(Application.id.in_(app_ids))
    return {row[0]: row[1] for row in (await session.execute(stmt)).all()}


async def get_round(session: AsyncSession, round_id: uuid.UUID) -> Round | None:
    return await session.get(Round, round_id)
