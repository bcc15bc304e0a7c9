"""Issue #20 points 7-10, 12-14 on the programme data alone: what a round may change, the cycle,
the pipeline each text sets, the readings and the objection wording each notice prints."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.domain.errors import DomainError
from app.workflow.machine import compile_workflow
from app.workflow.notices.publication import PRACTICE_HEADING_ZH, channel_text


def _refused(version, overrides: dict) -> DomainError:
    with pytest.raises(DomainError) as exc:
        version.with_overrides(overrides)
    assert exc.value.status == 422 and exc.value.errors[0].field == "overrides", exc.value
    return exc.value


# --- point 7: counting the publication day as day 1 --------------------------------------------


def test_counting_the_publication_day_is_refused_where_the_text_states_a_minimum__changning_21c(registry):
    """不少于5个工作日: a part day counted as day 1 leaves 4 full working days."""
    err = _refused(registry.get("changning"), {"count_start_day": True})
    assert (err.clause, err.errors[0].code, err.extra["path"]) == (
        "changning-21c",
        "shortens_stated_minimum",
        "count_start_day",
    )
    assert "不得少于5个工作日" in err.zh


def test_counting_the_publication_day_is_refused_for_a_calendar_day_minimum__tianning_12i(registry):
    assert _refused(registry.get("tianning"), {"count_start_day": True}).clause == "tianning-12i"


def test_counting_the_publication_day_is_allowed_once_every_stated_minimum_is_a_day_longer__changning_21c(registry):
    w = registry.get("changning").with_overrides(
        {"count_start_day": True, "notices.qualification.length": 6, "notices.winners.length": 6}
    )
    assert w.count_start_day and w.notice("winners").length == 6
    # one of the two left at its minimum: still refused, naming that notice's clause
    err = _refused(registry.get("changning"), {"count_start_day": True, "notices.qualification.length": 6})
    assert (err.clause, err.extra["notice_point"]) == ("changning-25c", "winners")


def test_counting_the_publication_day_is_a_round_choice_where_no_minimum_is_stated__hangzhou_3_3_7a(registry):
    """hangzhou and linyi state exact periods, not minimums: INTERPRETATIONS §1 leaves the choice to the round."""
    assert registry.get("hangzhou").with_overrides({"count_start_day": True}).count_start_day
    assert registry.get("linyi").with_overrides({"count_start_day": True}).count_start_day


# --- point 8: overrides only where a clause grants them -----------------------------------------


def test_quotas_may_be_adjusted_only_where_a_clause_grants_it__changning_3e(registry):
    changning = registry.get("changning")
    assert [(a.what, a.clause) for a in changning.adjustments] == [
        ("quotas", "changning-3e"),
        ("cycle", "changning-3e"),
        ("rewards", "changning-26c"),
    ]
    assert changning.with_overrides({"quotas.gold_total.max": 12}).quotas[2].max == 12
    for code, path, clause in [
        ("jinshan", "quotas.gold_model.max", "jinshan-3c"),
        ("hangzhou", "quotas.quality.max", "hangzhou-3.1b"),
        ("linyi", "quotas.mayor.max", "linyi-4c"),
        ("tianning", "quotas.mayor.max", "tianning-4b"),
        ("tianning", "quotas.mayor.soft", "tianning-4b"),
    ]:
        version = registry.get(code)
        value = not version.quotas[0].soft if path.endswith("soft") else 9
        err = _refused(version, {path: value})
        assert (err.errors[0].code, err.extra["path"], err.clause) == ("not_granted", path, clause), code
        assert version.adjustments == []


def test_rewards_may_be_adjusted_only_where_a_clause_grants_it__changning_26c(registry):
    assert (
        str(
            registry.get("changning")
            .with_overrides({"rewards.gold_model.amount_yuan": "120000.00"})
            .rewards[2]
            .amount_yuan
        )
        == "120000.00"
    )
    for code, path in [
        ("jinshan", "rewards.mayor_model.amount_yuan"),
        ("hangzhou", "rewards.quality.amount_yuan"),
        ("linyi", "rewards.mayor_organisation.amount_yuan"),
        ("tianning", "rewards.mayor_organisation.amount_yuan"),
    ]:
        assert _refused(registry.get(code), {path: "1.00"}).errors[0].code == "not_granted", code


def test_a_stated_retention_period_is_the_texts__changning_37(registry):
    assert _refused(registry.get("changning"), {"records.retention_years": 5}).clause == "changning-37"
    assert registry.get("jinshan").with_overrides({"records.retention_years": 10}).records.retention_years == 10


# --- point 14: placeholders the texts grant no money for ---------------------------------------


@pytest.mark.parametrize(
    ("code", "path"),
    [
        ("linyi", "rewards.nomination_organisation.amount_yuan"),
        ("linyi", "rewards.nomination_individual.amount_yuan"),
        ("hangzhou", "rewards.merit.amount_yuan"),
    ],
)
def test_a_reward_the_text_does_not_grant_cannot_be_filled_in__linyi_4b_hangzhou_4_3a(registry, code, path):
    err = _refused(registry.get(code), {path: "10000.00"})
    assert err.errors[0].code == "reward_not_granted" and "未规定任何奖金" in err.zh


def test_linyi_individual_reward_granted_without_an_amount_is_set_by_the_round__linyi_15b(registry):
    """ "给予一定物质奖励": the money is granted, its amount is not; the round sets it."""
    w = registry.get("linyi").with_overrides({"rewards.mayor_individual.amount_yuan": "20000.00"})
    assert str(w.rewards[1].amount_yuan) == "20000.00"


# --- point 9: the cycle and its anchor year -----------------------------------------------------


@pytest.mark.parametrize(
    ("code", "clause", "on", "off"),
    [
        ("changning", "changning-3a", [2026, 2028], [2027, 2029]),
        ("jinshan", "jinshan-3a", [2026, 2030], [2025, 2027]),
        ("linyi", "linyi-4a", [2026, 2028], [2025, 2027]),
        ("tianning", "tianning-4a", [2025, 2026, 2027], []),
        ("hangzhou", "hangzhou-3.1a", [2025, 2026, 2027], []),
    ],
)
def test_review_years_follow_each_texts_cycle__changning_3a_jinshan_3a_linyi_4a_tianning_4a(
    registry, code, clause, on, off
):
    cycle = registry.get(code).cycle
    assert cycle.clause == clause
    assert [y for y in on if cycle.in_cycle(y)] == on and [y for y in off if cycle.in_cycle(y)] == []
    if cycle.anchor_year is not None:
        assert cycle.anchor_stated is False
        assert any(r.id == "cycle_anchor_year" for r in registry.get(code).readings)


def test_only_changning_may_adjust_its_cycle__changning_3e(registry):
    assert registry.get("changning").with_overrides({"cycle.anchor_year": 2027}).cycle.in_cycle(2027)
    for code in ("jinshan", "linyi", "tianning"):
        assert _refused(registry.get(code), {"cycle.interval_years": 3}).errors[0].code == "not_granted"
    assert _refused(registry.get("linyi"), {"cycle.anchor_year": 2027}).errors[0].code == "not_granted"


# --- point 10: the pipeline each text sets ------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "drops"),
    [("changning", False), ("jinshan", False), ("hangzhou", False), ("linyi", True), ("tianning", True)],
)
def test_every_onsite_entrant_gets_the_comprehensive_evaluation__changning_24_jinshan_18i(registry, code, drops):
    """changning-24 / jinshan-18i "对进入现场评审的…进行综合分析评议", hangzhou-3.3.5a: no one is dropped at the
    on-site review. tianning-12f ("进入答辩程序的组织") and linyi-14e select who goes on, so they may."""
    wf = compile_workflow(registry.get(code))
    assert (wf.edge("onsite_review", "not_shortlist") is not None) is drops
    assert wf.edge("onsite_review", "withdraw") is not None


def test_changning_approves_the_winners_list_before_its_notice__changning_25c(registry):
    wf = compile_workflow(registry.get("changning"))
    edge = wf.edge("committee_review", "approve_publication")
    assert (
        edge is not None and edge.internal and edge.actors == frozenset({"office"}) and edge.clause == "changning-25c"
    )
    assert wf.edge("committee_review", "start_notice").conds == ("decision_recorded", "publication_approved")
    for code in ("jinshan", "hangzhou", "linyi", "tianning"):
        assert compile_workflow(registry.get(code)).edge("committee_review", "approve_publication") is None, code


# --- point 12: readings, each stated: false with its reason ------------------------------------

READINGS = {
    "changning": {
        "ban_counted_to_year_end",
        "ban_scope_same_award",
        "objection_cut_off_at_notice_end",
        "cycle_anchor_year",
    },
    "jinshan": {"ban_counted_to_year_end", "ban_scope_same_award", "days_as_calendar_days", "cycle_anchor_year"},
    "tianning": {
        "export_incident_lifetime",
        "credit_repair_scope",
        "same_or_higher_level_reach",
        "days_as_calendar_days",
    },
    "hangzhou": {"revocation_window_from_award", "no_fixed_cycle"},
    "linyi": {"units_and_individuals_share_places", "cycle_anchor_year"},
}


@pytest.mark.parametrize("code", sorted(READINGS))
def test_each_reading_of_issue_20_is_marked_not_stated_with_its_reason(registry, code):
    readings = {r.id: r for r in registry.get(code).readings}
    assert READINGS[code] <= set(readings)
    for r in readings.values():
        assert r.stated is False and r.reason_en.strip() and r.clauses and "\n" not in r.reason_en.strip()


# --- point 13: the objection wording each notice prints -----------------------------------------


def _channel(registry, code: str) -> tuple[str, str]:
    prog = registry.get(code)
    rule = SimpleNamespace(verification=prog.notices[-1].verification)
    text = channel_text(prog, rule, "评审办", "2026年10月12日24时", None)
    law, _, practice = text.partition(PRACTICE_HEADING_ZH)
    return law, practice


def test_only_hangzhou_prints_verification_and_its_publication_as_law__hangzhou_3_3_7c_3_3_7d(registry):
    law, practice = _channel(registry, "hangzhou")
    assert "5个工作日内" in law and "核查结果进行公示" in law and "事实、理由及其佐证材料" in law
    assert "实名" not in law and "匿名" not in law  # hangzhou's text asks for no real name
    assert "2026年10月12日24时前" in practice


@pytest.mark.parametrize("code", ["changning", "jinshan", "linyi", "tianning"])
def test_no_other_notice_prints_verification_or_anonymity_rules_as_law__changning_31a(registry, code):
    law, practice = _channel(registry, code)
    assert "核查" not in law and "不予受理" not in law and "公示核查结果" not in law + practice
    assert "匿名或信息不全的异议本平台不予受理" in practice and "2026年10月12日24时前" in practice
    if code == "changning":
        assert law == "任何单位或者个人对区政府质量奖评选表彰有异议的，可实名向评审办提出，并提供必要的证明材料。"
    else:
        assert law == ""  # no objection procedure in the text
