"""Eligibility criteria (申报条件) at their boundaries, and the sentences that explain each result.

Years count to the call's date (申报通知发布日); "近N年" is the N years up to and including it.
"""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.eligibility.criteria import EXCEPTION_NAMES, FACT_NAMES, evaluate, whole_years, years_before
from app.domain.programmes.facts import FACTS
from app.domain.programmes.registry import get_registry

pytestmark = pytest.mark.no_database

CALL = date(2026, 9, 1)
LEAP_CALL = date(2028, 2, 29)


def _run(programme: str, cid: str, facts: dict, reference: date = CALL):
    p = get_registry().get(programme)
    c = next(c for c in p.eligibility if c.id == cid)
    return evaluate(c, facts, reference, p.jurisdiction.code, p.jurisdiction.name_zh)


_CLEAN_16F = {"losses": [], "major_accidents": [], "major_quality_complaints": [], "serious_dishonesty": []}


# --- the records window ---------------------------------------------------------------------


def test_a_record_dated_on_the_call_day_counts__changning_16f():
    """The window "近3年" ends with the reference day itself: a record of that day refuses."""
    out = _run("changning", "model_clean_record", {**_CLEAN_16F, "major_accidents": [{"on": "2026-09-01"}]})
    assert out.result == "fail"


def test_a_record_after_the_call_day_is_not_read__changning_16f():
    out = _run("changning", "model_clean_record", {**_CLEAN_16F, "major_accidents": [{"on": "2026-09-02"}]})
    assert out.result == "pass"


def test_the_window_starts_the_day_after_n_years_before__changning_16f():
    """Three years before 2026-09-01 is 2023-09-01: a record of that day is outside, the next day's inside."""
    assert (
        _run("changning", "model_clean_record", {**_CLEAN_16F, "major_accidents": [{"on": "2023-09-01"}]}).result
        == "pass"
    )
    assert (
        _run("changning", "model_clean_record", {**_CLEAN_16F, "major_accidents": [{"on": "2023-09-02"}]}).result
        == "fail"
    )


def test_a_reference_date_of_29_february_falls_back_to_28_february__changning_16f():
    """2028-02-29 minus three years has no 29 February: the window starts after 2025-02-28."""
    assert years_before(LEAP_CALL, 3) == date(2025, 2, 28)
    assert years_before(date(2028, 2, 28), 3) == date(2025, 2, 28)
    assert years_before(LEAP_CALL, 4) == date(2024, 2, 29)
    assert (
        _run("changning", "model_clean_record", {**_CLEAN_16F, "losses": [{"on": "2025-02-28"}]}, LEAP_CALL).result
        == "pass"
    )
    out = _run("changning", "model_clean_record", {**_CLEAN_16F, "losses": [{"on": "2025-03-01"}]}, LEAP_CALL)
    assert out.result == "fail"
    assert out.zh == "近3年（2025-02-28后至2028-02-29）有记录：亏损1项（2025-03-01）"
    assert out.en == "Records in the 3 years to 2028-02-29: 1 losses (2025-03-01)"


def test_whole_years_count_a_birthday_on_the_day():
    assert whole_years(date(2023, 9, 1), CALL) == 3
    assert whole_years(date(2023, 9, 2), CALL) == 2
    assert whole_years(date(2023, 8, 31), CALL) == 3
    assert whole_years(date(2024, 2, 29), LEAP_CALL) == 4
    assert whole_years(date(2024, 3, 1), LEAP_CALL) == 3


def test_a_record_without_a_date_is_not_counted__changning_16f():
    assert (
        _run("changning", "model_clean_record", {**_CLEAN_16F, "major_accidents": [{"note": "undated"}]}).result
        == "pass"
    )


# --- every fact has a name ------------------------------------------------------------------


def test_every_fact_and_exception_a_criterion_can_read_has_a_chinese_and_an_english_name():
    """The sentences name facts and exceptions in words, never by their code."""
    assert set(FACTS) <= set(FACT_NAMES)
    used = {
        c.params["excepted"]
        for code in get_registry().codes()
        for c in get_registry().get(code).eligibility
        if c.params.get("excepted")
    }
    assert used and used <= set(EXCEPTION_NAMES)
    for fact, (zh, en) in FACT_NAMES.items():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), fact
        assert en and not any("\u4e00" <= ch <= "\u9fff" for ch in en), fact


# --- the explanation sentences, Chinese and English -----------------------------------------

SENTENCES = [
    (
        "changning",
        "model_registered_in_district",
        {"registered_jurisdiction": "changning"},
        "pass",
        "登记注册地“changning”在上海市长宁区范围内",
        "Registered domicile 'changning' is within changning",
    ),
    (
        "changning",
        "model_registered_in_district",
        {"registered_jurisdiction": "jinshan"},
        "fail",
        "登记注册地“jinshan”不在上海市长宁区范围内",
        "Registered domicile 'jinshan' is not within changning",
    ),
    (
        "changning",
        "model_operating_years",
        {"operating_since": "2023-09-01"},
        "pass",
        "生产经营起始日期2023-09-01，至申报通知日2026-09-01满3年，不少于3年",
        "Operating since 2023-09-01: 3 full years to the call's date 2026-09-01, at least 3",
    ),
    (
        "changning",
        "model_operating_years",
        {"operating_since": "2023-09-02"},
        "fail",
        "生产经营起始日期2023-09-02，至申报通知日2026-09-01仅满2年，不足3年",
        "Operating since 2023-09-02: only 2 full years to the call's date 2026-09-01, fewer than 3",
    ),
    (
        "linyi",
        "unit_operating_years",
        {"operating_since": "2022-06-01", "four_new_field": True},
        "pass",
        "生产经营起始日期2022-06-01，至申报通知日2026-09-01满4年，不少于3年（属“四新”领域，放宽为3年）",
        "Operating since 2022-06-01: 4 full years to the call's date 2026-09-01, at least 3 (relaxed to 3 for 'four new' field)",
    ),
    (
        "linyi",
        "unit_operating_years",
        {"operating_since": "2024-06-01", "four_new_field": True},
        "fail",
        "生产经营起始日期2024-06-01，至申报通知日2026-09-01仅满2年，不足3年（属“四新”领域，放宽为3年）",
        "Operating since 2024-06-01: only 2 full years to the call's date 2026-09-01, fewer than 3 (relaxed to 3 for 'four new' field)",
    ),
    (
        "linyi",
        "unit_operating_years",
        {"operating_since": "2022-06-01", "four_new_field": False},
        "fail",
        "生产经营起始日期2022-06-01，至申报通知日2026-09-01仅满4年，不足5年",
        "Operating since 2022-06-01: only 4 full years to the call's date 2026-09-01, fewer than 5",
    ),
    (
        "changning",
        "model_clean_record",
        {
            **_CLEAN_16F,
            "losses": [{"on": "2026-09-01"}],
            "major_accidents": [{"on": "2024-01-01"}, {"on": "2025-01-01"}],
        },
        "fail",
        "近3年（2023-09-01后至2026-09-01）有记录：亏损1项（2026-09-01）；重大质量、安全、环境等事故2项（2024-01-01, 2025-01-01）",
        "Records in the 3 years to 2026-09-01: 1 losses (2026-09-01); 2 major accidents (2024-01-01, 2025-01-01)",
    ),
    (
        "changning",
        "model_clean_record",
        _CLEAN_16F,
        "pass",
        "近3年（2023-09-01后至2026-09-01）无亏损、重大质量、安全、环境等事故、重大质量投诉、严重失信行为记录（亏损中政策性亏损除外）",
        "No losses, major accidents, major quality complaints, serious dishonesty in the 3 years to 2026-09-01 (losses: policy-related losses excepted)",
    ),
    (
        "tianning",
        "clean_record",
        {
            f: []
            for f in (
                "relatively_major_accidents",
                "major_accidents",
                "major_quality_complaints",
                "quality_claims_own_fault",
                "failed_quality_inspections",
                "labour_dishonesty",
                "legal_violations",
            )
        },
        "pass",
        "近3年（2023-09-01后至2026-09-01）无较大质量、安全、环境等事故、重大质量、安全、环境等事故、重大质量投诉、自身责任引起的质量异议、索赔和退货、质量安全监督抽查不合格、重大劳动保障失信记录、违法违规行为记录"
        "（较大质量、安全、环境等事故、重大质量、安全、环境等事故、重大质量投诉、自身责任引起的质量异议、索赔和退货、质量安全监督抽查不合格、重大劳动保障失信记录、违法违规行为中至申报截止日期之前已完成信用修复的除外）",
        "No relatively major accidents, major accidents, major quality complaints, own-fault quality claims, failed quality inspections, labour-security dishonesty, legal violations in the 3 years to 2026-09-01"
        " (relatively major accidents, major accidents, major quality complaints, own-fault quality claims, failed quality inspections, labour-security dishonesty, legal violations: credit repaired before the application deadline excepted)",
    ),
    (
        "tianning",
        "export_record",
        {"exporter": True, "export_quality_incidents": []},
        "pass",
        "历史上无出口产品退运、销毁或官方通报记录",
        "No export quality incidents ever",
    ),
    (
        "tianning",
        "export_record",
        {"exporter": True, "export_quality_incidents": [{"on": "1999-01-01"}]},
        "fail",
        "历史上有记录：出口产品退运、销毁或官方通报1项（1999-01-01）",
        "Records ever: 1 export quality incidents (1999-01-01)",
    ),
    (
        "tianning",
        "export_record",
        {"exporter": None},
        "needs_review",
        "未提供“出口企业”，无法判断本条件是否适用",
        "'exporter' not provided: cannot tell whether this criterion applies",
    ),
    (
        "tianning",
        "export_record",
        {"exporter": False},
        "pass",
        "不属于“出口企业”，本条件不适用",
        "Not 'exporter': the criterion does not apply",
    ),
    (
        "tianning",
        "legal_person",
        {"legal_person": True},
        "pass",
        "独立法人资格：是，符合要求",
        "Independent legal person: yes, as required",
    ),
    (
        "tianning",
        "legal_person",
        {"legal_person": False},
        "fail",
        "独立法人资格：否，不符合要求",
        "Independent legal person: no, which the criterion refuses",
    ),
    (
        "hangzhou",
        "not_civil_service_managed",
        {"civil_service_managed": False},
        "pass",
        "按照（参照）公务员法管理的单位：否，符合要求",
        "Managed under the Civil Servant Law: no, as required",
    ),
    (
        "hangzhou",
        "not_civil_service_managed",
        {"civil_service_managed": True},
        "fail",
        "按照（参照）公务员法管理的单位：是，不符合要求",
        "Managed under the Civil Servant Law: yes, which the criterion refuses",
    ),
    (
        "hangzhou",
        "quality_sector",
        {"sector": "services"},
        "pass",
        "所属领域“services”属于manufacturing、construction、services、environment",
        "Sector 'services' is one of manufacturing, construction, services, environment",
    ),
    (
        "hangzhou",
        "quality_sector",
        {"sector": "other"},
        "fail",
        "所属领域“other”不属于manufacturing、construction、services、environment",
        "Sector 'other' is not one of manufacturing, construction, services, environment",
    ),
    (
        "hangzhou",
        "mu_efficiency_grade",
        {
            "above_size_manufacturer": True,
            "mu_efficiency_grade": "B",
            "mu_efficiency_year": 2025,
            "frontier_industry": True,
        },
        "pass",
        "“亩均效益”综合评价档次为B档，达到B档（属放宽产业，要求B档）",
        "Per-mu efficiency grade B reaches grade B (a relaxed industry: grade B)",
    ),
    (
        "hangzhou",
        "mu_efficiency_grade",
        {
            "above_size_manufacturer": True,
            "mu_efficiency_grade": "a",
            "mu_efficiency_year": 2025,
            "frontier_industry": False,
        },
        "pass",
        "“亩均效益”综合评价档次为a档，达到A档",
        "Per-mu efficiency grade a reaches grade A",
    ),
    (
        "hangzhou",
        "mu_efficiency_grade",
        {
            "above_size_manufacturer": True,
            "mu_efficiency_grade": "C",
            "mu_efficiency_year": 2025,
            "frontier_industry": True,
        },
        "fail",
        "“亩均效益”综合评价档次为C档，未达到B档（属放宽产业，要求B档）",
        "Per-mu efficiency grade C is below grade B (a relaxed industry: grade B)",
    ),
    (
        "hangzhou",
        "mu_efficiency_grade",
        {
            "above_size_manufacturer": True,
            "mu_efficiency_grade": "D",
            "mu_efficiency_year": 2025,
            "frontier_industry": False,
        },
        "fail",
        "“亩均效益”综合评价档次为D档，未达到A档",
        "Per-mu efficiency grade D is below grade A",
    ),
    (
        "hangzhou",
        "mu_efficiency_grade",
        {"above_size_manufacturer": True, "mu_efficiency_grade": "C", "mu_efficiency_year": 2025},
        "needs_review",
        "未提供：放宽至B档的产业；由资格审查核实",
        "Not provided: industry relaxed to grade B; to be verified at qualification review",
    ),
    (
        "hangzhou",
        "mu_efficiency_grade",
        {"above_size_manufacturer": True, "mu_efficiency_grade": "x"},
        "needs_review",
        "“亩均效益”综合评价档次“x”不是A-D档",
        "Per-mu efficiency grade 'x' is not a grade A-D",
    ),
    (
        "hangzhou",
        "mu_efficiency_grade",
        {"above_size_manufacturer": True},
        "needs_review",
        "未提供：“亩均效益”综合评价档次；由资格审查核实",
        "Not provided: per-mu efficiency grade; to be verified at qualification review",
    ),
    (
        "changning",
        "model_compliance",
        {},
        "needs_review",
        "须由评审人员判断，列入资格审查清单",
        "A reviewer's judgement: listed on the qualification checklist",
    ),
    (
        "linyi",
        "unit_no_accidents",
        {},
        "needs_review",
        "未提供：重大质量、安全、环境等事故、重大质量投诉；由资格审查核实",
        "Not provided: major accidents, major quality complaints; to be verified at qualification review",
    ),
    (
        "linyi",
        "unit_no_accidents",
        {"major_accidents": [], "major_quality_complaints": []},
        "pass",
        "近3年（2023-09-01后至2026-09-01）无重大质量、安全、环境等事故、重大质量投诉记录",
        "No major accidents, major quality complaints in the 3 years to 2026-09-01",
    ),
    (
        "jinshan",
        "achievement_top_manager_organisation_record",
        {"is_top_manager": True, "major_accidents": [], "major_quality_complaints": [], "legal_violations": []},
        "pass",
        "近3年（2023-09-01后至2026-09-01）无重大质量、安全、环境等事故、重大质量投诉、违法违规行为记录",
        "No major accidents, major quality complaints, legal violations in the 3 years to 2026-09-01",
    ),
    (
        "linyi",
        "unit_no_accidents",
        {"major_accidents": [], "major_quality_complaints": None},
        "needs_review",
        "未提供：重大质量投诉；由资格审查核实",
        "Not provided: major quality complaints; to be verified at qualification review",
    ),
]


@pytest.mark.parametrize(
    ("programme", "cid", "facts", "result", "zh", "en"),
    SENTENCES,
    ids=[f"{s[1]}-{s[3]}-{i}" for i, s in enumerate(SENTENCES)],
)
def test_each_result_is_explained_in_chinese_and_english(programme, cid, facts, result, zh, en):
    out = _run(programme, cid, facts)
    assert (out.result, out.zh, out.en) == (result, zh, en)


def test_the_facts_read_are_reported_with_the_gate_first__tianning_11i():
    out = _run(
        "tianning",
        "export_record",
        {"exporter": True, "export_quality_incidents": [], "losses": [{"on": "2026-01-01"}]},
    )
    assert list(out.facts) == ["exporter", "export_quality_incidents"]
    assert out.facts["exporter"] is True and out.applies is True and out.missing == []


def test_a_missing_relaxation_answer_matters_only_when_the_full_requirement_fails__linyi_10a():
    out = _run("linyi", "unit_operating_years", {"operating_since": "2021-09-02"})
    assert out.result == "needs_review" and out.missing == ["four_new_field"]
    assert out.facts == {"operating_since": "2021-09-02", "four_new_field": None}
    out = _run("linyi", "unit_operating_years", {"operating_since": "2021-09-01"})
    assert out.result == "pass" and out.missing == []


def test_a_criterion_may_name_its_own_jurisdiction():
    """``params.jurisdiction`` overrides the programme's (app/domain/programmes/facts.py)."""
    from app.domain.programmes.schema import EligibilityCriterion

    c = EligibilityCriterion(
        id="registered_in_city",
        kind="machine",
        test="within_jurisdiction",
        facts=["registered_jurisdiction"],
        params={"jurisdiction": "shanghai"},
        summary_en="registered in Shanghai",
        stated=False,
    )
    out = evaluate(c, {"registered_jurisdiction": "310116"}, CALL, "changning", "上海市长宁区")
    assert (out.result, out.en) == ("pass", "Registered domicile '310116' is within shanghai")
    assert evaluate(c, {"registered_jurisdiction": "330106"}, CALL, "changning", "上海市长宁区").result == "fail"


@pytest.mark.parametrize(
    ("programme", "cid", "fact", "zh", "en"),
    [
        (
            "changning",
            "model_registered_in_district",
            "registered_jurisdiction",
            "未提供：登记注册地；由资格审查核实",
            "Not provided: registered domicile; to be verified at qualification review",
        ),
        (
            "tianning",
            "legal_person",
            "legal_person",
            "未提供：独立法人资格；由资格审查核实",
            "Not provided: independent legal person; to be verified at qualification review",
        ),
        (
            "hangzhou",
            "quality_sector",
            "sector",
            "未提供：所属领域；由资格审查核实",
            "Not provided: sector; to be verified at qualification review",
        ),
        (
            "changning",
            "model_operating_years",
            "operating_since",
            "未提供：生产经营起始日期；由资格审查核实",
            "Not provided: operating since; to be verified at qualification review",
        ),
    ],
)
def test_a_fact_not_provided_is_named_and_needs_review__changning_16a(programme, cid, fact, zh, en):
    out = _run(programme, cid, {fact: None})
    assert (out.result, out.zh, out.en, out.missing, out.facts) == ("needs_review", zh, en, [fact], {fact: None})


def test_a_date_fact_may_be_given_as_a_date__changning_16a():
    out = _run("changning", "model_operating_years", {"operating_since": date(2023, 9, 1)})
    assert out.result == "pass" and out.facts == {"operating_since": "2023-09-01"}
    assert (
        _run("changning", "model_clean_record", {**_CLEAN_16F, "major_accidents": [{"on": date(2026, 9, 1)}]}).result
        == "fail"
    )
