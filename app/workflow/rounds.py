"""Rounds (届) and their calls (申报通知).

A round binds the programme version in force on the day its call is published, so amending a
programme never changes a round already open. Per-round changes to the programme's settings are
recorded with their reasons (INTERPRETATIONS §14).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import office, roles
from app.db.models.workflow import Deadline, Round
from app.db.repositories import workflow as repo
from app.domain import clock
from app.domain.errors import DomainError, FieldError, invalid, not_found
from app.domain.event_names import event_name_en, event_name_zh
from app.domain.programmes.effective import effective_programme
from app.domain.programmes.registry import get_registry
from app.domain.states import FINAL_STATES, ROUND_STATE_NAMES_ZH
from app.domain.states import ApplicationState as S
from app.domain.states import RoundState as R
from app.identity import Principal

# round events: (from, event) → to; who: the programme's office (close: the deadline worker)
ROUND_TRANSITIONS: dict[tuple[str, str], str] = {
    (R.DRAFT, "publish"): R.OPEN,
    (R.OPEN, "close"): R.CLOSED,
    (R.CLOSED, "start_review"): R.UNDER_REVIEW,
    (R.UNDER_REVIEW, "decide"): R.DECIDED,
    (R.DECIDED, "announce"): R.ANNOUNCED,
    # the review panel is dissolved when the round's work is done (jinshan-9d, changning-10c)
    (R.ANNOUNCED, "archive"): R.ARCHIVED,
}


def _forbidden() -> DomainError:
    return DomainError(
        "forbidden",
        403,
        "只有本项目的评审办公室可以管理届次",
        "Only the programme's office may manage its rounds",
        title="Forbidden",
    )


async def create_round(
    session: AsyncSession,
    principal: Principal,
    programme: str,
    label: str,
    call_title: str,
    published_on: date,
    opens_at: datetime,
    closes_at: datetime,
    overrides: list[dict],
) -> Round:
    registry = get_registry()
    registry.get(programme)  # 404 for an unknown programme
    if not office.manages_rounds(principal, programme):
        raise _forbidden()
    if closes_at <= opens_at:
        raise invalid("call.closes_at", "申报截止时间须晚于开始时间", "closes_at must be after opens_at")
    if await repo.find_round(session, programme, label):
        raise DomainError(
            "duplicate",
            409,
            f"届次“{label}”已存在",
            f"Round '{label}' already exists",
            title="Conflict",
            errors=[FieldError("label", "已存在", "already exists", "duplicate")],
        )
    version = registry.version_in_force(programme, published_on)
    values, log = _overrides(principal, overrides)
    try:
        prog = effective_programme(programme, version.id, values)  # refuses an override the programme does not allow
    except DomainError as exc:
        raise _naming_the_override(exc, programme, version.id, overrides) from exc
    _check_cycle(prog, published_on)
    rnd = Round(
        programme=programme,
        programme_version=version.id,
        label=label,
        state=R.DRAFT,
        call_title=call_title,
        call_published_on=published_on,
        opens_at=opens_at,
        closes_at=closes_at,
        overrides=values,
        override_log=log,
        version=1,
        created_by=principal.sub,
    )
    await repo.add(session, rnd)
    return rnd


def _check_cycle(prog, published_on: date) -> None:
    """每两年评选一次 (changning-3a, jinshan-3a, linyi-4a), 每年 (tianning-4a): no round in an off year.

    The year is the call's; where a clause grants the power to adjust the cycle (changning-3e) the
    office does so with a recorded reason (``cycle.interval_years`` / ``cycle.anchor_year``).
    """
    cycle = prog.cycle
    if cycle.in_cycle(published_on.year):
        return
    last = published_on.year - (published_on.year - cycle.anchor_year) % cycle.interval_years
    years = f"{last}、{last + cycle.interval_years}"
    zh = f"本项目每{cycle.interval_years}年评选一次，{published_on.year}年不是评选年度（如{years}年）"
    en = (
        f"the programme runs once every {cycle.interval_years} years; {published_on.year} is not a review year "
        f"(e.g. {last}, {last + cycle.interval_years})"
    )
    raise DomainError(
        "validation-error",
        422,
        f"{zh}（{cycle.clause}）",
        f"{en[0].upper()}{en[1:]} ({cycle.clause})",
        title="Unprocessable Content",
        clause=cycle.clause,
        errors=[FieldError("call.published_on", f"{zh}（{cycle.clause}）", f"{en} ({cycle.clause})", "off_cycle_year")],
    )


def _naming_the_override(exc: DomainError, programme: str, version: str, overrides: list[dict]) -> DomainError:
    """The refusal of the first override the programme refuses on its own, a refused value named
    ``overrides[i].value``; the refusal as it was when only the overrides together are refused."""
    for i, o in enumerate(overrides):
        try:
            effective_programme(programme, version, {o["path"]: o["value"]})
        except DomainError as alone:
            for error in alone.errors:
                # a value the programme schema refuses (a type, a bound): named where it was sent; the
                # refusals of a path or of a regulation's stated value keep naming "overrides"
                if error.field == "overrides" and error.code == "invalid":
                    error.field = f"overrides[{i}].value"
            return alone
    return exc


def _overrides(principal: Principal, overrides: list[dict]) -> tuple[dict, list[dict]]:
    values: dict = {}
    log: list[dict] = []
    for i, o in enumerate(overrides):
        if not str(o.get("reason") or "").strip():
            raise invalid(f"overrides[{i}].reason", "调整项目设置须说明理由", "a changed setting needs a reason")
        values[o["path"]] = o["value"]
        log.append(
            {
                "path": o["path"],
                "value": o["value"],
                "reason": o["reason"],
                "by": principal.sub,
                "at": clock.now().isoformat(),
            }
        )
    return values, log


async def get_round(
    session: AsyncSession, round_id: uuid.UUID, *, for_update: bool = False, principal: Principal | None = None
) -> Round:
    """The round; with ``principal``, as that caller may see it (a draft of another office: 404)."""
    rnd = await repo.get_round(session, round_id, for_update=for_update)
    if rnd is None or (principal is not None and not office.reads_round(principal, rnd.programme, rnd.state)):
        raise not_found("届次", "Round", round_id)
    return rnd


async def fire_round_event(session: AsyncSession, principal: Principal, rnd: Round, event: str) -> Round:
    target = ROUND_TRANSITIONS.get((rnd.state, event))
    if target is None:
        allowed = sorted(e for (s, e) in ROUND_TRANSITIONS if s == rnd.state and e != "close")
        raise DomainError(
            "transition-not-allowed",
            409,
            f"届次处于“{ROUND_STATE_NAMES_ZH[rnd.state]}”状态，不能执行“{event_name_zh(event, round_event=True)}”",
            f"'{event_name_en(event, round_event=True)}' is not allowed while the round is '{rnd.state}'",
            title="Conflict",
            extra={"state": rnd.state, "allowed_events": allowed},
        )
    # the window's close is the deadline worker's alone
    if not roles.is_system(principal) and (event == "close" or not office.manages_rounds(principal, rnd.programme)):
        raise _forbidden()
    await _check_applications_ready(session, rnd, event)
    now = clock.now()
    if event == "publish":
        # the version in force on the call's date binds the round (a later amendment does not)
        rnd.programme_version = get_registry().version_in_force(rnd.programme, rnd.call_published_on).id
        # the window's close is a deadline like any other
        session.add(
            Deadline(
                round_id=rnd.id,
                kind="window_close",
                event="close",
                stage=None,
                rule={"at": rnd.closes_at.isoformat()},
                starts_on=rnd.call_published_on,
                ends_at=rnd.closes_at,
                calendar_revision=None,
                status="pending",
            )
        )
    rnd.state = target
    rnd.version += 1
    rnd.updated_at = now
    await session.flush()
    return rnd


async def next_steps(session: AsyncSession, principal: Principal, rnd: Round) -> tuple[list[str], list[Deadline]]:
    """The round events ``principal`` may fire now (the ones ``fire_round_event`` would not refuse)
    and the round's own deadlines: what the GET and every round event's answer carry."""
    events: list[str] = []
    if office.manages_rounds(principal, rnd.programme) or roles.is_system(principal):
        for (state, event), _ in ROUND_TRANSITIONS.items():
            if state != rnd.state or event == "close":
                continue
            try:
                await _check_applications_ready(session, rnd, event)
            except DomainError:
                continue
            events.append(event)
    return sorted(events), await repo.deadlines_of_round(session, rnd.id)


# a round may be decided only when every application under review has had its committee decision,
# and announced only when every one has its final answer (drafts never submitted are not in review)
_READY_FOR = {
    "decide": (S.AWARD_NOTICE, S.GOVERNMENT_APPROVAL, S.AWARDED, *FINAL_STATES),
    "announce": (S.AWARDED, *FINAL_STATES),
}


async def _check_applications_ready(session: AsyncSession, rnd: Round, event: str) -> None:
    ready = _READY_FOR.get(event)
    if ready is None:
        return
    # the committee's selection is recorded in committee_review before the winners' notice starts
    pending = await repo.count_applications_not_in(
        session, rnd.id, [*ready, S.DRAFT], S.COMMITTEE_REVIEW if event == "decide" else None
    )
    if pending:
        raise DomainError(
            "round-not-ready",
            409,
            f"本届尚有 {pending} 件申报未完成评审，不能执行“{event_name_zh(event, round_event=True)}”",
            f"{pending} application(s) of this round are still under review; '{event_name_en(event, round_event=True)}' must wait",
            title="Conflict",
            extra={"pending_applications": pending},
        )


async def list_rounds(
    session: AsyncSession,
    programme: str | None,
    states: list[str] | None,
    offset: int,
    limit: int,
    principal: Principal | None = None,
):
    """The rounds; with ``principal``, only those it may read (no other office's drafts)."""
    readable = office.readable_rounds(principal) if principal is not None else None
    return await repo.page_rounds(session, programme, states, offset, limit, readable)
