"""Whom a recommending unit acts for (推荐单位的推荐范围).

A unit covers an applicant when the applicant's 街镇/园区 (``locality``), its competent
department (``competent_department``) or its registered / working jurisdiction is one of the
codes the unit covers (a jurisdiction code also covers the places within it, so a linyi county
body covering ``371302`` covers every applicant registered there). An individual is covered
through their own locality and jurisdiction and through their employer's.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.intake import Applicant
from app.db.repositories import applicants as applicant_repo
from app.db.repositories import recommendation as repo
from app.domain.applicants.jurisdictions import within
from app.domain.states import ApplicationState as S


def _places(applicant: Applicant) -> list[str]:
    # the competent department recommends the organisations of its own line (tianning-10b)
    return [
        p
        for p in (
            applicant.locality,
            applicant.competent_department,
            applicant.registered_jurisdiction,
            applicant.work_jurisdiction,
        )
        if p
    ]


def covers(unit_covers: list[str], places: list[str]) -> bool:
    for place in places:
        for code in unit_covers:
            if place == code or within(place, code):
                return True
    return False


async def places_of(session: AsyncSession, applicant: Applicant, employer: Applicant | None = None) -> list[str]:
    """The applicant's places and its employer's (``employer`` when the caller has read it already)."""
    places = _places(applicant)
    if applicant.employer_id is not None:
        if employer is None:
            employer = await applicant_repo.view(session, applicant.employer_id)
        if employer is not None:
            places += _places(employer)
    return places


async def unit_covers(
    session: AsyncSession, unit_code: str, applicant: Applicant, programme: str | None = None
) -> bool:
    """Whether the unit ``unit_code`` (of ``programme``, or of any programme) covers ``applicant``."""
    units = await repo.find_all_by_code(session, unit_code, programme)
    if not units:
        return False
    places = await places_of(session, applicant)
    return any(covers(list(u.covers or []), places) for u in units)


# --- the recommendation stage: is the application's unit one that covers its applicant? -----------

RECOMMENDATION_STAGES = (S.AWAITING_RECOMMENDATION, S.PRELIMINARY_REVIEW)


def recommendation_stage(prog):
    """The programme's recommendation (推荐) or preliminary review (条件初审) stage, or None (hangzhou)."""
    return next((p for p in prog.pipeline if str(p.stage) in RECOMMENDATION_STAGES), None)


async def assess(
    session: AsyncSession,
    app,
    prog,
    applicant: Applicant | None,
    employer: Applicant | None = None,
    units: list | None = None,
) -> tuple[str, str, str, dict]:
    """(result, zh, en, facts) for the application's recommending unit (``units``: its code's units, when read
    already for a round action's batch)."""
    unit_code = app.recommending_unit
    facts: dict = {"recommending_unit": unit_code}
    if not unit_code:
        return (
            "fail",
            "未选择推荐单位（街镇、园区、主管部门或县区），无法推荐",
            "No recommending unit chosen (sub-district, park, department or county): nobody can recommend the application",
            facts,
        )
    if units is None:
        units = await repo.find_all_by_code(session, unit_code, prog.code)
    if not units:
        return (
            "needs_review",
            f"推荐单位“{unit_code}”未在本项目登记，推荐范围由办公室核实",
            f"The recommending unit '{unit_code}' is not registered for this programme: the office checks its area",
            facts,
        )
    unit = units[0]
    facts["covers"] = list(unit.covers or [])
    if applicant is None:
        return (
            "needs_review",
            f"申报主体未登记，无法核对是否属于“{unit.name_zh}”的推荐范围",
            f"The applicant is not registered: cannot check it lies in the area of '{unit.name_zh}'",
            facts,
        )
    places = await places_of(session, applicant, employer)
    facts["applicant_places"] = places
    if covers(list(unit.covers or []), places):
        return (
            "pass",
            f"申报主体属于“{unit.name_zh}”的推荐范围",
            f"The applicant lies in the area of '{unit.name_zh}'",
            facts,
        )
    return (
        "fail",
        f"申报主体不属于“{unit.name_zh}”的推荐范围（{'、'.join(unit.covers or []) or '未设'}），应由所在街镇、园区或主管部门推荐",
        f"The applicant is outside the area of '{unit.name_zh}' ({', '.join(unit.covers or []) or 'none set'}); its own sub-district, park or department recommends it",
        facts,
    )


async def check_recommender(session: AsyncSession, app, rnd, event: str, data: dict, pre=None) -> None:
    """``recommend`` / ``pass_preliminary``: a unit acts only for applicants it covers (403 otherwise).

    ``pre``: the batch's records (``app.domain.batch_reads``) of a round action."""
    from app.db.repositories import applicants as applicant_repo
    from app.domain.errors import DomainError
    from app.domain.programmes.effective import effective_programme

    prog = effective_programme(rnd.programme, rnd.programme_version, rnd.overrides)
    stage = recommendation_stage(prog)
    if stage is None:
        return
    if pre is not None:
        applicant = pre.applicant(app)
        employer = pre.employer(applicant) if applicant is not None else None
        units = pre.units_of(app.recommending_unit, prog.code) if app.recommending_unit else None
        result, zh, en, facts = await assess(session, app, prog, applicant, employer, units)
    else:
        applicant = (
            await applicant_repo.view(session, app.applicant_id)
            if app.applicant_id
            else await applicant_repo.view_by_identity(session, app.credit_code, app.id_number_hash)
        )
        result, zh, en, facts = await assess(session, app, prog, applicant)
    if result == "fail":
        raise DomainError(
            "unit-does-not-cover",
            403,
            zh,
            en,
            title="Forbidden",
            clause=stage.clause,
            extra={"event": event, **{k: v for k, v in facts.items() if k != "applicant_places"}},
        )
