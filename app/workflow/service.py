"""Firing events on applications: the one way an application's state changes.

Each event: lock the application (and, for ``select``, the round first: a fixed lock order),
check the ETag, find the transition, check who fires it, validate its data, load the facts its
conditions read, let the compiled machine take the transition, apply its effects (deadlines,
decisions), and append the attempt to the history. A refused attempt is recorded too, in a
transaction of its own after the request's work is rolled back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import applications as access
from app.db.models.workflow import Application, Deadline, Round
from app.db.repositories import workflow as repo
from app.domain import clock
from app.domain.calendar import service as calendar
from app.domain.errors import DomainError, FieldError, not_found
from app.domain.preconditions import check_if_match
from app.identity import Principal
from app.workflow import history, ports
from app.workflow.machine import CONDITIONS, REQUIRED_DATA, Edge, Facts, Workflow, workflow_for
from app.workflow.programmes import effective_programme
from app.workflow.states import STATE_NAMES_ZH

SYSTEM = Principal(sub="system", roles=frozenset({"system"}))
MAX_TEXT = 20000
# free-text data fields an event may carry besides its required ones
OPTIONAL_TEXT = ("quota_override_reason", "correction_until", "opinion", "report", "score")
# states whose applications hold no place of a quota
# round states in which a returned application may still be resubmitted
_BEFORE_DECISION = ("open", "closed", "under_review")
_NO_PLACE = ["withdrawn", "ineligible", "not_shortlisted", "not_selected", "revoked"]


@dataclass
class EventContext:
    """Who fires, under which request, and where refused attempts are deferred to."""

    principal: Principal
    request_id: str | None = None
    after_rollback: list[Callable] = field(default_factory=list)
    # set by the publication of a notice list: a notice starts only with its published list
    notice_id: uuid.UUID | None = None
    # where the request is only this event: a refusal is recorded in the request's own transaction,
    # under the row lock, and the error put here for the route to commit before answering it
    refusals_kept: list[BaseException] | None = None

    @property
    def actor(self) -> history.Actor:
        p = self.principal
        role = "system" if p is SYSTEM else (sorted(p.roles)[0] if p.roles else None)
        return history.Actor(p.sub or "anonymous", role, self.request_id)


# --- who may do what --------------------------------------------------------------------------

def may_fire(principal: Principal, edge: Edge, app: Application) -> bool:
    return access.may_fire(principal, edge.actors, app)


def may_view(principal: Principal, app: Application) -> bool:
    return access.may_view(principal, app)


def _forbidden(event: str) -> DomainError:
    return DomainError("forbidden", 403, f"当前身份无权执行“{event}”", f"Your role may not fire '{event}' on this application", title="Forbidden", extra={"event": event})


# --- loading ----------------------------------------------------------------------------------

async def load_for_event(session: AsyncSession, app_id: uuid.UUID, event: str) -> tuple[Application, Round]:
    """The application locked; for ``select`` its round is locked first (quota, fixed lock order)."""
    if event == "select":
        peek = await repo.get_application(session, app_id)
        if peek is None:
            raise not_found("申报", "Application", app_id)
        rnd = await repo.get_round(session, peek.round_id, for_update=True)
        app = await repo.get_application(session, app_id, for_update=True)
    else:
        found = await repo.get_application_and_round(session, app_id)
        if found is None:
            raise not_found("申报", "Application", app_id)
        app, rnd = found
    assert app is not None and rnd is not None
    return app, rnd


async def load_facts(session: AsyncSession, app: Application, rnd: Round, edge: Edge | None, data: dict) -> Facts:
    """The facts the conditions read: those of ``edge``, or all of them (to list allowed events).

    A fact no condition of the edge reads is not queried; it keeps its neutral value.
    """
    needed = set(edge.conds) if edge is not None else set(CONDITIONS)
    now = clock.now()
    notice_over = False
    if "notice_period_over" in needed and app.state in ("qualification_notice", "onsite_notice", "award_notice"):
        d = await repo.open_deadline(session, app.id, "notice_end", app.state)
        notice_over = d is not None and d.ends_at <= now
    # a returned application may come back within its correction period, but only while the round
    # is still before its decision: once decided, nothing new enters the round's review
    window = rnd.opens_at <= now < rnd.closes_at or (app.correction_until is not None and now < app.correction_until and rnd.state in _BEFORE_DECISION)
    quota_ok, quota_clause = True, None
    if "quota_available" in needed and edge is not None:
        quota_ok, quota_clause = await _quota_room(session, app, rnd, data)
    objections = await ports.open_objections(session, app.id) if "no_open_objection" in needed else 0
    facts = Facts(
        window_open=window,
        decision_recorded=bool(app.outcome.get("decision")),
        notice_period_over=notice_over,
        open_objections=objections,
        quota_available=quota_ok,
    )
    facts.clauses["quota_available"] = quota_clause
    return facts


async def _quota_room(session: AsyncSession, app: Application, rnd: Round, data: dict) -> tuple[bool, str | None]:
    """Hard quotas are never exceeded (changning-3b); a soft one (tianning-4b "原则上") yields to a recorded reason."""
    prog = effective_programme(rnd.programme, rnd.programme_version, rnd.overrides)
    tier = data.get("tier")
    winners = next((n for n in prog.notices if n.point == "winners"), None)
    # a place freed at the winners' notice stays empty unless the programme refills it (tianning-12j)
    no_place = _NO_PLACE + ([] if winners is None or not winners.refill else ["disqualified"])
    for q in prog.quotas:
        if tier in q.tiers and app.category in q.categories:
            taken = await repo.count_places_taken(session, rnd.id, list(q.tiers), list(q.categories), no_place, app.id)
            if winners is not None and not winners.refill:
                # a candidate withdrawn once its winners' notice was published leaves its place empty
                # too ("公示不通过的，取消获评资格，不进行递补", tianning-12j; INTERPRETATIONS §8)
                taken += await _withdrawn_at_notice(session, rnd.id, list(q.tiers), list(q.categories), str(winners.stage), app.id)
            if taken >= q.max and not (q.soft and str(data.get("quota_override_reason") or "").strip()):
                return False, q.clause
    return True, None


async def _withdrawn_at_notice(session: AsyncSession, round_id: uuid.UUID, tiers: list[str], categories: list[str], stage: str, exclude: uuid.UUID) -> int:
    """Withdrawn applications of the quota whose winners' notice had been published (a notice deadline at ``stage``)."""
    published = exists().where(Deadline.application_id == Application.id, Deadline.kind == "notice_end", Deadline.stage == stage)
    stmt = select(func.count()).select_from(Application).where(
        Application.round_id == round_id, Application.tier.in_(tiers), Application.category.in_(categories),
        Application.state == "withdrawn", Application.id != exclude, published,
    )
    return (await session.execute(stmt)).scalar_one()


# --- firing -----------------------------------------------------------------------------------

async def fire(session: AsyncSession, ctx: EventContext, app_id: uuid.UUID, event: str, reason: str | None, data: dict, if_match: str | None, *, check_etag: bool = True) -> Application:
    app, rnd = await load_for_event(session, app_id, event)
    if ctx.principal is not SYSTEM and not may_view(ctx.principal, app):
        # as ``view``: one who may not see the application learns neither that it exists, nor its
        # state (409 ``allowed_events``) or version (412), and writes no refusal into its history
        raise not_found("申报", "Application", app_id)
    from_state, seq, head = app.state, app.history_seq, app.history_head
    try:
        if check_etag:
            check_if_match(if_match, app.version)
        await apply_event(session, ctx, app, rnd, event, reason, data)
    except DomainError as err:
        _defer_refusal(ctx, app.id, event, from_state, reason, data, err)
        if ctx.refusals_kept is not None and _nothing_written(session, app):
            # recorded now, while the row is still locked: a refusal deferred past the rollback
            # could land after an event another clerk fired in between, and misstate its order
            session.expire(app)  # what the checks set in memory (the applicant's registry id) is not kept
            values = history.next_entry(app_id, seq + 1, head, ctx.actor, event, from_state, None, False, reason, _safe(data), err.slug, clock.now())
            await repo.set_history_head(session, app_id, values["seq"], values["hash"])
            await repo.insert_event(session, values)
            ctx.refusals_kept.append(err)
        raise
    return app


def _nothing_written(session: AsyncSession, app: Application) -> bool:
    """Whether the refused event has not written yet: no pending object but the application's own
    in-memory changes. Events write only after every check passed (``apply_event``: the effects,
    the row, the entry), and checks read only (``ports``)."""
    return not session.new and not session.deleted and all(o is app for o in session.dirty)


def _defer_refusal(ctx: EventContext, app_id: uuid.UUID, event: str, from_state: str, reason: str | None, data: dict, err: DomainError) -> None:
    async def record(session: AsyncSession) -> None:
        app = await repo.get_application(session, app_id, for_update=True)
        if app is not None:
            await history.append(session, app, ctx.actor, event, from_state, None, False, reason, _safe(data), err.slug, clock.now())

    ctx.after_rollback.append(record)


def _safe(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in {"id_number", "phone"}}


def allowed_events(wf: Workflow, principal: Principal, app: Application, facts: Facts | None) -> list[str]:
    out = []
    for e in wf.edges_from(app.state):
        if not may_fire(principal, e, app):
            continue
        if facts is not None and not all(facts.holds(c) for c in e.conds):
            continue
        out.append(e.event)
    return sorted(set(out))


async def apply_event(session: AsyncSession, ctx: EventContext, app: Application, rnd: Round, event: str, reason: str | None, data: dict) -> None:
    wf = workflow_for(app.programme, app.programme_version)
    edge = wf.edge(app.state, event)
    if edge is None:
        raise DomainError(
            "transition-not-allowed", 409,
            f"申报处于“{STATE_NAMES_ZH.get(app.state, app.state)}”状态，不能执行“{event}”",
            f"'{event}' is not allowed while the application is in '{app.state}'",
            title="Conflict",
            extra={"state": app.state, "allowed_events": allowed_events(wf, ctx.principal, app, None)},
        )
    if not may_fire(ctx.principal, edge, app):
        raise _forbidden(event)
    if rnd.state in ("announced", "archived") and event != "revoke":
        # the round's results are out and its panel dissolved (jinshan-9d, changning-10c): only revocation remains
        raise DomainError(
            "round-closed", 409,
            f"本届已{'公布' if rnd.state == 'announced' else '归档'}，申报只能被撤销奖项", f"The round is {rnd.state}: only revocation remains possible",
            title="Conflict", extra={"round_state": rnd.state},
        )
    if event == "start_notice" and ctx.notice_id is None:
        # a notice is a published list (公示名单) the public can read and object to, never a bare state change
        raise DomainError(
            "notice-not-published", 409,
            "公示须通过发布公示名单启动（POST /api/v1/rounds/{id}/notices）", "A notice starts only by publishing its list (POST /api/v1/rounds/{id}/notices)",
            title="Conflict", extra={"state": app.state},
        )
    _validate(app, rnd, edge, reason, data)
    if edge.event == "approve":
        await _approved_after_notice(session, app, edge, data)
    facts = await load_facts(session, app, rnd, edge, data)
    for name in edge.conds:
        if not facts.holds(name):
            c = CONDITIONS[name]
            clause = facts.clauses.get(name) or c.clause or edge.clause
            raise DomainError("guard-failed", 409, c.zh, c.en, title="Conflict", clause=clause, extra={"condition": name, "state": app.state})
    await ports.run_checks(session, app, rnd, event, data)
    target = wf.take(app.state, event, facts)
    now = clock.now()
    await _effects(session, app, rnd, edge, data, now)
    from_state = app.state
    if target != from_state:
        await repo.cancel_open_deadlines(session, app.id, now, f"left {from_state} by {event}")
        app.state = target
        app.outcome = {}
        if edge.target == "draft":
            app.correction_until = _correction_until(data)
    app.version += 1
    app.updated_at = now
    if edge.internal:
        app.outcome = {"decision": event, "decided_at": now.isoformat(), "by": ctx.actor.sub, **{k: v for k, v in data.items() if k in ("tier", "score", "opinion", "report")}}
    entry = history.chain(app, ctx.actor, event, from_state, target, True, reason, _safe(data), None, now)
    if edge.event == "start_notice":
        await _start_notice(session, app, rnd, now)
    await ports.after_event(session, app, rnd, event, from_state, data)
    # the row first, then its history entry: both straight to the driver, no unit of work
    await repo.save_event_changes(session, app)
    await repo.insert_event(session, entry)


async def _approved_after_notice(session: AsyncSession, app: Application, edge: Edge, data: dict) -> None:
    """The government approves the list that passed its notice (tianning-12k "经公示通过的候选名单，报区人民政府批准";
    changning-26a "公示无异议后，由区政府发文"): an approval dated on or before the notice's last day is refused."""
    ends = [d.ends_at for d in await repo.deadlines_of(session, app.id) if d.kind == "notice_end" and d.stage == "award_notice" and d.status == "fired"]
    if not ends:
        return
    last_day = (max(ends) - timedelta(microseconds=1)).astimezone(clock.SHANGHAI).date()
    if date.fromisoformat(str(data["approved_on"])) <= last_day:
        raise DomainError(
            "validation-error", 422,
            f"批准日期须在拟获奖名单公示期（至 {last_day.isoformat()}）届满之后", f"approved_on must be after the winners' notice ended ({last_day.isoformat()})",
            title="Unprocessable Content", clause=edge.clause,
            errors=[FieldError("data.approved_on", f"须晚于 {last_day.isoformat()}", f"must be after {last_day.isoformat()}", "date_before_notice_end")],
        )


def _correction_until(data: dict) -> datetime | None:
    value = data.get("correction_until")
    if not value:
        return None
    return datetime.fromisoformat(str(value))


def _validate(app: Application, rnd: Round, edge: Edge, reason: str | None, data: dict) -> None:
    wrong = [
        FieldError(f"data.{name}", f"应为不超过 {MAX_TEXT} 个字符的文字", f"must be text of at most {MAX_TEXT} characters", "string_type")
        for name in (*REQUIRED_DATA.get(edge.event, ()), *OPTIONAL_TEXT)
        if name != "reason" and name in data and data[name] is not None and not (isinstance(data[name], str) and len(data[name]) <= MAX_TEXT)
    ]
    if wrong:
        raise DomainError("validation-error", 422, f"“{edge.event}”的内容格式有误", f"'{edge.event}' carries malformed data", title="Unprocessable Content", errors=wrong)
    missing = []
    for name in REQUIRED_DATA.get(edge.event, ()):
        value = reason if name == "reason" else data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            missing.append(name)
    if missing:
        raise DomainError(
            "validation-error", 422,
            f"“{edge.event}”缺少必填内容：{'、'.join(missing)}", f"'{edge.event}' needs: {', '.join(missing)}",
            title="Unprocessable Content",
            errors=[FieldError(m if m == "reason" else f"data.{m}", "必填", "required", "missing") for m in missing],
        )
    prog = effective_programme(rnd.programme, rnd.programme_version, rnd.overrides)
    if edge.event == "select":
        tiers = {t.code for t in prog.tiers}
        if data["tier"] not in tiers:
            raise DomainError("validation-error", 422, f"奖项等级“{data['tier']}”不属于本项目", f"Tier '{data['tier']}' is not a tier of this programme", title="Unprocessable Content", errors=[FieldError("data.tier", f"可选：{'、'.join(sorted(tiers))}", f"one of: {', '.join(sorted(tiers))}", "enum")])
    if edge.event == "revoke":
        grounds = {g.id for g in prog.revocation_grounds}
        if data["ground"] not in grounds:
            raise DomainError("validation-error", 422, "撤销理由不是本办法规定的情形", "The ground is not a revocation ground of this programme", title="Unprocessable Content", errors=[FieldError("data.ground", f"可选：{'、'.join(sorted(grounds))}", f"one of: {', '.join(sorted(grounds))}", "enum")])
    if edge.event == "approve":
        try:
            date.fromisoformat(str(data["approved_on"]))
        except ValueError:
            raise DomainError("validation-error", 422, "批准日期格式应为 YYYY-MM-DD", "approved_on must be YYYY-MM-DD", title="Unprocessable Content", errors=[FieldError("data.approved_on", "格式应为 YYYY-MM-DD", "must be YYYY-MM-DD", "date_parsing")]) from None
    if edge.event == "return_for_correction" and data.get("correction_until"):
        try:
            until = _correction_until(data)
            ok = until is not None and until.tzinfo is not None and clock.now() < until <= clock.now() + timedelta(days=366)
        except ValueError:
            ok = False
        if not ok:
            raise DomainError("validation-error", 422, "补正期限应为带时区的 ISO 8601 时间，且在今后一年之内", "correction_until must be an ISO 8601 date-time with a time zone, within the coming year", title="Unprocessable Content", errors=[FieldError("data.correction_until", "格式或期限不正确", "wrong format or out of range", "datetime_parsing")])


async def _effects(session: AsyncSession, app: Application, rnd: Round, edge: Edge, data: dict, now: datetime) -> None:
    if edge.event == "select":
        app.tier = data["tier"]


async def _start_notice(session: AsyncSession, app: Application, rnd: Round, now: datetime) -> None:
    """Publish: the notice's period from the programme's rule through the period engine, as a deadline row."""
    prog = effective_programme(rnd.programme, rnd.programme_version, rnd.overrides)
    notice = next(n for n in prog.notices if str(n.stage) == app.state)
    start = now.astimezone(clock.SHANGHAI).date()
    # INTERPRETATIONS §1: day 1 is the day after publication unless the round says otherwise
    count_start_day = prog.count_start_day
    period = await calendar.period(session, start, notice.length, notice.unit, count_start_day)
    session.add(
        Deadline(
            application_id=app.id,
            round_id=rnd.id,
            kind="notice_end",
            event="close_notice",
            stage=app.state,
            rule={**period.rule, "notice_point": notice.point, "minimum": notice.minimum, "clause": notice.clause, "stated": notice.stated},
            starts_on=start,
            ends_at=period.ends_at,
            calendar_revision=period.calendar_revision,
            status="pending",
        )
    )


# --- reading ----------------------------------------------------------------------------------

async def view(session: AsyncSession, principal: Principal, app_id: uuid.UUID) -> tuple[Application, Round, list[str], list[Deadline]]:
    app = await repo.get_application(session, app_id)
    if app is None or not may_view(principal, app):
        # not revealing whether an application exists to those who may not see it
        raise not_found("申报", "Application", app_id)
    rnd = await repo.get_round(session, app.round_id)
    assert rnd is not None
    wf = workflow_for(app.programme, app.programme_version)
    facts = await load_facts(session, app, rnd, None, {})
    events = allowed_events(wf, principal, app, facts)
    return app, rnd, events, await repo.deadlines_of(session, app.id)


async def fire_many(session: AsyncSession, ctx: EventContext, round_id: uuid.UUID, event: str, app_ids: list[uuid.UUID], reason: str | None, data: dict) -> list[Application]:
    """A round-level action (publish a list, start a notice for many): all in one transaction or none.

    The round is locked first, then the applications in id order, so concurrent actions and
    single events cannot deadlock.
    """
    rnd = await repo.get_round(session, round_id, for_update=True)
    if rnd is None:
        raise not_found("届次", "Round", round_id)
    ids = sorted(set(app_ids))
    apps = await repo.lock_applications(session, ids)
    # an application the caller may not see is, to it, not in the round: neither its existence nor
    # its state is revealed, and no refusal is written into its history
    visible = [a for a in apps if ctx.principal is SYSTEM or may_view(ctx.principal, a)]
    found = {a.id for a in visible}
    missing = [i for i in ids if i not in found] + [a.id for a in visible if a.round_id != rnd.id]
    if missing:
        position = {a: i for i, a in enumerate(app_ids)}
        raise DomainError(
            "validation-error", 422, "名单中有不属于本届的申报", "Some applications are not in this round", title="Unprocessable Content",
            errors=[FieldError(f"applications[{position[m]}]", f"申报“{m}”不存在或不属于本届", f"application '{m}' does not exist or is not in this round", "not_in_round") for m in missing],
        )
    for app in apps:
        from_state = app.state
        try:
            await apply_event(session, ctx, app, rnd, event, reason, data)
        except DomainError as err:
            _defer_refusal(ctx, app.id, event, from_state, reason, data, err)
            err.extra.setdefault("application_id", str(app.id))
            raise
    by_id = {a.id: a for a in apps}
    return [by_id[i] for i in app_ids if i in by_id]
