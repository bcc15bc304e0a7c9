"""Bans on applying and duplicate applications (重复申报限制, 禁止申报), checked with eligibility.

Each reapplication rule of the programme is one entry of the eligibility answer:

- ``same_year_other_level`` (changning-18a, jinshan-17a): no applying at city and district level
  in the same year (the year of the round's call). Found two ways: the applicant's own
  declaration of applications to other levels (``other_level_applications`` in the registry),
  and, automatically, applications in programmes of this service one level up or down the
  jurisdiction hierarchy (a programme whose jurisdiction is the rule's ``other_level``, or one
  whose own rule names this programme's jurisdiction).
- ``ban_after_award`` (changning-18b, jinshan-17b), ``lifetime_ban_after_award`` (linyi-13a),
  ``ban_after_revocation`` (changning-34c/35c, jinshan-26c/27c, tianning-15c/16b): ban records
  (``reapplication_bans``) written when an award is approved or revoked, or recorded by an
  office for an award won before the service ran. A ban is in force from its start to its end
  inclusive, on the day of the check (submission, qualification review).
- ``improvement_required`` (linyi-13b): "评审标准要求的卓越绩效评价指标，较上次申报应有较大提高"
  compares the experts' assessment of the indicators, and sets no automatic refusal: a repeat
  applicant's self-assessment scores (this and the last application's) are shown to the reviewers
  as information, the entry ``needs_review`` whichever is higher.
- At ``select`` and ``approve`` the machine's ``not_banned`` guard checks the bans in force
  against the tier and category actually given (``barring``), not the tier the applicant named:
  no text lets an applicant choose its tier (changning-18b, jinshan-17b, linyi-13a).

Readings (INTERPRETATIONS 15-17):

- "获得...后的5年内" counts award years: the year of the award and the four after it (a 2024
  winner may apply again in 2029). A revocation ban runs five years from the revocation date.
- "曾获奖项" is the same tier and category of the same programme (a gold winner may apply for the
  mayor's award). An application that does not name the tier it seeks is treated as seeking
  every tier, so a ban on one tier refuses it until it names another.
- tianning's "同级及以上奖项" binds the applicant in every programme of this service at the
  banning programme's level or above, not only in tianning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import office
from app.db.models.intake import Applicant, ReapplicationBan
from app.db.models.workflow import Application, Round
from app.db.repositories import bans as repo
from app.domain import clock
from app.domain.applicants.jurisdictions import division_code
from app.domain.batch_reads import BatchReads
from app.domain.eligibility.criteria import FAIL, PASS, REVIEW
from app.domain.programmes.effective import effective_programme
from app.domain.programmes.schema import ReapplicationRule
from app.domain.programmes.version import ProgrammeVersion
from app.domain.revocation import revocation_day
from app.domain.states import ApplicationState as S

LEVEL_RANK = {"district": 1, "city": 2, "province": 3}
BAN_KINDS = ("ban_after_award", "lifetime_ban_after_award", "ban_after_revocation")
# applications that no longer count as "applying" in a year
_NOT_APPLYING = (S.WITHDRAWN,)

_SUMMARY = {
    "same_year_other_level": "No applying for the award of the other level (city / district) in the same year.",
    "ban_after_award": "No re-applying for an award won within the ban years.",
    "lifetime_ban_after_award": "A winner of this award never applies for it again.",
    "improvement_required": "A repeat applicant's indicators should be clearly higher than at its last application: the scores are shown to the reviewers.",
    "ban_after_revocation": "No applying within the ban years after a revocation.",
}


def _entry(
    rule_id: str, clause: str | None, stated: bool, summary: str, result: str, zh: str, en: str, facts: dict[str, Any]
):
    from app.domain.eligibility.service import Entry

    return Entry(rule_id, "reapplication", clause, stated, summary, result, result, zh, en, facts)


def _rule_entry(rule: ReapplicationRule, result: str, zh: str, en: str, facts: dict[str, Any]):
    """The eligibility entry of one of the programme's re-application rules, with its clause and summary."""
    return _entry(rule.id, rule.clause, rule.stated, rule.note_en or _SUMMARY[rule.kind], result, zh, en, facts)


# --- ban records --------------------------------------------------------------------------------


def ban_end(kind: str, years: int | None, starts_on: date) -> date | None:
    """The last day banned: award bans count award years, revocation bans run from the date."""
    if kind == "lifetime_ban_after_award" or years is None:
        return None
    if kind == "ban_after_award":
        return date(starts_on.year + years - 1, 12, 31)
    try:
        end = starts_on.replace(year=starts_on.year + years)
    except ValueError:  # 29 February
        end = starts_on.replace(year=starts_on.year + years, day=28)
    return end - timedelta(days=1)


def reaches(ban: ReapplicationBan, prog: ProgrammeVersion, category: str, tier_sought: str | None) -> bool:
    """Whether ``ban`` bars an application to ``prog`` in ``category`` seeking ``tier_sought``."""
    if ban.scope == "same_or_higher_level":
        return LEVEL_RANK.get(prog.level, 0) >= LEVEL_RANK.get(ban.level, 0)
    if ban.programme != prog.code:
        return False
    if ban.scope == "programme":
        return True
    if ban.scope == "same_tier":
        return tier_sought is None or tier_sought == ban.tier
    if ban.scope == "same_award":
        return (ban.category is None or ban.category == category) and (tier_sought is None or tier_sought == ban.tier)
    return False


def _ban_sentence(ban: ReapplicationBan) -> tuple[str, str]:
    until_zh = f"至{ban.ends_on.isoformat()}" if ban.ends_on else "永久"
    until_en = f"until {ban.ends_on.isoformat()}" if ban.ends_on else "for life"
    what = f"{ban.programme}" + (f"/{ban.tier}" if ban.tier else "") + (f"/{ban.category}" if ban.category else "")
    return (
        f"禁止申报（{what}，{ban.starts_on.isoformat()}起{until_zh}）：{ban.reason}",
        f"Banned from applying ({what}, from {ban.starts_on.isoformat()} {until_en}): {ban.reason}",
    )


def _ban_facts(bans: list[ReapplicationBan]) -> dict[str, Any]:
    return {
        "bans": [
            {
                "id": str(b.id),
                "programme": b.programme,
                "tier": b.tier,
                "category": b.category,
                "scope": b.scope,
                "starts_on": b.starts_on.isoformat(),
                "ends_on": b.ends_on.isoformat() if b.ends_on else None,
                "clause": b.clause,
            }
            for b in bans
        ]
    }


def _rule_ban_entry(rule: ReapplicationRule, bans: list[ReapplicationBan], on: date):
    if bans:
        zh, en = _ban_sentence(bans[0])
        return _rule_entry(rule, FAIL, zh, en, _ban_facts(bans))
    return _rule_entry(
        rule,
        PASS,
        f"{on.isoformat()}无有效的禁止申报记录",
        f"No ban in force on {on.isoformat()}",
        {"bans": []},
    )


# --- same year, other level ----------------------------------------------------------------------


def other_level(prog: ProgrammeVersion, rule: ReapplicationRule, other: ProgrammeVersion) -> bool:
    """Whether ``other`` runs the award of the level ``rule`` keeps apart from ``prog`` (either direction)."""
    if other.code == prog.code:
        return False
    target = division_code(rule.other_level) or rule.other_level
    if (division_code(other.jurisdiction.code) or other.jurisdiction.code) == target:
        return True
    mine = division_code(prog.jurisdiction.code) or prog.jurisdiction.code
    return any(
        r.kind == "same_year_other_level" and (division_code(r.other_level) or r.other_level) == mine
        for r in other.reapplication
    )


def _declared(applicant: Applicant | None, rule: ReapplicationRule, year: int) -> list[dict]:
    if applicant is None:
        return []
    target = division_code(rule.other_level) or rule.other_level
    return [
        d
        for d in (applicant.other_level_applications or [])
        if int(d.get("year", 0)) == year and (division_code(d.get("jurisdiction")) or d.get("jurisdiction")) == target
    ]


async def _same_year_entry(
    rule: ReapplicationRule,
    prog: ProgrammeVersion,
    applicant: Applicant | None,
    year: int,
    others: list[tuple[Application, date]],
):
    declared = _declared(applicant, rule, year)
    found = []
    for other, call_on in others:
        if call_on.year != year or other.state in _NOT_APPLYING:
            continue
        other_prog = effective_programme(other.programme, other.programme_version, None)
        if other_level(prog, rule, other_prog):
            found.append(
                {
                    "application_id": str(other.id),
                    "programme": other.programme,
                    "year": call_on.year,
                    "state": other.state,
                }
            )
    facts = {"year": year, "declared": declared, "applications": found}
    if declared or found:
        names = [d.get("award_zh", d.get("jurisdiction")) for d in declared] + [f["programme"] for f in found]
        return _rule_entry(
            rule,
            FAIL,
            f"{year}年已申报另一级政府质量奖（{'、'.join(str(n) for n in names)}），同一年内不得同时申报市、区两级",
            f"Already applying in {year} for the other level's award ({', '.join(str(n) for n in names)}); both levels in one year are not allowed",
            facts,
        )
    if applicant is None:
        return _rule_entry(
            rule,
            REVIEW,
            f"申报主体未登记，无法核对其{year}年是否申报另一级政府质量奖",
            f"Not in the registry: cannot check the applicant's {year} applications to the other level",
            facts,
        )
    return _rule_entry(
        rule,
        PASS,
        f"未申报{year}年另一级政府质量奖（本人申报及本系统记录）",
        f"No application to the other level in {year} (declared or in this service)",
        facts,
    )


# --- linyi's improvement rule --------------------------------------------------------------------


async def _improvement_entry(
    session: AsyncSession, rule: ReapplicationRule, app: Application, rnd: Round, others: list[tuple[Application, date]]
):
    earlier = [
        o
        for o, call_on in others
        if o.programme == app.programme and call_on < rnd.call_published_on and o.state not in (S.DRAFT, S.WITHDRAWN)
    ]
    if not earlier:
        return _rule_entry(
            rule,
            PASS,
            "首次申报，不适用",
            "A first application: the rule does not apply",
            {"previous_application": None},
        )
    last = earlier[-1]
    before = await repo.self_assessment_score(session, last.id)
    now = await repo.self_assessment_score(session, app.id)
    facts = {
        "previous_application": str(last.id),
        "previous_score": None if before is None else float(before),
        "score": None if now is None else float(now),
    }
    if before is None or now is None:
        return _rule_entry(
            rule,
            REVIEW,
            "再次申报：自评分缺失，由办公室对照上次申报核实",
            "A repeat application: a self-assessment score is missing; the office compares with the last application",
            facts,
        )
    if now <= before:
        # linyi-13b: information for the reviewers (the experts assess the indicators), never a refusal
        return _rule_entry(
            rule,
            REVIEW,
            f"再次申报：自评分{now}未高于上次的{before}；供评审参考，是否“较大提高”以专家对卓越绩效评价指标的评审为准",
            f"A repeat application: score {now} is not higher than last time's {before}; information for the reviewers, "
            "whether it is clearly higher rests on the experts' assessment of the indicators",
            facts,
        )
    return _rule_entry(
        rule,
        REVIEW,
        f"再次申报：自评分{now}，上次{before}；是否“较大提高”由办公室判断",
        f"A repeat application: score {now} against {before} last time; whether it is clearly higher is the office's judgement",
        facts,
    )


# --- the entries ---------------------------------------------------------------------------------


async def entries(
    session: AsyncSession,
    app: Application,
    rnd: Round,
    prog: ProgrammeVersion,
    applicant: Applicant | None,
    pre: BatchReads | None = None,
) -> list:
    """``pre``: the bans and other applications read for a round action's whole batch."""
    today = clock.today()
    applicant_id = applicant.id if applicant else app.applicant_id
    in_force = pre.bans_in_force(app.credit_code, app.id_number_hash, applicant_id, today) if pre is not None else None
    if in_force is None:
        in_force = await repo.in_force(session, app.credit_code, app.id_number_hash, applicant_id, today)
    reaching = [b for b in in_force if reaches(b, prog, app.category, app.tier_sought)]
    if pre is not None:
        others = pre.other_applications(app.credit_code, app.id_number_hash, applicant_id, app.id)
    else:
        others = await repo.other_applications(session, app.credit_code, app.id_number_hash, applicant_id, app.id)
    out = []
    attributed: set = set()
    for rule in prog.reapplication:
        if rule.kind == "same_year_other_level":
            out.append(await _same_year_entry(rule, prog, applicant, rnd.call_published_on.year, others))
        elif rule.kind == "improvement_required":
            out.append(await _improvement_entry(session, rule, app, rnd, others))
        else:
            mine = [b for b in reaching if b.programme == prog.code and b.rule == rule.id]
            attributed.update(b.id for b in mine)
            out.append(_rule_ban_entry(rule, mine, today))
    # bans of other programmes reaching this one (tianning-15c: same or higher level)
    for ban in reaching:
        if ban.id in attributed:
            continue
        zh, en = _ban_sentence(ban)
        out.append(
            _entry(
                f"ban_{ban.programme}_{ban.rule}",
                ban.clause,
                True,
                f"A ban recorded by {ban.programme} reaching awards of the same or a higher level.",
                FAIL,
                zh,
                en,
                _ban_facts([ban]),
            )
        )
    return out


async def barring(
    session: AsyncSession, app: Application, prog: ProgrammeVersion, tier: str | None, on: date
) -> list[ReapplicationBan]:
    """The bans in force on ``on`` that bar ``app`` from the award actually given (``tier``, its category)."""
    in_force = await repo.in_force(session, app.credit_code, app.id_number_hash, app.applicant_id, on)
    return [b for b in in_force if reaches(b, prog, app.category, tier)]


# --- writing bans when awards are approved or revoked ---------------------------------------------


@dataclass
class Subject:
    applicant_id: Any
    credit_code: str | None
    id_number_hash: str | None
    name: str


def new_ban(
    prog: ProgrammeVersion,
    rule: ReapplicationRule,
    subject: Subject,
    tier: str | None,
    category: str | None,
    starts_on: date,
    reason: str,
    by: str,
    source: Any = None,
) -> ReapplicationBan:
    scope = rule.scope
    return ReapplicationBan(
        applicant_id=subject.applicant_id,
        credit_code=subject.credit_code,
        id_number_hash=subject.id_number_hash,
        applicant_name=subject.name,
        kind=rule.kind,
        rule=rule.id,
        clause=rule.clause,
        programme=prog.code,
        level=prog.level,
        scope=scope,
        tier=tier if scope in ("same_award", "same_tier") else None,
        category=category if scope == "same_award" else None,
        starts_on=starts_on,
        ends_on=ban_end(rule.kind, rule.years, starts_on),
        reason=reason,
        source_application_id=source,
        created_by=by,
    )


def rules_for_award(prog: ProgrammeVersion, tier: str | None) -> list[ReapplicationRule]:
    return [
        r
        for r in prog.reapplication
        if r.kind in ("ban_after_award", "lifetime_ban_after_award") and (r.tiers is None or tier in r.tiers)
    ]


def rules_for_revocation(prog: ProgrammeVersion, ground: str) -> list[ReapplicationRule]:
    return [
        r for r in prog.reapplication if r.kind == "ban_after_revocation" and (r.grounds is None or ground in r.grounds)
    ]


async def after_event(
    session: AsyncSession, app: Application, rnd: Round, event: str, from_state: str, data: dict
) -> None:
    """On ``approve`` into awarded, the re-application bans of the award; on ``revoke``, the bans after revocation."""
    if event not in ("approve", "revoke") or app.state not in (S.AWARDED, S.REVOKED):
        return
    prog = effective_programme(rnd.programme, rnd.programme_version, rnd.overrides)
    subject = Subject(app.applicant_id, app.credit_code, app.id_number_hash, app.applicant_name)
    if event == "approve":
        starts = date.fromisoformat(str(data["approved_on"]))
        for rule in rules_for_award(prog, app.tier):
            reason = f"获得{prog.name_zh}（{app.tier}）{data.get('document_no', '')}".strip()
            await repo.add(
                session, new_ban(prog, rule, subject, app.tier, app.category, starts, reason, "system", app.id)
            )
    else:
        # the five years run from the revocation's own day (the case's decision), else from today
        starts = revocation_day(data)
        for rule in rules_for_revocation(prog, str(data["ground"])):
            reason = f"{prog.name_zh}奖项被撤销（{data['ground']}）"
            await repo.add(
                session, new_ban(prog, rule, subject, app.tier, app.category, starts, reason, "system", app.id)
            )


# --- the office's view: listing bans, recording one by hand ----------------------------------------


def _forbidden():
    from app.domain.errors import DomainError

    return DomainError(
        "forbidden",
        403,
        "只有评审办公室可以查看和登记禁止申报记录",
        "Only offices may list and record bans",
        title="Forbidden",
    )


async def list_bans(
    session: AsyncSession, principal, filters: dict, offset: int, limit: int
) -> tuple[list[ReapplicationBan], int]:
    """Admins see every ban; an office its programme's bans and those reaching every programme (same or higher level)."""
    readable = office.readable_bans(principal)
    if readable is None:
        raise _forbidden()
    return await repo.page(session, readable, filters, offset, limit)


async def record_ban(
    session: AsyncSession,
    settings,
    principal,
    rule_id: str,
    applicant_id,
    credit_code: str | None,
    id_number: str | None,
    name: str | None,
    tier: str | None,
    category: str | None,
    starts_on: date,
    reason: str,
) -> ReapplicationBan:
    """An office records a ban under one of its programme's rules: e.g. an award won before the service ran.

    The end follows from the rule (award years, or years from the revocation); the applicant is
    named by its registry id, its credit code or its ID number (kept only as the keyed hash).
    """
    from app.db.repositories import applicants as applicant_repo
    from app.domain import personal_data
    from app.domain.errors import DomainError, FieldError, invalid
    from app.domain.identifiers import IdentifierError, validate_credit_code, validate_id_number
    from app.domain.programmes.registry import get_registry

    programme = office.records_bans_for(principal)
    if programme is None:
        raise _forbidden()
    if starts_on > clock.today():
        # a ban records an approval or a revocation that happened; a future date would also run its end past the calendar
        raise invalid(
            "starts_on",
            "不能晚于今天（应为奖项批准或撤销之日）",
            "cannot be later than today (the date the award was approved or revoked)",
            "future_date",
        )
    prog = (
        get_registry().version_in_force(programme, starts_on)
        if _has_version(programme, starts_on)
        else get_registry().get(programme)
    )
    rule = next((r for r in prog.reapplication if r.id == rule_id and r.kind in BAN_KINDS), None)
    if rule is None:
        known = [r.id for r in prog.reapplication if r.kind in BAN_KINDS]
        raise DomainError(
            "validation-error",
            422,
            f"“{rule_id}”不是本项目的禁止申报规则",
            f"'{rule_id}' is not a ban rule of this programme",
            title="Unprocessable Content",
            errors=[FieldError("rule", f"可选：{'、'.join(known)}", f"one of: {', '.join(known)}", "enum")],
        )
    if tier is not None and tier not in {t.code for t in prog.tiers}:
        raise invalid(
            "tier",
            f"可选：{'、'.join(t.code for t in prog.tiers)}",
            f"one of: {', '.join(t.code for t in prog.tiers)}",
            "enum",
        )
    if category is not None and category not in {c.code for c in prog.categories}:
        raise invalid(
            "category",
            f"可选：{'、'.join(c.code for c in prog.categories)}",
            f"one of: {', '.join(c.code for c in prog.categories)}",
            "enum",
        )
    if rule.scope in ("same_award", "same_tier") and tier is None:
        raise invalid("tier", "该规则按奖项限制，须写明所获奖项", "this rule bans one award: name its tier", "missing")
    applicant = None
    id_hash = None
    if applicant_id is not None:
        applicant = await applicant_repo.get(session, applicant_id)
        if applicant is None:
            raise invalid("applicant_id", "申报主体不存在", "no such applicant", "not_found")
    elif credit_code:
        try:
            credit_code = validate_credit_code(credit_code)
        except IdentifierError as e:
            raise e.for_field("credit_code") from None
        applicant = await applicant_repo.find_by_identity(session, credit_code, None)
    elif id_number:
        try:
            checked = validate_id_number(id_number)
        except IdentifierError as e:
            raise e.for_field("id_number") from None
        id_hash = personal_data.id_number_hash(settings, checked.number)
        applicant = await applicant_repo.find_by_identity(session, None, id_hash)
    else:
        raise invalid(
            "applicant_id",
            "须指明申报主体（登记编号、统一社会信用代码或身份证件号码）",
            "name the applicant: applicant_id, credit_code or id_number",
            "missing",
        )
    subject = Subject(
        applicant.id if applicant else None,
        applicant.credit_code if applicant else credit_code,
        applicant.id_number_hash if applicant else id_hash,
        applicant.name if applicant else (name or ""),
    )
    if not subject.name:
        raise invalid("name", "未登记的申报主体须写明名称", "an unregistered applicant needs a name", "missing")
    return await repo.add(session, new_ban(prog, rule, subject, tier, category, starts_on, reason, principal.sub))


def _has_version(code: str, on: date) -> bool:
    from app.domain.errors import DomainError
    from app.domain.programmes.registry import get_registry

    try:
        get_registry().version_in_force(code, on)
        return True
    except DomainError:
        return False
