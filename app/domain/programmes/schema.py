"""The schema of a programme definition (评奖项目定义).

A programme is one government quality award (长宁区政府质量奖, 杭州市政府质量奖, ...) as its
regulation (管理办法/评定办法) sets it up. Each programme is one YAML file under
``definitions/``; the file holds the programme's identity and a list of ``versions``, one per
regulation text. Everything a rule of the service needs (tiers, quotas, the review pipeline,
notice periods, eligibility, bans, rewards, duties after the award) is data read from here.

Conventions every definition follows:

- a value that comes from the text cites its clause id (``clause: <regulation>-<article><letter>``),
  an id of ``catalogue/clauses.yaml``;
- a value the text does not state is the service's reading (INTERPRETATIONS.md) and carries
  ``stated: false``; the API shows it as "not stated by the regulation" and a round may change
  it (``ProgrammeVersion.with_overrides``) with a recorded reason.
"""

from __future__ import annotations

import itertools
import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from app.domain.programmes.facts import FACTS, RECORD_ATTRIBUTES, TESTS
from app.domain.states import FINAL_STATES, NOTICE_STAGES, ApplicationState

CLAUSE_ID_RE = re.compile(r"^[a-z][a-z0-9_]*-[0-9]+(?:\.[0-9]+)*[a-z]?$")

ClauseId = Annotated[str, StringConstraints(pattern=CLAUSE_ID_RE.pattern)]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]


# A review stage (评审阶段): a state of the application machine between ``draft`` and ``awarded``,
# spelt by the one state vocabulary (app/domain/states.py, with each stage's Chinese name).
Stage = StrEnum(
    "Stage",
    [
        (s.name, s.value)
        for s in ApplicationState
        if s not in FINAL_STATES and s not in (ApplicationState.DRAFT, ApplicationState.AWARDED)
    ],
)

Stage.__doc__ = "A review stage: a state of the application state machine (``draft`` first, ``awarded`` last, implied)."


# The only order stages may come in; a pipeline is a subsequence of it.
STAGE_ORDER: tuple[Stage, ...] = tuple(Stage)


# Which notice points a notice stage may publish.
NOTICE_POINTS_BY_STAGE: dict[Stage, frozenset[str]] = {
    Stage.QUALIFICATION_NOTICE: frozenset({"qualification", "material_entrants"}),
    Stage.ONSITE_NOTICE: frozenset({"onsite_entrants"}),
    Stage.AWARD_NOTICE: frozenset({"winners"}),
}


class Actor(StrEnum):
    """A role that fires a stage's exit events."""

    OFFICE = "office"  # 评审办 / 区审定办 / 市市场监管局 / 质量强市办 / 质发办
    RECOMMENDER = "recommender"  # 街镇、园区、主管部门 / 县区质量议事协调机构
    APPLICANT = "applicant"
    COMMITTEE = "committee"  # 评审会 / 区审定委 / 评审组 / 领导小组 / 质发委
    EXPERT = "expert"  # 评审组 / 专家组 / 第三方机构专家
    SYSTEM = "system"  # deadlines and other automatic events


Unit = Literal["working_day", "calendar_day"]

# Upper bounds of the numbers a definition or a round's override may hold (issue 13): no regulation
# comes near them, and a number beyond them (a notice of 10^4000 days) is refused when it is set,
# naming the field, not when a period engine or the database meets it at publication.
MAX_PERIOD_LENGTH = 366  # a notice or a verification period: at most a year
MAX_QUOTA = 10_000
MAX_YEARS = 100  # a cycle, a retention period
MAX_AMOUNT_YUAN = 1_000_000_000
Audience = Literal["public", "applicant_unit"]
NoticePoint = Literal["qualification", "material_entrants", "onsite_entrants", "winners"]
# The guards a definition may put on the workflow's transitions (app/workflow/machine.py CONDITIONS)
NoticeClosingCondition = Literal["notice_period_over", "no_open_objection"]
NoticeOpeningCondition = Literal["decision_recorded", "publication_approved"]
SubmitCondition = Literal["window_open"]
# committee_decided: the committee's meeting decided to select (issue 15), where the programme enables it
SelectCondition = Literal["quota_available", "not_banned", "committee_decided"]
# the award's tier and category, as given, checked against the bans in force (changning-18b, jinshan-17b, linyi-13a)
ApproveCondition = Literal["not_banned"]
# what a review stage's pass event needs of the expert review (issue 14): the material review's
# consensus score, the on-site report, the defence record, the comprehensive evaluation report
# and, where a text names it, the public-opinion survey (舆情调查, linyi-14e)
ReviewCondition = Literal[
    "material_consensus", "onsite_report", "defence_record", "evaluation_report", "opinion_survey"
]
REVIEW_CONDITIONS: dict[str, list[str]] = {
    "material_review": ["material_consensus"],
    "onsite_review": ["onsite_report"],
    "defence": ["defence_record"],
    "comprehensive_evaluation": ["evaluation_report"],
}


def _no_repeats(conditions: list[str], where: str) -> None:
    for i, c in enumerate(conditions):
        if c in conditions[:i]:
            raise ValueError(f"{where}.{i}: condition '{c}' is listed twice")


ApplicantKind = Literal["organisation", "individual"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _unique(items: list[Any], key: str, where: str) -> None:
    seen: set[Any] = set()
    for i, item in enumerate(items):
        value = getattr(item, key)
        if value in seen:
            raise ValueError(f"{where}.{i}.{key}: duplicate {key} '{value}'")
        seen.add(value)


class Cited(Model):
    """A value read from the text (``stated: true``, with its clause) or the service's reading (``stated: false``)."""

    clause: ClauseId | None = None
    stated: bool = True

    @model_validator(mode="after")
    def _stated_needs_clause(self) -> Cited:
        if self.stated and self.clause is None:
            raise ValueError("clause: a value stated by the regulation must cite its clause (or say stated: false)")
        return self


# --- identity --------------------------------------------------------------------------------


# A GB/T 2260 administrative division code (行政区划代码): province 310000, city 330100, district 310105.
DivisionCode = Annotated[str, StringConstraints(pattern=r"^[1-9]\d{5}$")]


def division_prefix(division: str) -> str:
    """The digits a division's places share: 2 for a province, 4 for a city, all 6 for a district."""
    if division.endswith("0000"):
        return division[:2]
    if division.endswith("00"):
        return division[:4]
    return division


class Division(Model):
    """A jurisdiction above the programme's (上级行政区): its code and GB/T 2260 division code."""

    code: Code
    division: DivisionCode
    name_zh: str | None = None


class Jurisdiction(Model):
    """行政区域: where the programme applies, and the jurisdiction above it.

    ``division`` and ``parents`` place it in GB/T 2260, so that a fact naming a place by either
    code (``changning`` or ``310105``) can be told within it or not, and a rule naming another
    level (``other_level: shanghai``) finds that level: a new jurisdiction needs no code.
    """

    code: Code
    name_zh: str
    parent: Code | None = None  # e.g. shanghai for changning; its own award is not a programme here
    parent_name_zh: str | None = None
    division: DivisionCode | None = None  # GB/T 2260 code of this jurisdiction, e.g. 310105 for changning
    parents: list[Division] = Field(default_factory=list)  # the jurisdictions above, nearest first

    @model_validator(mode="after")
    def _check_divisions(self) -> Jurisdiction:
        if self.parents and self.division is None:
            raise ValueError("division: give this jurisdiction's own GB/T 2260 code before its parents'")
        if self.parents and self.parent is not None and self.parents[0].code != self.parent:
            raise ValueError(
                f"parents.0.code: the nearest parent is '{self.parent}' (parent), not '{self.parents[0].code}'"
            )
        below, below_where = self.division, "division"
        for i, above in enumerate(self.parents):
            if below is not None and (above.division == below or not below.startswith(division_prefix(above.division))):
                raise ValueError(
                    f"parents.{i}.division: {above.division} ({above.code}) does not contain {below_where} {below}"
                )
            below, below_where = above.division, f"parents.{i}.division"
        _unique(self.parents, "code", "parents")
        return self


class Regulation(Model):
    """The regulation text a version encodes (管理办法)."""

    title_zh: str
    issuer_zh: str | None = None
    issuer_stated: bool = True
    document_no: str | None = None  # 文号
    document_no_stated: bool = True
    source_file: str | None = None
    repealed_zh: str | None = None  # the text it replaces
    repealed_clause: ClauseId | None = None


class Body(Cited):
    """A body the regulation sets up or names (评审办, 评审会, 评审组, 推荐部门, 人民政府)."""

    role: Actor | Literal["government"]
    name_zh: str


class Standard(Cited):
    """An evaluation standard (评审标准)."""

    code: str  # "GB/T 19580"
    name_zh: str
    purpose: Literal["review", "cultivation"] = "review"
    categories: list[Code] | None = None  # None: every category


class FeeRule(Cited):
    """不收取任何费用."""

    fee_free: bool


# --- structure -------------------------------------------------------------------------------


class Tier(Cited):
    """奖项 (区长质量奖, 质量金奖, 质量奖, 创新奖, 优胜奖, 市长质量奖, 提名奖)."""

    code: Code
    name_zh: str
    name_en: str
    rank: int = Field(ge=1)  # 1 = highest
    vote_method: Literal["secret_ballot", "show_of_hands"] | None = None  # how the committee chooses (投票表决)
    vote_clause: ClauseId | None = None


class Category(Cited):
    """类别 (先进质量管理模式 / 成果, 组织 / 个人) and who may apply for it."""

    code: Code
    name_zh: str
    name_en: str
    applicant_kind: ApplicantKind


class Cycle(Cited):
    """评选周期: a round only in a year ``anchor_year + k * interval_years`` (``Round`` checks it)."""

    interval_years: int | None = Field(default=None, ge=1, le=MAX_YEARS)  # None: no fixed interval (hangzhou)
    # a year of the cycle; the texts give the interval, never the year it counts from (a reading)
    anchor_year: int | None = Field(default=None, ge=2000, le=2100)
    anchor_stated: bool = True
    note_en: str | None = None

    @model_validator(mode="after")
    def _anchor_needs_interval(self) -> Cycle:
        if self.anchor_year is not None and self.interval_years is None:
            raise ValueError("anchor_year: a cycle without a fixed interval has no anchor year")
        return self

    def in_cycle(self, year: int) -> bool:
        if self.interval_years is None or self.anchor_year is None:
            return True
        return (year - self.anchor_year) % self.interval_years == 0


class Quota(Cited):
    """评奖名额: at most ``max`` winners over the (tier, category) pairs listed; ``soft`` for 原则上."""

    id: Code
    tiers: list[Code] = Field(min_length=1)
    categories: list[Code] = Field(min_length=1)
    max: int = Field(ge=0, le=MAX_QUOTA)
    soft: bool = False
    note_en: str | None = None


class QuotaRules(Model):
    """获奖数可少额或空缺; 名额可根据上级规定调整."""

    may_go_unfilled: bool = True
    unfilled_clause: ClauseId | None = None
    adjustable_clause: ClauseId | None = None


# --- the review pipeline and notices ----------------------------------------------------------


class PipelineStage(Model):
    stage: Stage
    actors: list[Actor] = Field(min_length=1)
    clause: ClauseId | None = None
    # the clause by which every application in this stage goes on to the next (no one is dropped
    # here: changning-24 "对进入现场评审的…进行综合分析评议"); None: the stage may end one
    all_proceed_clause: ClauseId | None = None


class RejectionNotice(Model):
    """What an applicant eliminated at a stage receives (反馈资料评审报告, 书面告知)."""

    stage: Stage
    document: Literal["review_report", "written_notice"]
    clause: ClauseId


class Verification(Model):
    """异议核查期限: how long the office has to verify an objection."""

    length: int = Field(ge=1, le=MAX_PERIOD_LENGTH)
    unit: Unit
    # N个工作日内 -> true: a time limit, met by verifying sooner; false: an exact period. A round may
    # shorten a stated maximum, never lengthen it (ProgrammeVersion.with_overrides)
    maximum: bool = True
    stated: bool
    clause: ClauseId | None = None


class PublicationApproval(Model):
    """报批: the list is approved through the prescribed procedure before its notice (changning-25c)."""

    actors: list[Actor] = Field(min_length=1)
    clause: ClauseId


class Notice(Model):
    """公示: one notice point, its length and what follows from objections."""

    stage: Stage
    point: NoticePoint
    name_zh: str
    length: int = Field(ge=1, le=MAX_PERIOD_LENGTH)
    unit: Unit
    minimum: bool  # 不少于 -> true; an exact period -> false
    audiences: list[Audience] = Field(min_length=1)
    objections: bool
    verification: Verification
    refill: bool = False  # whether a place freed by an upheld objection is refilled (递补)
    refill_stated: bool = False
    refill_clause: ClauseId | None = None
    clause: ClauseId | None = None
    stated: bool = True  # whether the length is stated by the text
    # the guards of close_notice (the notice's clause is theirs): the period is over and no
    # objection is open (INTERPRETATIONS §8); and of start_notice: the stage's decision is recorded
    closing_conditions: list[NoticeClosingCondition] = Field(
        default_factory=lambda: ["notice_period_over", "no_open_objection"]
    )
    opening_conditions: list[NoticeOpeningCondition] = Field(default_factory=lambda: ["decision_recorded"])
    # the approval the list needs before it is published (fired as approve_publication)
    approval: PublicationApproval | None = None

    @model_validator(mode="after")
    def _check(self) -> Notice:
        if (self.approval is not None) != ("publication_approved" in self.opening_conditions):
            raise ValueError(
                "approval: a notice whose list is approved first lists publication_approved in opening_conditions, "
                "and only such a notice does"
            )
        if self.stage not in NOTICE_POINTS_BY_STAGE:
            raise ValueError(f"stage: {self.stage} is not a notice stage ({', '.join(sorted(NOTICE_POINTS_BY_STAGE))})")
        if self.point not in NOTICE_POINTS_BY_STAGE[self.stage]:
            allowed = ", ".join(sorted(NOTICE_POINTS_BY_STAGE[self.stage]))
            raise ValueError(f"point: {self.point} cannot be published at {self.stage} (allowed: {allowed})")
        if self.clause is None:
            raise ValueError("clause: every notice cites the clause that requires it")
        if self.refill_stated and self.refill_clause is None:
            raise ValueError("refill_clause: a refill rule stated by the text must cite its clause")
        return self


class WordingSentence(Cited):
    """One sentence a notice prints about objections: the text's (with its clause) or the service's practice.

    ``text_zh`` may name ``{office}`` (the office's short name), ``{ends}`` (the notice's last
    instant) and ``{verification}`` (the verification period, e.g. 5个工作日).
    """

    text_zh: str = Field(min_length=1)

    @field_validator("text_zh")
    @classmethod
    def _known_fields(cls, value: str) -> str:
        unknown = set(re.findall(r"{([^{}]*)}", value)) - {"office", "ends", "verification"}
        if unknown:
            raise ValueError(f"unknown placeholder {{{sorted(unknown)[0]}}} (known: office, ends, verification)")
        return value


class ObjectionRules(Cited):
    """异议: who may object and with what."""

    named_only: bool = True  # 实名
    evidence_required: bool = True
    note_en: str | None = None
    # what every notice prints about objections, sentence by sentence; stated: false marks the
    # service's own practice, printed apart as such
    wording: list[WordingSentence] = Field(default_factory=list)


# --- eligibility and bans ---------------------------------------------------------------------


class CountedTo(Cited):
    """The day a criterion counts "近N年" windows and "N年以上" years to (计算截止日), and why.

    ``check``: the day of the check (the submission, then the qualification review, with the
    records known then); ``call_close``: the call's last day (申报截止日); ``call_published``:
    the day the call was published.
    """

    ends_on: Literal["check", "call_close", "call_published"]
    note_en: str


class EligibilityCriterion(Cited):
    """One 申报条件 item: checked by the service from named facts (machine), judged by a reviewer
    (judgement), or a preference shown to the reviewers that never refuses (preference, 优先)."""

    id: Code
    kind: Literal["machine", "judgement", "preference"]
    test: str | None = None
    facts: list[str] = Field(default_factory=list)
    params: dict[str, Any] = Field(default_factory=dict)
    applies_when: str | None = None  # a bool fact: the criterion applies only when it is true
    tiers: list[Code] | None = None  # None: every tier
    categories: list[Code] | None = None  # None: every category
    summary_en: str
    # where the text does not say which day years count to, the reading (stated: false) and why
    counted_to: CountedTo | None = None

    @model_validator(mode="after")
    def _check(self) -> EligibilityCriterion:
        for i, fact in enumerate(self.facts):
            if fact not in FACTS:
                raise ValueError(f"facts.{i}: unknown fact '{fact}' (known: see app/domain/programmes/facts.py)")
        self._check_selection()
        if self.test in ("min_years", "none_within_years") and self.counted_to is None:
            raise ValueError(f"counted_to: a {self.test} criterion states the day it counts to, and why")
        if self.kind == "preference":
            if self.test is not None or len(self.facts) != 1 or FACTS[self.facts[0]] != "bool":
                raise ValueError("facts: a preference names one yes/no fact and no test")
            return self
        if self.applies_when is not None and FACTS.get(self.applies_when) != "bool":
            raise ValueError(f"applies_when: '{self.applies_when}' is not a yes/no fact")
        relaxed_when = self.params.get("relaxed_when")
        if relaxed_when is not None and FACTS.get(relaxed_when) != "bool":
            raise ValueError(f"params.relaxed_when: '{relaxed_when}' is not a yes/no fact")
        if self.kind == "judgement":
            if self.test is not None:
                raise ValueError("test: a judgement criterion has no machine test")
            return self
        if self.test not in TESTS:
            raise ValueError(f"test: a machine criterion needs one of {', '.join(sorted(TESTS))}")
        fact_types, required = TESTS[self.test]
        if not self.facts:
            raise ValueError("facts: a machine criterion names the facts it reads")
        for i, fact in enumerate(self.facts):
            if FACTS[fact] not in fact_types:
                raise ValueError(f"facts.{i}: test {self.test} cannot read '{fact}' ({FACTS[fact]})")
        missing = sorted(required - set(self.params))
        if missing:
            raise ValueError(f"params: test {self.test} needs {', '.join(missing)}")
        stray = [f for f in self.params.get("excepted_facts") or [] if f not in self.facts]
        if stray:
            raise ValueError(f"params.excepted_facts: {', '.join(stray)} not among the criterion's facts")
        return self

    def _check_selection(self) -> None:
        """``params.select``: {fact: {attribute: [values]}}, each a known attribute of a fact read."""
        select = self.params.get("select")
        if select is None:
            return
        if not isinstance(select, dict):
            raise ValueError("params.select: a mapping of fact to {attribute: [values]}")
        for fact, attrs in select.items():
            if fact not in self.facts:
                raise ValueError(f"params.select.{fact}: not among the criterion's facts")
            known = RECORD_ATTRIBUTES.get(fact, {})
            if not isinstance(attrs, dict) or not attrs:
                raise ValueError(f"params.select.{fact}: a mapping of attribute to [values]")
            for attr, values in attrs.items():
                if attr not in known:
                    raise ValueError(f"params.select.{fact}.{attr}: not an attribute of {fact} ({', '.join(known)})")
                bad = [v for v in values or [] if v not in known[attr]] if isinstance(values, list) else [values]
                if not values or bad:
                    raise ValueError(f"params.select.{fact}.{attr}: values among {list(known[attr])}")


class ReapplicationRule(Cited):
    """重复申报 / 再次申报的限制."""

    id: Code
    kind: Literal[
        "same_year_other_level",  # 不得在同一年内同时申报市、区两级
        "ban_after_award",  # 获奖后N年内不得再次申报曾获奖项
        "lifetime_ban_after_award",  # 已获奖的不得重复申报
        "improvement_required",  # 再次申报须较上次有较大提高
        "ban_after_revocation",  # 撤销后N年内不得申报
    ]
    years: int | None = Field(default=None, ge=1)
    tiers: list[Code] | None = None  # the tiers whose award (or revocation) triggers the rule; None: all
    scope: Literal["same_award", "same_tier", "programme", "same_or_higher_level", "other_level"]
    other_level: Code | None = None  # the jurisdiction of the other level (same_year_other_level)
    grounds: list[Code] | None = None  # revocation grounds that trigger a ban_after_revocation
    note_en: str | None = None

    @model_validator(mode="after")
    def _check(self) -> ReapplicationRule:
        if self.kind in ("ban_after_award", "ban_after_revocation") and self.years is None:
            raise ValueError(f"years: a {self.kind} rule states its years")
        if self.kind == "same_year_other_level" and self.other_level is None:
            raise ValueError("other_level: name the jurisdiction of the other award level")
        return self


# --- rewards ----------------------------------------------------------------------------------


def _amount(value: Any) -> Any:
    if value is None or isinstance(value, Decimal):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]+\.[0-9]{2}", value):
        raise ValueError('write an amount in yuan as a quoted string with two decimals, e.g. "500000.00"')
    return value


AmountYuan = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT_YUAN, decimal_places=2)]


class Reward(Cited):
    """奖金/资助 for one (tier, category); ``amount_yuan`` None where the text gives no amount (stated: false)."""

    id: Code
    tier: Code
    category: Code
    amount_yuan: AmountYuan | None
    kind: Literal["fixed", "up_to"]
    one_off: bool = True
    first_time_only: bool = False  # 首次获得 (tianning)
    deduct_received: bool = False  # 就高不重复: amounts already received are deducted
    # 就高不重复: the awards (a tier of this programme, or one of ``held_awards``) whose amounts already
    # received are deducted; the programme's own earlier rewards paid by the service always count
    deducts: list[Code] = Field(default_factory=list)
    rule_clauses: list[ClauseId] = Field(default_factory=list)  # clauses of first_time_only / deduct_received
    # False: a placeholder for a tier the text grants no money to (linyi's 提名奖, hangzhou's 优胜奖);
    # no round may fill it in
    granted: bool = True
    note_en: str | None = None

    _amount_is_string = field_validator("amount_yuan", mode="before")(_amount)

    @model_validator(mode="after")
    def _check(self) -> Reward:
        if self.amount_yuan is None and self.stated:
            raise ValueError("amount_yuan: an amount the text does not give is stated: false")
        if not self.granted and self.amount_yuan is not None:
            raise ValueError("amount_yuan: a reward the text does not grant has no amount")
        return self


class HeldAwardKind(Cited):
    """An award a winner may already hold (中国质量奖, 省长质量奖, 卓越绩效项目资助): the office records it about the
    applicant (document, year, amount received) for the reward rules (first-time only, 就高不重复)."""

    code: Code
    name_zh: str = Field(min_length=1, max_length=100)
    name_en: str = Field(min_length=1, max_length=200)
    level: Literal["national", "provincial", "city", "district"]


class ExternalReward(Cited):
    """A reward for winning another award (中国质量奖, 省政府质量奖) or for a project."""

    id: Code
    award_zh: str
    award_en: str
    amount_yuan: AmountYuan | None
    kind: Literal["fixed", "up_to"]
    one_off: bool = True
    note_en: str | None = None

    _amount_is_string = field_validator("amount_yuan", mode="before")(_amount)


# --- after the award --------------------------------------------------------------------------


class Schedule(Model):
    """When a duty falls due: every ``every_years`` within ``within_years`` counted from ``starts``."""

    every_years: int | None = Field(default=None, ge=1)  # None: 定期, frequency not stated
    within_years: int | None = Field(default=None, ge=1)  # None: no end stated
    starts: Literal["award", "year_after_award"] = "award"
    due: Literal["year_end"] | None = None
    frequency_stated: bool = True
    # False: the text names no day; ``due`` is the service's reading (named in ``reading``)
    due_stated: bool = True
    # a duty the text sets no end to: the years scheduled at the award (a reading)
    horizon_years: int | None = Field(default=None, ge=1, le=100)
    # the programme's reading filling what the text leaves open (which years, how often, when due)
    reading: Code | None = None


FollowUpResult = Literal["fine", "regressed", "minor_problem", "no_longer_eligible"]
FollowUpAction = Literal["none", "rectify", "summons_talk", "revocation_recommended"]


class FollowUpOutcome(Cited):
    """What a follow-up's finding leads to: 督促整改, 约谈 or a revocation (撤销)."""

    result: FollowUpResult
    action: FollowUpAction


class PostAwardDuty(Cited):
    """获奖后义务 / 跟踪管理."""

    id: Code
    who: Literal["winner", "office"]
    what_zh: str
    what_en: str
    schedule: Schedule | None = None
    # an office's follow-up: what each finding leads to, as the text says
    outcomes: list[FollowUpOutcome] = Field(default_factory=list)
    note_en: str | None = None


Consequence = Literal[
    "revoke_title",
    "recover_plaque_certificate",
    "reclaim_money",
    "public_announcement",
    "credit_platform_listing",
]


class RevocationGround(Cited):
    """撤销情形."""

    id: Code
    kind: Literal["fraud", "post_award_incident", "periodic_evaluation", "other"]
    applies_to: Literal["organisation", "individual", "all"] = "all"
    text_zh: str
    within_years_after_award: int | None = Field(default=None, ge=1)  # None: no time limit stated
    consequences: list[Consequence] = Field(default_factory=list)
    procedure_clause: ClauseId | None = None


RevocationStepKind = Literal["verification", "decision", "government_approval"]
RecoverableItem = Literal["plaque", "certificate"]


class RevocationStep(Cited):
    """撤销程序的一步: 核实 (verification), 审定委/领导小组决定 (decision), 政府批准 (government approval)."""

    step: RevocationStepKind
    body_zh: str  # who takes the step (区审定委, 质量强市工作领导小组, 区人民政府)
    document_no: bool = False  # the step's act is a numbered document (文号)


class RevocationRecovery(Cited):
    """收回奖牌、证书: what a revoked winner gives back."""

    items: list[RecoverableItem] = Field(min_length=1)


class RevocationNoticeRule(Cited):
    """向社会公告: a revocation is announced to the public."""


class RevocationProcedure(Model):
    """撤销程序: the steps a revocation case (撤销案件) follows in order; the last, numbered, revokes."""

    steps: list[RevocationStep] = Field(min_length=1)
    recovery: RevocationRecovery
    public_notice: RevocationNoticeRule

    @model_validator(mode="after")
    def _check(self) -> RevocationProcedure:
        _unique(self.steps, "step", "steps")
        if not self.steps[-1].document_no:
            raise ValueError("steps: the last step revokes and must carry a document number (document_no: true)")
        return self


class HonourRule(Cited):
    """获奖称号使用规则."""

    id: Code
    kind: Literal[
        "may_use_in_image",
        "must_state_year",
        "must_state_category",
        "logo_allowed",
        "no_product_use",
        "no_forgery",
        "no_sale_or_rent",
        "no_use_after_revocation",
        "advertising_law",
        "correction_ordered",
    ]


class Adjustment(Cited):
    """A power the text grants to adjust stated values per round (可根据上级规定适时调整)."""

    what: Literal["quotas", "rewards", "cycle"]
    note_en: str | None = None


class Reading(Model):
    """How the service reads a place the text leaves open (INTERPRETATIONS.md): never the text's own words."""

    id: Code
    topic_en: str
    clauses: list[ClauseId] = Field(min_length=1)
    reading_en: str
    reason_en: str  # one line: why this reading
    stated: Literal[False] = False


class ReviewBodyRule(Cited):
    """The technical review is run by a third-party body (第三方机构, linyi-8a): the body's scoped role
    (``review_body``) acts in the programme's expert review; elsewhere the role is refused."""

    name_zh: str = Field(min_length=1, max_length=100)
    note_en: str | None = None


class CommendationRule(Model):
    """表彰与公布: the clause by which the government commends the winners (表彰决定) and the one by which
    their list is announced to society (向社会公布)."""

    decision_clause: ClauseId
    announcement_clause: ClauseId


class Records(Cited):
    """资料保存."""

    retention_years: int | None = Field(default=None, ge=1, le=MAX_YEARS)  # None: not stated, kept


# --- what an application holds (申报表, 自我评价报告, 证实性材料) ------------------------------------

FormFieldType = Literal["text", "integer", "decimal", "date", "phone", "choice", "boolean"]
MaterialKind = Literal["application_form", "self_evaluation_report", "evidence"]
# the lists GET /api/v1/lookups serves (app/domain/lookups)
LookupName = Literal["localities", "departments", "industries", "sizes", "sectors", "tiers", "categories"]


class FormField(Model):
    """One field of the application form (申报表), typed and bounded."""

    key: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
    label_zh: str
    label_en: str
    type: FormFieldType
    required: bool = False
    max_length: int | None = Field(default=None, ge=1, le=20_000)  # text
    min: Decimal | None = None  # integer, decimal
    max: Decimal | None = None
    choices: list[str] | None = None  # choice: the allowed codes
    lookup: LookupName | None = None  # choice: a list of GET /api/v1/lookups whose codes are allowed
    categories: list[Code] | None = None  # None: every category
    # personal data of a natural person (个人信息, a contact's name): redacted once the application is past
    # its retention period (issue 17, changning-37); a ``phone`` field always is
    personal: bool = False

    @model_validator(mode="after")
    def _check(self) -> FormField:
        if self.type == "choice" and not (self.choices or self.lookup):
            raise ValueError(f"{self.key}: a choice field lists its choices or names a lookup")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"{self.key}: min is above max")
        return self


class ApplicationFormSchema(Cited):
    """The programme's application form (申报表) as a typed schema."""

    name_zh: str
    fields: list[FormField] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_keys(self) -> ApplicationFormSchema:
        _unique(self.fields, "key", "fields")
        return self


class RequiredMaterial(Cited):
    """A material an application must carry before ``submit`` (申报材料)."""

    kind: MaterialKind
    name_zh: str
    categories: list[Code] | None = None  # None: every category


class ApplicationContents(Model):
    """What a complete application holds: the form and the required materials (changning-20a, jinshan-18a, hangzhou-3.3.1, linyi-14b)."""

    form: ApplicationFormSchema
    materials: list[RequiredMaterial] = Field(min_length=1)


# --- a version --------------------------------------------------------------------------------


class VersionBody(Model):
    """What one version of a programme (one regulation text) holds."""

    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    regulation: Regulation
    effective_from: date
    effective_until: date | None = None
    effective_clause: ClauseId | None = None
    bodies: list[Body] = Field(default_factory=list)
    standards: list[Standard] = Field(default_factory=list)
    fees: FeeRule
    structure_clause: ClauseId | None = None  # the clause setting up the tiers and categories
    tiers: list[Tier] = Field(min_length=1)
    categories: list[Category] = Field(min_length=1)
    cycle: Cycle
    quotas: list[Quota] = Field(default_factory=list)
    quota_rules: QuotaRules = QuotaRules()
    application_clause: ClauseId | None = None  # the clause on what an application holds (申报表, 自我评价)
    # the form's schema and the materials submit requires (None: nothing checked)
    application: ApplicationContents | None = None
    procedure_clause: ClauseId | None = None  # a clause listing the whole procedure, where there is one
    submit_actors: list[Actor] = Field(min_length=1)
    # the guard of submit (the application clause is its): inside the call's window
    submit_conditions: list[SubmitCondition] = Field(default_factory=lambda: ["window_open"])
    # the guard of select (the quota's clause is its): a place is left under the quotas
    select_conditions: list[SelectCondition] = Field(default_factory=lambda: ["quota_available", "not_banned"])
    # the guard of approve: no ban in force reaches the tier and category approved
    approve_conditions: list[ApproveCondition] = Field(default_factory=lambda: ["not_banned"])
    # the guards of each review stage's pass event (shortlist, complete_onsite, complete_defence,
    # complete_evaluation), refused with the stage's clause when the review's piece is missing
    review_conditions: dict[Stage, list[ReviewCondition]] = Field(
        default_factory=lambda: {Stage(k): list(v) for k, v in REVIEW_CONDITIONS.items()}
    )
    # who runs the technical review when it is not the office's own pool alone (linyi-8a)
    review_body: ReviewBodyRule | None = None
    pipeline: list[PipelineStage] = Field(min_length=1)
    notices: list[Notice] = Field(default_factory=list)
    rejection_notices: list[RejectionNotice] = Field(default_factory=list)
    objections: ObjectionRules
    eligibility: list[EligibilityCriterion] = Field(default_factory=list)
    reapplication: list[ReapplicationRule] = Field(default_factory=list)
    rewards: list[Reward] = Field(default_factory=list)
    external_rewards: list[ExternalReward] = Field(default_factory=list)
    # the awards an office may record about a winner for the reward rules (besides this programme's tiers)
    held_awards: list[HeldAwardKind] = Field(default_factory=list)
    post_award_duties: list[PostAwardDuty] = Field(default_factory=list)
    revocation_grounds: list[RevocationGround] = Field(default_factory=list)
    revocation_procedure: RevocationProcedure | None = None
    honour_rules: list[HonourRule] = Field(default_factory=list)
    records: Records
    commendation: CommendationRule | None = None
    # the stated values a round may change because a clause grants it; nothing else stated moves
    adjustments: list[Adjustment] = Field(default_factory=list)
    readings: list[Reading] = Field(default_factory=list)
    notes_en: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> VersionBody:
        if self.effective_until is not None and self.effective_until < self.effective_from:
            raise ValueError("effective_until: ends before effective_from")
        _unique(self.tiers, "code", "tiers")
        _unique(self.categories, "code", "categories")
        _unique(self.quotas, "id", "quotas")
        _unique(self.notices, "point", "notices")
        _unique(self.eligibility, "id", "eligibility")
        _unique(self.reapplication, "id", "reapplication")
        _unique(self.rewards, "id", "rewards")
        _unique(self.external_rewards, "id", "external_rewards")
        _unique(self.held_awards, "code", "held_awards")
        _unique(self.post_award_duties, "id", "post_award_duties")
        _unique(self.revocation_grounds, "id", "revocation_grounds")
        _unique(self.honour_rules, "id", "honour_rules")
        _unique(self.adjustments, "what", "adjustments")
        _unique(self.readings, "id", "readings")
        known_readings = {r.id for r in self.readings}
        for i, d in enumerate(self.post_award_duties):
            if d.schedule is not None and d.schedule.reading is not None and d.schedule.reading not in known_readings:
                raise ValueError(f"post_award_duties.{i}.schedule.reading: unknown reading '{d.schedule.reading}'")
        for i, a in enumerate(self.adjustments):
            if not a.stated:
                raise ValueError(f"adjustments.{i}.stated: only a clause of the text grants an adjustment")
        _no_repeats(self.submit_conditions, "submit_conditions")
        _no_repeats(self.select_conditions, "select_conditions")
        _no_repeats(self.approve_conditions, "approve_conditions")
        for stage, conds in self.review_conditions.items():
            _no_repeats(conds, f"review_conditions.{stage}")
        for i, n in enumerate(self.notices):
            _no_repeats(n.closing_conditions, f"notices.{i}.closing_conditions")
            _no_repeats(n.opening_conditions, f"notices.{i}.opening_conditions")
        self._check_references()
        self._check_pipeline()
        return self

    def _check_references(self) -> None:
        tiers = {t.code for t in self.tiers}
        categories = {c.code for c in self.categories}

        def check(codes: list[str] | None, known: set[str], where: str) -> None:
            for i, code in enumerate(codes or []):
                if code not in known:
                    raise ValueError(f"{where}.{i}: unknown code '{code}' (defined: {', '.join(sorted(known))})")

        if self.application is not None:
            for i, f in enumerate(self.application.form.fields):
                check(f.categories, categories, f"application.form.fields.{i}.categories")
            for i, m in enumerate(self.application.materials):
                check(m.categories, categories, f"application.materials.{i}.categories")
        for i, q in enumerate(self.quotas):
            check(q.tiers, tiers, f"quotas.{i}.tiers")
            check(q.categories, categories, f"quotas.{i}.categories")
        for i, r in enumerate(self.rewards):
            check([r.tier], tiers, f"rewards.{i}.tier")
            check([r.category], categories, f"rewards.{i}.category")
            check(r.deducts, tiers | {h.code for h in self.held_awards}, f"rewards.{i}.deducts")
            if r.deducts and not r.deduct_received:
                raise ValueError(f"rewards.{i}.deducts: only a rule with deduct_received deducts")
        for i, c in enumerate(self.eligibility):
            check(c.tiers, tiers, f"eligibility.{i}.tiers")
            check(c.categories, categories, f"eligibility.{i}.categories")
        for i, s in enumerate(self.standards):
            check(s.categories, categories, f"standards.{i}.categories")
        grounds = {g.id for g in self.revocation_grounds}
        for i, rule in enumerate(self.reapplication):
            check(rule.tiers, tiers, f"reapplication.{i}.tiers")
            check(rule.grounds, grounds, f"reapplication.{i}.grounds")

    def _check_pipeline(self) -> None:
        stages = [p.stage for p in self.pipeline]
        for i, stage in enumerate(stages):
            if stage in stages[:i]:
                raise ValueError(f"pipeline.{i}.stage: {stage} is listed twice")
        positions = [STAGE_ORDER.index(s) for s in stages]
        for i in range(1, len(positions)):
            if positions[i] < positions[i - 1]:
                raise ValueError(f"pipeline.{i}.stage: {stages[i]} cannot come after {stages[i - 1]}")
        if stages[0] in NOTICE_STAGES:
            raise ValueError(f"pipeline.0.stage: a pipeline cannot start with the notice {stages[0]}")
        for i, stage in enumerate(stages):
            if stage in NOTICE_STAGES and stages[i - 1] in NOTICE_STAGES:
                raise ValueError(f"pipeline.{i}.stage: notice {stage} must follow a review stage, not {stages[i - 1]}")
        noticed = {n.stage for n in self.notices}
        for i, stage in enumerate(stages):
            if stage in NOTICE_STAGES and stage not in noticed:
                raise ValueError(f"pipeline.{i}.stage: notice stage {stage} has no entry in notices")
        for i, rejection in enumerate(self.rejection_notices):
            if rejection.stage not in stages:
                raise ValueError(f"rejection_notices.{i}.stage: {rejection.stage} is not a stage of the pipeline")
        for i, notice in enumerate(self.notices):
            if notice.stage not in stages:
                raise ValueError(f"notices.{i}.stage: {notice.stage} is not a stage of the pipeline")
        by_stage: dict[Stage, int] = {}
        for i, notice in enumerate(self.notices):
            if notice.stage in by_stage:
                raise ValueError(
                    f"notices.{i}.stage: {notice.stage} already has a notice (notices.{by_stage[notice.stage]})"
                )
            by_stage[notice.stage] = i


class ProgrammeFile(Model):
    """One definition file: a programme's identity and its versions."""

    code: Code
    name_zh: str
    name_en: str
    level: Literal["province", "city", "district"]
    jurisdiction: Jurisdiction
    versions: list[VersionBody] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> ProgrammeFile:
        _unique(self.versions, "id", "versions")
        if self.jurisdiction.division is None:
            # a place given by its division code can only be tested against a jurisdiction that has one
            for v in self.versions:
                for i, c in enumerate(v.eligibility):
                    if c.test == "within_jurisdiction" and "jurisdiction" not in c.params:
                        raise ValueError(
                            f"jurisdiction.division: versions {v.id} eligibility.{i} ({c.id}) tests a place "
                            "within this jurisdiction: give its GB/T 2260 code"
                        )
        ordered = sorted(self.versions, key=lambda v: v.effective_from)
        for earlier, later in itertools.pairwise(ordered):
            if earlier.effective_until is None or earlier.effective_until >= later.effective_from:
                raise ValueError(
                    f"versions: version {earlier.id} is still in force when version {later.id} starts "
                    f"({later.effective_from}); give {earlier.id} an effective_until before it"
                )
        return self
