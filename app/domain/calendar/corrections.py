"""What a corrected calendar does to running notices (日历更正对公示期的影响).

A notice's period is computed once, at the calendar revision of its day of publication. When an
admin later loads a year again (a working day turns out to be a holiday), a period computed
before may now hold fewer working days than its rule: changning-21c's "不少于5个工作日" would end
after 4. So, in the same transaction as the correction:

- a pending notice end the correction pushes later moves to the corrected end at once, recorded
  on the deadline and announced on the notice with both calendar revisions;
- one it would pull earlier is left where it is (a longer notice harms no one) and stays on the
  affected list until the programme's office confirms it with a reason, keeping or moving the end;
- one it leaves where it was is simply recorded as checked against the new revision.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import office
from app.db.models.workflow import Deadline
from app.db.repositories import calendar as repo
from app.domain import clock
from app.domain.calendar.holidays import CalendarYearNotLoaded, HolidayCalendar
from app.domain.calendar.periods import Period, compute_period, date_zh, recorded_span, span_zh
from app.domain.errors import DomainError, invalid, not_found
from app.identity import Principal


def _recompute(cal: HolidayCalendar, d: Deadline) -> Period | None:
    rule = d.rule or {}
    if "unit" not in rule or "length" not in rule:
        return None
    try:
        return compute_period(cal, d.starts_on, int(rule["length"]), rule["unit"], bool(rule.get("count_start_day")))
    except CalendarYearNotLoaded:
        return None  # a year still missing: nothing is guessed (INTERPRETATIONS §4)


def _record(d: Deadline, p: Period, moved: bool, by: str, now: datetime, reason: str | None = None) -> dict[str, Any]:
    entry = {
        "from_revision": d.calendar_revision,
        "to_revision": p.calendar_revision,
        "from_ends_at": d.ends_at.astimezone(clock.SHANGHAI).isoformat(),
        "to_ends_at": p.ends_at.astimezone(clock.SHANGHAI).isoformat(),
        "moved": moved,
        "by": by,
        "at": now.isoformat(),
    }
    if reason is not None:
        entry["reason"] = reason
    d.rule = {**d.rule, "corrections": [*d.rule.get("corrections", []), entry]}
    d.calendar_revision = p.calendar_revision
    return entry


async def _move(session: AsyncSession, d: Deadline, p: Period, by: str, now: datetime, reason: str | None) -> None:
    """Move the deadline and the notice it ends to ``p``'s end, announced on the notice."""
    first_day, last_day = recorded_span(d.starts_on, p.ends_at, p.count_start_day)
    old_revision = d.calendar_revision
    for notice in await repo.notices_ending_with(session, d):
        if notice.calendar_revision == p.calendar_revision:
            # a notice of several applications: moved already by another of its ends in this correction, and
            # announced once (changning-21c); the session's copy shows that move, not yet flushed
            continue
        announcement = (
            f"因法定节假日安排更正（日历修订第{old_revision}版更正为第{p.calendar_revision}版），"
            f"本公示期调整为{span_zh(first_day, last_day)}，异议可于{date_zh(last_day)}24时前提出。"
        )
        notice.rule = {
            **notice.rule,
            "corrections": [
                *notice.rule.get("corrections", []),
                {
                    "from_revision": old_revision,
                    "to_revision": p.calendar_revision,
                    "from_last_day": notice.last_day_on.isoformat(),
                    "to_last_day": last_day.isoformat(),
                    "text_zh": announcement,
                    "at": now.isoformat(),
                    **({"reason": reason} if reason else {}),
                },
            ],
        }
        notice.ends_at, notice.last_day_on, notice.first_day_on = p.ends_at, last_day, first_day
        notice.period_zh = f"公示期：{span_zh(first_day, last_day)}"
        notice.calendar_revision = p.calendar_revision
    _record(d, p, True, by, now, reason)
    d.ends_at = p.ends_at


async def follow_correction(session: AsyncSession, cal: HolidayCalendar, actor: str) -> None:
    """After a year is loaded again: move the running notices it would cut short (changning-21c)."""
    now = clock.now()
    for d in await repo.pending_notice_deadlines_affected(session):
        p = _recompute(cal, d)
        if p is None:
            continue
        if p.ends_at > d.ends_at:
            # the stated period would end before its last working day: the corrected end binds
            await _move(session, d, p, actor, now, None)
        elif p.ends_at == d.ends_at:
            _record(d, p, False, actor, now)
        # earlier: kept, listed for the office to confirm (confirm_deadline)
    await session.flush()


async def confirm_deadline(
    session: AsyncSession, cal: HolidayCalendar, principal: Principal, deadline_id: uuid.UUID, reason: str, move: bool
) -> Deadline:
    """The office confirms a notice end a calendar correction would pull earlier, with a reason.

    ``move``: end the notice at the corrected (earlier) end; otherwise keep the published end.
    """
    d = await repo.get_deadline(session, deadline_id, for_update=True)
    apps = await repo.applications_facts(session, [d.application_id]) if d is not None and d.application_id else {}
    app = apps.get(str(d.application_id)) if d is not None else None
    if d is None or app is None or not office.reads_deadline(principal, None, app):
        raise not_found("期限", "Deadline", deadline_id)
    if not office.confirms_deadline(principal, app.programme):
        raise DomainError(
            "forbidden",
            403,
            "只有本项目的评审办公室可以确认期限",
            "Only the programme's office confirms it",
            title="Forbidden",
        )
    if not reason.strip():
        raise invalid("reason", "确认期限须说明理由", "a confirmation needs a reason")
    p = _recompute(cal, d) if d.kind == "notice_end" and d.status == "pending" else None
    if p is None or p.calendar_revision == d.calendar_revision or p.ends_at >= d.ends_at:
        raise DomainError(
            "nothing-to-confirm",
            409,
            "该期限没有需要确认的日历更正",
            "No calendar correction of this deadline waits for confirmation",
            title="Conflict",
        )
    now = clock.now()
    # one notice, one end: its other applications' deadlines follow the office's answer
    for one in [d, *await repo.sibling_deadlines(session, d)]:
        if move:
            await _move(session, one, p, principal.sub, now, reason.strip())
        else:
            _record(one, p, False, principal.sub, now, reason.strip())  # the published end stands
    await session.flush()
    return d
