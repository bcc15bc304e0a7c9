"""Every number of the five regulations that the service acts on, checked against the loaded definitions.

Each test names the clause it checks (``__changning_3c`` is clause changning-3c).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest


def quota(registry, code, quota_id):
    return next(q for q in registry.get(code).quotas if q.id == quota_id)


def reward(registry, code, tier, category):
    return next(r for r in registry.get(code).rewards if r.tier == tier and r.category == category)


def criterion(registry, code, criterion_id):
    return next(c for c in registry.get(code).eligibility if c.id == criterion_id)


def rule(registry, code, rule_id):
    return next(r for r in registry.get(code).reapplication if r.id == rule_id)


def duty(registry, code, duty_id):
    return next(d for d in registry.get(code).post_award_duties if d.id == duty_id)


def ground(registry, code, ground_id):
    return next(g for g in registry.get(code).revocation_grounds if g.id == ground_id)


# --- changning ---------------------------------------------------------------------------------


def test_changning_mayor_quota_is_two_models_and_two_achievements__changning_3b(registry):
    assert (quota(registry, "changning", "mayor_model").max, quota(registry, "changning", "mayor_achievement").max) == (
        2,
        2,
    )
    assert quota(registry, "changning", "mayor_model").categories == ["model"]
    assert quota(registry, "changning", "mayor_achievement").categories == ["achievement"]


def test_changning_gold_quota_is_ten_models_and_achievements__changning_3c(registry):
    q = quota(registry, "changning", "gold_total")
    assert (q.tiers, sorted(q.categories), q.max, q.soft) == (["gold"], ["achievement", "model"], 10, False)


def test_changning_quotas_may_go_unfilled__changning_3d(registry):
    rules = registry.get("changning").quota_rules
    assert rules.may_go_unfilled and rules.unfilled_clause == "changning-3d"


def test_changning_runs_every_two_years__changning_3a(registry):
    assert registry.get("changning").cycle.interval_years == 2


def test_changning_qualification_notice_is_at_least_five_working_days__changning_21c(registry):
    n = registry.get("changning").notice("qualification")
    assert (n.stage, n.length, n.unit, n.minimum, n.audiences, n.stated) == (
        "qualification_notice",
        5,
        "working_day",
        True,
        ["public"],
        True,
    )


def test_changning_winners_notice_is_at_least_five_working_days__changning_25c(registry):
    n = registry.get("changning").notice("winners")
    assert (n.stage, n.length, n.unit, n.minimum, n.audiences) == ("award_notice", 5, "working_day", True, ["public"])


@pytest.mark.parametrize(
    ("tier", "category", "amount"),
    [
        ("mayor", "model", "500000.00"),
        ("mayor", "achievement", "20000.00"),
        ("gold", "model", "100000.00"),
        ("gold", "achievement", "10000.00"),
    ],
)
def test_changning_reward_amounts__changning_26b(registry, tier, category, amount):
    r = reward(registry, "changning", tier, category)
    assert (r.amount_yuan, r.kind, r.first_time_only, r.deduct_received) == (Decimal(amount), "fixed", False, False)


def test_changning_model_applicant_operating_three_years_in_district__changning_16a(registry):
    assert criterion(registry, "changning", "model_operating_years").params["min_years"] == 3
    assert criterion(registry, "changning", "model_registered_in_district").test == "within_jurisdiction"


def test_changning_model_clean_record_looks_back_three_years__changning_16f(registry):
    c = criterion(registry, "changning", "model_clean_record")
    assert (c.test, c.params["lookback_years"], "losses" in c.facts) == ("none_within_years", 3, True)


def test_changning_achievement_five_years_quality_work_in_district__changning_17a(registry):
    c = criterion(registry, "changning", "achievement_quality_work_years")
    assert (c.facts, c.params["min_years"], c.categories) == (
        ["quality_work_in_jurisdiction_since"],
        5,
        ["achievement"],
    )


def test_changning_achievement_organisation_looks_back_three_years__changning_17d(registry):
    assert criterion(registry, "changning", "achievement_organisation_clean_record").params["lookback_years"] == 3


def test_changning_no_city_and_district_award_in_the_same_year__changning_18a(registry):
    r = rule(registry, "changning", "same_year_city_and_district")
    assert (r.kind, r.other_level) == ("same_year_other_level", "shanghai")


def test_changning_five_year_ban_after_winning__changning_18b(registry):
    r = rule(registry, "changning", "five_years_after_award")
    assert (r.kind, r.years, r.scope) == ("ban_after_award", 5, "same_award")


@pytest.mark.parametrize(
    ("rule_id", "clause"),
    [("after_revocation_for_fraud", "changning-34c"), ("after_post_award_revocation", "changning-35c")],
)
def test_changning_five_year_ban_after_revocation__changning_34c_35c(registry, rule_id, clause):
    r = rule(registry, "changning", rule_id)
    assert (r.kind, r.years, r.scope, r.clause) == ("ban_after_revocation", 5, "programme", clause)


def test_changning_follow_up_covers_five_years_of_winners__changning_36a(registry):
    s = duty(registry, "changning", "follow_up_management").schedule
    assert (s.within_years, s.every_years, s.frequency_stated) == (5, None, False)


def test_changning_keeps_records_ten_years__changning_37(registry):
    records = registry.get("changning").records
    assert (records.retention_years, records.stated) == (10, True)


def test_changning_in_force_2023_11_15_to_2028_11_14__changning_39a(registry):
    v = registry.get("changning")
    assert (v.effective_from, v.effective_until) == (date(2023, 11, 15), date(2028, 11, 14))


# --- jinshan -----------------------------------------------------------------------------------


def test_jinshan_mayor_quota_is_two_models_and_two_achievements__jinshan_3b(registry):
    assert (quota(registry, "jinshan", "mayor_model").max, quota(registry, "jinshan", "mayor_achievement").max) == (
        2,
        2,
    )


def test_jinshan_gold_quota_is_four_models_and_two_achievements__jinshan_3c(registry):
    assert (quota(registry, "jinshan", "gold_model").max, quota(registry, "jinshan", "gold_achievement").max) == (4, 2)


def test_jinshan_runs_every_two_years__jinshan_3a(registry):
    assert registry.get("jinshan").cycle.interval_years == 2


def test_jinshan_qualification_notice_length_is_a_default_of_five_working_days__jinshan_18d(registry):
    n = registry.get("jinshan").notice("qualification")
    assert (n.length, n.unit, n.stated, n.clause) == (5, "working_day", False, "jinshan-18d")


def test_jinshan_winners_notice_is_seven_days_to_public_and_own_unit__jinshan_18m(registry):
    n = registry.get("jinshan").notice("winners")
    assert (n.length, n.unit, n.minimum, sorted(n.audiences), n.stated) == (
        7,
        "calendar_day",
        True,
        ["applicant_unit", "public"],
        True,
    )


@pytest.mark.parametrize(
    ("tier", "category", "amount"),
    [
        ("mayor", "model", "500000.00"),
        ("gold", "model", "200000.00"),
        ("mayor", "achievement", "20000.00"),
        ("gold", "achievement", "10000.00"),
    ],
)
def test_jinshan_reward_amounts__jinshan_19b(registry, tier, category, amount):
    r = reward(registry, "jinshan", tier, category)
    assert (r.amount_yuan, r.kind) == (Decimal(amount), "fixed")


def test_jinshan_model_operating_three_years__jinshan_15a(registry):
    assert criterion(registry, "jinshan", "model_operating_years").params["min_years"] == 3


def test_jinshan_model_clean_record_looks_back_three_years__jinshan_15f(registry):
    assert criterion(registry, "jinshan", "model_clean_record").params["lookback_years"] == 3


def test_jinshan_achievement_five_years_quality_work_three_in_district__jinshan_16a(registry):
    assert criterion(registry, "jinshan", "achievement_quality_work_years").params["min_years"] == 5
    assert criterion(registry, "jinshan", "achievement_district_work_years").params["min_years"] == 3


def test_jinshan_top_manager_organisation_looks_back_three_years__jinshan_16e(registry):
    c = criterion(registry, "jinshan", "achievement_top_manager_organisation_record")
    assert (c.params["lookback_years"], c.applies_when) == (3, "is_top_manager")


def test_jinshan_five_year_ban_after_winning__jinshan_17b(registry):
    assert rule(registry, "jinshan", "five_years_after_award").years == 5


def test_jinshan_no_city_and_district_award_in_the_same_year__jinshan_17a(registry):
    assert rule(registry, "jinshan", "same_year_city_and_district").other_level == "shanghai"


@pytest.mark.parametrize(
    ("rule_id", "clause"),
    [("after_revocation_for_fraud", "jinshan-26c"), ("after_post_award_revocation", "jinshan-27c")],
)
def test_jinshan_five_year_ban_after_revocation__jinshan_26c_27c(registry, rule_id, clause):
    r = rule(registry, "jinshan", rule_id)
    assert (r.years, r.clause) == (5, clause)


def test_jinshan_performance_report_every_year_end_for_three_years__jinshan_24b(registry):
    s = duty(registry, "jinshan", "annual_performance_report").schedule
    assert (s.every_years, s.within_years, s.due) == (1, 3, "year_end")


def test_jinshan_return_visits_cover_five_years__jinshan_28a(registry):
    assert duty(registry, "jinshan", "return_visits").schedule.within_years == 5


def test_jinshan_in_force_2023_03_03_to_2028_03_02__jinshan_29(registry):
    v = registry.get("jinshan")
    assert (v.effective_from, v.effective_until, v.regulation.document_no) == (
        date(2023, 3, 3),
        date(2028, 3, 2),
        "金府规发〔2023〕1号",
    )


# --- hangzhou ----------------------------------------------------------------------------------


@pytest.mark.parametrize("tier", ["quality", "innovation", "merit"])
def test_hangzhou_quota_is_twenty_five_per_award__hangzhou_3_1b(registry, tier):
    assert quota(registry, "hangzhou", tier).max == 25


@pytest.mark.parametrize("point", ["material_entrants", "onsite_entrants", "winners"])
def test_hangzhou_three_notices_of_seven_working_days__hangzhou_3_3_7a(registry, point):
    n = registry.get("hangzhou").notice(point)
    assert (n.length, n.unit, n.minimum, n.stated) == (7, "working_day", False, True)


@pytest.mark.parametrize("point", ["material_entrants", "onsite_entrants", "winners"])
def test_hangzhou_objections_verified_within_five_working_days__hangzhou_3_3_7c(registry, point):
    v = registry.get("hangzhou").notice(point).verification
    assert (v.length, v.unit, v.stated, v.clause) == (5, "working_day", True, "hangzhou-3.3.7c")


def test_hangzhou_notice_stages_follow_the_text__hangzhou_3_3_7a(registry):
    assert [(n.stage, n.point) for n in registry.get("hangzhou").notices] == [
        ("qualification_notice", "material_entrants"),
        ("onsite_notice", "onsite_entrants"),
        ("award_notice", "winners"),
    ]


@pytest.mark.parametrize(("tier", "amount"), [("quality", "600000.00"), ("innovation", "300000.00")])
def test_hangzhou_subsidy_up_to__hangzhou_4_3a(registry, tier, amount):
    r = reward(registry, "hangzhou", tier, "organisation")
    assert (r.amount_yuan, r.kind, r.deduct_received, r.rule_clauses) == (
        Decimal(amount),
        "up_to",
        True,
        ["hangzhou-4.4a"],
    )


def test_hangzhou_merit_subsidy_is_not_stated__hangzhou_4_3a(registry):
    r = reward(registry, "hangzhou", "merit", "organisation")
    assert (r.amount_yuan, r.stated) == (None, False)


@pytest.mark.parametrize(
    ("reward_id", "amount", "clause"),
    [
        ("china_quality_award", "5000000.00", "hangzhou-4.1b"),
        ("china_quality_award_nomination", "2000000.00", "hangzhou-4.1b"),
        ("zhejiang_quality_award", "2000000.00", "hangzhou-4.1c"),
        ("zhejiang_innovation_award", "600000.00", "hangzhou-4.1c"),
        ("excellence_model_project", "200000.00", "hangzhou-4.3b"),
    ],
)
def test_hangzhou_external_rewards__hangzhou_4_1b_4_1c_4_3b(registry, reward_id, amount, clause):
    r = next(x for x in registry.get("hangzhou").external_rewards if x.id == reward_id)
    assert (r.amount_yuan, r.kind, r.clause) == (Decimal(amount), "up_to", clause)


def test_hangzhou_mu_efficiency_grade_a_relaxed_to_b__hangzhou_3_2_2b(registry):
    c = criterion(registry, "hangzhou", "mu_efficiency_grade")
    assert (c.params["min_grade"], c.params["relaxed_min_grade"], c.params["relaxed_when"], c.applies_when) == (
        "A",
        "B",
        "frontier_industry",
        "above_size_manufacturer",
    )


def test_hangzhou_excellence_model_three_full_years__hangzhou_3_2_3a(registry):
    assert criterion(registry, "hangzhou", "excellence_model_years").params["min_years"] == 3


def test_hangzhou_clean_record_looks_back_three_years__hangzhou_3_2_4(registry):
    assert criterion(registry, "hangzhou", "clean_record").params["lookback_years"] == 3


def test_hangzhou_civil_service_bodies_excluded__hangzhou_3_2_5(registry):
    c = criterion(registry, "hangzhou", "not_civil_service_managed")
    assert (c.test, c.facts) == ("is_false", ["civil_service_managed"])


def test_hangzhou_self_evaluation_every_two_years_within_five__hangzhou_6_4a(registry):
    s = duty(registry, "hangzhou", "self_evaluation_report").schedule
    assert (s.every_years, s.within_years, s.starts) == (2, 5, "year_after_award")


def test_hangzhou_post_award_revocation_within_two_years__hangzhou_6_5(registry):
    assert ground(registry, "hangzhou", "post_award_incident").within_years_after_award == 2


def test_hangzhou_has_no_recommendation_stage__hangzhou_3_3_1(registry):
    v = registry.get("hangzhou")
    assert v.stage_codes[0] == "qualification_review"
    assert "awaiting_recommendation" not in v.stage_codes


def test_hangzhou_votes_by_ballot_and_by_hands__hangzhou_3_3_6b_3_3_6c(registry):
    assert {t.code: t.vote_method for t in registry.get("hangzhou").tiers} == {
        "quality": "secret_ballot",
        "innovation": "show_of_hands",
        "merit": "show_of_hands",
    }


def test_hangzhou_has_no_fixed_cycle__hangzhou_3_1a(registry):
    assert registry.get("hangzhou").cycle.interval_years is None


def test_hangzhou_in_force_from_2025_11_30_with_no_end__hangzhou_7a(registry):
    v = registry.get("hangzhou")
    assert (v.effective_from, v.effective_until) == (date(2025, 11, 30), None)


# --- linyi -------------------------------------------------------------------------------------


@pytest.mark.parametrize("tier", ["mayor", "nomination"])
def test_linyi_quota_is_eight_units_and_individuals_together__linyi_4c(registry, tier):
    q = quota(registry, "linyi", tier)
    assert (q.max, sorted(q.categories)) == (8, ["individual", "organisation"])


def test_linyi_runs_every_two_years__linyi_4a(registry):
    assert registry.get("linyi").cycle.interval_years == 2


def test_linyi_winners_notice_is_five_working_days__linyi_14h(registry):
    v = registry.get("linyi")
    n = v.notice("winners")
    assert (n.length, n.unit, n.minimum) == (5, "working_day", False)
    assert [x.point for x in v.notices] == ["winners"]


def test_linyi_starts_with_county_preliminary_review__linyi_14c(registry):
    first = registry.get("linyi").pipeline[0]
    assert (first.stage, first.actors) == ("preliminary_review", ["recommender"])


def test_linyi_unit_reward_up_to_three_hundred_thousand__linyi_15b(registry):
    r = reward(registry, "linyi", "mayor", "organisation")
    assert (r.amount_yuan, r.kind) == (Decimal("300000.00"), "up_to")


def test_linyi_individual_reward_amount_is_not_stated__linyi_15b(registry):
    r = reward(registry, "linyi", "mayor", "individual")
    assert (r.amount_yuan, r.stated) == (None, False)


def test_linyi_highest_reward_without_double_payment__linyi_15c(registry):
    assert reward(registry, "linyi", "mayor", "organisation").deduct_received
    assert "linyi-15c" in reward(registry, "linyi", "mayor", "organisation").rule_clauses


def test_linyi_unit_five_years_or_three_in_new_fields__linyi_10a(registry):
    c = criterion(registry, "linyi", "unit_operating_years")
    assert (c.params["min_years"], c.params["relaxed_min_years"], c.params["relaxed_when"]) == (5, 3, "four_new_field")


@pytest.mark.parametrize(
    ("criterion_id", "years"),
    [("unit_no_accidents", 3), ("unit_no_violations", 3), ("individual_unit_no_accidents", 3)],
)
def test_linyi_look_back_three_years__linyi_10e_10f_12f(registry, criterion_id, years):
    assert criterion(registry, "linyi", criterion_id).params["lookback_years"] == years


def test_linyi_individual_ten_years_quality_work_in_city__linyi_12b(registry):
    assert criterion(registry, "linyi", "individual_quality_work_years").params["min_years"] == 10


def test_linyi_mayor_winner_never_reapplies__linyi_13a(registry):
    r = rule(registry, "linyi", "mayor_winner_never_again")
    assert (r.kind, r.tiers, r.years) == ("lifetime_ban_after_award", ["mayor"], None)


def test_linyi_failed_spot_checks_ground_is_three_in_a_row__linyi_23d(registry):
    assert "连续3次以上" in ground(registry, "linyi", "unit_failed_spot_checks").text_zh


def test_linyi_has_ten_unit_and_nine_individual_revocation_grounds__linyi_23_24(registry):
    grounds = registry.get("linyi").revocation_grounds
    assert sum(g.applies_to == "organisation" for g in grounds) == 10
    assert sum(g.applies_to == "individual" for g in grounds) == 9


def test_linyi_in_force_2024_09_25_to_2028_09_24__linyi_26(registry):
    v = registry.get("linyi")
    assert (v.effective_from, v.effective_until) == (date(2024, 9, 25), date(2028, 9, 24))


# --- tianning ----------------------------------------------------------------------------------


def test_tianning_quota_is_three_in_principle__tianning_4b(registry):
    q = quota(registry, "tianning", "mayor")
    assert (q.max, q.soft) == (3, True)


def test_tianning_runs_every_year__tianning_4a(registry):
    assert registry.get("tianning").cycle.interval_years == 1


def test_tianning_candidates_notice_is_at_least_seven_days__tianning_12i(registry):
    n = registry.get("tianning").notice("winners")
    assert (n.length, n.unit, n.minimum) == (7, "calendar_day", True)


def test_tianning_freed_place_is_not_refilled__tianning_12j(registry):
    n = registry.get("tianning").notice("winners")
    assert (n.refill, n.refill_stated, n.refill_clause) == (False, True, "tianning-12j")


def test_tianning_has_a_defence_and_no_qualification_notice__tianning_12f(registry):
    codes = registry.get("tianning").stage_codes
    assert "defence" in codes and "qualification_notice" not in codes
    assert codes.index("defence") == codes.index("onsite_review") + 1


def test_tianning_one_off_reward_for_first_time_winners__tianning_13b(registry):
    r = reward(registry, "tianning", "mayor", "organisation")
    assert (r.amount_yuan, r.kind, r.first_time_only) == (Decimal("100000.00"), "fixed", True)


@pytest.mark.parametrize(
    ("criterion_id", "years", "clause"),
    [
        ("operating_years", 3, "tianning-11a"),
        ("certified_system_years", 3, "tianning-11c"),
        ("excellence_model_years", 1, "tianning-11d"),
    ],
)
def test_tianning_years_of_operation_certification_and_excellence__tianning_11a_11c_11d(
    registry, criterion_id, years, clause
):
    c = criterion(registry, "tianning", criterion_id)
    assert (c.params["min_years"], c.clause) == (years, clause)


def test_tianning_clean_record_looks_back_three_years__tianning_11h(registry):
    assert criterion(registry, "tianning", "clean_record").params["lookback_years"] == 3


@pytest.mark.parametrize(
    ("rule_id", "clause"),
    [("after_revocation_for_fraud", "tianning-15c"), ("after_post_award_revocation", "tianning-16b")],
)
def test_tianning_five_year_ban_covers_same_or_higher_level__tianning_15c_16b(registry, rule_id, clause):
    r = rule(registry, "tianning", rule_id)
    assert (r.years, r.scope, r.clause) == (5, "same_or_higher_level", clause)


def test_tianning_in_force_2023_09_04_to_2028_09_03__tianning_22a(registry):
    v = registry.get("tianning")
    assert (v.effective_from, v.effective_until) == (date(2023, 9, 4), date(2028, 9, 3))


# --- across programmes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "fee_free", "clause"),
    [
        ("changning", True, None),
        ("jinshan", True, "jinshan-6a"),
        ("hangzhou", True, "hangzhou-1.4b"),
        ("linyi", True, "linyi-16a"),
        ("tianning", True, "tianning-20b"),
    ],
)
def test_no_fees__jinshan_6a_hangzhou_1_4b_linyi_16a_tianning_20b(registry, code, fee_free, clause):
    fees = registry.get(code).fees
    assert (fees.fee_free, fees.clause, fees.stated) == (fee_free, clause, clause is not None)


def test_notice_lengths_agree_with_the_catalogue(registry):
    """Wherever the catalogue gives a period for a notice's clause, the definition uses it."""
    from app.domain.programmes.catalogue import get_catalogue

    catalogue = get_catalogue()
    for code in registry.codes():
        for n in registry.get(code).notices:
            params = catalogue.clause(n.clause).params
            if n.stated:
                assert params.get("period") == n.length, (code, n.point)
                assert params.get("minimum", False) == n.minimum, (code, n.point)
                expected_unit = {"working_day": "working_day", "day": "calendar_day"}[params["unit"]]
                assert n.unit == expected_unit, (code, n.point)
            else:
                assert "period" not in params, (code, n.point)


def test_stated_verification_periods_agree_with_the_catalogue__hangzhou_3_3_7c(registry):
    """A stated verification period carries the catalogue's period, unit and reading (maximum: 5个工作日内)."""
    from app.domain.programmes.catalogue import get_catalogue

    catalogue = get_catalogue()
    seen = 0
    for code in registry.codes():
        for n in registry.get(code).notices:
            v = n.verification
            if v.stated:
                params = catalogue.clause(v.clause).params
                assert (v.length, v.unit, v.maximum) == (
                    params["period"],
                    params["unit"],
                    params.get("maximum", False),
                ), (code, n.point)
                seen += 1
    assert seen == 3  # hangzhou's three lists


def test_effective_periods_agree_with_the_catalogue(registry):
    from app.domain.programmes.catalogue import get_catalogue

    catalogue = get_catalogue()
    for code in registry.codes():
        v, reg = registry.get(code), catalogue.regulations[code]
        assert (v.effective_from, v.effective_until) == (reg.effective_from, reg.effective_until)
        assert v.regulation.title_zh == reg.title_zh and v.regulation.document_no == reg.document_no
