"""A round action as one batch (批量办理): one event on hundreds of applications in a handful of statements.

A round action (``POST /rounds/{id}/actions``) and the publication of a notice list fire one event
on every application of a list, all in one transaction or none (issue 21: a notice of 1,000 entries
in 2 s, an action on 500 applications in 3 s). Per application it is the same event as a clerk's
(``service.apply_event``): the same machine decides each (``service.decide``), the same checks refuse
it (``checks.run_checks``), the same history entry is chained from its locked head, the same
deadline rows and hooks follow. Only the I/O is done for the whole batch at once:

- locks as ``service.fire_many``: the round first, then the applications in id order;
- the facts the guards read, one statement per kind for all (``load_facts_many``); what the checks
  and hooks read, one statement per kind (``app.domain.batch_reads``); a notice's period computed
  once per stage (it is the same for every application published together);
- every application is decided and checked, in id order, before anything is written: the first
  refusal is the one the per-application path would meet first, recorded against that application
  by ``service.recording_refusals`` (nothing of the others is kept);
- then one UPDATE of the rows, one INSERT of the history entries, one of the deadlines, one of the
  outbox rows, one of the frozen versions (``checks.after_events``).

Events whose guards or hooks depend on the applications before them in the same batch (``select``'s
quota counts the places the earlier ones took; ``approve`` and ``revoke`` write bans, certificates,
money), or that leave a notice (``close_notice``, ``disqualify``, ``withdraw``: the notice's entry and
objections), go through the per-application path ``service.fire_many``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.workflow import Application, Round
from app.db.repositories import workflow as repo
from app.domain import batch_reads, clock, history
from app.domain.errors import DomainError
from app.domain.states import NOTICE_STAGES
from app.identity import Principal
from app.workflow import checks, service
from app.workflow.machine import EventOutcome, Facts, Workflow, workflow_for

# the events fired as one batch; any other goes through service.fire_many, one application at a time
BATCHED = frozenset(
    {
        "submit",
        "recommend",
        "pass_preliminary",
        "fail_preliminary",
        "pass_qualification",
        "fail_qualification",
        "return_for_correction",
        "approve_publication",
        "start_notice",
        "shortlist",
        "not_shortlist",
        "complete_onsite",
        "complete_defence",
        "complete_evaluation",
        "not_select",
    }
)
# the facts read here for a whole batch; an application whose guards read any other is given
# ``service.load_facts`` of its own (the review's pieces, the committee's decision)
_BATCH_FACTS = frozenset(
    {"window_open", "decision_recorded", "publication_approved", "notice_period_over", "no_open_objection"}
)


async def fire_many(
    session: AsyncSession,
    ctx: service.EventContext,
    round_id: uuid.UUID,
    event: str,
    app_ids: list[uuid.UUID],
    reason: str | None,
    data: dict,
) -> list[Application]:
    """A round-level action: ``event`` on every application of ``app_ids``, all in one transaction or none.

    Answers the applications in the order asked, as ``service.fire_many`` does.
    """
    if event not in BATCHED:
        return await service.fire_many(session, ctx, round_id, event, app_ids, reason, data)
    rnd, apps = await service.lock_round_action(session, ctx, round_id, app_ids)
    async with service.recording_refusals(session, ctx):
        await _fire(session, ctx, rnd, apps, event, reason, data)
    ctx.attempt = None
    by_id = {a.id: a for a in apps}
    return [by_id[i] for i in app_ids if i in by_id]


async def _fire(
    session: AsyncSession,
    ctx: service.EventContext,
    rnd: Round,
    apps: list[Application],
    event: str,
    reason: str | None,
    data: dict,
) -> None:
    now = clock.now()
    flows = {a.id: workflow_for(a.programme, a.programme_version) for a in apps}
    edges = {a.id: flows[a.id].edge(a.state, event) for a in apps}
    facts = await load_facts_many(
        session, apps, rnd, {i: set(e.conds) if e is not None else set() for i, e in edges.items()}, edges, data, now
    )
    pre = await batch_reads.load(session, apps, rnd.programme, event) if batch_reads.needed(event) else None
    outcomes: list[EventOutcome] = []
    periods: dict[str, dict] = {}
    decided: dict[tuple, EventOutcome] = {}
    try:
        for app in apps:
            # decided and checked in id order, as one at a time: the first refusal is the same application's
            ctx.attempt = service.Attempt.of(app, event, reason, data)
            outcome = _decide(ctx, flows[app.id], app, rnd, event, reason, data, facts[app.id], now, decided)
            await checks.run_checks(session, app, rnd, event, data, pre)
            if outcome.opens_notice and outcome.target not in periods:
                # the notice's period may still be refused (a calendar year not loaded): before any write
                periods[outcome.target] = await service.notice_deadline_values(session, rnd, outcome.target, now)
            outcomes.append(outcome)
    except DomainError as err:
        err.extra.setdefault("application_id", str(ctx.attempt.app_id))  # type: ignore[union-attr]
        for app in apps:
            # what a check set on the rows in memory (a registry link) is not kept with the refusal
            session.expire(app)
        raise
    # from here nothing refuses: an error is a failure of the whole request, recorded against no application
    ctx.attempt = None
    from_states: list[str] = []
    entries: list[dict] = []
    left: tuple[list, list] = ([], [])
    deadlines: list[dict] = []
    actor, safe = ctx.actor, service._safe(data)
    for app, outcome in zip(apps, outcomes, strict=True):
        from_state = service.take(ctx, app, outcome, now)
        from_states.append(from_state)
        if outcome.target != from_state:
            left[0].append(app.id)
            left[1].append(f"left {from_state} by {event}")
        entries.append(history.chain(app, actor, event, from_state, outcome.target, True, reason, safe, None, now))
        if outcome.opens_notice:
            deadlines.append({**periods[outcome.target], "id": uuid.uuid4(), "application_id": app.id})
    await repo.save_batch_changes(session, apps)
    await repo.cancel_open_deadlines_many(session, left[0], left[1], now)
    await repo.insert_deadlines(session, deadlines)
    await repo.insert_events(session, entries)
    await checks.after_events(session, apps, rnd, event, from_states, data, pre)  # type: ignore[arg-type]


def _decide(
    ctx: service.EventContext,
    wf: Workflow,
    app: Application,
    rnd: Round,
    event: str,
    reason: str | None,
    data: dict,
    facts: Facts,
    now: datetime,
    decided: dict[tuple, EventOutcome],
) -> EventOutcome:
    """``service.decide``, sent through the machine once per distinct case of the batch.

    The machine's answer depends on the application only through its state, whether the caller may fire
    the event on it and the facts (``EventInput``, ``Facts``); the round, the event's data, its reason and
    the instant are the same for the whole batch. The machine keeps such answers itself only for events
    without data (``Workflow.decide``); within one batch the data is the same for all, so a notice of 1,000
    (``start_notice`` carries the notice's id) or a recommendation (its opinion) is decided once, not 1,000 times.
    A refusal is never kept: the batch ends at the first.
    """
    edge = wf.edge(app.state, event)
    permitted = edge is not None and service.may_fire(ctx.principal, edge, app)
    key = (
        wf.programme,
        wf.version,
        app.state,
        permitted,
        facts.signature(),
        facts.award_notice_last_day,
        tuple(sorted(facts.clauses.items())),
    )
    known = decided.get(key)
    if known is not None:
        return EventOutcome(**known.__dict__)
    outcome = service.decide(ctx, wf, app, rnd, event, reason, data, facts, now)
    decided[key] = EventOutcome(**outcome.__dict__)
    return outcome


# --- facts and answers for a batch ------------------------------------------------------------------


async def load_facts_many(
    session: AsyncSession,
    apps: list[Application],
    rnd: Round,
    needed: dict[uuid.UUID, set[str]],
    edges: dict | None,
    data: dict,
    now: datetime | None = None,
) -> dict[uuid.UUID, Facts]:
    """``service.load_facts`` of every application: the facts of ``needed[app.id]``, one statement per kind.

    ``edges``: the event's edge per application (None: the facts to list allowed events, as ``next_steps``).
    """
    now = clock.now() if now is None else now
    out: dict[uuid.UUID, Facts] = {}
    simple = []
    for app in apps:
        edge = edges.get(app.id) if edges is not None else None
        if needed[app.id] <= _BATCH_FACTS and not (edge is not None and edge.event == "approve"):
            simple.append(app)
        else:
            out[app.id] = await service.load_facts(session, app, rnd, edge, data, needed[app.id])
    noticed = [a.id for a in simple if "notice_period_over" in needed[a.id] and a.state in NOTICE_STAGES]
    ends = await repo.open_deadline_ends(session, noticed, "notice_end")
    objected = [a.id for a in simple if "no_open_objection" in needed[a.id]]
    objections = await checks.open_objections_many(session, objected) if objected else {}
    for app in simple:
        end = ends.get((app.id, app.state))
        facts = Facts(
            window_open=service.window_open(app, rnd, now),
            decision_recorded=bool(app.outcome.get("decision")),
            publication_approved=bool(app.outcome.get("publication_approval")),
            notice_period_over=end is not None and end <= now,
            open_objections=objections.get(app.id, 0),
        )
        facts.clauses["quota_available"] = None
        facts.clauses["not_banned"] = None
        out[app.id] = facts
    return out


def _mine(wf: Workflow, principal: Principal, app: Application) -> list:
    return [e for e in wf.edges_from(app.state) if service.may_fire(principal, e, app)]


async def next_steps_many(
    session: AsyncSession, principal: Principal, apps: list[Application], rnd: Round
) -> dict[uuid.UUID, tuple[list[str], list[repo.DeadlineShown]]]:
    """``service.next_steps`` of every application (a round action's answer): what ``principal`` may fire next
    and the deadlines, in a few statements for all."""
    mine = {a.id: _mine(workflow_for(a.programme, a.programme_version), principal, a) for a in apps}
    needed = {a.id: {c for e in mine[a.id] for c in e.conds} for a in apps}
    guarded = [a for a in apps if needed[a.id]]
    facts = await load_facts_many(session, guarded, rnd, needed, None, {})
    deadlines = await repo.deadlines_shown_many(session, [a.id for a in apps])
    out = {}
    for app in apps:
        f = facts.get(app.id)
        allowed = sorted({e.event for e in mine[app.id] if f is None or all(f.holds(c) for c in e.conds)})
        out[app.id] = (allowed, deadlines[app.id])
    return out
