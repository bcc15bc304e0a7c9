"""日历服务: one function per use case of the holiday calendar and the period engine.

The calendar is read from the database and kept per process, keyed by the newest revision: a
request pays one ``SELECT max(revision)`` and rebuilds only when another process (or itself) has
loaded a year since, so every process sees a new year as soon as it is committed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import office
from app.db.repositories import calendar as repo
from app.domain.calendar import corrections
from app.domain.calendar.holidays import CalendarYear, DayKind, HolidayCalendar
from app.domain.calendar.periods import Period, PeriodUnit, compute_period
from app.domain.calendar.schemas import CalendarYearIn
from app.domain.calendar.validation import invalid_year, validate_year
from app.domain.clock import SHANGHAI
from app.domain.errors import FieldError
from app.identity import Principal

# Deadline statuses that may still move (pending, or due but waiting to fire); not fired or cancelled.
OPEN_DEADLINE_STATUSES = ["pending", "waiting"]

# Other dated targets computed with the period engine and kept outside the ``deadlines`` table
# register here (objections' verification targets): (session) → rows of ``AffectedDeadlineOut``'s
# shape, those computed before a year they depend on was changed.
AffectedSource = Callable[[AsyncSession], Awaitable[list[dict[str, Any]]]]
affected_sources: list[AffectedSource] = []

_cached: HolidayCalendar | None = None


async def current_calendar(session: AsyncSession) -> HolidayCalendar:
    """The calendar at the newest revision visible to ``session``.

    Revision numbers come from a sequence and calendar writes are serialised, so one number
    always names one content: a cache keyed by it is never stale, even across rolled-back
    transactions.
    """
    global _cached
    revision = await repo.current_revision(session)
    cached = _cached
    if cached is not None and cached.revision == revision:
        return cached
    cal = HolidayCalendar.from_years([CalendarYear(*y) for y in await repo.load_years(session)], revision)
    _cached = cal
    return cal


async def load_year(session: AsyncSession, year: int, body: CalendarYearIn, actor: str) -> dict[str, Any]:
    """Load (or replace) ``year`` from the State Council notice, as a new calendar revision."""
    holidays = [(h.date, h.name.strip()) for h in body.holidays]
    errors = validate_year(year, holidays, body.makeup_workdays)
    if not body.source.strip():
        # every loaded year records the notice it was transcribed from (INTERPRETATIONS §4-5)
        errors.append(
            FieldError(
                "source",
                "应填写所依据的国务院办公厅通知",
                "must name the State Council notice the year comes from",
                code="missing",
            )
        )
    if errors:
        raise invalid_year(year, errors)
    row = await repo.replace_year(session, year, holidays, body.makeup_workdays, body.source.strip(), actor)
    # a running notice the correction would cut short ends at the corrected end (changning-21c)
    await corrections.follow_correction(session, await current_calendar(session), actor)
    return {
        "year": row.year,
        "revision": row.revision,
        "source": row.source,
        "loaded_at": row.loaded_at,
        "holidays": [{"date": d, "name": n} for d, n in sorted(holidays)],
        "makeup_workdays": sorted(body.makeup_workdays),
    }


async def list_years(session: AsyncSession) -> list[dict[str, Any]]:
    return [
        {"year": r.year, "revision": r.revision, "source": r.source, "loaded_at": r.loaded_at}
        for r in await repo.list_years(session)
    ]


async def day(session: AsyncSession, d: date) -> dict[str, Any]:
    cal = await current_calendar(session)
    kind = cal.day_kind(d)
    return {
        "date": d,
        "working_day": kind in (DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY),
        "kind": kind,
        "holiday_name": cal.holiday_name(d),
    }


async def period(
    session: AsyncSession, start: date, length: int, unit: PeriodUnit, count_start_day: bool = False
) -> Period:
    return compute_period(await current_calendar(session), start, length, unit, count_start_day)


async def period_for_deadline(
    session: AsyncSession, start: date, length: int, unit: PeriodUnit, count_start_day: bool = False
) -> Period:
    """A period a deadline row will hold, computed under the calendar's lock held shared.

    A correction loading at the same moment then either commits first (and this reads it) or waits
    for this transaction and finds its deadline to move (``corrections.follow_correction``): a
    notice is never left on a calendar a correction has already replaced.
    """
    await repo.share_write_lock(session)
    return await period(session, start, length, unit, count_start_day)


async def affected_deadlines_for(session: AsyncSession, principal: Principal) -> list[dict[str, Any]]:
    """``affected_deadlines`` as ``principal`` may see them, by the one rule of ``app/access``: those
    of applications (or, for a round's own deadline, rounds) it may see (a jinshan office never
    sees changning's)."""
    rows = await affected_deadlines(session)
    apps = await repo.applications_facts(session, list({r["application_id"] for r in rows if r["application_id"]}))
    rounds = await repo.round_programmes(session, [r["id"] for r in rows if r["application_id"] is None])
    return [
        r
        for r in rows
        if (r["application_id"] is None or r["application_id"] in apps)
        and office.reads_deadline(principal, rounds.get(r["id"]), apps.get(r["application_id"]))
    ]


async def affected_deadlines(session: AsyncSession) -> list[dict[str, Any]]:
    """Open deadlines and targets computed at a revision older than a year they depend on (for the office).

    The workflow's deadlines (none until its ``deadlines`` table exists), then what the
    ``affected_sources`` add, soonest first.
    """
    rows = (
        await repo.affected_deadlines(session, OPEN_DEADLINE_STATUSES)
        if await repo.deadlines_table_exists(session)
        else []
    )
    for source in affected_sources:
        rows += await source(session)
    for row in rows:
        row["id"] = str(row["id"])
        row["application_id"] = None if row["application_id"] is None else str(row["application_id"])
        if row["ends_at"] is not None:
            row["ends_at"] = row["ends_at"].astimezone(SHANGHAI)  # shown as every legal instant is: +08:00
    rows.sort(key=lambda r: (r["ends_at"] is None, r["ends_at"] or r["starts_on"], r["id"]))
    return rows


async def confirm_deadline(session: AsyncSession, principal: Principal, deadline_id, reason: str, move: bool) -> dict:
    """The office confirms a deadline a correction would shorten (keeping or moving its end), with a reason."""
    d = await corrections.confirm_deadline(
        session, await current_calendar(session), principal, deadline_id, reason, move
    )
    return {
        "id": str(d.id),
        "application_id": str(d.application_id),
        "kind": d.kind,
        "ends_at": d.ends_at.astimezone(SHANGHAI),
        "calendar_revision": d.calendar_revision,
        "corrections": d.rule.get("corrections", []),
    }
