"""Evaluating one eligibility criterion (申报条件) from facts: pure functions, no I/O.

A machine criterion names a test (``app/domain/programmes/facts.py: TESTS``), the facts it reads
and its parameters; a judgement criterion is ``needs_review`` and goes to the qualification
checklist; a preference (优先, jinshan-15h) is shown to the reviewers and never refuses.

Which day years count to is each criterion's ``counted_to`` (programme data, with its reading):
"N年以上" to the call's close, so an applicant who reaches N years by the deadline is not refused
at the call's date; "近N年" to the day of the check (the submission, then the qualification
review with the records known then), so an accident after the call counts. "N年以上" is at least
N whole years from the fact's date to that day, "近N年" the N years up to and including it.
Without ``Dates`` (the pure tests) every count ends on the one reference date given.

Each record is judged one by one: counted, or not and why (outside the window, excepted, an
attribute the text does not name: an ordinary violation where tianning-11h names 重大). A record
lacking an attribute the criterion selects on makes it ``needs_review``, never a silent pass or
refusal. A fact that was not provided makes the criterion ``needs_review`` too. Each result
carries a sentence in Chinese and English saying what was read and why.
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
    "mu_efficiency_year": ("“亩均效益”综合评价年度", "per-mu efficiency year"),
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
ATTRIBUTE_NAMES: dict[str, tuple[str, str]] = {
    "severity": ("严重程度", "severity"),
    "level": ("检查级别", "inspection level"),
    "fault": ("是否因组织责任导致", "caused by the organisation"),
    "complainant": ("投诉人", "complainant"),
    "major": ("是否重大", "major"),
    "valid": ("是否有效", "valid"),
}
VALUE_NAMES: dict[object, tuple[str, str]] = {
    "ordinary": ("一般", "ordinary"),
    "serious": ("严重", "serious"),
    "major": ("重大", "major"),
    "national": ("国家级", "national"),
    "provincial": ("省级", "provincial"),
    "city": ("市级", "city"),
    "district": ("区（县）级", "district"),
    "other": ("其他", "other"),
    "customer": ("顾客", "customer"),
    "employee": ("员工", "employee"),
    "supplier": ("供应方", "supplier"),
    "partner": ("合作伙伴", "partner"),
    "social_organisation": ("社会组织", "social organisation"),
    "public": ("公众", "the public"),
    True: ("是", "yes"),
    False: ("否", "no"),
}
# what each reference day is called in the sentences
DAY_NAMES: dict[str, tuple[str, str]] = {
    "call_published": ("申报通知日", "the call's date"),
    "call_close": ("申报截止日", "the call's close"),
    "check": ("核查日", "the day of the check"),
}


@dataclass(frozen=True)
class Dates:
    """The days a criterion may count to: the call's publication and close, and the day of the check."""

    call_published: date
    call_close: date
    check: date

    def of(self, which: str) -> date:
        return {"call_published": self.call_published, "call_close": self.call_close, "check": self.check}[which]


@dataclass
class Outcome:
    """One criterion's computed result, the facts it read, and why."""

    result: str
    facts: dict[str, Any]
    zh: str
    en: str
    applies: bool = True
    missing: list[str] = field(default_factory=list)
    # the day the criterion counted to, and each record it read: counted or not, and why
    counted_to: date | None = None
    records: list[dict[str, Any]] = field(default_factory=list)


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


def _which_day(c: EligibilityCriterion) -> str:
    # every min_years / none_within_years criterion states its day (the schema requires it)
    return c.counted_to.ends_on if c.counted_to is not None else "check"


def evaluate(
    criterion: EligibilityCriterion,
    facts: dict[str, Any],
    reference: date,
    jurisdiction: str,
    jurisdiction_zh: str,
    dates: Dates | None = None,
) -> Outcome:
    """The result of ``criterion`` over ``facts`` (a fact absent or None is not provided).

    ``dates``: the days the criterion's ``counted_to`` may name; without them every count ends on
    ``reference``.
    """
    if criterion.kind == "preference":
        return _preference(criterion, facts)
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
    day = _which_day(criterion) if dates is not None else "call_published"
    ref = dates.of(day) if dates is not None else reference
    ctx = _Context(day, dates, reference)
    out = _TESTS[criterion.test or ""](criterion, facts, ref, jurisdiction, jurisdiction_zh, ctx)
    if criterion.applies_when is not None:
        out.facts = {criterion.applies_when: facts.get(criterion.applies_when), **out.facts}
    if out.counted_to is None and criterion.test in _COUNTING:
        out.counted_to = ref
    return out


@dataclass(frozen=True)
class _Context:
    """Which day a test counts to (its name in the sentences), and the other days it may need."""

    day: str
    dates: Dates | None
    reference: date

    def call_close(self) -> date:
        return self.dates.call_close if self.dates is not None else self.reference

    def call_year(self) -> int:
        return (self.dates.call_published if self.dates is not None else self.reference).year


def _preference(c: EligibilityCriterion, facts: dict) -> Outcome:
    """A preference (优先) the text gives the reviewers, never a condition: it passes whatever the fact (jinshan-15h)."""
    fact = c.facts[0]
    value = facts.get(fact)
    yes = {True: ("是", "yes"), False: ("否", "no"), None: ("未提供", "not provided")}[
        None if value is None else bool(value)
    ]
    return Outcome(
        PASS,
        {fact: value},
        f"优先条件，不作为申报条件：{_zh(fact)}：{yes[0]}；供评审参考",
        f"A preference, not a condition: {_en(fact)}: {yes[1]}; shown to the reviewers",
    )


def _missing(names: list[str], read: dict[str, Any]) -> Outcome:
    return Outcome(
        REVIEW,
        read,
        f"未提供：{'、'.join(_zh(n) for n in names)}；由资格审查核实",
        f"Not provided: {', '.join(_en(n) for n in names)}; to be verified at qualification review",
        missing=names,
    )


def _within_jurisdiction(
    c: EligibilityCriterion, facts: dict, ref: date, jurisdiction: str, jurisdiction_zh: str, *_: Any
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


def _min_years(c: EligibilityCriterion, facts: dict, ref: date, _j: str, _jz: str, ctx: _Context) -> Outcome:
    fact = c.facts[0]
    day_zh, day_en = DAY_NAMES[ctx.day]
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
            f"{_zh(fact)}{since.isoformat()}，至{day_zh}{ref.isoformat()}满{years}年，不少于{need}年{note_zh}",
            f"{_cap(_en(fact))} {since.isoformat()}: {years} full years to {day_en} {ref.isoformat()}, at least {need}{note_en}",
        )
    return Outcome(
        FAIL,
        read,
        f"{_zh(fact)}{since.isoformat()}，至{day_zh}{ref.isoformat()}仅满{years}年，不足{need}年{note_zh}",
        f"{_cap(_en(fact))} {since.isoformat()}: only {years} full years to {day_en} {ref.isoformat()}, fewer than {need}{note_en}",
    )


def _value_name(value: Any) -> tuple[str, str]:
    return (
        VALUE_NAMES.get(value, (str(value), str(value))) if isinstance(value, (str, bool)) else (str(value), str(value))
    )


def _verdict(fact: str, r: dict, counted: bool | None, why: str, zh: str, en: str) -> dict[str, Any]:
    return {
        "fact": fact,
        "on": None if r.get("on") is None else str(r.get("on")),
        "description": r.get("description") or "",
        "counted": counted,
        "why": why,
        "zh": zh,
        "en": en,
    }


def _judge(
    c: EligibilityCriterion,
    fact: str,
    r: dict,
    start: date | None,
    ref: date,
    excepted: str | None,
    ctx: _Context,
    in_force: bool,
) -> dict[str, Any]:
    """One record: counted (True), not counted (False) or unknown (None, an attribute missing), and why."""
    on = _as_date(r.get("on"))
    if on is None:
        return _verdict(fact, r, False, "undated", "未载明日期，不计", "no date: not counted")
    if on > ref:
        return _verdict(
            fact, r, False, "after_window", f"晚于{ref.isoformat()}，不计", f"after {ref.isoformat()}: not counted"
        )
    if in_force:
        ended = _as_date(r.get("ended_on"))
        if ended is not None and ended <= ref:
            return _verdict(
                fact,
                r,
                False,
                "ended",
                f"已于{ended.isoformat()}移出，{ref.isoformat()}不在名单中，不计",
                f"removed on {ended.isoformat()}: not listed on {ref.isoformat()}, not counted",
            )
    elif start is not None and on <= start:
        return _verdict(
            fact,
            r,
            False,
            "before_window",
            f"早于近{c.params.get('lookback_years')}年（{start.isoformat()}后），不计",
            f"before the window (after {start.isoformat()}): not counted",
        )
    if excepted and r.get("excepted") == excepted:
        exc_zh, exc_en = EXCEPTION_NAMES.get(excepted, (excepted, excepted))
        until = c.params.get("excepted_until")
        done = _as_date(r.get("excepted_on"))
        # tianning-11h: the credit repair must be completed before the application deadline
        limit = ctx.call_close() if until == "call_close" else None
        if limit is not None and done is not None and done > limit:
            return _verdict(
                fact,
                r,
                True,
                "excepted_too_late",
                f"{exc_zh}的日期{done.isoformat()}晚于申报截止日{limit.isoformat()}，仍计入",
                f"{exc_en}: dated {done.isoformat()}, after the application deadline {limit.isoformat()}; counted",
            )
        return _verdict(fact, r, False, "excepted", f"属{exc_zh}，不计", f"{exc_en}: not counted")
    unknown = []
    for attr, values in (c.params.get("select") or {}).get(fact, {}).items():
        value = r.get(attr)
        a_zh, a_en = ATTRIBUTE_NAMES.get(attr, (attr, attr))
        if value is None:
            unknown.append(attr)
            continue
        if value not in values:
            v_zh, v_en = _value_name(value)
            need_zh = "、".join(_value_name(v)[0] for v in values)
            need_en = ", ".join(_value_name(v)[1] for v in values)
            return _verdict(
                fact,
                r,
                False,
                attr,
                f"{a_zh}：{v_zh}，本条只计{need_zh}",
                f"{a_en}: {v_en}; the criterion counts only {need_en}",
            )
    if unknown:
        return _verdict(
            fact,
            r,
            None,
            "unknown_" + "_".join(unknown),
            f"未载明{'、'.join(ATTRIBUTE_NAMES[a][0] for a in unknown)}，无法判断是否属于本条所指",
            f"{', '.join(ATTRIBUTE_NAMES[a][1] for a in unknown)} not recorded: cannot tell whether the criterion means it",
        )
    return _verdict(fact, r, True, "counted", "计入", "counted")


def _listed(rs: list[dict]) -> str:
    return ", ".join(str(r["on"]) for r in rs)


def _records_test(
    c: EligibilityCriterion, facts: dict, ref: date, lookback: int | None, ctx: _Context, in_force: bool = False
) -> Outcome:
    read = {f: facts.get(f) for f in c.facts}
    missing = [f for f in c.facts if facts.get(f) is None]
    start = years_before(ref, lookback) if lookback else None
    excepted = c.params.get("excepted")
    # An exception may qualify one listed fact only (changning-16f: 政策性亏损 excuses losses, not
    # accidents); without ``excepted_facts`` it covers every fact the criterion reads (tianning-11h).
    excepted_facts = c.params.get("excepted_facts") or c.facts
    judged = [
        _judge(
            c, f, r if isinstance(r, dict) else {}, start, ref, excepted if f in excepted_facts else None, ctx, in_force
        )
        for f in c.facts
        for r in list(facts.get(f) or [])
    ]
    hits: dict[str, list[dict]] = {}
    unsure: dict[str, list[dict]] = {}
    for v in judged:
        if v["counted"] is True:
            hits.setdefault(v["fact"], []).append(v)
        elif v["counted"] is None:
            unsure.setdefault(v["fact"], []).append(v)
    if in_force:
        window_zh, window_en = f"截至{ref.isoformat()}", f"on {ref.isoformat()}"
    else:
        window_zh = f"近{lookback}年（{start.isoformat()}后至{ref.isoformat()}）" if lookback and start else "历史上"
        window_en = f"in the {lookback} years to {ref.isoformat()}" if lookback else "ever"
    if hits:
        listed_zh = "；".join(f"{_zh(f)}{len(rs)}项（{_listed(rs)}）" for f, rs in hits.items())
        listed_en = "; ".join(f"{len(rs)} {_en(f)} ({_listed(rs)})" for f, rs in hits.items())
        return Outcome(
            FAIL, read, f"{window_zh}有记录：{listed_zh}", f"Records {window_en}: {listed_en}", records=judged
        )
    if unsure:
        listed_zh = "；".join(f"{_zh(f)}{len(rs)}项（{_listed(rs)}）：{rs[0]['zh']}" for f, rs in unsure.items())
        listed_en = "; ".join(f"{len(rs)} {_en(f)} ({_listed(rs)}): {rs[0]['en']}" for f, rs in unsure.items())
        return Outcome(
            REVIEW,
            read,
            f"{window_zh}有记录未载明本条所区分的属性：{listed_zh}；由资格审查核实",
            f"Records {window_en} lack an attribute the criterion depends on: {listed_en}; to be verified at qualification review",
            records=judged,
        )
    if missing:
        out = _missing(missing, read)
        out.records = judged
        return out
    ex_zh = ex_en = ""
    if excepted:
        exc_zh, exc_en = EXCEPTION_NAMES.get(excepted, (excepted, excepted))
        ex_zh = f"（{'、'.join(_zh(f) for f in excepted_facts)}中{exc_zh}除外）"
        ex_en = f" ({', '.join(_en(f) for f in excepted_facts)}: {exc_en} excepted)"
    # records the text does not mean (an ordinary violation where it names 重大) are named, so the pass is explained
    unmeant = [v for v in judged if v["why"] in ATTRIBUTE_NAMES]
    un_zh = un_en = ""
    if unmeant:
        un_zh = "；不计：" + "；".join(f"{_zh(v['fact'])}（{v['on']}）{v['zh']}" for v in unmeant)
        un_en = "; not counted: " + "; ".join(f"{_en(v['fact'])} ({v['on']}) {v['en']}" for v in unmeant)
    names_zh = "、".join(_zh(f) for f in c.facts)
    names_en = ", ".join(_en(f) for f in c.facts)
    if in_force:
        return Outcome(
            PASS,
            read,
            f"{window_zh}未被列入{names_zh}名单",
            f"Not listed for {names_en} {window_en}",
            records=judged,
        )
    return Outcome(
        PASS,
        read,
        f"{window_zh}无{names_zh}记录{ex_zh}{un_zh}",
        f"No {names_en} {window_en}{ex_en}{un_en}",
        records=judged,
    )


def _none_within_years(c: EligibilityCriterion, facts: dict, ref: date, _j: str, _jz: str, ctx: _Context) -> Outcome:
    return _records_test(c, facts, ref, int(c.params["lookback_years"]), ctx)


def _none_ever(c: EligibilityCriterion, facts: dict, ref: date, _j: str, _jz: str, ctx: _Context) -> Outcome:
    return _records_test(c, facts, ref, None, ctx)


def _none_in_force(c: EligibilityCriterion, facts: dict, ref: date, _j: str, _jz: str, ctx: _Context) -> Outcome:
    """A current status ("未被列入", hangzhou-3.2.4): listed on or before the day and not removed by it."""
    return _records_test(c, facts, ref, None, ctx, in_force=True)


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


def _grade_at_least(c: EligibilityCriterion, facts: dict, ref: date, _j: str, _jz: str, ctx: _Context) -> Outcome:
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
    year_fact = c.params.get("year_fact")
    if year_fact:
        stale = _not_latest(c, facts, grade, year_fact, read, ctx)
        if stale is not None:
            return stale
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


def _not_latest(
    c: EligibilityCriterion, facts: dict, grade: Any, year_fact: str, read: dict, ctx: _Context
) -> Outcome | None:
    """hangzhou-3.2.2b "最新年度…达到A档": a grade speaks only for its year; one older than the latest is not read.

    The latest year is the one before the call's (``latest_year: previous_to_call``): a year's
    亩均效益 evaluation is published in the next.
    """
    year = facts.get(year_fact)
    read[year_fact] = year
    if year is None:
        return _missing([year_fact], read)
    latest = ctx.call_year() - 1
    if not isinstance(year, int) or year > ctx.call_year():
        return Outcome(
            REVIEW,
            read,
            f"{_zh(year_fact)}“{year}”不是有效年度",
            f"{_cap(_en(year_fact))} '{year}' is not a valid year",
        )
    if year < latest:
        return Outcome(
            REVIEW,
            read,
            f"{_zh('mu_efficiency_grade')}{grade}档为{year}年度的结果，须最新年度（{latest}年度）的结果；由资格审查核实",
            f"The {_en('mu_efficiency_grade')} {grade} is {year}'s; the latest year's ({latest}) is needed; to be verified at qualification review",
        )
    return None


_COUNTING = ("min_years", "none_within_years", "none_ever", "none_in_force")

_TESTS = {
    "within_jurisdiction": _within_jurisdiction,
    "min_years": _min_years,
    "none_within_years": _none_within_years,
    "none_ever": _none_ever,
    "is_true": _is_true,
    "is_false": _is_false,
    "in_set": _in_set,
    "grade_at_least": _grade_at_least,
    "none_in_force": _none_in_force,
}
