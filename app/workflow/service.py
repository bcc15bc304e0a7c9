"""Firing events on applications: the one way an application's state changes.

Each event: lock the application (and, for ``select``, the round first: a fixed lock order),
check the ETag, load the facts the machine's conditions read, send the event through the
programme's compiled machine (``decide``: who fires it, the round, the data, the guards), run
the checks that need the database (``app/workflow/checks.py``), write the effects the machine
decided (deadlines, decisions) and append the attempt to the history. The deadline worker's
batch of closings takes the same ``decide``.

A refused attempt is recorded by one recorder (``recording_refusals``): the event's work runs in
a savepoint taken after the row locks; a refusal rolls the savepoint back, appends its entry
under the still-held lock and is raised marked ``commit_before_answer``, so the request commits
the entry (and nothing else of the event) before answering.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from statemachine.exceptions import TransitionNotAllowed

from app.access import applications as access
from app.db.models.workflow import Application, Deadline, Round
from app.db.repositories import decisions as decisions_repo
from app.db.repositories import workflow as repo
from app.domain import clock, history
from app.domain.calendar import service as calendar
from app.domain.errors import DomainError, FieldError, not_found
from app.domain.event_names import event_name_en, event_name_zh
from app.domain.outbox import hooks as outbox
from app.domain.preconditions import check_if_match
from app.domain.programmes.effective import effective_programme
from app.domain.review import confidentiality, scoresheets
from app.domain.states import NOTICE_STAGES, STATE_NAMES_ZH
from app.domain.states import ApplicationState as S
from app.domain.states import RoundState as R
from app.identity import Principal
from app.workflow import checks
from app.workflow.machine import (
    CONDITIONS,
    REVIEW_FACTS,
    Edge,
    EventInput,
    EventOutcome,
    Facts,
    Workflow,
    workflow_for,
)

SYSTEM = Principal(sub="system", roles=frozenset({"system"}))
# round states in which a returned application may still be resubmitted
_BEFORE_DECISION = (R.OPEN, R.CLOSED, R.UNDER_REVIEW)
# the stages whose pass event reads the expert review's result
_REVIEW_STAGES = (S.MATERIAL_REVIEW, S.ONSITE_REVIEW, S.DEFENCE, S.COMPREHENSIVE_EVALUATION)
# states whose applications hold no place of a quota
_NO_PLACE = [S.WITHDRAWN, S.INELIGIBLE, S.NOT_SHORTLISTED, S.NOT_SELECTED, S.REVOKED]


@dataclass
class Attempt:
    """The event under way on one application: what its refusal's history entry records."""

    app_id: uuid.UUID
    event: str
    from_state: str
    seq: int
    head: str
    reason: str | None
    data: dict
    app: Application | None = None
    # set by apply_event before its first write: from there on nothing may refuse it
    writing: bool = False

    @classmethod
    def of(cls, app: Application, event: str, reason: str | None, data: dict) -> Attempt:
        return cls(app.id, event, app.state, app.history_seq, app.history_head, reason, data, app)


@dataclass(frozen=True)
class LoadedFacts:
    """The facts an event queried, in the state it was fired from: its answer reads them again only where they may
    have moved (issue 21: an answer that re-queried what its event had just read cost every event)."""

    state: str
    names: frozenset[str]
    facts: Facts


# facts that only a change of state can move within one request, and whose value does not depend on the
# event's edge or data (``quota_available``, ``not_banned`` and ``committee_decided`` read the tier given)
_REUSABLE = frozenset({"notice_period_over", "no_open_objection", *REVIEW_FACTS})


@dataclass
class EventContext:
    """Who fires, under which request; the attempt a refusal records."""

    principal: Principal
    request_id: str | None = None
    # work that must outlive a failed request (files stored by the caller); not used for refusals
    after_rollback: list[Callable] = field(default_factory=list)
    # set by the publication of a notice list: a notice starts only with its published list
    notice_id: uuid.UUID | None = None
    attempt: Attempt | None = None
    # the facts the last accepted event queried, for its answer's next steps (``next_steps``)
    loaded: LoadedFacts | None = None
    # the application's deadlines as the last accepted event left them, read by its writes' statement
    deadlines: list[repo.DeadlineShown] | None = None
    _recording: int = 0

    @property
    def actor(self) -> history.Actor:
        p = self.principal
        role = "system" if p is SYSTEM else (sorted(p.roles)[0] if p.roles else None)
        return history.Actor(p.sub or "anonymous", role, self.request_id)


# --- who may do what --------------------------------------------------------------------------


def may_fire(principal: Principal, edge: Edge, app: Application) -> bool:
    return access.may_fire(principal, edge.actors, app)


async def may_view(session: AsyncSession, principal: Principal, app: Application, *, read: bool = True) -> bool:
    """``access.may_view`` with the caller's review assignment loaded (an expert's view depends on it)."""
    return await confidentiality.may_view(session, principal, app, read=read)


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


async def load_facts(
    session: AsyncSession,
    app: Application,
    rnd: Round,
    edge: Edge | None,
    data: dict,
    needed: set[str] | None = None,
    known: LoadedFacts | None = None,
) -> Facts:
    """The facts the conditions read: those of ``edge``, or ``needed`` (default all of them, to list allowed events).

    A fact no condition of the edge reads is not queried; it keeps its neutral value. ``known``: facts
    queried earlier in this request, taken as they are while the application is still in the state they
    were read in (only those of ``_REUSABLE``).
    """
    if needed is None:
        needed = set(edge.conds) if edge is not None else set(CONDITIONS)
    reuse = known.names & _REUSABLE if known is not None and known.state == app.state else frozenset()
    now = clock.now()
    notice_over = False
    if "notice_period_over" in reuse:
        notice_over = known.facts.holds("notice_period_over")  # type: ignore[union-attr]
    elif "notice_period_over" in needed and app.state in NOTICE_STAGES:
        d = await repo.open_deadline(session, app.id, "notice_end", app.state)
        notice_over = d is not None and d.ends_at <= now
    window = window_open(app, rnd, now)
    quota_ok, quota_clause = True, None
    if "quota_available" in needed and edge is not None:
        quota_ok, quota_clause = await _quota_room(session, app, rnd, data)
    not_banned, ban_clause = True, None
    if "not_banned" in needed and edge is not None:
        not_banned, ban_clause = await _not_banned(session, app, rnd, edge.event, data)
    if "no_open_objection" in reuse:
        objections = 0 if known.facts.holds("no_open_objection") else 1  # type: ignore[union-attr]
    else:
        objections = await checks.open_objections(session, app.id) if "no_open_objection" in needed else 0
    last_day = await _award_notice_last_day(session, app) if edge is not None and edge.event == "approve" else None
    committee_decided = True
    if "committee_decided" in needed:
        committee_decided = await _committee_decided(session, app, rnd, data)
    review = None
    if reuse & set(REVIEW_FACTS):
        review = {name: known.facts.holds(name) for name in REVIEW_FACTS}  # type: ignore[union-attr]
    elif needed & set(REVIEW_FACTS) and app.state in _REVIEW_STAGES:
        review = await scoresheets.review_facts(session, app.id)
    facts = Facts(
        window_open=window,
        decision_recorded=bool(app.outcome.get("decision")),
        publication_approved=bool(app.outcome.get("publication_approval")),
        notice_period_over=notice_over,
        open_objections=objections,
        quota_available=quota_ok,
        not_banned=not_banned,
        award_notice_last_day=last_day,
        review=review,
        committee_decided=committee_decided,
    )
    facts.clauses["quota_available"] = quota_clause
    facts.clauses["not_banned"] = ban_clause
    return facts


def window_open(app, rnd: Round, now: datetime) -> bool:
    """The fact ``window_open``: the call's window, or a returned application's correction period."""
    # a returned application may come back within its correction period, but only while the round
    # is still before its decision: once decided, nothing new enters the round's review
    return rnd.opens_at <= now < rnd.closes_at or (
        app.correction_until is not None and now < app.correction_until and rnd.state in _BEFORE_DECISION
    )


async def _not_banned(session: AsyncSession, app: Application, rnd: Round, event: str, data: dict):
    """No ban in force reaches the award given: ``select``'s tier, or the tier ``approve`` confirms
    (changning-18b, jinshan-17b, linyi-13a); refused naming the first ban's clause."""
    tier = data.get("tier") if event == "select" else app.tier
    found = await checks.bans_on_award(session, app, rnd, tier)
    return (not found, found[0].clause if found else None)


async def _committee_decided(session: AsyncSession, app: Application, rnd: Round, data: dict) -> bool:
    """``select`` rests on a closed meeting's decision to select the application for the tier given.

    A round whose office has not put a candidate list to the committee keeps the single event it
    had before issue 15 (the drivers and flows that fire ``select`` directly); once a list exists,
    only the meeting's decision selects."""
    if not await decisions_repo.round_has_list(session, rnd.id):
        return True
    return await decisions_repo.committee_selected(session, app.id, data.get("tier"))


async def _award_notice_last_day(session: AsyncSession, app: Application):
    """The last day of the winners' notice the application passed, if it had one (approve's validator reads it)."""
    ends = [
        d.ends_at
        for d in await repo.deadlines_of(session, app.id)
        if d.kind == "notice_end" and d.stage == S.AWARD_NOTICE and d.status == "fired"
    ]
    if not ends:
        return None
    return (max(ends) - timedelta(microseconds=1)).astimezone(clock.SHANGHAI).date()


async def _quota_room(session: AsyncSession, app: Application, rnd: Round, data: dict) -> tuple[bool, str | None]:
    """Hard quotas are never exceeded (changning-3b); a soft one (tianning-4b "原则上") yields to a recorded reason."""
    prog = effective_programme(rnd.programme, rnd.programme_version, rnd.overrides)
    tier = data.get("tier")
    winners = next((n for n in prog.notices if n.point == "winners"), None)
    # a place freed at the winners' notice stays empty unless the programme refills it (tianning-12j)
    no_place = _NO_PLACE + ([] if winners is None or not winners.refill else [S.DISQUALIFIED])
    for q in prog.quotas:
        if tier in q.tiers and app.category in q.categories:
            taken = await repo.count_places_taken(session, rnd.id, list(q.tiers), list(q.categories), no_place, app.id)
            if winners is not None and not winners.refill:
                # a candidate withdrawn once its winners' notice was published leaves its place empty
                # too ("公示不通过的，取消获评资格，不进行递补", tianning-12j; INTERPRETATIONS §8)
                taken += await repo.count_withdrawn_after_notice(
                    session, rnd.id, list(q.tiers), list(q.categories), str(winners.stage), app.id
                )
            if taken >= q.max and not (q.soft and str(data.get("quota_override_reason") or "").strip()):
                return False, q.clause
    return True, None


# --- firing -----------------------------------------------------------------------------------


# --- firing -----------------------------------------------------------------------------------


@asynccontextmanager
async def recording_refusals(
    session: AsyncSession, ctx: EventContext, *, savepoint: bool = True
) -> AsyncIterator[None]:
    """Run an event's work so that a refusal is recorded in its place, and nothing else of it kept.

    Take the row locks before entering: they stay held through the refusal, so its entry lands in
    the order of the lock (an event another clerk fires a moment later comes after it). The entry is
    written for ``ctx.attempt``, by the outermost recorder only, and the error is marked
    ``commit_before_answer`` for the request to commit it (``app/api/transaction.py``).

    ``savepoint``: the work runs in a savepoint a refusal rolls back (a round action's events
    before the refused one, whatever a caller wrote inside). Without it (one event, the request's
    only work) nothing needs undoing: ``apply_event`` writes only once nothing can refuse it, so a
    refusal finds only the application's in-memory changes (dropped); an error raised once it
    writes is a failure, not a refusal, and rolls the whole request back unrecorded.
    """
    outermost = ctx._recording == 0
    ctx._recording += 1
    nested = await session.begin_nested() if savepoint else None
    try:
        yield
    except DomainError as err:
        attempt = ctx.attempt
        if nested is not None and nested.is_active:
            await nested.rollback()
        elif nested is None and attempt is not None and attempt.writing:
            raise
        if attempt is not None and attempt.app is not None:
            session.expire(attempt.app)  # e.g. the registry id an eligibility check linked is not kept
        if outermost and attempt is not None:
            await _record_refusal(session, ctx, attempt, err)
            err.commit_before_answer = True  # type: ignore[attr-defined]
        raise
    except BaseException:
        if nested is not None and nested.is_active:
            await nested.rollback()
        raise
    else:
        if nested is not None:
            await nested.commit()
    finally:
        ctx._recording -= 1


async def _record_refusal(session: AsyncSession, ctx: EventContext, attempt: Attempt, err: DomainError) -> None:
    values = history.next_entry(
        attempt.app_id,
        attempt.seq + 1,
        attempt.head,
        ctx.actor,
        attempt.event,
        attempt.from_state,
        None,
        False,
        attempt.reason,
        _safe(attempt.data),
        err.slug,
        clock.now(),
    )
    await repo.set_history_head(session, attempt.app_id, values["seq"], values["hash"])
    await repo.insert_event(session, values)
    # the attempt's head moved: a second refusal recorded for it chains after this one
    attempt.seq, attempt.head = values["seq"], values["hash"]


async def fire(
    session: AsyncSession,
    ctx: EventContext,
    app_id: uuid.UUID,
    event: str,
    reason: str | None,
    data: dict,
    if_match: str | None,
    *,
    check_etag: bool = True,
) -> Application:
    return (await _fire(session, ctx, app_id, event, reason, data, if_match, check_etag=check_etag))[0]


async def fire_answered(
    session: AsyncSession,
    ctx: EventContext,
    app_id: uuid.UUID,
    event: str,
    reason: str | None,
    data: dict,
    if_match: str | None,
) -> tuple[Application, list[str], list[repo.DeadlineShown]]:
    """``fire``, then what the caller may fire next and the deadlines, as ``view`` gives them: from the round
    and the facts the event already loaded, not read again (issue 21: the answer's cost is every event's)."""
    app, rnd = await _fire(session, ctx, app_id, event, reason, data, if_match)
    allowed, deadlines = await next_steps(session, ctx.principal, app, rnd, known=ctx.loaded, deadlines=ctx.deadlines)
    return app, allowed, deadlines


async def _fire(
    session: AsyncSession,
    ctx: EventContext,
    app_id: uuid.UUID,
    event: str,
    reason: str | None,
    data: dict,
    if_match: str | None,
    *,
    check_etag: bool = True,
) -> tuple[Application, Round]:
    app, rnd = await load_for_event(session, app_id, event)
    if ctx.principal is not SYSTEM and not await may_view(session, ctx.principal, app, read=False):
        # as ``view``: one who may not see the application learns neither that it exists, nor its
        # state (409 ``allowed_events``) or version (412), and writes no refusal into its history
        raise not_found("申报", "Application", app_id)
    # one event and nothing else: no savepoint needed (see recording_refusals), none paid for
    async with recording_refusals(session, ctx, savepoint=False):
        ctx.attempt = Attempt.of(app, event, reason, data)
        if check_etag:
            check_if_match(if_match, app.version)
        await apply_event(session, ctx, app, rnd, event, reason, data)
    return app, rnd


def _safe(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in {"id_number", "phone"}}


def allowed_events(wf: Workflow, principal: Principal, app: Application, facts: Facts | None) -> list[str]:
    """The events the machine has from the application's state that ``principal`` may fire (whose guards hold, given ``facts``)."""
    out = []
    for e in wf.edges_from(app.state):
        if not may_fire(principal, e, app):
            continue
        if facts is not None and not all(facts.holds(c) for c in e.conds):
            continue
        out.append(e.event)
    return sorted(set(out))


def event_input(
    ctx: EventContext, wf: Workflow, app, rnd, event: str, reason: str | None, data: dict, now: datetime
) -> EventInput:
    """What the machine is given besides the facts (``app`` may be the ORM row or a read-only view)."""
    edge = wf.edge(app.state, event)
    return EventInput(
        event=event,
        permitted=edge is not None and may_fire(ctx.principal, edge, app),
        round_state=rnd.state,
        notice_published=ctx.notice_id is not None,
        reason=reason,
        data=data,
        programme=effective_programme(rnd.programme, rnd.programme_version, rnd.overrides) if data else None,
        now=now,
    )


def decide(
    ctx: EventContext, wf: Workflow, app, rnd, event: str, reason: str | None, data: dict, facts: Facts, now: datetime
) -> EventOutcome:
    """The one transition function: the machine's outcome for this event, or its refusal raised.

    Used by a clerk's event, a round action and the deadline worker's batch alike.
    """
    try:
        return wf.decide(app.state, event_input(ctx, wf, app, rnd, event, reason, data, now), facts)
    except TransitionNotAllowed:
        raise DomainError(
            "transition-not-allowed",
            409,
            f"申报处于“{STATE_NAMES_ZH.get(app.state, app.state)}”状态，不能执行“{event_name_zh(event)}”",
            f"'{event_name_en(event)}' is not allowed while the application is in '{app.state}'",
            title="Conflict",
            extra={"state": app.state, "allowed_events": allowed_events(wf, ctx.principal, app, None)},
        ) from None


async def apply_event(
    session: AsyncSession, ctx: EventContext, app: Application, rnd: Round, event: str, reason: str | None, data: dict
) -> None:
    """Decide, check, then write: every refusal comes before the first write (``recording_refusals`` relies on it)."""
    wf = workflow_for(app.programme, app.programme_version)
    edge = wf.edge(app.state, event)
    facts = await load_facts(session, app, rnd, edge, data) if edge is not None else Facts()
    loaded = LoadedFacts(app.state, frozenset(edge.conds), facts) if edge is not None else None
    now = clock.now()
    outcome = decide(ctx, wf, app, rnd, event, reason, data, facts, now)
    await checks.run_checks(session, app, rnd, event, data)
    # the notice's period may still be refused (a calendar year not loaded): computed before writing
    notice_deadline = await _notice_deadline(session, app, rnd, outcome.target, now) if outcome.opens_notice else None
    if ctx.attempt is not None:
        ctx.attempt.writing = True
    from_state = app.state
    if outcome.target != from_state:
        await repo.cancel_open_deadlines(session, app.id, now, f"left {from_state} by {event}")
    take(ctx, app, outcome, now)
    entry = history.chain(app, ctx.actor, event, from_state, outcome.target, True, reason, _safe(data), None, now)
    if notice_deadline is not None:
        session.add(notice_deadline)
    # the row, its history entry and the outbox's state_changed in one statement straight to the driver, no
    # unit of work (issue 21: a round trip each cost every event). Before the hooks: the first statement a
    # hook sends would otherwise autoflush the changed row through the unit of work, and write it twice
    deadlines = await repo.save_event(session, app, entry, outbox.state_changed(app, event, from_state, now))
    # no hook writes deadlines: they are the answer's as the statement read them
    await checks.after_event(session, app, rnd, event, from_state, data, state_change_written=True)
    ctx.loaded, ctx.deadlines = loaded, deadlines


def take(ctx: EventContext, app, outcome: EventOutcome, now: datetime) -> str:
    """What an accepted event changes on its application, in memory (a single event's and a batch's alike);
    returns the state it left."""
    from_state = app.state
    if outcome.tier is not None:
        app.tier = outcome.tier
    if outcome.target != from_state:
        app.state = outcome.target
        app.outcome = {}
    if outcome.back_to_draft:
        app.correction_until = outcome.correction_until
    app.version += 1
    app.updated_at = now
    if outcome.decision is not None:
        decision = outcome.decision
        app.outcome = {
            "decision": decision["decision"],
            # the instant as answers show it (+08:00), as an objection's decision keeps it
            "decided_at": now.astimezone(clock.SHANGHAI).isoformat(),
            "by": ctx.actor.sub,
            **{k: v for k, v in decision.items() if k != "decision"},
        }
    if outcome.approval is not None:
        # kept beside the decision it approves; a new decision (select again) drops it
        app.outcome = {**app.outcome, "publication_approval": {**outcome.approval, "by": ctx.actor.sub}}
    return from_state


async def _notice_deadline(session: AsyncSession, app: Application, rnd: Round, stage: str, now: datetime) -> Deadline:
    """Publish: the notice's period from the programme's rule through the period engine, as a deadline row."""
    return Deadline(application_id=app.id, **await notice_deadline_values(session, rnd, stage, now))


async def notice_deadline_values(session: AsyncSession, rnd: Round, stage: str, now: datetime) -> dict:
    """The columns of the ``notice_end`` deadline a notice at ``stage`` published ``now`` opens, but the
    application's: the same for every application of a round's list (a round action computes it once)."""
    prog = effective_programme(rnd.programme, rnd.programme_version, rnd.overrides)
    notice = next(n for n in prog.notices if str(n.stage) == stage)
    start = now.astimezone(clock.SHANGHAI).date()
    # INTERPRETATIONS §1: day 1 is the day after publication unless the round says otherwise
    count_start_day = prog.count_start_day
    period = await calendar.period_for_deadline(session, start, notice.length, notice.unit, count_start_day)
    return dict(
        round_id=rnd.id,
        kind="notice_end",
        event="close_notice",
        stage=stage,
        rule={
            **period.rule,
            "notice_point": notice.point,
            "minimum": notice.minimum,
            "clause": notice.clause,
            "stated": notice.stated,
        },
        starts_on=start,
        ends_at=period.ends_at,
        calendar_revision=period.calendar_revision,
        status="pending",
    )


# --- reading ----------------------------------------------------------------------------------


# --- reading ----------------------------------------------------------------------------------


async def view(
    session: AsyncSession, principal: Principal, app_id: uuid.UUID
) -> tuple[Application, Round, list[str], list[repo.DeadlineShown]]:
    app = await repo.get_application(session, app_id)
    if app is None or not await may_view(session, principal, app):
        # not revealing whether an application exists to those who may not see it
        raise not_found("申报", "Application", app_id)
    rnd = await repo.get_round(session, app.round_id)
    assert rnd is not None
    events, deadlines = await next_steps(session, principal, app, rnd)
    return app, rnd, events, deadlines


async def next_steps(
    session: AsyncSession,
    principal: Principal,
    app: Application,
    rnd: Round | None = None,
    known: LoadedFacts | None = None,
    deadlines: list[repo.DeadlineShown] | None = None,
) -> tuple[list[str], list[repo.DeadlineShown]]:
    """What ``principal`` may fire next (guards evaluated) and the application's deadlines.

    The GET and every event's answer give both, so a client draws its buttons without a second read.
    ``known``: the facts the event just loaded (``load_facts``); ``deadlines``: the deadlines it read.
    """
    if rnd is None:
        rnd = await repo.get_round(session, app.round_id)
        assert rnd is not None
    wf = workflow_for(app.programme, app.programme_version)
    # only the facts the caller's own next events are guarded by: every event's answer carries these, and a
    # query for a guard the caller cannot reach costs every event (issue 21: events must not regress)
    mine = [e for e in wf.edges_from(app.state) if may_fire(principal, e, app)]
    needed = {c for e in mine for c in e.conds}
    facts = await load_facts(session, app, rnd, None, {}, needed, known) if needed else None
    allowed = sorted({e.event for e in mine if facts is None or all(facts.holds(c) for c in e.conds)})
    return allowed, deadlines if deadlines is not None else await repo.deadlines_shown(session, app.id)


async def apply_in_list(
    session: AsyncSession, ctx: EventContext, app: Application, rnd: Round, event: str, reason: str | None, data: dict
) -> None:
    """``apply_event`` for one application of a list (a round action, a meeting's decisions): the attempt recorded
    if refused, and the refusal names the application it came from."""
    ctx.attempt = Attempt.of(app, event, reason, data)
    try:
        await apply_event(session, ctx, app, rnd, event, reason, data)
    except DomainError as err:
        err.extra.setdefault("application_id", str(app.id))
        raise


async def fire_many(
    session: AsyncSession,
    ctx: EventContext,
    round_id: uuid.UUID,
    event: str,
    app_ids: list[uuid.UUID],
    reason: str | None,
    data: dict,
) -> list[Application]:
    """A round-level action (publish a list, start a notice for many), one application at a time: all in one
    transaction or none.

    The round is locked first, then the applications in id order, so concurrent actions and
    single events cannot deadlock. The events run in one savepoint taken after the locks: a
    refusal undoes the others and is recorded against the application that refused. The routes
    call ``app.workflow.batch.fire_many``, which fires most events as one batch and the others here.
    """
    rnd, apps = await lock_round_action(session, ctx, round_id, app_ids)
    async with recording_refusals(session, ctx):
        for app in apps:
            await apply_in_list(session, ctx, app, rnd, event, reason, data)
    ctx.attempt = None
    by_id = {a.id: a for a in apps}
    return [by_id[i] for i in app_ids if i in by_id]


async def lock_round_action(
    session: AsyncSession, ctx: EventContext, round_id: uuid.UUID, app_ids: list[uuid.UUID]
) -> tuple[Round, list[Application]]:
    """A round action's locks: the round first, then its applications in id order (so concurrent actions and
    single events cannot deadlock); every application must be one the caller sees in the round (else 422)."""
    rnd = await repo.get_round(session, round_id, for_update=True)
    if rnd is None:
        raise not_found("届次", "Round", round_id)
    ids = sorted(set(app_ids))
    apps = await repo.lock_applications(session, ids)
    # an application the caller may not see is, to it, not in the round: neither its existence nor
    # its state is revealed, and no refusal is written into its history
    visible = apps if ctx.principal is SYSTEM else await confidentiality.visible(session, ctx.principal, apps)
    found = {a.id for a in visible}
    missing = [i for i in ids if i not in found] + [a.id for a in visible if a.round_id != rnd.id]
    if missing:
        position = {a: i for i, a in enumerate(app_ids)}
        raise DomainError(
            "validation-error",
            422,
            "名单中有不属于本届的申报",
            "Some applications are not in this round",
            title="Unprocessable Content",
            errors=[
                FieldError(
                    f"applications[{position[m]}]",
                    f"申报“{m}”不存在或不属于本届",
                    f"application '{m}' does not exist or is not in this round",
                    "not_in_round",
                )
                for m in missing
            ],
        )
    return rnd, apps
