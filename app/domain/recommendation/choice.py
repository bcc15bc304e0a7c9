"""Choosing the recommending unit (选择推荐单位) of an application, and which units cover an applicant.

The unit is chosen when the application is created and may change while it is a ``draft``
(also after ``return_for_correction``, which returns it there): a clerk who picked the wrong
街镇 no longer withdraws and starts again. Each change needs ``If-Match`` and a reason and is
an entry of the application's history (``change_recommending_unit``, from and to), so the chain
shows who moved it and why. A unit that does not cover the applicant is refused at once with the
units that do (changning-20b, jinshan-18b, linyi-14c, tianning-12b: the applicant's own
sub-district, park, department or county recommends it).
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import applicants as applicant_access
from app.access import applications as access
from app.db.models.intake import Applicant
from app.db.models.workflow import Application
from app.db.repositories import applicants as applicant_repo
from app.db.repositories import recommendation as repo
from app.db.repositories import workflow as workflow_repo
from app.domain import clock, history
from app.domain.applicants.jurisdictions import within
from app.domain.errors import DomainError, FieldError, not_found
from app.domain.lookups import service as lookups
from app.domain.preconditions import check_if_match
from app.domain.programmes.effective import effective_programme
from app.domain.recommendation.coverage import recommendation_stage
from app.domain.review import confidentiality
from app.domain.states import ApplicationState as S
from app.identity import Principal

# the applicant's attributes a unit's ``covers`` codes are matched against (coverage.py)
PLACE_ATTRIBUTES = {
    "locality": ("所在街镇、园区", "sub-district, town or park"),
    "competent_department": ("主管部门", "competent department"),
    "registered_jurisdiction": ("登记注册地", "registered jurisdiction"),
    "work_jurisdiction": ("工作所在地", "work jurisdiction"),
}


def _names(programme: str) -> dict[str, str]:
    return {
        v["code"]: v["name_zh"]
        for name in ("localities", "departments")
        for v in lookups.values(name, programme if name == "localities" else None)
    }


def labelled_places(applicant: Applicant, employer: Applicant | None) -> list[dict]:
    """Each place of the applicant (and of its employer, for an individual) with the attribute it comes from."""
    out = []
    for who, record in (("applicant", applicant), ("employer", employer)):
        if record is None:
            continue
        for attr in PLACE_ATTRIBUTES:
            value = getattr(record, attr, None)
            if value:
                out.append({"of": who, "attribute": attr, "code": value})
    return out


def matches(unit_covers: list[str], places: list[dict]) -> list[dict]:
    """How a unit's ``covers`` reaches the places: ``equal`` (the same code) or ``within`` (a division inside it)."""
    found = []
    for place in places:
        for code in unit_covers:
            if place["code"].strip().lower() == code.strip().lower():
                found.append({**place, "covers": code, "how": "equal"})
            elif within(place["code"], code):
                found.append({**place, "covers": code, "how": "within"})
    return found


async def covering_units(session: AsyncSession, programme: str, applicant: Applicant | None) -> dict:
    """The programme's units, those covering ``applicant`` first, each with how its ``covers`` matched."""
    employer = None
    if applicant is not None and applicant.employer_id is not None:
        employer = await applicant_repo.view(session, applicant.employer_id)
    places = labelled_places(applicant, employer) if applicant is not None else []
    names = _names(programme)
    for p in places:
        p["name_zh"] = names.get(p["code"])
        p["attribute_zh"] = PLACE_ATTRIBUTES[p["attribute"]][0]
    units = []
    for u in await repo.all_in_programme(session, programme):
        found = matches(list(u.covers or []), places)
        units.append(
            {
                "code": u.code,
                "name_zh": u.name_zh,
                "kind": u.kind,
                "covers": [{"code": c, "name_zh": names.get(c)} for c in (u.covers or [])],
                "covers_applicant": bool(found),
                "matched": found,
            }
        )
    units.sort(key=lambda u: (not u["covers_applicant"], u["code"]))
    return {
        "programme": programme,
        "applicant_registered": applicant is not None,
        "applicant_places": places,
        "how_covers_matches": (
            "推荐单位的 covers 代码与申报主体（个人还包括其工作单位）的所在街镇园区（locality）、主管部门"
            "（competent_department）、登记注册地或工作所在地之一相同，或该地处于 covers 所列行政区划之内，即属其推荐范围"
        ),
        "units": units,
    }


async def _applicant_of(session: AsyncSession, app: Application) -> Applicant | None:
    if app.applicant_id:
        return await applicant_repo.view(session, app.applicant_id)
    return await applicant_repo.view_by_identity(session, app.credit_code, app.id_number_hash)


async def for_application(session: AsyncSession, principal: Principal, app_id: uuid.UUID) -> dict:
    app = await workflow_repo.get_application(session, app_id)
    if app is None or not await confidentiality.may_view(session, principal, app):
        raise not_found("申报", "Application", app_id)
    out = await covering_units(session, app.programme, await _applicant_of(session, app))
    return {"application_id": app.id, "recommending_unit": app.recommending_unit, **out}


async def for_applicant(session: AsyncSession, principal: Principal, applicant_id: uuid.UUID, programme: str) -> dict:
    """The units of ``programme`` covering a registered applicant (before any application: which to choose)."""
    applicant = await applicant_repo.get(session, applicant_id)
    if applicant is None or not await applicant_access.may_read(session, principal, applicant):
        raise not_found("申报主体", "Applicant", applicant_id)
    return {"applicant_id": applicant.id, **await covering_units(session, programme, applicant)}


async def change_unit(
    session: AsyncSession,
    principal: Principal,
    request_id: str | None,
    app_id: uuid.UUID,
    unit_code: str | None,
    reason: str,
    if_match: str | None,
) -> Application:
    """Set or change the application's recommending unit while it is a draft (``If-Match``, a reason, a history entry)."""
    app = await workflow_repo.get_application(session, app_id, for_update=True)
    if app is None or not await confidentiality.may_view(session, principal, app, read=False):
        raise not_found("申报", "Application", app_id)
    if not access.may_edit_materials(principal, app):
        raise DomainError(
            "forbidden",
            403,
            "只有申报单位（个人）或本项目评审办公室可以更改推荐单位",
            "Only the applicant or the programme's office may change the recommending unit",
            title="Forbidden",
        )
    if app.state != S.DRAFT:
        raise DomainError(
            "application-not-editable",
            409,
            "推荐单位只能在申报提交前（或退回补正后）更改",
            "The recommending unit changes only while the application is a draft (or returned for correction)",
            title="Conflict",
            extra={"state": app.state, "editable_in": [S.DRAFT.value]},
        )
    check_if_match(if_match, app.version)
    rnd = await workflow_repo.get_round(session, app.round_id)
    assert rnd is not None
    prog = effective_programme(rnd.programme, rnd.programme_version, rnd.overrides)
    stage = recommendation_stage(prog)
    if unit_code is not None:
        if stage is None:
            raise DomainError(
                "validation-error",
                422,
                f"本项目（{prog.name_zh}）不经推荐，申报直接报送评审办公室，不选择推荐单位",
                f"This programme ({prog.name_en}) has no recommendation: applications go straight to the office",
                title="Unprocessable Content",
                clause=prog.application_clause,
                errors=[
                    FieldError("unit", "本项目不选择推荐单位，应为 null", "this programme takes no unit: null", "enum")
                ],
            )
        unit = await repo.find_by_code(session, app.programme, unit_code)
        href = f"/api/v1/applications/{app.id}/recommending-units"
        if unit is None:
            raise DomainError(
                "validation-error",
                422,
                f"推荐单位“{unit_code}”未在本项目登记；可选的推荐单位见 {href}",
                f"No recommending unit '{unit_code}' in this programme; the units to choose from: {href}",
                title="Unprocessable Content",
                errors=[
                    FieldError(
                        "unit",
                        f"应为本项目推荐单位的代码，见 {href}",
                        f"a unit code of the programme, see {href}",
                        "enum",
                    )
                ],
            )
        applicant = await _applicant_of(session, app)
        if applicant is not None:
            listing = await covering_units(session, app.programme, applicant)
            chosen = next(u for u in listing["units"] if u["code"] == unit_code)
            if not chosen["covers_applicant"]:
                able = [f"{u['code']}（{u['name_zh']}）" for u in listing["units"] if u["covers_applicant"]]
                raise DomainError(
                    "validation-error",
                    422,
                    f"“{unit.name_zh}”的推荐范围不含本申报主体；覆盖本申报主体的推荐单位："
                    + ("、".join(able) or "无（请评审办公室核实推荐单位的推荐范围）"),
                    f"'{unit.name_zh}' does not cover this applicant; units that do: "
                    + (", ".join(u["code"] for u in listing["units"] if u["covers_applicant"]) or "none"),
                    title="Unprocessable Content",
                    clause=stage.clause,
                    errors=[FieldError("unit", "不覆盖本申报主体", "does not cover this applicant", "not_covering")],
                    extra={"covering_units": [u["code"] for u in listing["units"] if u["covers_applicant"]]},
                )
    before = app.recommending_unit
    now = clock.now()
    app.recommending_unit = unit_code
    app.version += 1
    app.updated_at = now
    role = sorted(principal.roles)[0] if principal.roles else None
    await history.append(
        session,
        app,
        history.Actor(principal.sub, role, request_id),
        "change_recommending_unit",
        app.state,
        app.state,
        True,
        reason,
        {"from": before, "to": unit_code},
        None,
        now,
    )
    await session.flush()
    return app
