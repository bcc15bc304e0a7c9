"""Assessing an application's eligibility: every criterion of its programme, explained.

The facts come from the applicant registry (the record the application is linked to, or the one
its credit code / ID number names); an individual's "of: organisation" criteria read their
employer's record. An office may override a computed result with a reason; the override is kept
(``eligibility_overrides``) and written to the application's history. Whether the chosen recommending
unit covers the applicant (``app/domain/recommendation/coverage.py``) and the bans on applying
(``app/domain/eligibility/bans.py``) are listed with the criteria, so the office sees every
reason for refusing in one answer.

The days counted to (``criteria.Dates``): the call's publication and close, and the day of the
check. An application not yet past its qualification review is checked as of today (the
submission, the review itself, or a reader looking before either); once past it, as of the day
of its last accepted check (``submit`` / ``pass_qualification``), so a record dated after the
review is a matter for the notice's objections or revocation, not a change of the eligibility
answer the review relied on.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import applications as access
from app.db.models.intake import Applicant, EligibilityOverride
from app.db.models.workflow import Application, Round
from app.db.repositories import applicants as applicant_repo
from app.db.repositories import eligibility as repo
from app.db.repositories import workflow as workflow_repo
from app.domain import clock, history
from app.domain.batch_reads import BatchReads
from app.domain.eligibility import criteria
from app.domain.eligibility.criteria import FAIL, PASS, REVIEW
from app.domain.errors import DomainError, FieldError, not_found
from app.domain.programmes.effective import effective_programme
from app.domain.programmes.facts import FACTS
from app.domain.programmes.version import ProgrammeVersion
from app.domain.review import confidentiality
from app.domain.states import FINAL_STATES
from app.domain.states import ApplicationState as S
from app.identity import Principal


@dataclass
class Entry:
    """One line of the eligibility answer: a criterion (or a reapplication rule) and its result."""

    criterion: str
    kind: str  # machine | judgement | recommendation | reapplication
    clause: str | None
    stated: bool
    summary_en: str
    result: str
    computed: str
    zh: str
    en: str
    facts: dict[str, Any] = field(default_factory=dict)
    applies: bool = True
    tiers: list[str] | None = None
    override: EligibilityOverride | None = None
    counted_to: date | None = None
    records: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Assessment:
    application: Application
    programme: ProgrammeVersion
    applicant: Applicant | None
    reference_date: date
    entries: list[Entry]
    dates: criteria.Dates | None = None

    @property
    def failed(self) -> list[Entry]:
        return [e for e in self.entries if e.result == FAIL]

    @property
    def result(self) -> str:
        if self.failed:
            return FAIL
        return REVIEW if any(e.result == REVIEW for e in self.entries) else PASS


def facts_of(applicant: Applicant | None) -> dict[str, Any]:
    if applicant is None:
        return {}
    out: dict[str, Any] = {}
    records = applicant.records or {}
    for name, kind in FACTS.items():
        if kind == "records":
            out[name] = records.get(name)
        else:
            out[name] = getattr(applicant, name, None)
    return out


async def registry_record(session: AsyncSession, app: Application) -> Applicant | None:
    """The applicant's registry record, read-only (a view of the row, not an ORM object)."""
    if app.applicant_id is not None:
        return await applicant_repo.view(session, app.applicant_id)
    return await applicant_repo.view_by_identity(session, app.credit_code, app.id_number_hash)


def _criteria_of(prog: ProgrammeVersion, app: Application):
    for c in prog.eligibility:
        if c.categories is not None and app.category not in c.categories:
            continue
        if c.tiers is not None and app.tier_sought is not None and app.tier_sought not in c.tiers:
            continue
        yield c


async def assess(
    session: AsyncSession, app: Application, rnd: Round, checking: bool = False, pre: BatchReads | None = None
) -> Assessment:
    """Every criterion of ``app``; ``checking``: an event's check, which reads the records known today.

    ``pre``: the records read for a round action's whole batch (``app.domain.batch_reads``), not read again."""
    prog = effective_programme(rnd.programme, rnd.programme_version, rnd.overrides)
    applicant = pre.applicant(app) if pre is not None else await registry_record(session, app)
    facts = facts_of(applicant)
    employer = None
    if applicant is not None and applicant.employer_id is not None:
        employer = pre.employer(applicant) if pre is not None else None
        if employer is None:
            employer = await applicant_repo.view(session, applicant.employer_id)
    employer_facts = facts_of(employer)
    reference = rnd.call_published_on
    dates = await counting_dates(session, app, rnd, checking)
    entries: list[Entry] = []
    for c in _criteria_of(prog, app):
        if c.kind == "machine" and applicant is None:
            out = criteria.Outcome(
                REVIEW,
                {},
                "申报主体未在申报主体名录中登记，申报条件由资格审查核实",
                "The applicant is not in the applicant registry: to be verified at qualification review",
            )
        else:
            of_org = c.params.get("of") == "organisation" and app.applicant_kind == "individual"
            source = employer_facts if of_org else facts
            if of_org and employer is None and c.kind == "machine":
                out = criteria.Outcome(
                    REVIEW,
                    {},
                    "未登记所在组织（工作单位），无法核对组织的记录",
                    "No employer registered: the organisation's record cannot be checked",
                    missing=["employer_id"],
                )
            else:
                gate_source = {**source, **({c.applies_when: facts.get(c.applies_when)} if c.applies_when else {})}
                out = criteria.evaluate(
                    c, gate_source, reference, prog.jurisdiction.code, prog.jurisdiction.name_zh, dates
                )
        entries.append(
            Entry(
                c.id,
                c.kind,
                c.clause,
                c.stated,
                c.summary_en,
                out.result,
                out.result,
                out.zh,
                out.en,
                out.facts,
                out.applies,
                c.tiers,
                counted_to=out.counted_to,
                records=out.records,
            )
        )
    from app.domain.eligibility import bans
    from app.domain.recommendation import coverage

    stage = coverage.recommendation_stage(prog)
    if stage is not None:
        units = pre.units_of(app.recommending_unit, prog.code) if pre is not None and app.recommending_unit else None
        result, zh, en, read = await coverage.assess(session, app, prog, applicant, employer, units)
        entries.append(
            Entry(
                "recommending_unit_covers_applicant",
                "recommendation",
                stage.clause,
                True,
                "The recommending unit chosen covers the applicant's area or system.",
                result,
                result,
                zh,
                en,
                read,
            )
        )
    entries += await bans.entries(session, app, rnd, prog, applicant, pre)
    known = pre.overrides.get(app.id) if pre is not None else None
    overrides = known if known is not None else await repo.latest_overrides(session, app.id)
    for e in entries:
        o = overrides.get(e.criterion)
        if o is not None:
            e.override = o
            e.result = o.result
    return Assessment(app, prog, applicant, reference, entries, dates)


# states in which eligibility is still to be checked: the check reads the records known today
_BEFORE_QUALIFIED = frozenset({S.DRAFT, S.AWAITING_RECOMMENDATION, S.PRELIMINARY_REVIEW, S.QUALIFICATION_REVIEW})


async def counting_dates(session: AsyncSession, app: Application, rnd: Round, checking: bool) -> criteria.Dates:
    """The call's publication and last day, and the day of the check (see the module's docstring)."""
    # the window closes at ``closes_at`` (exclusive): its last day is the day before a midnight close
    close = (rnd.closes_at - timedelta(microseconds=1)).astimezone(clock.SHANGHAI).date()
    check = clock.today()
    qualified = app.state not in _BEFORE_QUALIFIED or (app.outcome or {}).get("decision") == "pass_qualification"
    if qualified and not checking:
        checked_at = await repo.last_check_at(session, app.id)
        if checked_at is not None:
            check = checked_at.astimezone(clock.SHANGHAI).date()
    return criteria.Dates(rnd.call_published_on, close, check)


def refusal(assessment: Assessment, event: str) -> DomainError:
    failed = assessment.failed
    zh = "；".join(f"{e.criterion}（{e.clause}）：{e.zh}" for e in failed)
    en = "; ".join(f"{e.criterion} ({e.clause}): {e.en}" for e in failed)
    return DomainError(
        "ineligible",
        422,
        f"不符合申报条件，共{len(failed)}项：{zh}",
        f"{len(failed)} eligibility criteria not met: {en}",
        title="Unprocessable Content",
        clause=failed[0].clause,
        errors=[FieldError(f"eligibility.{e.criterion}", e.zh, e.en, "fail") for e in failed],
        extra={
            "event": event,
            "failed": [{"criterion": e.criterion, "kind": e.kind, "clause": e.clause} for e in failed],
        },
    )


# --- the checks the workflow runs at submit and at qualification review ----------------------


async def check_event(
    session: AsyncSession, app: Application, rnd: Round, event: str, data: dict, pre: BatchReads | None = None
) -> None:
    """Refuse ``submit`` / ``pass_qualification`` listing every failed criterion and ban (422)."""
    assessment = await assess(session, app, rnd, checking=True, pre=pre)
    if app.applicant_id is None and assessment.applicant is not None:
        app.applicant_id = assessment.applicant.id
    if assessment.failed:
        raise refusal(assessment, event)


# --- reading and overriding -------------------------------------------------------------------


async def for_caller(session: AsyncSession, principal: Principal, app_id: uuid.UUID) -> Assessment:
    app = await workflow_repo.get_application(session, app_id)
    if app is None or not await confidentiality.may_view(session, principal, app):
        raise not_found("申报", "Application", app_id)
    rnd = await workflow_repo.get_round(session, app.round_id)
    assert rnd is not None
    return await assess(session, app, rnd)


async def override(
    session: AsyncSession,
    principal: Principal,
    request_id: str | None,
    app_id: uuid.UUID,
    criterion: str,
    result: str,
    reason: str,
) -> Assessment:
    """An office replaces a computed result (pass or fail) for one criterion, with a reason, recorded in the history."""
    app = await workflow_repo.get_application(session, app_id, for_update=True)
    if app is None or not await confidentiality.may_view(session, principal, app, read=False):
        raise not_found("申报", "Application", app_id)
    if not access.may_override_eligibility(principal, app):
        raise DomainError(
            "forbidden",
            403,
            "只有本项目的评审办公室可以改变申报条件的认定",
            "Only the programme's office may override an eligibility result",
            title="Forbidden",
        )
    if app.state in FINAL_STATES or app.state == S.AWARDED:
        raise DomainError(
            "application-closed",
            409,
            "申报已结束，不能再改变申报条件的认定",
            "The application has ended; its eligibility can no longer be overridden",
            title="Conflict",
            extra={"state": app.state},
        )
    rnd = await workflow_repo.get_round(session, app.round_id)
    assert rnd is not None
    current = await assess(session, app, rnd)
    entry = next((e for e in current.entries if e.criterion == criterion), None)
    if entry is None:
        known = [e.criterion for e in current.entries]
        raise DomainError(
            "validation-error",
            422,
            f"本申报没有申报条件“{criterion}”",
            f"'{criterion}' is not a criterion of this application",
            title="Unprocessable Content",
            errors=[FieldError("criterion", f"可选：{'、'.join(known)}", f"one of: {', '.join(known)}", "enum")],
        )
    if entry.kind == "preference" and result == FAIL:
        # jinshan-15h "具备首席质量官者优先": a preference for the reviewers, never a reason to refuse
        raise DomainError(
            "validation-error",
            422,
            f"“{criterion}”是优先条件，不能认定为不符合",
            f"'{criterion}' is a preference, not a condition: it cannot be set to fail",
            title="Unprocessable Content",
            clause=entry.clause,
            errors=[FieldError("result", "优先条件不能认定为不符合", "a preference cannot fail", "preference")],
        )
    now = clock.now()
    await repo.add_override(
        session,
        EligibilityOverride(
            application_id=app.id,
            criterion=criterion,
            computed=entry.computed,
            result=result,
            reason=reason,
            by=principal.sub,
            at=now,
        ),
    )
    role = sorted(principal.roles)[0] if principal.roles else None
    await history.append(
        session,
        app,
        history.Actor(principal.sub, role, request_id),
        "override_eligibility",
        app.state,
        app.state,
        True,
        reason,
        {"criterion": criterion, "clause": entry.clause, "computed": entry.computed, "result": result},
        None,
        now,
    )
    await session.flush()
    return await assess(session, app, rnd)
