"""Notices, their entries, unit-posting proofs, objections and rate-limit counters (the only SQL for them)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.db import lean
from app.db.models.intake import Applicant
from app.db.models.notices import (
    OBJECTION_RECEIPT_SEQ,
    Notice,
    NoticeEntry,
    Objection,
    ObjectionFile,
    ObjectionFinding,
    RateLimitCounter,
    UnitPostingProof,
)
from app.db.models.workflow import Application
from app.db.repositories import keyset
from app.db.repositories.calendar import changed_years_since

OPEN_OBJECTION = ("received", "verifying")


async def add(session: AsyncSession, *rows) -> None:
    session.add_all(rows)
    await session.flush()


# --- notices --------------------------------------------------------------------------------


async def get_notice(session: AsyncSession, notice_id: uuid.UUID) -> Notice | None:
    return (await session.execute(select(Notice).where(Notice.id == notice_id))).scalar_one_or_none()


async def page_notices(
    session: AsyncSession,
    *,
    programme: str | None,
    round_id: uuid.UUID | None,
    status: str | None,
    now: datetime,
    offset: int,
    limit: int,
    readable: ColumnElement[bool] | None = None,
) -> tuple[list[Notice], int]:
    """``readable``: the caller's access filter (``app.access.office``); None for the public list, which shows every notice."""
    base = _notices(programme, round_id, status, now, readable)
    total = (await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
    rows = (
        (await session.execute(base.order_by(Notice.published_at.desc(), Notice.id).offset(offset).limit(limit)))
        .scalars()
        .all()
    )
    return list(rows), total


def _notices(
    programme: str | None,
    round_id: uuid.UUID | None,
    status: str | None,
    now: datetime,
    readable: ColumnElement[bool] | None,
) -> Select:
    base: Select = select(Notice)
    if readable is not None:
        base = base.where(readable)
    if programme:
        base = base.where(Notice.programme == programme)
    if round_id:
        base = base.where(Notice.round_id == round_id)
    if status == "current":
        base = base.where(Notice.ends_at > now)
    elif status == "past":
        base = base.where(Notice.ends_at <= now)
    return base


async def keyset_notices(
    session: AsyncSession,
    *,
    programme: str | None,
    round_id: uuid.UUID | None,
    status: str | None,
    now: datetime,
    offset: int,
    limit: int,
    readable: ColumnElement[bool] | None,
    cursor: str | None,
) -> keyset.KeysetPage[Notice]:
    """The office's list: newest first, by ``cursor`` (a keyset page) or ``offset``, the count capped."""
    return await keyset.page(
        session,
        _notices(programme, round_id, status, now, readable),
        [Notice.published_at.desc(), Notice.id.desc()],
        sort="-published_at",
        sort_column=Notice.published_at,
        id_column=Notice.id,
        descending=True,
        cursor=cursor,
        offset=offset,
        limit=limit,
    )


async def entry_counts(session: AsyncSession, notice_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not notice_ids:
        return {}
    stmt = (
        select(NoticeEntry.notice_id, func.count())
        .where(NoticeEntry.notice_id.in_(notice_ids))
        .group_by(NoticeEntry.notice_id)
    )
    return dict((await session.execute(stmt)).all())


async def entries_of(session: AsyncSession, notice_id: uuid.UUID) -> list[NoticeEntry]:
    stmt = select(NoticeEntry).where(NoticeEntry.notice_id == notice_id).order_by(NoticeEntry.position)
    return list((await session.execute(stmt)).scalars().all())


async def entry_by_id(session: AsyncSession, entry_id: uuid.UUID) -> NoticeEntry | None:
    return (await session.execute(select(NoticeEntry).where(NoticeEntry.id == entry_id))).scalar_one_or_none()


async def get_entry(
    session: AsyncSession, notice_id: uuid.UUID, application_id: uuid.UUID, *, for_update: bool = False
) -> NoticeEntry | None:
    stmt = select(NoticeEntry).where(NoticeEntry.notice_id == notice_id, NoticeEntry.application_id == application_id)
    if for_update:
        # the row as locked replaces a copy an earlier read left in the session (else a lost update)
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def unit_posting_missing(session: AsyncSession, application_id: uuid.UUID, stage: str) -> NoticeEntry | None:
    """The current entry when it still needs an accepted proof of posting inside the applicant's unit."""
    stmt = (
        select(NoticeEntry)
        .join(Notice, Notice.id == NoticeEntry.notice_id)
        .where(
            NoticeEntry.application_id == application_id,
            Notice.stage == stage,
            NoticeEntry.outcome.is_(None),
            NoticeEntry.unit_posting_required.is_(True),
            NoticeEntry.unit_posting_status != "accepted",
        )
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def record_entry_outcome(
    session: AsyncSession, application_id: uuid.UUID, stage: str, outcome: str, at: datetime
) -> None:
    """The application left the notice of ``stage`` it was on (disqualified, withdrawn)."""
    notices_at_stage = select(Notice.id).where(Notice.stage == stage)
    await session.execute(
        update(NoticeEntry)
        .where(
            NoticeEntry.application_id == application_id,
            NoticeEntry.outcome.is_(None),
            NoticeEntry.notice_id.in_(notices_at_stage),
        )
        .values(outcome=outcome, outcome_at=at)
        .execution_options(synchronize_session=False)
    )


async def lock_application_shared(session: AsyncSession, application_id: uuid.UUID) -> Application | None:
    """``FOR SHARE``: objections to one application do not wait for each other, but a notice closing does."""
    stmt = select(Application).where(Application.id == application_id).with_for_update(read=True)
    # the state as locked, not a copy an earlier read left in the session
    stmt = stmt.execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def application_states(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    return dict((await session.execute(select(Application.id, Application.state).where(Application.id.in_(ids)))).all())


async def registered_employers(session: AsyncSession, application_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The employer's name an individual applicant registered (intake's applicant registry), by application."""
    if not application_ids:
        return {}
    employer = aliased(Applicant)
    stmt = (
        select(Application.id, employer.name)
        .join(Applicant, Applicant.id == Application.applicant_id)
        .join(employer, employer.id == Applicant.employer_id)
        .where(Application.id.in_(application_ids))
    )
    return dict((await session.execute(stmt)).all())


# --- unit-posting proofs --------------------------------------------------------------------


async def proofs_of(session: AsyncSession, entry_ids: list[uuid.UUID]) -> list[UnitPostingProof]:
    if not entry_ids:
        return []
    stmt = (
        select(UnitPostingProof)
        .where(UnitPostingProof.entry_id.in_(entry_ids))
        .order_by(UnitPostingProof.uploaded_at, UnitPostingProof.id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def get_proof(session: AsyncSession, proof_id: uuid.UUID, *, for_update: bool = False) -> UnitPostingProof | None:
    stmt = select(UnitPostingProof).where(UnitPostingProof.id == proof_id)
    if for_update:
        # the row as locked replaces a copy an earlier read left in the session (else a lost update)
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


# --- objections -----------------------------------------------------------------------------


async def next_receipt_number(session: AsyncSession) -> int:
    return (await session.execute(select(OBJECTION_RECEIPT_SEQ.next_value()))).scalar_one()


async def get_objection(
    session: AsyncSession, objection_id: uuid.UUID, *, for_update: bool = False
) -> Objection | None:
    stmt = select(Objection).where(Objection.id == objection_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def objection_by_receipt(session: AsyncSession, receipt_no: str) -> Objection | None:
    return (await session.execute(select(Objection).where(Objection.receipt_no == receipt_no))).scalar_one_or_none()


async def open_objection_counts(session: AsyncSession, application_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not application_ids:
        return {}
    stmt = (
        select(Objection.application_id, func.count())
        .where(Objection.application_id.in_(application_ids), Objection.status.in_(OPEN_OBJECTION))
        .group_by(Objection.application_id)
    )
    return dict((await session.execute(stmt)).all())


async def close_open_objections(
    session: AsyncSession, application_id: uuid.UUID, status: str, result_zh: str, by: str, at: datetime
) -> None:
    await session.execute(
        update(Objection)
        .where(Objection.application_id == application_id, Objection.status.in_(OPEN_OBJECTION))
        .values(status=status, result_zh=result_zh, decided_by=by, decided_at=at, version=Objection.version + 1)
        .execution_options(synchronize_session=False)
    )


async def open_without_target(session: AsyncSession, programme: str | None) -> list[Objection]:
    stmt = select(Objection).where(Objection.status.in_(OPEN_OBJECTION), Objection.verification_due_at.is_(None))
    if programme:
        stmt = stmt.where(Objection.programme == programme)
    # an objection the office's view read just before is refreshed by the claim, not shown as it was
    stmt = stmt.with_for_update(skip_locked=True).execution_options(populate_existing=True)
    return list((await session.execute(stmt)).scalars().all())


async def page_objections(
    session: AsyncSession,
    readable: ColumnElement[bool],
    filters: dict,
    offset: int,
    limit: int,
    cursor: str | None = None,
) -> keyset.KeysetPage[Objection]:
    """The objections ``readable`` (the caller's access filter, ``app.access.office``) lets a list show.

    Oldest first by receipt; the overdue list most overdue first (by verification target).
    """
    base: Select = select(Objection).where(readable)
    for name in ("programme", "notice_id", "application_id"):
        if filters.get(name) is not None:
            base = base.where(getattr(Objection, name) == filters[name])
    if filters.get("statuses"):
        base = base.where(Objection.status.in_(filters["statuses"]))
    overdue = filters.get("due_before") is not None
    if overdue:
        base = base.where(Objection.verification_due_at <= filters["due_before"])
    # the overdue list stays short (open objections past target): pages by number, no cursor
    order = [Objection.verification_due_at, Objection.received_at, Objection.id] if overdue else None
    return await keyset.page(
        session,
        base,
        order or [Objection.received_at, Objection.id],
        sort="received_at",
        sort_column=Objection.received_at,
        id_column=Objection.id,
        descending=False,
        cursor=None if overdue else cursor,
        offset=offset,
        limit=limit,
        cursors=not overdue,
    )


async def objections_of_application(session: AsyncSession, application_id: uuid.UUID) -> list[Objection]:
    stmt = (
        select(Objection)
        .where(Objection.application_id == application_id)
        .order_by(Objection.received_at, Objection.id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def decided_objections_of_notice(session: AsyncSession, notice_id: uuid.UUID) -> list[Objection]:
    stmt = (
        select(Objection)
        .where(Objection.notice_id == notice_id, Objection.status.not_in(OPEN_OBJECTION))
        .order_by(Objection.decided_at, Objection.id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def open_counts_by_entry(session: AsyncSession, notice_id: uuid.UUID) -> dict[uuid.UUID, int]:
    stmt = (
        select(Objection.entry_id, func.count())
        .where(Objection.notice_id == notice_id, Objection.status.in_(OPEN_OBJECTION))
        .group_by(Objection.entry_id)
    )
    return dict((await session.execute(stmt)).all())


async def files_of(session: AsyncSession, objection_ids: list[uuid.UUID]) -> list[ObjectionFile]:
    if not objection_ids:
        return []
    stmt = (
        select(ObjectionFile)
        .where(ObjectionFile.objection_id.in_(objection_ids))
        .order_by(ObjectionFile.uploaded_at, ObjectionFile.id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def get_file(session: AsyncSession, objection_id: uuid.UUID, file_id: uuid.UUID) -> ObjectionFile | None:
    stmt = select(ObjectionFile).where(ObjectionFile.id == file_id, ObjectionFile.objection_id == objection_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def findings_of(session: AsyncSession, objection_id: uuid.UUID) -> list[ObjectionFinding]:
    stmt = (
        select(ObjectionFinding)
        .where(ObjectionFinding.objection_id == objection_id)
        .order_by(ObjectionFinding.recorded_at, ObjectionFinding.id)
    )
    return list((await session.execute(stmt)).scalars().all())


# --- rate limits ----------------------------------------------------------------------------


async def count_hit(session: AsyncSession, scope: str, window_start: datetime) -> int:
    """One more request in ``scope``'s window; the count after it (an atomic upsert, safe across replicas)."""
    stmt = (
        insert(RateLimitCounter)
        .values(scope=scope, window_start=window_start, count=1)
        .on_conflict_do_update(
            index_elements=[RateLimitCounter.scope, RateLimitCounter.window_start],
            set_={"count": RateLimitCounter.count + 1},
        )
        .returning(RateLimitCounter.count)
    )
    return (await session.execute(stmt)).scalar_one()


async def purge_counters(session: AsyncSession, before: datetime) -> None:
    await session.execute(delete(RateLimitCounter).where(and_(RateLimitCounter.window_start < before)))


# Open objections whose verification target was computed before a year it spans was changed
# (the calendar's affected list: app/domain/calendar/service.py). A target spans the years from
# the day of receipt to its last day.
_AFFECTED_TARGETS = f"""
    SELECT o.id, o.application_id, 'objection_verification' AS kind, o.verification_rule AS rule, o.received_on AS starts_on,
           o.verification_due_at AS ends_at, o.verification_calendar_revision AS calendar_revision, o.status,
           changed.years AS changed_years, changed.latest_revision
      FROM objections o {changed_years_since("o.verification_calendar_revision", "o.received_on", "o.verification_due_on")}
     WHERE changed.years IS NOT NULL AND o.status = ANY($1::text[]) AND o.verification_calendar_revision IS NOT NULL
"""


async def affected_verification_targets(session: AsyncSession, open_statuses: list[str]) -> list[dict]:
    return [r.as_dict() for r in await lean.fetch(session, _AFFECTED_TARGETS, open_statuses)]


# every row a public notice's answer is rendered from, by its row version (xmin: a new one with every UPDATE,
# the same on a streaming replica), the entries' applications by their state: one index-only-sized read
# instead of loading and rendering the list (issue 21)
_NOTICE_VERSION = (
    "SELECT n.ends_at, md5(concat_ws('|', n.xmin::text,"
    " (SELECT string_agg(e.xmin::text || ':' || a.state, ',' ORDER BY e.position)"
    "    FROM notice_entries e JOIN applications a ON a.id = e.application_id WHERE e.notice_id = n.id),"
    " (SELECT string_agg(o.xmin::text, ',' ORDER BY o.id) FROM objections o WHERE o.notice_id = n.id)"
    ")) AS version FROM notices n WHERE n.id = $1"
)


async def notice_version(session: AsyncSession, notice_id: uuid.UUID) -> tuple[str, datetime] | None:
    """A digest that changes whenever anything the public notice shows changes, and the notice's end."""
    row = await lean.fetchrow(session, _NOTICE_VERSION, notice_id)
    return None if row is None else (row.version, row.ends_at)


async def next_notice_end(session: AsyncSession, programme: str | None, after: datetime) -> datetime | None:
    """The first period end after ``after``, of ``programme``'s notices (every notice: None)."""
    stmt = select(func.min(Notice.ends_at)).where(Notice.ends_at > after)
    if programme:
        stmt = stmt.where(Notice.programme == programme)
    return (await session.execute(stmt)).scalar_one()
