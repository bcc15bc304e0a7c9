"""Role-model activities (示范引领活动): a winner sharing its experience, and the office's report of them.

changning-7a and 32, jinshan-24a, hangzhou-5.1, linyi-18b, tianning-17 oblige winners to share their
quality management experience (trade secrets excepted). Each activity is recorded with its day,
kind and audience, by the winner or by the office; the office reports them per programme and year.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import aftercare as access
from app.db.models.aftercare import RoleModelActivity
from app.db.repositories import aftercare as repo
from app.domain import clock
from app.domain.aftercare import duties
from app.domain.commendation.rules import not_in_future
from app.domain.errors import DomainError, invalid
from app.domain.programmes.effective import effective_programme
from app.domain.programmes.registry import get_registry
from app.identity import Principal

# the forms of sharing the texts name or imply (宣传推广, 介绍经验, 交流): an open list, "other" for the rest
KINDS = {
    "lecture": "经验介绍/讲座",
    "site_visit": "现场观摩",
    "exchange_meeting": "交流会",
    "training": "培训授课",
    "publication": "宣传报道/出版",
    "other": "其他",
}


def sharing_clause(prog) -> str | None:
    """The clause of the programme's duty to share experience: the winner's duty that has no schedule."""
    return next((d.clause for d in prog.post_award_duties if d.who == "winner" and d.schedule is None), None)


async def record(
    session: AsyncSession,
    principal: Principal,
    app_id: uuid.UUID,
    held_on: date,
    kind: str,
    audience: str,
    audience_size: int | None,
    description: str,
) -> RoleModelActivity:
    app, awarded_on = await duties.winner(
        session,
        principal,
        app_id,
        access.submits_for,
        DomainError(
            "forbidden",
            403,
            "只有获奖者本人或评审办公室可以登记示范引领活动",
            "Only the winner or the office records a role-model activity",
            title="Forbidden",
        ),
    )
    if kind not in KINDS:
        raise invalid("kind", f"可选：{'、'.join(KINDS)}", f"one of: {', '.join(KINDS)}", "enum")
    not_in_future(held_on, clock.today(), "held_on")
    if held_on < awarded_on:
        raise invalid(
            "held_on",
            f"不能早于表彰决定日期（{awarded_on.isoformat()}）",
            f"is before the commendation decision ({awarded_on.isoformat()})",
            "before_award",
        )
    prog = effective_programme(app.programme, app.programme_version, None)
    row = RoleModelActivity(
        id=uuid.uuid4(),
        application_id=app.id,
        round_id=app.round_id,
        programme=app.programme,
        held_on=held_on,
        kind=kind,
        audience=audience,
        audience_size=audience_size,
        description=description,
        clause=sharing_clause(prog),
        recorded_by=principal.sub,
        recorded_at=clock.now(),
    )
    await repo.add_all(session, [row])
    return row


@dataclass
class WinnerLine:
    application_id: uuid.UUID
    name: str
    activities: int = 0
    audience_size: int = 0
    kinds: Counter = field(default_factory=Counter)


@dataclass
class Report:
    programme: str
    year: int
    clause: str | None
    total: int
    audience_size: int
    by_kind: dict[str, int]
    winners: list[WinnerLine]
    activities: list[tuple[RoleModelActivity, str]]


async def report(session: AsyncSession, principal: Principal, programme: str | None, year: int) -> Report:
    """A programme's role-model activities held in ``year``: totals by kind and per winner, then each one."""
    if programme is None:
        raise invalid("programme", "必填", "is required", "missing")
    if not access.reads_programme(principal, programme):
        raise DomainError(
            "forbidden",
            403,
            "只有本项目的评审办公室和评审监督人员可以查看该报告",
            "Only the programme's office and supervision team read this report",
            title="Forbidden",
        )
    rows = await repo.activities_in(session, programme, date(year, 1, 1), date(year, 12, 31))
    lines: dict[uuid.UUID, WinnerLine] = {}
    for a, name in rows:
        line = lines.setdefault(a.application_id, WinnerLine(a.application_id, name))
        line.activities += 1
        line.audience_size += a.audience_size or 0
        line.kinds[a.kind] += 1
    by_kind = Counter(a.kind for a, _ in rows)
    prog = get_registry().get(programme)
    return Report(
        programme=programme,
        year=year,
        clause=sharing_clause(prog),
        total=len(rows),
        audience_size=sum(a.audience_size or 0 for a, _ in rows),
        by_kind=dict(sorted(by_kind.items())),
        winners=sorted(lines.values(), key=lambda w: (-w.activities, w.name)),
        activities=rows,
    )
