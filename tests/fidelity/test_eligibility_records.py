"""One fact, several meanings (issue 20 point 2): each criterion counts the records its text names.

Pure: the criteria of the five programmes over hand-made records, no database. The call is
published 2026-09-01 and closes 2026-09-20; the check is on 2026-09-10.
"""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.eligibility.criteria import Dates, evaluate
from app.domain.programmes.facts import FACTS
from app.domain.programmes.registry import get_registry

pytestmark = pytest.mark.no_database

DATES = Dates(call_published=date(2026, 9, 1), call_close=date(2026, 9, 20), check=date(2026, 9, 10))
CLEAN = {f: [] for f, t in FACTS.items() if t == "records"}


def _run(programme: str, cid: str, facts: dict, dates: Dates = DATES):
    p = get_registry().get(programme)
    c = next(c for c in p.eligibility if c.id == cid)
    return evaluate(c, {**CLEAN, **facts}, dates.call_published, p.jurisdiction.code, p.jurisdiction.name_zh, dates)


def _violation(severity: str | None) -> dict:
    r = {"on": "2025-05-01", "description": "行政处罚"}
    return {"legal_violations": [r | ({"severity": severity} if severity else {})]}


# --- violations: severity ----------------------------------------------------------------------


def test_an_ordinary_violation_does_not_fail_the_clean_record_that_names_major_ones__tianning_11h():
    """ "无其他重大违法违规记录": an ordinary (一般) violation is not what the text names."""
    out = _run("tianning", "clean_record", _violation("ordinary"))
    assert out.result == "pass", out
    assert [(r["counted"], r["why"]) for r in out.records] == [(False, "severity")]
    assert "不计" in out.zh and "本条只计重大" in out.zh
    assert _run("tianning", "clean_record", _violation("serious")).result == "pass"
    assert _run("tianning", "clean_record", _violation("major")).result == "fail"


def test_a_serious_violation_fails_hangzhou_and_an_ordinary_one_does_not__hangzhou_3_2_4():
    """ "无其他严重违法违规行为": 严重 and 重大 count, 一般 does not."""
    assert _run("hangzhou", "clean_record", _violation("serious")).result == "fail"
    assert _run("hangzhou", "clean_record", _violation("major")).result == "fail"
    assert _run("hangzhou", "clean_record", _violation("ordinary")).result == "pass"


@pytest.mark.parametrize(
    ("programme", "cid", "facts"),
    [
        ("linyi", "unit_no_violations", {}),  # linyi-10f 近3年内无其他违反法律法规的行为
        ("jinshan", "model_clean_record", {}),  # jinshan-15f 没有发生违反法律法规的行为
        ("jinshan", "achievement_top_manager_organisation_record", {"is_top_manager": True}),  # jinshan-16e
    ],
)
def test_any_violation_fails_where_the_text_names_any__linyi_10f_jinshan_15f_16e(programme, cid, facts):
    for severity in ("ordinary", "serious", "major", None):
        out = _run(programme, cid, {**facts, **_violation(severity)})
        assert out.result == "fail", (severity, out)


def test_a_violation_stored_without_its_severity_needs_review_where_severity_matters__tianning_11h():
    """Records stored before issue 20 carry no severity: unknown is neither a pass nor a refusal."""
    out = _run("tianning", "clean_record", _violation(None))
    assert out.result == "needs_review", out
    assert [(r["counted"], r["why"]) for r in out.records] == [(None, "unknown_severity")]
    assert "未载明严重程度" in out.zh and "severity not recorded" in out.en


# --- inspections: level ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "tianning", "hangzhou"),
    [
        ("national", "fail", "fail"),
        ("provincial", "fail", "fail"),
        ("city", "fail", "fail"),
        ("district", "pass", "fail"),
        ("other", "pass", "fail"),
    ],
)
def test_a_failed_inspection_counts_at_the_levels_each_text_names__tianning_11h_hangzhou_3_2_4(
    level, tianning, hangzhou
):
    """tianning: "国家、省或市质量监督抽查不合格" (three levels); hangzhou: "各级质量安全监督检查合格" (every level)."""
    facts = {"failed_quality_inspections": [{"on": "2025-03-01", "level": level}]}
    assert _run("tianning", "clean_record", facts).result == tianning
    assert _run("hangzhou", "clean_record", facts).result == hangzhou


# --- complaints: major, fault, complainant, valid -----------------------------------------------


def _complaint(**attrs) -> dict:
    return {"major_quality_complaints": [{"on": "2025-06-01", **attrs}]}


MAJOR_OWN_CUSTOMER = {"major": True, "fault": True, "complainant": "customer", "valid": True}


def test_a_complaint_not_caused_by_the_organisation_counts_only_where_fault_is_not_named__jinshan_15f_linyi_10e():
    not_own = {**MAJOR_OWN_CUSTOMER, "fault": False}
    # "无因组织责任导致的重大用户（顾客）投诉" / "无因单位责任导致顾客投诉的突出问题"
    assert _run("jinshan", "model_clean_record", _complaint(**not_own)).result == "pass"
    assert _run("linyi", "unit_no_accidents", _complaint(**not_own)).result == "pass"
    assert _run("hangzhou", "clean_record", _complaint(**not_own)).result == "pass"
    # "无重大质量投诉" (changning-16f, tianning-11h) and "无重大社会负面影响投诉" (jinshan-16e) name no fault
    assert _run("changning", "model_clean_record", _complaint(**not_own)).result == "fail"
    assert _run("tianning", "clean_record", _complaint(**not_own)).result == "fail"
    top = {"is_top_manager": True}
    assert _run("jinshan", "achievement_top_manager_organisation_record", {**top, **_complaint(**not_own)}).result == (
        "fail"
    )
    for programme, cid in (("jinshan", "model_clean_record"), ("linyi", "unit_no_accidents")):
        assert _run(programme, cid, _complaint(**MAJOR_OWN_CUSTOMER)).result == "fail"


def test_a_minor_complaint_is_not_a_major_one__changning_16f():
    out = _run("changning", "model_clean_record", _complaint(major=False))
    assert out.result == "pass" and out.records[0]["why"] == "major"


@pytest.mark.parametrize(
    ("attrs", "result"),
    [
        (MAJOR_OWN_CUSTOMER, "fail"),
        ({**MAJOR_OWN_CUSTOMER, "complainant": "employee"}, "fail"),
        ({**MAJOR_OWN_CUSTOMER, "complainant": "public"}, "fail"),
        ({**MAJOR_OWN_CUSTOMER, "complainant": "other"}, "pass"),
        ({**MAJOR_OWN_CUSTOMER, "valid": False}, "pass"),
        ({**MAJOR_OWN_CUSTOMER, "major": False}, "pass"),
        ({"major": True, "fault": True, "complainant": "supplier"}, "needs_review"),
    ],
)
def test_hangzhou_counts_major_valid_complaints_the_organisation_caused_from_the_parties_it_names__hangzhou_3_2_4(
    attrs, result
):
    """ "无因组织责任导致的顾客、员工、供应方、合作伙伴、社会组织或公众对其重大有效投诉"."""
    assert _run("hangzhou", "clean_record", _complaint(**attrs)).result == result


def test_a_complaint_to_jinshan_15f_must_come_from_a_customer__jinshan_15f():
    """ "重大用户（顾客）投诉": a supplier's complaint is not one."""
    assert _run(
        "jinshan", "model_clean_record", _complaint(**{**MAJOR_OWN_CUSTOMER, "complainant": "supplier"})
    ).result == ("pass")


# --- the serious-dishonesty list is a status -----------------------------------------------------


def test_a_listing_still_in_force_fails_however_old_and_one_ended_does_not__hangzhou_3_2_4():
    """ "未被列入严重失信名单": the list on the day of the check, not a 3-year window."""
    old_in_force = {"serious_dishonesty": [{"on": "2019-01-01"}]}
    out = _run("hangzhou", "not_listed_seriously_dishonest", old_in_force)
    assert out.result == "fail" and out.counted_to == DATES.check
    recent_ended = {"serious_dishonesty": [{"on": "2025-01-01", "ended_on": "2026-03-01"}]}
    out = _run("hangzhou", "not_listed_seriously_dishonest", recent_ended)
    assert out.result == "pass" and out.records[0]["why"] == "ended"
    # removed on the day of the check itself: off the list that day
    ends_that_day = {"serious_dishonesty": [{"on": "2025-01-01", "ended_on": "2026-09-10"}]}
    assert _run("hangzhou", "not_listed_seriously_dishonest", ends_that_day).result == "pass"
    # removed only after the day of the check: still listed on it
    ends_later = {"serious_dishonesty": [{"on": "2025-01-01", "ended_on": "2026-09-11"}]}
    assert _run("hangzhou", "not_listed_seriously_dishonest", ends_later).result == "fail"
    # no longer read by the 3-year clean record
    clean = next(c for c in get_registry().get("hangzhou").eligibility if c.id == "clean_record")
    assert "serious_dishonesty" not in clean.facts


# --- hangzhou's latest 亩均 grade ------------------------------------------------------------------


def test_only_the_latest_years_grade_counts__hangzhou_3_2_2b():
    """ "制造业规上企业最新年度“亩均效益”综合评价结果达到A档": a 2022 A says nothing of 2025."""
    base = {"above_size_manufacturer": True, "frontier_industry": False}
    old = _run("hangzhou", "mu_efficiency_grade", {**base, "mu_efficiency_grade": "A", "mu_efficiency_year": 2022})
    assert old.result == "needs_review" and "2025年度" in old.zh, old
    latest_c = {**base, "mu_efficiency_grade": "C", "mu_efficiency_year": 2025}
    assert _run("hangzhou", "mu_efficiency_grade", latest_c).result == "fail"
    latest_a = {**base, "mu_efficiency_grade": "A", "mu_efficiency_year": 2025}
    assert _run("hangzhou", "mu_efficiency_grade", latest_a).result == "pass"
    no_year = _run("hangzhou", "mu_efficiency_grade", {**base, "mu_efficiency_grade": "A"})
    assert no_year.result == "needs_review" and no_year.missing == ["mu_efficiency_year"]
    # a grade of the call's own year may already be out; a later one cannot be
    this_year = {**base, "mu_efficiency_grade": "A", "mu_efficiency_year": 2026}
    assert _run("hangzhou", "mu_efficiency_grade", this_year).result == "pass"
    for year in (2027, "2025"):
        odd = _run("hangzhou", "mu_efficiency_grade", {**base, "mu_efficiency_grade": "A", "mu_efficiency_year": year})
        assert odd.result == "needs_review" and "不是有效年度" in odd.zh, odd


# --- preferences and judgement items ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("cqo", "zh", "en"), [(True, "是", "yes"), (False, "否", "no"), (None, "未提供", "not provided")]
)
def test_a_chief_quality_officer_is_a_preference_never_a_refusal__jinshan_15h(cqo, zh, en):
    """jinshan-15h: "申报组织具备首席质量官者优先"."""
    out = _run("jinshan", "model_cqo_priority", {"has_chief_quality_officer": cqo})
    assert out.result == "pass"
    assert out.zh == f"优先条件，不作为申报条件：首席质量官制度：{zh}；供评审参考"
    assert out.en == f"A preference, not a condition: chief quality officer: {en}; shown to the reviewers"
    c = next(c for c in get_registry().get("jinshan").eligibility if c.id == "model_cqo_priority")
    assert c.kind == "preference" and c.clause == "jinshan-15h"


@pytest.mark.parametrize(
    ("programme", "cid", "clause"),
    [("linyi", "unit_lawfully_established", "linyi-3a"), ("hangzhou", "cultivation_mechanism", "hangzhou-3.2.3a")],
)
def test_judgement_items_the_texts_set_are_on_the_checklist__linyi_3a_hangzhou_3_2_3a(programme, cid, clause):
    c = next(c for c in get_registry().get(programme).eligibility if c.id == cid)
    assert c.kind == "judgement" and c.clause == clause
    assert _run(programme, cid, {}).result == "needs_review"


# --- the days counted to --------------------------------------------------------------------------


def test_years_of_operation_count_to_the_calls_close__tianning_11a():
    """ "正常运营3年以上": three years reached on 2026-09-15, after the call and before its close, pass."""
    out = _run("tianning", "operating_years", {"operating_since": "2023-09-15"})
    assert out.result == "pass" and out.counted_to == DATES.call_close and "申报截止日2026-09-20" in out.zh
    assert _run("tianning", "operating_years", {"operating_since": "2023-09-21"}).result == "fail"


def test_the_look_back_window_ends_on_the_day_of_the_check__changning_16f():
    """An accident nine days after the call counts at a check on or after it."""
    accident = {"major_accidents": [{"on": "2026-09-10"}]}
    out = _run("changning", "model_clean_record", accident)
    assert out.result == "fail" and out.counted_to == DATES.check
    assert out.records == [
        {
            "fact": "major_accidents",
            "on": "2026-09-10",
            "description": "",
            "counted": True,
            "why": "counted",
            "zh": "计入",
            "en": "counted",
        }
    ]
    # a criterion that counts no years names no day
    assert (
        _run("changning", "model_registered_in_district", {"registered_jurisdiction": "changning"}).counted_to is None
    )
    before = Dates(DATES.call_published, DATES.call_close, date(2026, 9, 9))
    out = _run("changning", "model_clean_record", accident, before)
    assert out.result == "pass"
    assert [(r["why"], r["zh"], r["en"]) for r in out.records] == [
        ("after_window", "晚于2026-09-09，不计", "after 2026-09-09: not counted")
    ]
    old = _run("changning", "model_clean_record", {"major_accidents": [{"on": "2023-09-10"}]})
    assert old.result == "pass"
    assert [(r["why"], r["zh"], r["en"]) for r in old.records] == [
        ("before_window", "早于近3年（2023-09-10后），不计", "before the window (after 2023-09-10): not counted")
    ]


def test_a_credit_repair_completed_after_the_close_is_no_exception__tianning_11h():
    """ "至申报截止日期之前已完成信用修复的除外"."""
    repaired = {"on": "2025-01-01", "excepted": "credit_repaired_before_deadline"}
    in_time = {"labour_dishonesty": [{**repaired, "excepted_on": "2026-09-20"}]}
    out = _run("tianning", "clean_record", in_time)
    assert out.result == "pass"
    assert [(r["why"], r["zh"], r["en"]) for r in out.records] == [
        (
            "excepted",
            "属至申报截止日期之前已完成信用修复的，不计",
            "credit repaired before the application deadline: not counted",
        )
    ]
    late = {"labour_dishonesty": [{**repaired, "excepted_on": "2026-09-21"}]}
    out = _run("tianning", "clean_record", late, Dates(DATES.call_published, DATES.call_close, date(2026, 9, 25)))
    assert out.result == "fail" and out.records[0]["why"] == "excepted_too_late"


def test_every_counting_criterion_states_its_day_and_why():
    """The reference day of each "近N年" / "N年以上" is a reading written in the programme data."""
    for code in get_registry().codes():
        for c in get_registry().get(code).eligibility:
            if c.test in ("min_years", "none_within_years"):
                assert c.counted_to is not None and c.counted_to.note_en, (code, c.id)


def test_a_record_without_a_date_is_listed_as_not_counted__changning_16f():
    out = _run("changning", "model_clean_record", {"major_accidents": [{"description": "未注明日期"}]})
    assert out.result == "pass"
    assert [(r["counted"], r["why"], r["zh"], r["en"]) for r in out.records] == [
        (False, "undated", "未载明日期，不计", "no date: not counted")
    ]
