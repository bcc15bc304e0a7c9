"""Every machine-checkable criterion of every programme: an eligible and an ineligible applicant, naming its clause.

Years are counted to the call's date, 2026-09-01 here.
"""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.eligibility.criteria import evaluate
from app.domain.programmes.facts import FACTS
from app.domain.programmes.registry import get_registry

pytestmark = pytest.mark.no_database

CALL = date(2026, 9, 1)
CLEAN = {f: [] for f, t in FACTS.items() if t == "records"}
# a complaint of the kind linyi-10e names (issue 20 gave complaints these attributes)
_OWN_FAULT = {"fault": True, "complainant": "customer", "major": True}

# (programme, criterion, clause, eligible facts, ineligible facts)
CASES = [
    (
        "changning",
        "model_registered_in_district",
        "changning-16a",
        {"registered_jurisdiction": "changning"},
        {"registered_jurisdiction": "jinshan"},
    ),
    (
        "changning",
        "model_operating_years",
        "changning-16a",
        {"operating_since": "2023-09-01"},
        {"operating_since": "2023-09-02"},
    ),
    (
        "changning",
        "model_clean_record",
        "changning-16f",
        {"losses": [{"on": "2025-12-31", "excepted": "policy_losses"}]},
        {"losses": [{"on": "2025-12-31"}]},
    ),
    (
        "changning",
        "achievement_quality_work_years",
        "changning-17a",
        {"quality_work_in_jurisdiction_since": "2021-09-01"},
        {"quality_work_in_jurisdiction_since": "2021-09-02"},
    ),
    (
        "changning",
        "achievement_organisation_clean_record",
        "changning-17d",
        {"major_accidents": [{"on": "2023-08-31"}]},
        {"major_accidents": [{"on": "2023-09-02"}]},
    ),
    (
        "jinshan",
        "model_registered_in_district",
        "jinshan-15a",
        {"registered_jurisdiction": "310116"},
        {"registered_jurisdiction": "changning"},
    ),
    (
        "jinshan",
        "model_operating_years",
        "jinshan-15a",
        {"operating_since": "2020-01-01"},
        {"operating_since": "2024-01-01"},
    ),
    ("jinshan", "model_clean_record", "jinshan-15f", {}, {"legal_violations": [{"on": "2026-03-01"}]}),
    (
        "jinshan",
        "achievement_quality_work_years",
        "jinshan-16a",
        {"quality_work_since": "2010-01-01"},
        {"quality_work_since": "2022-01-01"},
    ),
    (
        "jinshan",
        "achievement_district_work_years",
        "jinshan-16a",
        {"jurisdiction_work_since": "2023-09-01"},
        {"jurisdiction_work_since": "2024-01-01"},
    ),
    (
        "jinshan",
        "achievement_top_manager_organisation_record",
        "jinshan-16e",
        {"is_top_manager": False, "major_accidents": [{"on": "2025-01-01"}]},
        {"is_top_manager": True, "major_accidents": [{"on": "2025-01-01"}]},
    ),
    (
        "hangzhou",
        "quality_registered_in_city",
        "hangzhou-1.2c",
        {"registered_jurisdiction": "330106"},
        {"registered_jurisdiction": "330200"},
    ),
    ("hangzhou", "quality_sector", "hangzhou-1.2c", {"sector": "services"}, {"sector": "other"}),
    (
        "hangzhou",
        "innovation_merit_registered_in_city",
        "hangzhou-1.2d",
        {"registered_jurisdiction": "hangzhou"},
        {"registered_jurisdiction": "shanghai"},
    ),
    ("hangzhou", "innovation_merit_sector", "hangzhou-1.2d", {"sector": "environment"}, {"sector": "other"}),
    (
        "hangzhou",
        "mu_efficiency_grade",
        "hangzhou-3.2.2b",
        {
            "above_size_manufacturer": True,
            "mu_efficiency_grade": "B",
            "mu_efficiency_year": 2025,
            "frontier_industry": True,
        },
        {
            "above_size_manufacturer": True,
            "mu_efficiency_grade": "B",
            "mu_efficiency_year": 2025,
            "frontier_industry": False,
        },
    ),
    (
        "hangzhou",
        "excellence_model_years",
        "hangzhou-3.2.3a",
        {"excellence_model_since": "2023-09-01"},
        {"excellence_model_since": "2023-09-02"},
    ),
    (
        "hangzhou",
        "clean_record",
        "hangzhou-3.2.4",
        {"failed_quality_inspections": [{"on": "2023-08-01"}]},
        {"failed_quality_inspections": [{"on": "2024-08-01"}]},
    ),
    (
        "hangzhou",
        "not_listed_seriously_dishonest",
        "hangzhou-3.2.4",
        {"serious_dishonesty": [{"on": "2020-01-01", "ended_on": "2026-08-01"}]},
        {"serious_dishonesty": [{"on": "2015-01-01"}]},
    ),
    (
        "hangzhou",
        "not_civil_service_managed",
        "hangzhou-3.2.5",
        {"civil_service_managed": False},
        {"civil_service_managed": True},
    ),
    ("linyi", "unit_in_city", "linyi-3a", {"registered_jurisdiction": "371302"}, {"registered_jurisdiction": "370102"}),
    ("linyi", "individual_in_city", "linyi-3b", {"work_jurisdiction": "linyi"}, {"work_jurisdiction": "370102"}),
    (
        "linyi",
        "unit_operating_years",
        "linyi-10a",
        {"operating_since": "2022-06-01", "four_new_field": True},
        {"operating_since": "2022-06-01", "four_new_field": False},
    ),
    ("linyi", "unit_no_accidents", "linyi-10e", {}, {"major_quality_complaints": [{"on": "2025-05-05", **_OWN_FAULT}]}),
    ("linyi", "unit_no_violations", "linyi-10f", {}, {"legal_violations": [{"on": "2024-01-01"}]}),
    (
        "linyi",
        "individual_quality_work_years",
        "linyi-12b",
        {"quality_work_in_jurisdiction_since": "2016-09-01"},
        {"quality_work_in_jurisdiction_since": "2016-09-02"},
    ),
    ("linyi", "individual_unit_no_accidents", "linyi-12f", {}, {"major_accidents": [{"on": "2026-01-01"}]}),
    (
        "tianning",
        "registered_in_district",
        "tianning-11a",
        {"registered_jurisdiction": "tianning"},
        {"registered_jurisdiction": "320411"},
    ),
    ("tianning", "legal_person", "tianning-11a", {"legal_person": True}, {"legal_person": False}),
    (
        "tianning",
        "operating_years",
        "tianning-11a",
        {"operating_since": "2020-01-01"},
        {"operating_since": "2024-01-01"},
    ),
    (
        "tianning",
        "certified_system_years",
        "tianning-11c",
        {"certified_since": "2023-09-01"},
        {"certified_since": "2024-09-01"},
    ),
    (
        "tianning",
        "excellence_model_years",
        "tianning-11d",
        {"excellence_model_since": "2025-09-01"},
        {"excellence_model_since": "2025-09-02"},
    ),
    (
        "tianning",
        "chief_quality_officer",
        "tianning-11f",
        {"has_chief_quality_officer": True},
        {"has_chief_quality_officer": False},
    ),
    (
        "tianning",
        "clean_record",
        "tianning-11h",
        {"labour_dishonesty": [{"on": "2025-01-01", "excepted": "credit_repaired_before_deadline"}]},
        {"labour_dishonesty": [{"on": "2025-01-01"}]},
    ),
    (
        "tianning",
        "export_record",
        "tianning-11i",
        {"exporter": False, "export_quality_incidents": [{"on": "2010-01-01"}]},
        {"exporter": True, "export_quality_incidents": [{"on": "2010-01-01"}]},
    ),
]


def _criterion(programme: str, cid: str):
    p = get_registry().get(programme)
    return p, next(c for c in p.eligibility if c.id == cid)


@pytest.mark.parametrize(("programme", "cid", "clause", "ok", "bad"), CASES, ids=[f"{c[2]}-{c[1]}" for c in CASES])
def test_machine_criterion_passes_the_eligible_and_fails_the_ineligible(programme, cid, clause, ok, bad):
    p, c = _criterion(programme, cid)
    assert c.clause == clause
    good = evaluate(c, {**CLEAN, **ok}, CALL, p.jurisdiction.code, p.jurisdiction.name_zh)
    assert good.result == "pass", good
    refused = evaluate(c, {**CLEAN, **bad}, CALL, p.jurisdiction.code, p.jurisdiction.name_zh)
    assert refused.result == "fail", refused
    assert refused.zh and refused.en and refused.facts


def test_every_machine_criterion_of_every_programme_has_a_case():
    covered = {(c[0], c[1]) for c in CASES}
    for code in get_registry().codes():
        for c in get_registry().get(code).eligibility:
            if c.kind == "machine":
                assert (code, c.id) in covered, f"{code}.{c.id} ({c.clause}) has no eligible/ineligible case"


def test_a_fact_not_provided_needs_review_never_passes__changning_16a():
    p, c = _criterion("changning", "model_operating_years")
    out = evaluate(c, {}, CALL, p.jurisdiction.code, p.jurisdiction.name_zh)
    assert out.result == "needs_review" and out.missing == ["operating_since"]


def test_undeclared_records_need_review_but_a_declared_record_fails_at_once__tianning_11h():
    _p, c = _criterion("tianning", "clean_record")
    assert evaluate(c, {}, CALL, "tianning", "天宁区").result == "needs_review"
    assert evaluate(c, {"major_accidents": [{"on": "2026-01-01"}]}, CALL, "tianning", "天宁区").result == "fail"


def test_mu_efficiency_rule_applies_only_to_above_size_manufacturers__hangzhou_3_2_2b():
    _p, c = _criterion("hangzhou", "mu_efficiency_grade")
    out = evaluate(
        c,
        {"above_size_manufacturer": False, "mu_efficiency_grade": "D", "mu_efficiency_year": 2025},
        CALL,
        "hangzhou",
        "杭州市",
    )
    assert out.result == "pass" and out.applies is False
    assert (
        evaluate(
            c,
            {"above_size_manufacturer": True, "mu_efficiency_grade": "A", "mu_efficiency_year": 2025},
            CALL,
            "hangzhou",
            "杭州市",
        ).result
        == "pass"
    )


def test_judgement_criteria_need_review__changning_16b():
    _p, c = _criterion("changning", "model_compliance")
    assert evaluate(c, {}, CALL, "changning", "长宁区").result == "needs_review"


def test_policy_loss_exception_excuses_only_losses__changning_16f():
    # "近3年未发生亏损(政策性亏损除外)": the parenthesis qualifies 亏损 alone; an accident, complaint
    # or dishonesty record tagged as a policy loss still refuses.
    p, c = _criterion("changning", "model_clean_record")
    tagged = {**CLEAN, "major_accidents": [{"on": "2025-06-01", "excepted": "policy_losses"}]}
    assert evaluate(c, tagged, CALL, p.jurisdiction.code, p.jurisdiction.name_zh).result == "fail"
    policy_loss = {**CLEAN, "losses": [{"on": "2025-12-31", "excepted": "policy_losses"}]}
    assert evaluate(c, policy_loss, CALL, p.jurisdiction.code, p.jurisdiction.name_zh).result == "pass"


def test_a_relatively_major_accident_refuses__tianning_11h():
    # "近 3 年无较大质量、安全、生态环境...等方面事故": 较大 is the grade below 重大, so an accident
    # graded 较大 (not 重大) within three years refuses a tianning applicant ...
    p, c = _criterion("tianning", "clean_record")
    assert "relatively_major_accidents" in c.facts and "major_accidents" in c.facts
    facts = {**CLEAN, "relatively_major_accidents": [{"on": "2025-06-01"}]}
    assert evaluate(c, facts, CALL, p.jurisdiction.code, p.jurisdiction.name_zh).result == "fail"


def test_a_relatively_major_accident_does_not_refuse_where_only_major_ones_count__changning_16f():
    # ... but not a changning one, whose text names only 重大 accidents.
    p, c = _criterion("changning", "model_clean_record")
    facts = {**CLEAN, "relatively_major_accidents": [{"on": "2025-06-01"}]}
    assert evaluate(c, facts, CALL, p.jurisdiction.code, p.jurisdiction.name_zh).result == "pass"


def test_five_years_of_operation_pass_without_asking_about_four_new_fields__linyi_10a():
    # "主体业务正常运行5年以上,...“四新”领域单位正常运行3年以上": five years satisfy every unit, so
    # an unanswered "四新" question cannot hold the criterion at review.
    _p, c = _criterion("linyi", "unit_operating_years")
    assert evaluate(c, {"operating_since": "2021-09-01"}, CALL, "linyi", "临沂市").result == "pass"
    short = evaluate(c, {"operating_since": "2022-06-01"}, CALL, "linyi", "临沂市")
    assert short.result == "needs_review" and short.missing == ["four_new_field"]
    unknown = evaluate(c, {}, CALL, "linyi", "临沂市")
    assert unknown.result == "needs_review" and set(unknown.missing) == {"operating_since", "four_new_field"}


@pytest.mark.parametrize("grade", ["", "AB", "BC"])
def test_a_value_that_is_not_one_grade_needs_review__hangzhou_3_2_2b(grade):
    # "“亩均效益”综合评价结果达到A档": only a single grade letter A-D can be compared; a substring of
    # "ABCD" (an empty value, "AB") is not a grade and must not pass.
    _p, c = _criterion("hangzhou", "mu_efficiency_grade")
    out = evaluate(
        c,
        {"above_size_manufacturer": True, "mu_efficiency_grade": grade, "frontier_industry": False},
        CALL,
        "hangzhou",
        "杭州市",
    )
    assert out.result == "needs_review", out
