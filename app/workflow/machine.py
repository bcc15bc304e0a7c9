"""The application state machine, compiled per programme version from its pipeline.

A programme's definition lists the review stages it uses; this module turns that list into a
python-statemachine ``StateChart`` class holding only those stages (one class per programme
version, built once and cached) and a transition table the service reads to say which events
a caller may fire. Conditions are pure: they read ``Facts`` loaded by the service before the
event; all I/O happens in the service before and after ``send``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from statemachine import StateChart
from statemachine.io.class_factory import create_machine_class_from_definition

from app.domain.programmes.version import ProgrammeVersion
from app.workflow.states import STATE_NAMES_ZH, ApplicationState as S

NOTICE_STAGES = frozenset({S.QUALIFICATION_NOTICE, S.ONSITE_NOTICE, S.AWARD_NOTICE})

# the event that passes an application out of each review stage
PASS_EVENTS: dict[str, str] = {
    S.AWAITING_RECOMMENDATION: "recommend",
    S.PRELIMINARY_REVIEW: "pass_preliminary",
    S.QUALIFICATION_REVIEW: "pass_qualification",
    S.MATERIAL_REVIEW: "shortlist",
    S.ONSITE_REVIEW: "complete_onsite",
    S.DEFENCE: "complete_defence",
    S.COMPREHENSIVE_EVALUATION: "complete_evaluation",
    S.COMMITTEE_REVIEW: "select",
    S.GOVERNMENT_APPROVAL: "approve",
}
# the event that ends an application at a review stage, and where it ends
FAIL_EVENTS: dict[str, tuple[str, str]] = {
    S.PRELIMINARY_REVIEW: ("fail_preliminary", S.INELIGIBLE),
    S.QUALIFICATION_REVIEW: ("fail_qualification", S.INELIGIBLE),
    S.MATERIAL_REVIEW: ("not_shortlist", S.NOT_SHORTLISTED),
    S.ONSITE_REVIEW: ("not_shortlist", S.NOT_SHORTLISTED),
    S.DEFENCE: ("not_select", S.NOT_SELECTED),
    S.COMPREHENSIVE_EVALUATION: ("not_select", S.NOT_SELECTED),
    S.COMMITTEE_REVIEW: ("not_select", S.NOT_SELECTED),
    S.GOVERNMENT_APPROVAL: ("not_select", S.NOT_SELECTED),
}
CORRECTABLE = frozenset({S.AWAITING_RECOMMENDATION, S.PRELIMINARY_REVIEW, S.QUALIFICATION_REVIEW})
NOT_WITHDRAWABLE = frozenset({S.GOVERNMENT_APPROVAL, S.AWARDED})

# what an event must carry in ``data`` (validators; 422 naming the field when missing)
REQUIRED_DATA: dict[str, tuple[str, ...]] = {
    "recommend": ("opinion",),
    "fail_preliminary": ("reason",),
    "fail_qualification": ("reason", "notice_text"),
    "return_for_correction": ("reason",),
    "not_shortlist": ("feedback_report",),
    "not_select": ("reason",),
    "select": ("tier",),
    "approve": ("document_no", "approved_on"),
    "revoke": ("ground", "evidence"),
    "disqualify": ("reason",),
}


@dataclass(frozen=True)
class Condition:
    """A guard: its name (the Facts attribute), the clause demanding it, and why it fails."""

    name: str
    zh: str
    en: str
    clause: str | None = None


CONDITIONS: dict[str, Condition] = {
    c.name: c
    for c in (
        Condition("window_open", "申报期未开放或已截止（退回补正的申报可在补正期限内重新提交）", "The application window is not open (a returned application may be resubmitted before its correction deadline)"),
        Condition("decision_recorded", "须先作出本阶段通过的决定，才能进入公示", "This stage's decision must be recorded before the notice starts"),
        Condition("notice_period_over", "公示期尚未届满", "The notice period has not ended yet"),
        Condition("no_open_objection", "该申报尚有未处理完毕的异议", "An objection against this application is still open"),
        Condition("quota_available", "名额已满（软性名额须说明突破理由）", "The quota is full (a soft quota needs an override reason)"),
    )
}


@dataclass(frozen=True)
class Edge:
    """One transition of the compiled machine."""

    event: str
    source: str
    target: str
    actors: frozenset[str]
    conds: tuple[str, ...] = ()
    internal: bool = False
    clause: str | None = None


@dataclass
class Workflow:
    """The compiled machine of one programme version."""

    programme: str
    version: str
    states: list[str]
    edges: dict[tuple[str, str], Edge]
    machine_class: type[StateChart] = field(repr=False)
    _taken: dict[tuple, str] = field(default_factory=dict, repr=False)

    def take(self, state: str, event: str, facts: Facts) -> str:
        """The state the machine moves to on ``event`` from ``state`` with ``facts``.

        The machine is deterministic in (state, event, facts), so each distinct input is sent
        through a machine instance once and its answer kept: no machine is built per request.
        A refusal raises the machine's ``TransitionNotAllowed``.
        """
        key = (state, event, facts.signature())
        target = self._taken.get(key)
        if target is None:
            holder = StateHolder(state)
            self.machine_class(model=holder, listeners=[facts]).send(event)
            target = self._taken[key] = holder.state
        return target

    def edges_from(self, state: str) -> list[Edge]:
        return [e for (s, _), e in self.edges.items() if s == state]

    def edge(self, state: str, event: str) -> Edge | None:
        return self.edges.get((state, event))

    def events(self) -> set[str]:
        return {e for (_, e) in self.edges}

    def mermaid(self) -> str:
        lines = ["stateDiagram-v2", f"    [*] --> {S.DRAFT}"]
        for e in self.edges.values():
            guard = f" [{', '.join(e.conds)}]" if e.conds else ""
            lines.append(f"    {e.source} --> {e.target}: {e.event}{guard}")
        for s in sorted(set(self.states) & {*map(str, _ENDS)}):
            lines.append(f"    {s} --> [*]")
        for s in self.states:
            lines.append(f"    {s}: {s} {STATE_NAMES_ZH[s]}")
        return "\n".join(lines) + "\n"


_ENDS = (S.WITHDRAWN, S.INELIGIBLE, S.NOT_SHORTLISTED, S.NOT_SELECTED, S.DISQUALIFIED, S.REVOKED)


class _Settings(StateChart):
    # every event must be one the state allows; errors propagate; configuration updates atomically
    allow_event_without_transition = False
    catch_errors_as_events = False
    atomic_configuration_update = True
    enable_self_transition_entries = False


def compile_workflow(p: ProgrammeVersion) -> Workflow:
    stages = [str(s.stage) for s in p.pipeline]
    actors = {str(s.stage): frozenset(str(a) for a in s.actors) for s in p.pipeline}
    clauses = {str(s.stage): s.clause for s in p.pipeline}
    order = [S.DRAFT.value, *stages, S.AWARDED.value]
    edges: dict[tuple[str, str], Edge] = {}

    def add(event: str, source: str, target: str, who: frozenset[str] | set[str], conds: tuple[str, ...] = (), internal: bool = False, clause: str | None = None) -> None:
        edges[(source, event)] = Edge(event, source, target, frozenset(who), conds, internal, clause)

    submit_actors = frozenset(str(a) for a in p.submit_actors)
    # the call's window (申报时间) is the programme's application clause
    add("submit", S.DRAFT, order[1], submit_actors, ("window_open",), clause=p.application_clause or p.procedure_clause)
    for i, stage in enumerate(stages):
        nxt = order[i + 2]
        who = actors[stage]
        if stage in NOTICE_STAGES:
            # closed by the deadline (system) once the period is over and no objection is open
            notice = next(n for n in p.notices if str(n.stage) == stage)
            add("close_notice", stage, nxt, {"system"}, ("notice_period_over", "no_open_objection"), clause=notice.clause)
            add("disqualify", stage, S.DISQUALIFIED, {"office", "system"}, clause=notice.clause)
            continue
        pass_event = PASS_EVENTS[stage]
        if nxt in NOTICE_STAGES:
            # the decision is recorded here; the notice that publishes it starts with start_notice
            add(pass_event, stage, stage, who, internal=True, clause=clauses[stage])
            add("start_notice", stage, nxt, actors.get(nxt, frozenset({"office"})), ("decision_recorded",), clause=clauses.get(nxt))
        else:
            add(pass_event, stage, nxt, who, clause=clauses[stage])
        if pass_event == "select":
            # the quota is checked whether or not a notice follows
            key = (stage, "select")
            edges[key] = Edge("select", edges[key].source, edges[key].target, edges[key].actors, ("quota_available",), edges[key].internal, edges[key].clause)
        if stage in FAIL_EVENTS:
            event, end = FAIL_EVENTS[stage]
            add(event, stage, end, who, clause=clauses[stage])
        if stage in CORRECTABLE:
            add("return_for_correction", stage, S.DRAFT, who | {"office"}, clause=clauses[stage])
    for state in order:
        if state not in NOT_WITHDRAWABLE:
            add("withdraw", state, S.WITHDRAWN, {"applicant", "office"})
    add("revoke", S.AWARDED, S.REVOKED, {"office"})

    states = [*order, *(s.value for s in _ENDS)]
    definition: dict[str, dict] = {}
    for s in states:
        definition[s] = {"value": s, "name": STATE_NAMES_ZH[s]}
        if s == S.DRAFT:
            definition[s]["initial"] = True
        if s in {e.value for e in _ENDS}:
            definition[s]["final"] = True
    for e in edges.values():
        on = definition[e.source].setdefault("on", {})
        t = {"target": e.target, "cond": list(e.conds)}
        if e.internal:
            t["internal"] = True
        on.setdefault(e.event, []).append(t)
    name = f"{p.code.title()}{p.id.replace('.', '_').replace('-', '_')}Workflow"
    base = create_machine_class_from_definition(name + "Base", states=definition)
    cls = type(name, (base,), {k: getattr(_Settings, k) for k in ("allow_event_without_transition", "catch_errors_as_events", "atomic_configuration_update", "enable_self_transition_entries")})
    return Workflow(p.code, p.id, states, edges, cls)


@lru_cache(maxsize=64)
def workflow_for(code: str, version: str) -> Workflow:
    from app.domain.programmes.registry import get_registry

    return compile_workflow(get_registry().get(code, version))


class Facts:
    """What the conditions read, loaded by the service before the event (a listener of the machine)."""

    def __init__(self, *, window_open: bool = False, decision_recorded: bool = False, notice_period_over: bool = False, open_objections: int = 0, quota_available: bool = True) -> None:
        self._window_open = window_open
        self._decision_recorded = decision_recorded
        self._notice_period_over = notice_period_over
        self._open_objections = open_objections
        self._quota_available = quota_available
        # the clause behind a condition's value, where it depends on the case (which quota is full)
        self.clauses: dict[str, str | None] = {}

    def window_open(self) -> bool:
        return self._window_open

    def decision_recorded(self) -> bool:
        return self._decision_recorded

    def notice_period_over(self) -> bool:
        return self._notice_period_over

    def no_open_objection(self) -> bool:
        return self._open_objections == 0

    def quota_available(self) -> bool:
        return self._quota_available

    def holds(self, condition: str) -> bool:
        return bool(getattr(self, condition)())

    def signature(self) -> tuple[bool, ...]:
        return tuple(self.holds(name) for name in CONDITIONS)


class StateHolder:
    """The model the machine writes its state to: a plain holder, not the ORM row."""

    def __init__(self, state: str) -> None:
        self.state = state
