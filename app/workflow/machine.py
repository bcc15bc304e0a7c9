"""The application state machine (申报流程状态机), compiled per programme version from its definition.

One python-statemachine ``StateChart`` class per programme version owns the transitions, who may
fire each, their guards (conditions read from the programme's data, each refused with its
clause), what each event's data must hold (validators raising a ``DomainError`` naming the
field) and the effects of each transition (hooks writing to an ``EventOutcome``, never to the
ORM row). Conditions and validators are pure: they read the ``Facts`` and the ``EventInput`` the
service loaded before ``send``; the service does the I/O before and after it. The ``Edge``
listing (diagrams, the events a caller may fire) is read off the compiled class, never kept
beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from statemachine import StateChart
from statemachine.exceptions import TransitionNotAllowed
from statemachine.io.class_factory import create_machine_class_from_definition

from app.domain.errors import DomainError, FieldError
from app.domain.event_names import event_name_en, event_name_zh
from app.domain.programmes.version import ProgrammeVersion
from app.domain.states import FINAL_STATES, NOTICE_STAGES, STATE_NAMES_ZH, RoundState
from app.domain.states import ApplicationState as S

__all__ = [
    "FINAL_STATES",
    "NOTICE_STAGES",
    "Edge",
    "EventInput",
    "EventOutcome",
    "Facts",
    "Workflow",
    "compile_workflow",
    "workflow_for",
]

# the event that passes an application out of each review stage
PASS_EVENTS: dict[S, str] = {
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
FAIL_EVENTS: dict[S, tuple[str, S]] = {
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
# the round states in which an application's results are out and its panel dissolved
ROUND_CLOSED = frozenset({RoundState.ANNOUNCED, RoundState.ARCHIVED})

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
    "approve_publication": ("approved_by", "approved_on"),
    "revoke": ("ground", "evidence"),
    "disqualify": ("reason",),
}
MAX_TEXT = 20000
# free-text data fields an event may carry besides its required ones
OPTIONAL_TEXT = ("quota_override_reason", "correction_until", "opinion", "report", "score")
# what a recorded decision keeps of the event's data
DECISION_DATA = ("tier", "score", "opinion", "report")


@dataclass(frozen=True)
class Condition:
    """A guard: its name (a method of the machine's listener), and why it fails."""

    name: str
    zh: str
    en: str
    clause: str | None = None


CONDITIONS: dict[str, Condition] = {
    c.name: c
    for c in (
        Condition(
            "window_open",
            "申报期未开放或已截止（退回补正的申报可在补正期限内重新提交）",
            "The application window is not open (a returned application may be resubmitted before its correction deadline)",
        ),
        Condition(
            "decision_recorded",
            "须先作出本阶段通过的决定，才能进入公示",
            "This stage's decision must be recorded before the notice starts",
        ),
        Condition("notice_period_over", "公示期尚未届满", "The notice period has not ended yet"),
        Condition(
            "no_open_objection", "该申报尚有未处理完毕的异议", "An objection against this application is still open"
        ),
        Condition(
            "quota_available",
            "名额已满（软性名额须说明突破理由）",
            "The quota is full (a soft quota needs an override reason)",
        ),
        Condition(
            "publication_approved",
            "名单须按照规定程序报批后方可公示",
            "The list must be approved through the prescribed procedure before its notice",
        ),
        # the ban is checked against the award actually given, not the tier the applicant named
        # (changning-18b, jinshan-17b, linyi-13a); the clause is the ban's own
        Condition(
            "not_banned",
            "申报主体在禁止申报期内，不得获得该奖项（按实际授予的奖项等级和类别核对）",
            "A ban in force bars the applicant from the award given (checked against the tier and category given)",
        ),
        # the expert review's result each review stage passes on (issue 14); the clause is the stage's
        Condition(
            "material_consensus",
            "缺少材料评审的共识评分（评审组组长记录）",
            "The material review's consensus score (recorded by the panel's leader) is missing",
        ),
        Condition("onsite_report", "缺少现场评审报告", "The on-site review report is missing"),
        Condition("defence_record", "缺少陈述答辩记录", "The defence record is missing"),
        Condition("evaluation_report", "缺少综合评价报告", "The comprehensive evaluation report is missing"),
        Condition("opinion_survey", "缺少舆情调查记录", "The public-opinion survey (舆情调查) is not recorded"),
        # select rests on the committee's recorded act (issue 15); the clause is the stage's
        # (changning-25b, jinshan-18l, hangzhou-3.3.6a, linyi-14g, tianning-12h)
        Condition(
            "committee_decided",
            "须有评审委员会会议作出的入选决定（候选名单经会议表决或审议）",
            "A committee meeting's decision to select (the candidate list voted on or deliberated) is required",
        ),
    )
}
REVIEW_FACTS = ("material_consensus", "onsite_report", "defence_record", "evaluation_report", "opinion_survey")
_LATER = ("committee_decided",)


@dataclass(frozen=True)
class Edge:
    """One transition of the compiled machine, as read off the class (a view, not a second table)."""

    event: str
    source: str
    target: str
    actors: frozenset[str]
    conds: tuple[str, ...] = ()
    internal: bool = False
    clause: str | None = None


class Facts:
    """What the conditions read, loaded by the service before the event."""

    def __init__(
        self,
        *,
        window_open: bool = False,
        decision_recorded: bool = False,
        notice_period_over: bool = False,
        open_objections: int = 0,
        quota_available: bool = True,
        not_banned: bool = True,
        award_notice_last_day: date | None = None,
        publication_approved: bool = False,
        review: dict[str, bool] | None = None,
        committee_decided: bool = True,
    ) -> None:
        self._values = {
            "window_open": window_open,
            "decision_recorded": decision_recorded,
            "notice_period_over": notice_period_over,
            "no_open_objection": open_objections == 0,
            "quota_available": quota_available,
            "publication_approved": publication_approved,
            "not_banned": not_banned,
            "committee_decided": committee_decided,
            # what the expert review produced (a fact not loaded reads as missing)
            **{name: bool((review or {}).get(name)) for name in REVIEW_FACTS},
        }
        # the last day of the winners' notice the application passed (read by approve's validator)
        self.award_notice_last_day = award_notice_last_day
        # the clause behind a condition's value, where it depends on the case (which quota is full)
        self.clauses: dict[str, str | None] = {}

    def holds(self, condition: str) -> bool:
        return self._values[condition]

    def signature(self) -> tuple:
        """The values the decision depends on: the five workflow facts, then the review pieces held
        (only when any is, so a case without any keeps its short signature)."""
        base = tuple(self._values[name] for name in CONDITIONS if name not in REVIEW_FACTS and name not in _LATER)
        held = tuple(name for name in REVIEW_FACTS if self._values[name])
        out = (*base, held) if held else base
        # a fact added later is marked only when it does not hold, so earlier signatures stay as they were
        missing = tuple(name for name in _LATER if not self._values[name])
        return (*out, missing) if missing else out


@dataclass(frozen=True)
class EventInput:
    """What an event brings to the machine besides the facts: who may fire it, the round, the data."""

    event: str
    permitted: bool
    round_state: str
    notice_published: bool
    reason: str | None
    data: dict
    programme: ProgrammeVersion | None = None
    now: datetime | None = None

    def cache_key(self, state: str, facts: Facts) -> tuple | None:
        """The machine's answer depends on nothing else when the event carries no data."""
        if self.data:
            return None
        return (
            state,
            self.event,
            self.permitted,
            self.round_state,
            self.notice_published,
            bool(self.reason and self.reason.strip()),
            facts.signature(),
        )


@dataclass
class EventOutcome:
    """What the machine decided: the target and the effects the service writes after ``send``."""

    target: str
    decision: dict[str, Any] | None = None  # a stage's decision recorded, the application staying
    tier: str | None = None
    opens_notice: bool = False
    back_to_draft: bool = False
    correction_until: datetime | None = None
    approval: dict[str, Any] | None = None  # the list's approval before its notice (报批, changning-25c)


class _Binding:
    """The machine's listener: the inputs of one ``send`` and the outcome its hooks fill in."""

    def __init__(self, edges: dict[tuple[str, str], Edge]) -> None:
        self.edges = edges
        self.input: EventInput
        self.facts: Facts
        self.failed: str | None = None
        self.outcome: EventOutcome

    def bind(self, inp: EventInput, facts: Facts) -> None:
        self.input, self.facts, self.failed = inp, facts, None
        self.outcome = EventOutcome(target="")

    # --- validators (a refusal with its own problem type) ---------------------------------

    def may_fire(self) -> None:
        if not self.input.permitted:
            event = self.input.event
            raise DomainError(
                "forbidden",
                403,
                f"当前身份无权执行“{event_name_zh(event)}”",
                f"Your role may not fire '{event_name_en(event)}' on this application",
                title="Forbidden",
                extra={"event": event},
            )

    def round_not_closed(self) -> None:
        state = self.input.round_state
        if state in ROUND_CLOSED:
            # the round's results are out and its panel dissolved (jinshan-9d, changning-10c): only revocation remains
            raise DomainError(
                "round-closed",
                409,
                f"本届已{'公布' if state == RoundState.ANNOUNCED else '归档'}，申报只能被撤销奖项",
                f"The round is {state}: only revocation remains possible",
                title="Conflict",
                extra={"round_state": state},
            )

    def notice_published(self, source: Any) -> None:
        if not self.input.notice_published:
            # a notice is a published list (公示名单) the public can read and object to, never a bare state change
            raise DomainError(
                "notice-not-published",
                409,
                "公示须通过发布公示名单启动（POST /api/v1/rounds/{id}/notices）",
                "A notice starts only by publishing its list (POST /api/v1/rounds/{id}/notices)",
                title="Conflict",
                extra={"state": source.id},
            )

    def data_valid(self) -> None:
        validate_data(self.input)

    def approved_after_notice(self) -> None:
        """The government approves the list that passed its notice (tianning-12k "经公示通过的候选名单，报区人民政府批准";
        changning-26a "公示无异议后，由区政府发文"): an approval dated on or before the notice's last day is refused."""
        last_day = self.facts.award_notice_last_day
        if last_day is None:
            return
        if date.fromisoformat(str(self.input.data["approved_on"])) <= last_day:
            raise DomainError(
                "validation-error",
                422,
                f"批准日期须在拟获奖名单公示期（至 {last_day.isoformat()}）届满之后",
                f"approved_on must be after the winners' notice ended ({last_day.isoformat()})",
                title="Unprocessable Content",
                clause=self.edges[(S.GOVERNMENT_APPROVAL.value, "approve")].clause,
                errors=[
                    FieldError(
                        "data.approved_on",
                        f"须晚于 {last_day.isoformat()}",
                        f"must be after {last_day.isoformat()}",
                        "date_before_notice_end",
                    )
                ],
            )

    # --- conditions (a refusal as guard-failed, naming the condition) ---------------------

    def _holds(self, name: str) -> bool:
        ok = self.facts.holds(name)
        if not ok and self.failed is None:
            self.failed = name
        return ok

    def window_open(self) -> bool:
        return self._holds("window_open")

    def decision_recorded(self) -> bool:
        return self._holds("decision_recorded")

    def publication_approved(self) -> bool:
        return self._holds("publication_approved")

    def notice_period_over(self) -> bool:
        return self._holds("notice_period_over")

    def no_open_objection(self) -> bool:
        return self._holds("no_open_objection")

    def quota_available(self) -> bool:
        return self._holds("quota_available")

    def not_banned(self) -> bool:
        return self._holds("not_banned")

    def committee_decided(self) -> bool:
        return self._holds("committee_decided")

    def material_consensus(self) -> bool:
        return self._holds("material_consensus")

    def onsite_report(self) -> bool:
        return self._holds("onsite_report")

    def defence_record(self) -> bool:
        return self._holds("defence_record")

    def evaluation_report(self) -> bool:
        return self._holds("evaluation_report")

    def opinion_survey(self) -> bool:
        return self._holds("opinion_survey")

    # --- effects (what the service writes once the transition is taken) ------------------

    def record_decision(self) -> None:
        data = self.input.data
        self.outcome.decision = {"decision": self.input.event, **{k: v for k, v in data.items() if k in DECISION_DATA}}

    def record_approval(self) -> None:
        data = self.input.data
        self.outcome.approval = {"approved_by": data["approved_by"], "approved_on": str(data["approved_on"])}

    def set_tier(self) -> None:
        self.outcome.tier = self.input.data["tier"]

    def open_notice(self) -> None:
        self.outcome.opens_notice = True

    def return_to_draft(self) -> None:
        self.outcome.back_to_draft = True
        self.outcome.correction_until = correction_until(self.input.data)


class _Model:
    """The model the machine writes its state to: a plain holder, not the ORM row."""

    def __init__(self) -> None:
        self.state = S.DRAFT.value


def correction_until(data: dict) -> datetime | None:
    value = data.get("correction_until")
    if not value:
        return None
    return datetime.fromisoformat(str(value))


def validate_data(inp: EventInput) -> None:
    """What the event's data must hold: text fields as text, required ones present, codes the programme knows."""
    event, data, reason = inp.event, inp.data, inp.reason
    wrong = [
        FieldError(
            f"data.{name}",
            f"应为不超过 {MAX_TEXT} 个字符的文字",
            f"must be text of at most {MAX_TEXT} characters",
            "string_type",
        )
        # a field both required and optional text (recommend's opinion) is one field, reported once
        for name in dict.fromkeys((*REQUIRED_DATA.get(event, ()), *OPTIONAL_TEXT))
        if name != "reason"
        and name in data
        and data[name] is not None
        and not (isinstance(data[name], str) and len(data[name]) <= MAX_TEXT)
    ]
    if wrong:
        raise DomainError(
            "validation-error",
            422,
            f"“{event_name_zh(event)}”的内容格式有误",
            f"'{event_name_en(event)}' carries malformed data",
            title="Unprocessable Content",
            errors=wrong,
        )
    missing = []
    for name in REQUIRED_DATA.get(event, ()):
        value = reason if name == "reason" else data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            missing.append(name)
    if missing:
        raise DomainError(
            "validation-error",
            422,
            f"“{event_name_zh(event)}”缺少必填内容：{'、'.join(missing)}",
            f"'{event_name_en(event)}' needs: {', '.join(missing)}",
            title="Unprocessable Content",
            errors=[FieldError(m if m == "reason" else f"data.{m}", "必填", "required", "missing") for m in missing],
        )
    prog = inp.programme
    if event == "select" and prog is not None:
        tiers = {t.code for t in prog.tiers}
        if data["tier"] not in tiers:
            raise DomainError(
                "validation-error",
                422,
                f"奖项等级“{data['tier']}”不属于本项目",
                f"Tier '{data['tier']}' is not a tier of this programme",
                title="Unprocessable Content",
                errors=[
                    FieldError(
                        "data.tier", f"可选：{'、'.join(sorted(tiers))}", f"one of: {', '.join(sorted(tiers))}", "enum"
                    )
                ],
            )
    if event == "revoke" and prog is not None:
        grounds = {g.id for g in prog.revocation_grounds}
        if data["ground"] not in grounds:
            raise DomainError(
                "validation-error",
                422,
                "撤销理由不是本办法规定的情形",
                "The ground is not a revocation ground of this programme",
                title="Unprocessable Content",
                errors=[
                    FieldError(
                        "data.ground",
                        f"可选：{'、'.join(sorted(grounds))}",
                        f"one of: {', '.join(sorted(grounds))}",
                        "enum",
                    )
                ],
            )
    if event in ("approve", "approve_publication"):
        try:
            date.fromisoformat(str(data["approved_on"]))
        except ValueError:
            raise DomainError(
                "validation-error",
                422,
                "批准日期格式应为 YYYY-MM-DD",
                "approved_on must be YYYY-MM-DD",
                title="Unprocessable Content",
                errors=[FieldError("data.approved_on", "格式应为 YYYY-MM-DD", "must be YYYY-MM-DD", "date_parsing")],
            ) from None
    if event == "return_for_correction" and data.get("correction_until"):
        now = inp.now
        try:
            until = correction_until(data)
            ok = (
                until is not None
                and until.tzinfo is not None
                and now is not None
                and now < until <= now + timedelta(days=366)
            )
        except ValueError:
            ok = False
        if not ok:
            raise DomainError(
                "validation-error",
                422,
                "补正期限应为带时区的 ISO 8601 时间，且在今后一年之内",
                "correction_until must be an ISO 8601 date-time with a time zone, within the coming year",
                title="Unprocessable Content",
                errors=[
                    FieldError(
                        "data.correction_until", "格式或期限不正确", "wrong format or out of range", "datetime_parsing"
                    )
                ],
            )


@dataclass
class Workflow:
    """The compiled machine of one programme version, and the listing read off it."""

    programme: str
    version: str
    states: list[str]
    machine_class: type[StateChart] = field(repr=False)
    edges: dict[tuple[str, str], Edge] = field(default_factory=dict)
    _idle: list[tuple[StateChart, _Model, _Binding]] = field(default_factory=list, repr=False)
    _decided: dict[tuple, EventOutcome | str] = field(default_factory=dict, repr=False)

    def decide(self, state: str, inp: EventInput, facts: Facts) -> EventOutcome:
        """Send ``inp.event`` through the machine from ``state``: the outcome, or the refusal raised.

        Refusals: a validator's ``DomainError`` (403, round-closed, notice-not-published, 422 with
        the field); a failed guard as ``guard-failed`` naming the condition and its clause; no
        transition at all as the machine's ``TransitionNotAllowed`` (the caller lists what is allowed).
        An answer that depends on nothing but (state, event, facts, who) is kept, so a batch of
        identical events (the deadline worker's closings) sends each distinct case once.
        """
        key = inp.cache_key(state, facts)
        known = self._decided.get(key) if key is not None else None
        if isinstance(known, EventOutcome):
            return EventOutcome(**known.__dict__)
        if isinstance(known, str):
            raise self.guard_failed(state, inp.event, known, facts)
        # instances are reused: building one resolves every callback, several times a send's cost
        machine, model, binding = self._idle.pop() if self._idle else self._new()
        try:
            model.state = state
            binding.bind(inp, facts)
            try:
                machine.send(inp.event)
            except TransitionNotAllowed:
                if binding.failed is None:
                    raise
                if key is not None:
                    self._decided[key] = binding.failed
                raise self.guard_failed(state, inp.event, binding.failed, facts) from None
            outcome = binding.outcome
            outcome.target = str(model.state)
        finally:
            # a machine that reached a final state has stopped (it would refuse every later event);
            # re-armed, it is as good as new: its next send starts from the state it is given
            if not machine.is_terminated or _rearm(machine):
                self._idle.append((machine, model, binding))
        if key is not None:
            self._decided[key] = EventOutcome(**outcome.__dict__)
        return outcome

    def guard_failed(self, state: str, event: str, name: str, facts: Facts) -> DomainError:
        c = CONDITIONS[name]
        edge = self.edges.get((state, event))
        clause = facts.clauses.get(name) or c.clause or (edge.clause if edge else None)
        return DomainError(
            "guard-failed", 409, c.zh, c.en, title="Conflict", clause=clause, extra={"condition": name, "state": state}
        )

    def _new(self) -> tuple[StateChart, _Model, _Binding]:
        model, binding = _Model(), _Binding(self.edges)
        return self.machine_class(model=model, listeners=[binding]), model, binding

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
        for s in self.states:
            if s in FINAL_STATES:
                lines.append(f"    {s} --> [*]")
        for s in self.states:
            lines.append(f"    {s}: {s} {STATE_NAMES_ZH[s]}")
        return "\n".join(lines) + "\n"


def _rearm(machine: StateChart) -> bool:
    """Let a machine stopped in a final state take events again, instead of building a new one.

    Building one resolves every callback of every transition (milliseconds, many times a
    ``send``), and withdraw, fail, disqualify and revoke all end in a final state. python-statemachine
    3.2 has no public restart: a stopped machine differs from a new one only by its engine's
    ``running`` flag (its queues are empty, its configuration is the model's state, set before each
    ``send``). A test pins the reuse (tests/workflow/test_machine_reuse.py); should a later
    version move the flag, the machine is dropped and a new one built, as before.
    """
    engine = getattr(machine, "_engine", None)
    if engine is None or not hasattr(engine, "running"):
        return False
    engine.running = True
    return not machine.is_terminated


class _Settings(StateChart):
    # every event must be one the state allows; errors propagate; configuration updates atomically
    allow_event_without_transition = False
    catch_errors_as_events = False
    atomic_configuration_update = True
    enable_self_transition_entries = False


_SETTINGS = (
    "allow_event_without_transition",
    "catch_errors_as_events",
    "atomic_configuration_update",
    "enable_self_transition_entries",
)


@dataclass
class _Spec:
    """One transition as the definition builds it, before the class exists."""

    event: str
    source: str
    target: str
    actors: frozenset[str]
    conds: list[str] = field(default_factory=list)
    validators: list[str] = field(default_factory=list)
    effects: list[str] = field(default_factory=list)
    internal: bool = False
    clause: str | None = None


def compile_workflow(p: ProgrammeVersion) -> Workflow:
    stages = [S(str(s.stage)) for s in p.pipeline]
    actors = {S(str(s.stage)): frozenset(str(a) for a in s.actors) for s in p.pipeline}
    clauses = {S(str(s.stage)): s.clause for s in p.pipeline}
    all_proceed = {S(str(s.stage)): s.all_proceed_clause is not None for s in p.pipeline}
    notices = {S(str(n.stage)): n for n in p.notices}
    order = [S.DRAFT, *stages, S.AWARDED]
    specs: list[_Spec] = []

    def add(event: str, source: S, target: S, who: frozenset[str] | set[str], **kw: Any) -> None:
        specs.append(_Spec(event, source.value, target.value, frozenset(who), **kw))

    # the call's window (申报时间) is the programme's application clause; its guards are the programme's data
    add(
        "submit",
        S.DRAFT,
        order[1],
        frozenset(str(a) for a in p.submit_actors),
        conds=list(p.submit_conditions),
        clause=p.application_clause or p.procedure_clause,
    )
    for i, stage in enumerate(stages):
        nxt = order[i + 2]
        who = actors[stage]
        if stage in NOTICE_STAGES:
            # closed by the deadline (system) once the notice's own conditions hold (changning-21c, INTERPRETATIONS §8)
            notice = notices[stage]
            add("close_notice", stage, nxt, {"system"}, conds=list(notice.closing_conditions), clause=notice.clause)
            add("disqualify", stage, S.DISQUALIFIED, {"office", "system"}, clause=notice.clause)
            continue
        pass_event = PASS_EVENTS[stage]
        # select and approve carry the programme's guards (the quota, the bans against the award given)
        guarded: dict[str, list[str]] = {}
        if pass_event == "select":
            guarded = {"conds": list(p.select_conditions), "effects": ["set_tier"]}
        elif pass_event == "approve":
            guarded = {"conds": list(p.approve_conditions)}
        # a review stage passes only on the review's result (changning-22a/23/24, jinshan-18e/h/i/j, ...)
        review = [str(c) for c in p.review_conditions.get(stage, [])]
        approve = ["approved_after_notice"] if pass_event == "approve" else []
        if nxt in NOTICE_STAGES and notices[nxt].approval is not None:
            # "按照规定程序报批后" the list is published (changning-25c): the approval is recorded here
            approval = notices[nxt].approval
            add(
                "approve_publication",
                stage,
                stage,
                frozenset(str(a) for a in approval.actors),
                internal=True,
                conds=["decision_recorded"],
                effects=["record_approval"],
                clause=approval.clause,
            )
        if nxt in NOTICE_STAGES:
            # the decision is recorded here; the notice that publishes it starts with start_notice
            add(
                pass_event,
                stage,
                stage,
                who,
                internal=True,
                validators=approve,
                clause=clauses[stage],
                conds=[*guarded.get("conds", []), *review],
                effects=[*guarded.get("effects", []), "record_decision"],
            )
            add(
                "start_notice",
                stage,
                nxt,
                actors.get(nxt, frozenset({"office"})),
                conds=list(notices[nxt].opening_conditions),
                validators=["notice_published"],
                effects=["open_notice"],
                clause=clauses.get(nxt),
            )
        else:
            add(
                pass_event,
                stage,
                nxt,
                who,
                validators=approve,
                clause=clauses[stage],
                conds=[*guarded.get("conds", []), *review],
                effects=guarded.get("effects", []),
            )
        if stage in FAIL_EVENTS and not all_proceed[stage]:
            # a stage whose every entrant goes on (changning-24, jinshan-18i) ends no one
            event, end = FAIL_EVENTS[stage]
            add(event, stage, end, who, clause=clauses[stage])
        if stage in CORRECTABLE:
            add(
                "return_for_correction",
                stage,
                S.DRAFT,
                who | {"office"},
                effects=["return_to_draft"],
                clause=clauses[stage],
            )
    for state in order:
        if state not in NOT_WITHDRAWABLE:
            add("withdraw", state, S.WITHDRAWN, {"applicant", "office"})
    add("revoke", S.AWARDED, S.REVOKED, {"office"})

    states = [*(s.value for s in order), *(s.value for s in S if s in FINAL_STATES)]
    definition: dict[str, dict] = {}
    for s in states:
        definition[s] = {"value": s, "name": STATE_NAMES_ZH[s]}
        if s == S.DRAFT:
            definition[s]["initial"] = True
        if s in FINAL_STATES:
            definition[s]["final"] = True
    meta: dict[tuple[str, str], _Spec] = {}
    for t in specs:
        meta[(t.source, t.event)] = t
        # who fires it first, then the round, then how it starts, then the event's own data; revocation outlives the round
        starts = [v for v in t.validators if v == "notice_published"]
        validators = [
            "may_fire",
            *([] if t.event == "revoke" else ["round_not_closed"]),
            *starts,
            "data_valid",
            *(v for v in t.validators if v not in starts),
        ]
        spec: dict[str, Any] = {
            "target": t.target,
            "cond": list(t.conds),
            "validators": validators,
            "on": list(t.effects),
        }
        if t.internal:
            spec["internal"] = True
        definition[t.source].setdefault("on", {}).setdefault(t.event, []).append(spec)
    name = f"{p.code.title()}{p.id.replace('.', '_').replace('-', '_')}Workflow"
    base = create_machine_class_from_definition(name + "Base", states=definition)
    cls = type(name, (base,), {k: getattr(_Settings, k) for k in _SETTINGS})
    return Workflow(p.code, p.id, states, cls, _edges_of(cls, meta))


def _edges_of(cls: type[StateChart], meta: dict[tuple[str, str], _Spec]) -> dict[tuple[str, str], Edge]:
    """The transitions as the compiled class holds them (targets and guards), with who fires each."""
    edges: dict[tuple[str, str], Edge] = {}
    for state in cls.states:
        for t in state.transitions:
            for event in t.events:
                m = meta[(state.id, str(event))]
                edges[(state.id, str(event))] = Edge(
                    str(event),
                    state.id,
                    t.target.id,
                    m.actors,
                    tuple(str(c) for c in t.cond),
                    bool(t.internal),
                    m.clause,
                )
    return edges


@lru_cache(maxsize=64)
def workflow_for(code: str, version: str) -> Workflow:
    from app.domain.programmes.registry import get_registry

    return compile_workflow(get_registry().get(code, version))
