"""Statistics (统计) per round and programme: counts by state, tier, category, district and
recommending unit, and how many days applications spend in each stage (read from the history).

The export (``exports.py``) is built from the same rows, so its totals are the API's.
"""

from __future__ import annotations

import statistics as stats
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import office, roles
from app.db.repositories import recommendation as unit_repo
from app.db.repositories import statistics as repo
from app.db.repositories import workflow as workflow_repo
from app.domain.errors import DomainError, invalid, not_found
from app.domain.lookups import service as lookups
from app.domain.programmes.registry import get_registry
from app.domain.states import STATE_NAMES_ZH, ApplicationState
from app.identity import Principal

NONE_ZH = "（未填）"


@dataclass
class Scope:
    programme: str | None
    round_id: uuid.UUID | None
    round_label: str | None


@dataclass
class Gathered:
    scope: Scope
    rows: list  # (Application, locality, registered_jurisdiction, work_jurisdiction, score)
    consensus: list  # (application_id, stage, total)
    transitions: list  # (application_id, occurred_at, from_state, to_state)
    unit_names: dict[str, str]


def _forbidden() -> DomainError:
    return DomainError(
        "forbidden",
        403,
        "只有本项目的评审办公室或管理员可以查看统计和导出",
        "Only the programme's office or an admin may read its statistics and exports",
        title="Forbidden",
    )


async def scope_of(
    session: AsyncSession, principal: Principal, programme: str | None, round_id: uuid.UUID | None
) -> Scope:
    """The programme and round asked for, checked: a round the caller may not report on is 404."""
    if round_id is not None:
        rnd = await workflow_repo.get_round(session, round_id)
        if rnd is None or not office.reads_office_reports(principal, rnd.programme):
            raise not_found("届次", "Round", round_id)
        if programme is not None and programme != rnd.programme:
            raise invalid("programme", f"该届次属于“{rnd.programme}”", f"the round belongs to '{rnd.programme}'")
        return Scope(rnd.programme, rnd.id, rnd.label)
    codes = get_registry().codes()
    if programme is None:
        programme = roles.office_programme(principal)
        if programme is None and not roles.is_admin(principal):
            raise _forbidden()
        return Scope(programme, None, None)
    if programme not in codes:
        raise invalid(
            "programme",
            f"没有这个评奖项目，可选：{'、'.join(codes)}",
            f"no such programme; one of: {', '.join(codes)}",
            "enum",
        )
    if not office.reads_office_reports(principal, programme):
        raise _forbidden()
    return Scope(programme, None, None)


async def gather(
    session: AsyncSession, principal: Principal, programme: str | None, round_id: uuid.UUID | None
) -> Gathered:
    scope = await scope_of(session, principal, programme, round_id)
    rows = await repo.applications(session, scope.programme, scope.round_id)
    ids = [r[0].id for r in rows]
    units: dict[str, str] = {}
    for code in {r[0].programme for r in rows}:
        units |= {u.code: u.name_zh for u in await unit_repo.all_in_programme(session, code)}
    return Gathered(
        scope,
        rows,
        await repo.consensus_totals(session, ids),
        await repo.transitions(session, ids),
        units,
    )


def _days(seconds: float) -> Decimal:
    return Decimal(str(seconds / 86400)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def stage_days(transitions: list) -> list[dict[str, Any]]:
    """Per state: how many applications passed through it and the days they spent (mean, median, max), from the history."""
    spent: dict[str, list[float]] = {}
    current_in: Counter[str] = Counter()
    state: dict[uuid.UUID, tuple[str, datetime]] = {}
    for app_id, at, _from, to in transitions:
        held = state.get(app_id)
        if held is None:
            state[app_id] = (to, at)
        elif to != held[0]:
            spent.setdefault(held[0], []).append((at - held[1]).total_seconds())
            state[app_id] = (to, at)
    for s, _ in state.values():
        current_in[s] += 1
    out = []
    for s in ApplicationState:
        done = spent.get(s, [])
        if not done and not current_in.get(s):
            continue
        out.append(
            {
                "state": s.value,
                "name_zh": STATE_NAMES_ZH[s],
                "left": len(done),
                "in_it_now": current_in.get(s, 0),
                "mean_days": _days(stats.fmean(done)) if done else None,
                "median_days": _days(stats.median(done)) if done else None,
                "max_days": _days(max(done)) if done else None,
            }
        )
    return out


def _counted(values: list[str | None], names: dict[str, str]) -> list[dict[str, Any]]:
    counts = Counter(values)
    return [
        {"code": code, "name_zh": names.get(code, code) if code else NONE_ZH, "count": n}
        for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] or ""))
    ]


def _jurisdiction_names() -> dict[str, str]:
    """Each programme's jurisdiction and its parents by code and by division code (changning, 310105: 上海市长宁区)."""
    reg = get_registry()
    names: dict[str, str] = {}
    for code in reg.codes():
        j = reg.get(code).jurisdiction
        names[j.code] = j.name_zh
        if j.division:
            names[j.division] = j.name_zh
        for parent in j.parents:
            if parent.name_zh:
                names[parent.code] = names[parent.division] = parent.name_zh
    return names


def summary(g: Gathered) -> dict[str, Any]:
    apps = [r[0] for r in g.rows]
    lookup = {
        name: {v["code"]: v["name_zh"] for v in lookups.values(name, g.scope.programme)}
        for name in ("localities", "tiers", "categories")
    }
    state_counts = Counter(a.state for a in apps)
    return {
        "programme": g.scope.programme,
        "round_id": g.scope.round_id,
        "round_label": g.scope.round_label,
        "total": len(apps),
        "by_state": [
            {"code": s.value, "name_zh": STATE_NAMES_ZH[s], "count": state_counts[s]}
            for s in ApplicationState
            if state_counts.get(s)
        ],
        "by_tier": _counted([a.tier for a in apps], lookup["tiers"]),
        "by_tier_sought": _counted([a.tier_sought for a in apps], lookup["tiers"]),
        "by_category": _counted([a.category for a in apps], lookup["categories"]),
        "by_district": _counted([r[2] or r[3] for r in g.rows], {**lookup["localities"], **_jurisdiction_names()}),
        "by_locality": _counted([r[1] for r in g.rows], lookup["localities"]),
        "by_recommending_unit": _counted([a.recommending_unit for a in apps], g.unit_names),
        "stage_days": stage_days(g.transitions),
    }


async def for_caller(
    session: AsyncSession, principal: Principal, programme: str | None, round_id: uuid.UUID | None
) -> dict[str, Any]:
    return summary(await gather(session, principal, programme, round_id))


def programme_name(g: Gathered) -> str:
    """The programme's Chinese name (the service's when the scope is every programme)."""
    if g.scope.programme is None:
        return "政府质量奖"
    return get_registry().get(g.scope.programme).name_zh
