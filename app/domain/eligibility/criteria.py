"""Evaluating one eligibility criterion (申报条件) from facts: pure functions, no I/O.

A machine criterion names a test (``app/domain/programmes/facts.py: TESTS``), the facts it reads
and its parameters; a judgement criterion is ``needs_review`` and goes to the qualification
checklist. Years are counted to the reference date, the date the round's call was published
(申报通知发布日): "N年以上" is at least N whole years from the fact's date to it, "近N年" is the N
years up to and including it. A fact that was not provided makes the criterion ``needs_review``,
never a silent pass. Each result carries a sentence in Chinese and English saying what was read
and why it passes or fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.domain.applicants.jurisdictions import within
from app.domain.programmes.schema import EligibilityCriterion

PASS, FAIL, REVIEW = "pass", "fail", "needs_review"

FACT_NAMES: dict[str, tuple[str, str]] = {
    "registered_jurisdiction": ("登记注册地", "registered domicile"),
    "work_jurisdiction": ("工作所在地", "place of work"),
    "registered_on": ("登记注册日期", "registration date"),
    "operating_since": ("生产经营起始日期", "operating since"),
    "legal_person": ("独立法人资格", "independent legal person"),
    "sector": ("所属领域", "sector"),
    "four_new_field": ("“四新”领域", "'four new' field"),
    "quality_work_since": ("从事质量工作起始日期", "quality work since"),
    "quality_work_in_jurisdiction_since": ("在本地从事质量工作起始日期", "quality work in the jurisdiction since"),
    "jurisdiction_work_since": ("在本区工作起始日期", "working in the district since"),
    "is_top_manager": ("组织最高管理者", "top manager of the organisation"),
    "certified_since": ("管理体系认证有效运行起始日期", "management-system certification since"),
    "excellence_model_since": ("实施卓越绩效模式起始日期", "performance-excellence model since"),
    "has_chief_quality_officer": ("首席质量官制度", "chief quality officer"),
    "above_size_manufacturer": ("制造业规上企业", "above-size manufacturer"),
    "mu_efficiency_grade": ("“亩均效益”综合评价档次", "per-mu efficiency grade"),
    "frontier_industry": ("放宽至B档的产业", "industry relaxed to grade B"),
    "civil_service_managed": ("按照（参照）公务员法管理的单位", "managed under the Civil Servant Law"),
    "exporter": ("出口企业", "exporter"),
    "losses": ("亏损", "losses"),
    "major_accidents": ("重大质量、安全、环境等事故", "major accidents"),
    "relatively_major_accidents": ("较大质量、安全、环境等事故", "relatively major accidents"),
    "major_quality_complaints": ("重大质量投诉", "major quality complaints"),
    "serious_dishonesty": ("严重失信行为", "serious dishonesty"),
    "legal_violations": ("违法违规行为", "legal violations"),
    "failed_quality_inspections": ("质量安全监督抽查不合格", "failed quality inspections"),
    "quality_claims_own_fault": ("自身责任引起的质量异议、索赔和退货", "own-fault quality claims"),
    "labour_dishonesty": ("重大劳动保障失信记录", "labour-security dishonesty"),
    "export_quality_incidents": ("出口产品退运、销毁或官方通报", "export quality incidents"),
}
# The exceptions a record may carry (``excepted`` in a criterion's params), as the sentences name them.
EXCEPTION_NAMES: dict[str, tuple[str, str]] = {
    "policy_losses": ("政策性亏损", "policy-related losses"),  # changning-16f
    "credit_repaired_before_deadline": (
        "至申报截止日期之前已完成信用修复的",
        "credit repaired before the application deadline",
    ),  # tianning-11h
}
_GRADES = "ABCD"


@dataclass
class Outcome:
    """One criterion's computed result, the facts it read, and why."""

    result: str
    facts: dict[str, Any]
    zh: str
    en: str
    applies: bool = True
    missing: list[str] = field(default_factory=list)


def _zh(fact: str) -> str:
    return FACT_NAMES.get(fact, (fact, fact))[0]


def _en(fact: str) -> str:
    return FACT_NAMES.get(fact, (fact, fact))[1]


def _cap(name: str) -> str:
    # str.capitalize() would lower the rest: "the Civil Servant Law" must keep its capitals
    return name[:1].upper() + name[1:]


def whole_years(since: date, until: date) -> int:
    years = until.year - since.year
    if (until.month, until.day) < (since.month, since.day):
        years -= 1
    return years


def years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def evaluate(
    criterion: EligibilityCriterion, facts: dict[str, Any], reference: date, jurisdiction: str, jurisdiction_zh: str
) -> Outcome:
    """The result of ``criterion`` over ``facts`` (a fact absent or None is not provided)."""
    if criterion.kind == "judgement":
        return Outcome(
            REVIEW,
            {},
            "须由评审人员判断，列入资格审查清单",
            "A reviewer's judgement: listed on the qualification checklist",
        )
    if criterion.applies_when is not None:
        gate = facts.get(criterion.applies_when)
        read = {criterion.applies_when: gate}
        if gate is None:
            return Outcome(
                REVIEW,
                read,
                f"未提供“{_zh(criterion.applies_when)}”，无法判断本条件是否适用",
                f"'{_en(criterion.applies_when)}' not provided: cannot tell whether this criterion applies",
                missing=[criterion.applies_when],
            )
        if not gate:
            return Outcome(
                PASS,
                read,
                f"不属于“{_zh(criterion.applies_when)}”，本条件不适用",
                f"Not '{_en(criterion.applies_when)}': the criterion does not apply",
                applies=False,
            )
    out = _TESTS[criterion.test or ""](criterion, facts, reference, jurisdiction, jurisdiction_zh)
    if criterion.applies_when is not None:
        out.facts = {criterion.applies_when: facts.get(criterion.applies_when), **out.facts}
    return out


def _missing(names: list[str], read: dict[str, Any]) -> Outcome:
    return Outcome(
        REVIEW,
        read,
        f"未提供：{'、'.join(_zh(n) for n in names)}；由资格审查核实",
        f"Not provided: {', '.join(_en(n) for n in names)}; to be verified at qualification review",
        missing=names,
    )


def _within_jurisdiction(
    c: EligibilityCriterion, facts: dict, ref: date, jurisdiction: str, jurisdiction_zh: str
) -> Outcome:
    fact = c.facts[0]
    target = str(c.params.get("jurisdiction", jurisdiction))
    value = facts.get(fact)
    read = {fact: value}
    if value is None:
        return _missing([fact], read)
    if within(str(value), target):
        return Outcome(
            PASS,
            read,
            f"{_zh(fact)}“{value}”在{jurisdiction_zh}范围内",
            f"{_cap(_en(fact))} '{value}' is within {target}",
        )
    return Outcome(
        FAIL,
        read,
        f"{_zh(fact)}“{value}”不在{jurisdiction_zh}范围内",
        f"{_cap(_en(fact))} '{value}' is not within {target}",
    )


def _min_years(c: EligibilityCriterion, facts: dict, ref: date, *_: Any) -> Outcome:
    fact = c.facts[0]
    since = _as_date(facts.get(fact))
    need = int(c.params["min_years"])
    read: dict[str, Any] = {fact: since.isoformat() if since else None}
    relaxed_when = c.params.get("relaxed_when")
    note_zh = note_en = ""
    years = whole_years(since, ref) if since is not None else None
    if relaxed_when:
        relaxed = facts.get(relaxed_when)
        read[relaxed_when] = relaxed
        # The relaxation only lowers the bar (linyi-10a: 5 years, 3 in the "四新" fields), so an
        # unanswered relaxation question matters only when the full requirement is not met.
        if relaxed is None and (years is None or years < need):
            return _missing(([fact] if since is None else []) + [relaxed_when], read)
        if relaxed:
            need = int(c.params["relaxed_min_years"])
            # the fact's own name may carry quotes ("“四新”领域"): not wrapped in a second pair
            note_zh, note_en = (
                f"（属{_zh(relaxed_when)}，放宽为{need}年）",
                f" (relaxed to {need} for {_en(relaxed_when)})",
            )
    if since is None or years is None:
        return _missing([fact], read)
    if years >= need:
        return Outcome(
            PASS,
            read,
            f"{_zh(fact)}{since.isoformat()}，至申报通知日{ref.isoformat()}满{years}年，不少于{need}年{note_zh}",
            f"{_cap(_en(fact))} {since.isoformat()}: {years} full years to the call's date {ref.isoformat()}, at least {need}{note_en}",
        )
    return Outcome(
        FAIL,
        read,
        f"{_zh(fact)}{since.isoformat()}，至申报通知日{ref.isoformat()}仅满{years}年，不足{need}年{note_zh}",
        f"{_cap(_en(fact))} {since.isoformat()}: only {years} full years to the call's date {ref.isoformat()}, fewer than {need}{note_en}",
    )


def _counted(records: list[dict], excepted: str | None, start: date | None, ref: date) -> list[dict]:
    out = []
    for r in records:
        on = _as_date(r.get("on"))
        if on is None or on > ref:
            continue
        if start is not None and on <= start:
            continue
        if excepted and r.get("excepted") == excepted:
            continue
        out.append(r)
    return out


def _records_test(c: EligibilityCriterion, facts: dict, ref: date, lookback: int | None) -> Outcome:
    read = {f: facts.get(f) for f in c.facts}
    missing = [f for f in c.facts if facts.get(f) is None]
    start = years_before(ref, lookback) if lookback else None
    excepted = c.params.get("excepted")
    # An exception may qualify one listed fact only (changning-16f: 政策性亏损 excuses losses, not
    # accidents); without ``excepted_facts`` it covers every fact the criterion reads (tianning-11h).
    excepted_facts = c.params.get("excepted_facts") or c.facts
    found = {
        f: _counted(list(facts.get(f) or []), excepted if f in excepted_facts else None, start, ref) for f in c.facts
    }
    hits = {f: rs for f, rs in found.items() if rs}
    window_zh = f"近{lookback}年（{start.isoformat()}后至{ref.isoformat()}）" if lookback and start else "历史上"
    window_en = f"in the {lookback} years to {ref.isoformat()}" if lookback else "ever"
    if hits:
        listed_zh = "；".join(
            f"{_zh(f)}{len(rs)}项（{', '.join(str(r.get('on')) for r in rs)}）" for f, rs in hits.items()
        )
        listed_en = "; ".join(
            f"{len(rs)} {_en(f)} ({', '.join(str(r.get('on')) for r in rs)})" for f, rs in hits.items()
        )
        return Outcome(FAIL, read, f"{window_zh}有记录：{listed_zh}", f"Records {window_en}: {listed_en}")
    if missing:
        return _missing(missing, read)
    ex_zh = ex_en = ""
    if excepted:
        exc_zh, exc_en = EXCEPTION_NAMES.get(excepted, (excepted, excepted))
        ex_zh = f"（{'、'.join(_zh(f) for f in excepted_facts)}中{exc_zh}除外）"
        ex_en = f" ({', '.join(_en(f) for f in excepted_facts)}: {exc_en} excepted)"
    return Outcome(
        PASS,
        read,
        f"{window_zh}无{'、'.join(_zh(f) for f in c.facts)}记录{ex_zh}",
        f"No {', '.join(_en(f) for f in c.facts)} {window_en}{ex_en}",
    )


def _none_within_years(c: EligibilityCriterion, facts: dict, ref: date, *_: Any) -> Outcome:
    return _records_test(c, facts, ref, int(c.params["lookback_years"]))


def _none_ever(c: EligibilityCriterion, facts: dict, ref: date, *_: Any) -> Outcome:
    return _records_test(c, facts, ref, None)


def _is(c: EligibilityCriterion, facts: dict, expected: bool) -> Outcome:
    fact = c.facts[0]
    value = facts.get(fact)
    read = {fact: value}
    if value is None:
        return _missing([fact], read)
    yes_zh, yes_en = ("是", "yes") if value else ("否", "no")
    if bool(value) is expected:
        return Outcome(PASS, read, f"{_zh(fact)}：{yes_zh}，符合要求", f"{_cap(_en(fact))}: {yes_en}, as required")
    return Outcome(
        FAIL, read, f"{_zh(fact)}：{yes_zh}，不符合要求", f"{_cap(_en(fact))}: {yes_en}, which the criterion refuses"
    )


def _is_true(c: EligibilityCriterion, facts: dict, *_: Any) -> Outcome:
    return _is(c, facts, True)


def _is_false(c: EligibilityCriterion, facts: dict, *_: Any) -> Outcome:
    return _is(c, facts, False)


def _in_set(c: EligibilityCriterion, facts: dict, *_: Any) -> Outcome:
    fact = c.facts[0]
    value = facts.get(fact)
    values = list(c.params["values"])
    read = {fact: value}
    if value is None:
        return _missing([fact], read)
    if value in values:
        return Outcome(
            PASS,
            read,
            f"{_zh(fact)}“{value}”属于{'、'.join(values)}",
            f"{_cap(_en(fact))} '{value}' is one of {', '.join(values)}",
        )
    return Outcome(
        FAIL,
        read,
        f"{_zh(fact)}“{value}”不属于{'、'.join(values)}",
        f"{_cap(_en(fact))} '{value}' is not one of {', '.join(values)}",
    )


def _grade_at_least(c: EligibilityCriterion, facts: dict, *_: Any) -> Outcome:
    fact = c.facts[0]
    grade = facts.get(fact)
    need = str(c.params["min_grade"])
    read: dict[str, Any] = {fact: grade}
    note_zh = note_en = ""
    relaxed_when = c.params.get("relaxed_when")
    if relaxed_when:
        relaxed = facts.get(relaxed_when)
        read[relaxed_when] = relaxed
        if relaxed:
            need = str(c.params["relaxed_min_grade"])
            note_zh, note_en = f"（属放宽产业，要求{need}档）", f" (a relaxed industry: grade {need})"
    if grade is None:
        return _missing([fact], read)
    # membership of the letters, not substring of "ABCD": "" or "AB" is not a grade (hangzhou-3.2.2b)
    if str(grade).upper() not in tuple(_GRADES):
        return Outcome(
            REVIEW, read, f"{_zh(fact)}“{grade}”不是A-D档", f"{_cap(_en(fact))} '{grade}' is not a grade A-D"
        )
    if _GRADES.index(str(grade).upper()) <= _GRADES.index(need):
        return Outcome(
            PASS,
            read,
            f"{_zh(fact)}为{grade}档，达到{need}档{note_zh}",
            f"{_cap(_en(fact))} {grade} reaches grade {need}{note_en}",
        )
    if relaxed_when and facts.get(relaxed_when) is None:
        return _missing([relaxed_when], read)
    return Outcome(
        FAIL,
        read,
        f"{_zh(fact)}为{grade}档，未达到{need}档{note_zh}",
        f"{_cap(_en(fact))} {grade} is below grade {need}{note_en}",
    )


_TESTS = {
    "within_jurisdiction": _within_jurisdiction,
    "min_years": _min_years,
    "none_within_years": _none_within_years,
    "none_ever": _none_ever,
    "is_true": _is_true,
    "is_false": _is_false,
    "in_set": _in_set,
    "grade_at_least": _grade_at_least,
}
