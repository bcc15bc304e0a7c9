"""The transition pipeline (流转管线) called directly: validators, conditions and effects of one ``send``.

Database-free: ``Workflow.decide`` is pure (it reads the ``Facts`` and ``EventInput`` the service
loaded), so every refusal and outcome is pinned here on changning's compiled machine, and
``tools/mutate.py`` runs these first on every mutant of the pipeline.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from statemachine.exceptions import TransitionNotAllowed

from app.domain.errors import DomainError
from app.domain.programmes.registry import get_registry
from app.identity import Principal
from app.workflow import service
from app.workflow.machine import (
    MAX_TEXT,
    EventInput,
    Facts,
    _Binding,
    compile_workflow,
    correction_until,
    workflow_for,
)

pytestmark = pytest.mark.no_database

NOW = datetime(2026, 9, 29, 9, 0, tzinfo=timezone(timedelta(hours=8)))
PROGRAMME = get_registry().get("changning", "2023")


def _wf():
    return workflow_for("changning", "2023")


def _inp(event: str, *, permitted=True, round_state="under_review", published=False, reason=None, data=None):
    return EventInput(
        event=event,
        permitted=permitted,
        round_state=round_state,
        notice_published=published,
        reason=reason,
        data=data or {},
        programme=PROGRAMME,
        now=NOW,
    )


def _refusal(state: str, inp: EventInput, facts: Facts | None = None) -> DomainError:
    with pytest.raises(DomainError) as caught:
        _wf().decide(state, inp, facts or Facts())
    return caught.value


def _fields(err: DomainError) -> list[tuple[str, str]]:
    assert (err.slug, err.status, err.title) == ("validation-error", 422, "Unprocessable Content")
    return [(e.field, e.code) for e in err.errors]


# --- validators ---------------------------------------------------------------------------------


def test_a_caller_the_event_does_not_name_is_forbidden():
    err = _refusal("draft", _inp("submit", permitted=False), Facts(window_open=True))
    assert (err.slug, err.status, err.extra) == ("forbidden", 403, {"event": "submit"})


@pytest.mark.parametrize("round_state", ["announced", "archived"])
def test_a_round_whose_results_are_out_refuses_every_event_but_revocation__jinshan_9d_changning_10c(round_state):
    err = _refusal("draft", _inp("submit", round_state=round_state), Facts(window_open=True))
    assert (err.slug, err.status, err.extra) == ("round-closed", 409, {"round_state": round_state})
    assert ("公布" if round_state == "announced" else "归档") in err.zh


def test_a_notice_starts_only_with_its_published_list():
    err = _refusal("qualification_review", _inp("start_notice"), Facts(decision_recorded=True))
    assert (err.slug, err.status, err.extra) == ("notice-not-published", 409, {"state": "qualification_review"})
    outcome = _wf().decide("qualification_review", _inp("start_notice", published=True), Facts(decision_recorded=True))
    assert outcome.target == "qualification_notice" and outcome.opens_notice is True


# --- conditions ---------------------------------------------------------------------------------


def test_submitting_outside_the_window_fails_its_guard_with_the_edges_clause__changning_20a():
    err = _refusal("draft", _inp("submit"), Facts(window_open=False))
    assert (err.slug, err.status, err.clause) == ("guard-failed", 409, "changning-20a")
    assert err.extra == {"condition": "window_open", "state": "draft"}
    assert _wf().decide("draft", _inp("submit"), Facts(window_open=True)).target == "awaiting_recommendation"


def test_a_notice_starts_only_after_the_stages_decision__changning_21c():
    err = _refusal("qualification_review", _inp("start_notice", published=True), Facts(decision_recorded=False))
    assert err.extra == {"condition": "decision_recorded", "state": "qualification_review"}


@pytest.mark.parametrize(
    ("facts", "failed"),
    [
        (Facts(notice_period_over=False, open_objections=0), "notice_period_over"),
        (Facts(notice_period_over=True, open_objections=1), "no_open_objection"),
        (Facts(notice_period_over=False, open_objections=2), "notice_period_over"),  # the first that fails
    ],
)
def test_a_notice_closes_once_over_and_without_open_objection__changning_21c(facts, failed):
    err = _refusal("qualification_notice", _inp("close_notice"), facts)
    assert err.extra["condition"] == failed and err.clause == "changning-21c"


def test_a_notice_over_without_objection_closes_into_the_next_stage():
    outcome = _wf().decide("qualification_notice", _inp("close_notice"), Facts(notice_period_over=True))
    assert outcome.target == "material_review" and outcome.decision is None and outcome.opens_notice is False


def test_a_full_quota_names_the_clause_of_the_quota_that_is_full__changning_25b():
    facts = Facts(quota_available=False)
    facts.clauses["quota_available"] = "changning-9"
    err = _refusal("committee_review", _inp("select", data={"tier": "gold"}), facts)
    assert err.extra["condition"] == "quota_available" and err.clause == "changning-9"
    assert _refusal("committee_review", _inp("select", data={"tier": "gold"}), Facts(quota_available=False)).clause == (
        "changning-25b"
    )


def test_a_fact_the_service_did_not_load_lets_no_guard_pass_but_the_quota():
    """Nothing loaded: no window, no decision, no notice ended; no objection and room in the quota; no
    approval of a list (changning-25c); no ban (``not_banned`` is loaded whenever select or approve is
    fired, issue 20)."""
    assert Facts().signature() == (False, False, False, True, True, False, True)


def test_facts_hold_what_they_were_loaded_with():
    facts = Facts(window_open=True, open_objections=1)
    assert facts.holds("window_open") is True and facts.holds("no_open_objection") is False
    assert facts.signature() == (True, False, False, False, True, False, True)


# --- effects ------------------------------------------------------------------------------------


def test_a_stage_decision_keeps_the_decision_data_only():
    data = {"score": "88", "opinion": "符合", "report": "r-1", "phone": "13812345678"}
    outcome = _wf().decide("qualification_review", _inp("pass_qualification", data=data), Facts())
    assert outcome.target == "qualification_review"
    assert outcome.decision == {"decision": "pass_qualification", "score": "88", "opinion": "符合", "report": "r-1"}


def test_selection_records_the_tier_and_a_tier_the_programme_lacks_is_refused():
    outcome = _wf().decide("committee_review", _inp("select", data={"tier": "gold"}), Facts())
    assert outcome.tier == "gold" and outcome.decision == {"decision": "select", "tier": "gold"}
    err = _refusal("committee_review", _inp("select", data={"tier": "platinum"}), Facts())
    assert (err.slug, err.status, _fields(err)) == ("validation-error", 422, [("data.tier", "enum")])


def test_a_correction_returns_to_draft_until_its_deadline():
    until = NOW + timedelta(days=10)
    inp = _inp("return_for_correction", reason="缺材料", data={"correction_until": until.isoformat()})
    outcome = _wf().decide("qualification_review", inp, Facts())
    assert (outcome.target, outcome.back_to_draft, outcome.correction_until) == ("draft", True, until)
    assert correction_until({}) is None and correction_until({"correction_until": ""}) is None


@pytest.mark.parametrize(
    "until",
    [
        "2026-10-09T09:00:00",  # no time zone
        "not a date",
        (NOW - timedelta(minutes=1)).isoformat(),
        NOW.isoformat(),
        (NOW + timedelta(days=366, seconds=1)).isoformat(),
    ],
)
def test_a_correction_deadline_must_be_zoned_and_within_the_coming_year(until):
    inp = _inp("return_for_correction", reason="缺材料", data={"correction_until": until})
    err = _refusal("qualification_review", inp, Facts())
    assert _fields(err) == [("data.correction_until", "datetime_parsing")]


def test_a_correction_without_a_deadline_has_none_and_other_events_ignore_one():
    inp = _inp("return_for_correction", reason="缺材料")
    outcome = _wf().decide("qualification_review", inp, Facts())
    assert (outcome.target, outcome.back_to_draft, outcome.correction_until) == ("draft", True, None)
    # correction_until means something to a correction only: on another event it is free text
    inp = _inp("pass_qualification", data={"correction_until": "not a date"})
    assert _wf().decide("qualification_review", inp, Facts()).back_to_draft is False


def test_a_correction_deadline_a_year_ahead_is_accepted():
    until = NOW + timedelta(days=366)
    inp = _inp("return_for_correction", reason="缺材料", data={"correction_until": until.isoformat()})
    assert _wf().decide("qualification_review", inp, Facts()).correction_until == until


# --- what the data must hold --------------------------------------------------------------------


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_required_reason_must_be_given__changning_20b(reason):
    err = _refusal("awaiting_recommendation", _inp("return_for_correction", reason=reason), Facts())
    assert (err.status, _fields(err)) == (422, [("reason", "missing")])


def test_a_required_data_field_must_be_given_and_be_text():
    err = _refusal("awaiting_recommendation", _inp("recommend"), Facts())
    assert _fields(err) == [("data.opinion", "missing")]
    err = _refusal("awaiting_recommendation", _inp("recommend", data={"opinion": 3}), Facts())
    assert _fields(err) == [("data.opinion", "string_type")]
    err = _refusal("awaiting_recommendation", _inp("recommend", data={"opinion": "x" * (MAX_TEXT + 1)}), Facts())
    assert _fields(err) == [("data.opinion", "string_type")]
    ok = _wf().decide("awaiting_recommendation", _inp("recommend", data={"opinion": "x" * MAX_TEXT}), Facts())
    assert ok.target == "qualification_review"


def test_an_optional_text_field_may_be_null_but_not_another_type():
    inp = _inp("pass_qualification", data={"score": None, "quota_override_reason": None})
    assert _wf().decide("qualification_review", inp, Facts()).target == "qualification_review"
    err = _refusal("qualification_review", _inp("pass_qualification", data={"score": 88}), Facts())
    assert _fields(err) == [("data.score", "string_type")]


def test_the_reason_is_the_events_own_field_not_a_data_field():
    inp = _inp("return_for_correction", reason="缺材料", data={"reason": 5})
    assert _wf().decide("qualification_review", inp, Facts()).target == "draft"


def test_a_revocation_ground_must_be_one_the_programme_lists():
    err = _refusal("awarded", _inp("revoke", data={"ground": "dislike", "evidence": "e"}), Facts())
    assert _fields(err) == [("data.ground", "enum")]
    ok = _wf().decide("awarded", _inp("revoke", data={"ground": "fraud", "evidence": "e"}), Facts())
    assert ok.target == "revoked"


@pytest.mark.parametrize("approved_on", ["2026-13-01", "yesterday"])
def test_an_approval_date_must_be_a_date(approved_on):
    inp = _inp("approve", data={"document_no": "长府〔2026〕1号", "approved_on": approved_on})
    err = _refusal("government_approval", inp, Facts())
    assert _fields(err) == [("data.approved_on", "date_parsing")]


@pytest.mark.parametrize(
    ("approved_on", "refused"), [("2026-09-20", True), ("2026-09-21", True), ("2026-09-22", False)]
)
def test_the_government_approves_only_after_the_winners_notice_ended__changning_26a(approved_on, refused):
    inp = _inp("approve", data={"document_no": "长府〔2026〕1号", "approved_on": approved_on})
    facts = Facts(award_notice_last_day=date(2026, 9, 21))
    if refused:
        err = _refusal("government_approval", inp, facts)
        assert err.clause == "changning-26a" and _fields(err) == [("data.approved_on", "date_before_notice_end")]
    else:
        assert _wf().decide("government_approval", inp, facts).target == "awarded"


# --- the answer kept for identical events, and the service's transition function ----------------


def test_an_event_without_data_is_decided_once_per_case_and_each_caller_gets_its_own_outcome():
    wf, facts = _wf(), Facts(notice_period_over=True)
    first = wf.decide("qualification_notice", _inp("close_notice"), facts)
    first.target = "spoiled"
    assert wf.decide("qualification_notice", _inp("close_notice"), facts).target == "material_review"
    for _ in range(2):  # the kept refusal names the same condition
        err = _refusal("qualification_notice", _inp("close_notice"), Facts(open_objections=1, notice_period_over=True))
        assert err.extra["condition"] == "no_open_objection"


def test_a_batch_of_identical_events_sends_each_distinct_case_once(monkeypatch):
    """The deadline worker's closings: the machine's guards run once per case, the answer is kept."""
    wf, evaluated = compile_workflow(PROGRAMME), []
    holds = _Binding._holds
    monkeypatch.setattr(_Binding, "_holds", lambda self, name: evaluated.append(name) or holds(self, name))
    for _ in range(3):
        assert wf.decide("qualification_notice", _inp("close_notice"), Facts(notice_period_over=True)).target == (
            "material_review"
        )
    assert evaluated == ["notice_period_over", "no_open_objection"]
    for _ in range(3):
        with pytest.raises(DomainError):
            wf.decide("qualification_notice", _inp("close_notice"), Facts(notice_period_over=False))
    assert evaluated == ["notice_period_over", "no_open_objection", "notice_period_over"]


def test_the_key_of_a_kept_answer():
    facts = Facts()
    assert _inp("submit", data={"x": "1"}).cache_key("draft", facts) is None
    key = _inp("submit", reason="  ").cache_key("draft", facts)
    assert key == ("draft", "submit", True, "under_review", False, False, facts.signature())
    assert _inp("submit", reason="因为").cache_key("draft", facts)[5] is True


def test_an_event_the_state_does_not_have_is_not_allowed_by_the_machine():
    with pytest.raises(TransitionNotAllowed):
        _wf().decide("draft", _inp("approve"), Facts())


class _Row:
    def __init__(self, **kw) -> None:
        self.__dict__.update(kw)


def test_the_service_names_the_state_and_what_the_caller_may_fire_instead():
    ctx = service.EventContext(Principal(sub="o", roles=frozenset({"office"}), programme="changning"))
    app = _Row(state="draft", programme="changning", recommending_unit="unit-1", applicant_ref="org-1")
    rnd = _Row(state="open", programme="changning", programme_version="2023", overrides={})
    with pytest.raises(DomainError) as caught:
        service.decide(ctx, _wf(), app, rnd, "approve", None, {}, Facts(), NOW)
    err = caught.value
    assert (err.slug, err.status, err.title) == ("transition-not-allowed", 409, "Conflict")
    assert err.en == "'Approve the award' is not allowed while the application is in 'draft'"
    assert err.zh == "申报处于“草稿”状态，不能执行“批准授奖”"
    assert err.extra == {"state": "draft", "allowed_events": ["submit", "withdraw"]}
    outcome = service.decide(ctx, _wf(), app, rnd, "submit", None, {}, Facts(window_open=True), NOW)
    assert outcome.target == "awaiting_recommendation"


def test_the_events_a_caller_may_fire_are_those_whose_guards_hold_for_it():
    app = _Row(state="draft", programme="changning", recommending_unit="unit-1", applicant_ref="org-1")
    office = Principal(sub="o", roles=frozenset({"office"}), programme="changning")
    assert service.allowed_events(_wf(), office, app, Facts(window_open=False)) == ["withdraw"]
    assert service.allowed_events(_wf(), office, app, Facts(window_open=True)) == ["submit", "withdraw"]
    assert service.allowed_events(_wf(), office, app, None) == ["submit", "withdraw"]
    stranger = Principal(sub="a", roles=frozenset({"applicant"}), applicant="org-2")
    assert service.allowed_events(_wf(), stranger, app, Facts(window_open=True)) == []


def test_what_the_service_gives_the_machine_besides_the_facts():
    office = Principal(sub="o", roles=frozenset({"office"}), programme="changning")
    app = _Row(state="draft", programme="changning", recommending_unit="unit-1", applicant_ref="org-1")
    rnd = _Row(state="open", programme="changning", programme_version="2023", overrides={})
    plain = service.event_input(service.EventContext(office), _wf(), app, rnd, "submit", None, {}, NOW)
    assert (plain.permitted, plain.round_state, plain.notice_published, plain.programme) == (True, "open", False, None)
    assert plain.now == NOW and plain.event == "submit"
    stranger = service.EventContext(Principal(sub="r", roles=frozenset({"recommender"}), unit="unit-1"))
    assert service.event_input(stranger, _wf(), app, rnd, "submit", None, {}, NOW).permitted is False
    # an event the state lacks is fired by nobody, whoever the caller
    assert (
        service.event_input(service.EventContext(office), _wf(), app, rnd, "approve", None, {}, NOW).permitted is False
    )
    published = service.EventContext(office, notice_id=uuid.uuid4())
    with_data = service.event_input(published, _wf(), app, rnd, "submit", "r", {"opinion": "x"}, NOW)
    assert with_data.notice_published is True and with_data.programme is not None
    assert with_data.programme.code == "changning" and (with_data.reason, with_data.data) == ("r", {"opinion": "x"})


# --- each refusal as a client reads it, in Chinese and in English -------------------------------

_REFUSALS = {
    "forbidden": (
        ("draft", _inp("submit", permitted=False), Facts(window_open=True)),
        ("forbidden", 403, "Forbidden"),
        ("当前身份无权执行“提交申报”", "Your role may not fire 'Submit' on this application"),
        [],
    ),
    "round announced": (
        ("draft", _inp("submit", round_state="announced"), Facts(window_open=True)),
        ("round-closed", 409, "Conflict"),
        ("本届已公布，申报只能被撤销奖项", "The round is announced: only revocation remains possible"),
        [],
    ),
    "round archived": (
        ("draft", _inp("submit", round_state="archived"), Facts(window_open=True)),
        ("round-closed", 409, "Conflict"),
        ("本届已归档，申报只能被撤销奖项", "The round is archived: only revocation remains possible"),
        [],
    ),
    "notice not published": (
        ("qualification_review", _inp("start_notice"), Facts(decision_recorded=True)),
        ("notice-not-published", 409, "Conflict"),
        (
            "公示须通过发布公示名单启动（POST /api/v1/rounds/{id}/notices）",
            "A notice starts only by publishing its list (POST /api/v1/rounds/{id}/notices)",
        ),
        [],
    ),
    "window closed": (
        ("draft", _inp("submit"), Facts()),
        ("guard-failed", 409, "Conflict"),
        (
            "申报期未开放或已截止（退回补正的申报可在补正期限内重新提交）",
            "The application window is not open (a returned application may be resubmitted before its correction deadline)",
        ),
        [],
    ),
    "malformed": (
        ("awaiting_recommendation", _inp("recommend", data={"opinion": 3}), Facts()),
        ("validation-error", 422, "Unprocessable Content"),
        ("“推荐”的内容格式有误", "'Recommend' carries malformed data"),
        [("data.opinion", "string_type", "应为不超过 20000 个字符的文字", "must be text of at most 20000 characters")],
    ),
    "missing": (
        ("qualification_review", _inp("fail_qualification"), Facts()),
        ("validation-error", 422, "Unprocessable Content"),
        (
            "“资格审查不通过”缺少必填内容：reason、notice_text",
            "'Fail the qualification review' needs: reason, notice_text",
        ),
        [("reason", "missing", "必填", "required"), ("data.notice_text", "missing", "必填", "required")],
    ),
    "tier": (
        ("committee_review", _inp("select", data={"tier": "platinum"}), Facts()),
        ("validation-error", 422, "Unprocessable Content"),
        ("奖项等级“platinum”不属于本项目", "Tier 'platinum' is not a tier of this programme"),
        [("data.tier", "enum", "可选：gold、mayor", "one of: gold, mayor")],
    ),
    "ground": (
        ("awarded", _inp("revoke", data={"ground": "dislike", "evidence": "e"}), Facts()),
        ("validation-error", 422, "Unprocessable Content"),
        ("撤销理由不是本办法规定的情形", "The ground is not a revocation ground of this programme"),
        [("data.ground", "enum", "可选：fraud、post_award_incident", "one of: fraud, post_award_incident")],
    ),
    "approval date": (
        ("government_approval", _inp("approve", data={"document_no": "1", "approved_on": "x"}), Facts()),
        ("validation-error", 422, "Unprocessable Content"),
        ("批准日期格式应为 YYYY-MM-DD", "approved_on must be YYYY-MM-DD"),
        [("data.approved_on", "date_parsing", "格式应为 YYYY-MM-DD", "must be YYYY-MM-DD")],
    ),
    "approval before the notice ended": (
        (
            "government_approval",
            _inp("approve", data={"document_no": "1", "approved_on": "2026-09-21"}),
            Facts(award_notice_last_day=date(2026, 9, 21)),
        ),
        ("validation-error", 422, "Unprocessable Content"),
        (
            "批准日期须在拟获奖名单公示期（至 2026-09-21）届满之后",
            "approved_on must be after the winners' notice ended (2026-09-21)",
        ),
        [("data.approved_on", "date_before_notice_end", "须晚于 2026-09-21", "must be after 2026-09-21")],
    ),
    "correction deadline": (
        ("qualification_review", _inp("return_for_correction", reason="r", data={"correction_until": "x"}), Facts()),
        ("validation-error", 422, "Unprocessable Content"),
        (
            "补正期限应为带时区的 ISO 8601 时间，且在今后一年之内",
            "correction_until must be an ISO 8601 date-time with a time zone, within the coming year",
        ),
        [("data.correction_until", "datetime_parsing", "格式或期限不正确", "wrong format or out of range")],
    ),
}


@pytest.mark.parametrize("case", list(_REFUSALS))
def test_each_refusal_reads_the_same_in_chinese_and_english(case):
    (state, inp, facts), problem, (zh, en), fields = _REFUSALS[case]
    err = _refusal(state, inp, facts)
    assert (err.slug, err.status, err.title) == problem
    assert (err.zh, err.en) == (zh, en)
    assert [(e.field, e.code, e.render("zh")["message"], e.render("en")["message"]) for e in err.errors] == fields
