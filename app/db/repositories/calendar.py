"""The holiday calendar's tables (the only SQL for the calendar)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import ARRAY, Text, bindparam, delete, func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.calendar import CalendarDay, CalendarRevision, CalendarYearRow
from app.db.models.notices import Notice, NoticeEntry
from app.db.models.workflow import Application, Deadline, Round

# Serialises calendar changes so revisions commit in the order they are numbered; a process
# that cached the calendar at revision N can then trust that nothing below N is still to come.
_WRITE_LOCK = 7240004


async def share_write_lock(session: AsyncSession) -> None:
    """Hold the calendar's lock shared until the transaction ends: a correction waits for it, or it for the correction."""
    await session.execute(text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": _WRITE_LOCK})


async def current_revision(session: AsyncSession) -> int:
    """The newest revision any loaded year is at (0 when nothing is loaded)."""
    return (await session.execute(select(func.coalesce(func.max(CalendarYearRow.revision), 0)))).scalar_one()


async def load_years(session: AsyncSession) -> list[tuple[int, dict[date, str], frozenset[date], str | None, int, Any]]:
    """Each loaded year as (year, holidays, make-up working days, source, revision, loaded_at); the
    domain makes its ``CalendarYear`` of them (the layers point one way: db knows no domain type)."""
    rows = (await session.execute(select(CalendarYearRow).order_by(CalendarYearRow.year))).scalars().all()
    holidays: dict[int, dict[date, str]] = defaultdict(dict)
    makeup: dict[int, set[date]] = defaultdict(set)
    for day in (await session.execute(select(CalendarDay))).scalars():
        if day.kind == "holiday":
            holidays[day.year][day.date] = day.name or ""
        else:
            makeup[day.year].add(day.date)
    return [(r.year, holidays[r.year], frozenset(makeup[r.year]), r.source, r.revision, r.loaded_at) for r in rows]


async def list_years(session: AsyncSession) -> list[CalendarYearRow]:
    return list((await session.execute(select(CalendarYearRow).order_by(CalendarYearRow.year))).scalars())


async def replace_year(
    session: AsyncSession,
    year: int,
    holidays: list[tuple[date, str]],
    makeup_workdays: list[date],
    source: str,
    actor: str,
) -> CalendarYearRow:
    """Replace ``year`` whole under a new revision; returns the year's row."""
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _WRITE_LOCK})
    revision = (
        await session.execute(
            insert(CalendarRevision).values(year=year, source=source, actor=actor).returning(CalendarRevision.revision)
        )
    ).scalar_one()
    upsert = pg_insert(CalendarYearRow).values(year=year, source=source, revision=revision, loaded_at=func.now())
    await session.execute(
        upsert.on_conflict_do_update(
            index_elements=[CalendarYearRow.year],
            set_={"source": source, "revision": revision, "loaded_at": func.now()},
        )
    )
    await session.execute(delete(CalendarDay).where(CalendarDay.year == year))
    rows: list[dict[str, Any]] = [{"date": d, "year": year, "kind": "holiday", "name": n} for d, n in holidays]
    rows += [{"date": d, "year": year, "kind": "makeup_workday", "name": None} for d in makeup_workdays]
    if rows:
        await session.execute(insert(CalendarDay), rows)
    return (
        await session.execute(
            select(CalendarYearRow).where(CalendarYearRow.year == year).execution_options(populate_existing=True)
        )
    ).scalar_one()


async def deadlines_table_exists(session: AsyncSession) -> bool:
    return (await session.execute(text("SELECT to_regclass('deadlines') IS NOT NULL"))).scalar_one()


def changed_years_since(revision: str, first_day: str, last_day: str) -> str:
    """A ``CROSS JOIN LATERAL ... AS changed`` giving ``changed.years`` (null when none) and
    ``changed.latest_revision``: the calendar years from ``first_day`` to ``last_day`` (SQL date
    expressions) loaded again after ``revision``, i.e. what a period computed then depends on."""
    return f"""
     CROSS JOIN LATERAL (
            SELECT array_agg(y.year ORDER BY y.year) AS years, max(y.revision) AS latest_revision
              FROM calendar_years y
             WHERE y.revision > {revision}
               AND y.year BETWEEN EXTRACT(YEAR FROM {first_day})::int AND EXTRACT(YEAR FROM {last_day})::int
           ) AS changed"""


# Open deadlines that depend on a year changed after they were computed. A deadline depends on
# every year from its start date to its last day (the day before ``ends_at`` in Asia/Shanghai).
_LAST_DAY = "COALESCE(((d.ends_at AT TIME ZONE 'Asia/Shanghai') - interval '1 microsecond')::date, d.starts_on)"
_AFFECTED_DEADLINES = text(
    f"""
    SELECT d.id, d.application_id, d.kind, d.rule, d.starts_on, d.ends_at, d.calendar_revision, d.status,
           changed.years AS changed_years, changed.latest_revision
      FROM deadlines d {changed_years_since("d.calendar_revision", "d.starts_on", _LAST_DAY)}
     WHERE changed.years IS NOT NULL
       AND d.status = ANY(:open_statuses)
     ORDER BY d.ends_at, d.id
    """
).bindparams(bindparam("open_statuses", type_=ARRAY(Text())))


async def affected_deadlines(session: AsyncSession, open_statuses: list[str]) -> list[dict[str, Any]]:
    result = await session.execute(_AFFECTED_DEADLINES, {"open_statuses": open_statuses})
    return [dict(row) for row in result.mappings()]


async def applications_facts(session: AsyncSession, ids: list[Any]) -> dict[str, Application]:
    """The applications ``ids`` name, by their id as text, for the access rules to read (programme, unit, applicant)."""
    if not ids:
        return {}
    rows = await session.execute(select(Application).where(Application.id.in_([uuid.UUID(str(i)) for i in ids])))
    return {str(a.id): a for a in rows.scalars()}


async def round_programmes(session: AsyncSession, deadline_ids: list[str]) -> dict[str, str]:
    """The programme of each round deadline (the call's close) named, by the deadline's id as text."""
    if not deadline_ids:
        return {}
    rows = await session.execute(
        select(Deadline.id, Round.programme)
        .join(Round, Round.id == Deadline.round_id)
        .where(Deadline.id.in_([uuid.UUID(str(i)) for i in deadline_ids]))
    )
    return {str(i): p for i, p in rows.all()}


async def pending_notice_deadlines_affected(session: AsyncSession) -> list[Deadline]:
    """Pending notice ends computed before a year they span was loaded again, locked for the move."""
    ids = [
        r["id"]
        for r in await affected_deadlines(session, ["pending"])
        if r["kind"] == "notice_end" and r["application_id"] is not None
    ]
    if not ids:
        return []
    stmt = select(Deadline).where(Deadline.id.in_(ids)).order_by(Deadline.id).with_for_update()
    # the rows as locked replace copies an earlier read left in the session (else a lost update)
    found = await session.execute(stmt.execution_options(populate_existing=True))
    return list(found.scalars())


async def get_deadline(session: AsyncSession, deadline_id: Any, *, for_update: bool = False) -> Deadline | None:
    stmt = select(Deadline).where(Deadline.id == deadline_id)
    if for_update:
        # the row as locked replaces a copy an earlier read left in the session (else a lost update)
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def notices_ending_with(session: AsyncSession, deadline: Deadline) -> list[Notice]:
    """The notice whose period a notice-end deadline holds (same application, stage and end)."""
    # no populate_existing: a correction moves one notice once per application's end in one transaction, and
    # refreshing it would discard the previous move's change, not yet flushed (autoflush is off)
    found = await session.execute(
        select(Notice)
        .join(NoticeEntry, NoticeEntry.notice_id == Notice.id)
        .where(
            NoticeEntry.application_id == deadline.application_id,
            Notice.stage == deadline.stage,
            Notice.ends_at == deadline.ends_at,
        )
        .with_for_update(of=Notice)
    )
    return list(found.scalars().unique())


async def sibling_deadlines(session: AsyncSession, deadline: Deadline) -> list[Deadline]:
    """The other pending ends of the same notice: same round, stage, start, end and calendar revision."""
    found = await session.execute(
        select(Deadline)
        .where(
            Deadline.id != deadline.id,
            Deadline.round_id == deadline.round_id,
            Deadline.kind == deadline.kind,
            Deadline.stage == deadline.stage,
            Deadline.starts_on == deadline.starts_on,
            Deadline.ends_at == deadline.ends_at,
            Deadline.calendar_revision == deadline.calendar_revision,
            Deadline.status == "pending",
        )
        .order_by(Deadline.id)
        .with_for_update()
        # the rows as locked replace copies an earlier read left in the session (else a lost update)
        .execution_options(populate_existing=True)
    )
    return list(found.scalars())
