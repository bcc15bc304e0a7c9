"""Who sees an application (申报) and who acts on it: one rule for a loaded row and for a list.

A caller reaches applications through one scope, chosen in a fixed order: an admin every one; the
programme's office, expert group or committee those of its programme; a recommending unit those
that name it; an applicant account its own. ``may_view`` (one row) and ``readable`` (the SQL a
list applies) both read that one scope, so a list never shows what a single read would hide.

Least privilege (issue 13): an expert, committee member or supervisor reviews what was submitted,
so a draft (草稿) is not theirs to see: their scope leaves drafts out. The office keeps them (it
helps and starts applications), as do the applicant and the unit it names.

Confidentiality (issue 14; jinshan-21a, hangzhou-6.2a, linyi-20a): an expert who is nothing more
to the programme sees an application only while it holds an open assignment of it, after accepting
the pledge (承诺书). Whether it does is a fact of the review tables: ``may_view`` is told it
(``assigned``, loaded by the caller: ``app.domain.review.confidentiality``), ``readable`` asks it as
an EXISTS over the same tables (``repositories.review.open_pledged_assignment``, the one SQL).
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import ColumnElement, and_, true

from app.access import roles
from app.db.models.workflow import Application
from app.db.repositories.review import open_pledged_assignment
from app.identity import Principal, Role

# ``app.domain.states.DRAFT``: the access layer sits below the domain
DRAFT = "draft"


class ApplicationFacts(Protocol):
    """What the rules read of an application: an ORM row or a lean row view."""

    programme: str
    recommending_unit: str | None
    applicant_ref: str | None
    state: str


def reach(principal: Principal) -> tuple[str, str | None] | None:
    """``("all", None)``, ``(column, value)`` for the one scope the caller reads through, or None."""
    if roles.is_admin(principal):
        return "all", None
    if (programme := roles.staff_programme(principal)) is not None:
        return "programme", programme
    if (unit := roles.unit_of(principal)) is not None:
        return "recommending_unit", unit
    if (ref := roles.applicant_of(principal)) is not None:
        return "applicant_ref", ref
    return None


def sees_drafts(principal: Principal) -> bool:
    """Whether the scope the caller reads through includes drafts: not a programme's experts,
    committee or supervisors (an office token holding those roles too reads as the office)."""
    return not (roles.staff_programme(principal) is not None and roles.office_programme(principal) is None)


def reads_through_assignment(principal: Principal) -> bool:
    """The caller reads the programme's applications as its expert and nothing more: each one only
    through its own open, pledged assignment (jinshan-21a, hangzhou-6.2a, linyi-20a)."""
    scope = reach(principal)
    return (
        scope is not None
        and scope[0] == "programme"
        and principal.has(Role.expert)
        and not principal.has(*roles.PROGRAMME_READERS)
    )


def may_view(principal: Principal, app: ApplicationFacts, *, assigned: bool = False) -> bool:
    """``assigned``: the caller holds an open, pledged assignment of the application (the one fact
    an expert's view depends on); a caller not told so is taken not to (hidden, never shown)."""
    scope = reach(principal)
    if scope is None:
        return False
    column, value = scope
    if not sees_drafts(principal) and app.state == DRAFT:
        return False
    if reads_through_assignment(principal) and not assigned:
        return False
    return column == "all" or getattr(app, column) == value


def readable(principal: Principal) -> ColumnElement[bool] | None:
    """The applications a list shows this caller, as a WHERE clause; None: it may list none (403)."""
    scope = reach(principal)
    if scope is None:
        return None
    column, value = scope
    where = true() if column == "all" else getattr(Application, column) == value
    if not sees_drafts(principal):
        where = and_(where, Application.state != DRAFT)
    if reads_through_assignment(principal):
        assert value is not None
        where = and_(where, open_pledged_assignment(value, principal.sub, Application.id))
    return where


def may_fire(principal: Principal, actors: frozenset[str], app: ApplicationFacts) -> bool:
    """Whether the caller acts on this application in one of ``actors``, the roles an event names."""
    if roles.is_system(principal):
        return roles.SYSTEM_ROLE in actors
    for role in actors & principal.roles:
        if role == Role.office and roles.is_office_of(principal, app.programme):
            return True
        if role == Role.recommender and roles.is_recommender_of(principal, app.recommending_unit):
            return True
        if role == Role.applicant and roles.is_applicant(principal, app.applicant_ref):
            return True
        # the programme's own expert group and committee: never one scoped to no programme
        if role in (Role.committee, Role.expert) and principal.programme and principal.programme == app.programme:
            return True
    return False


def may_edit_materials(principal: Principal, app: ApplicationFacts) -> bool:
    """The form and the applicant's materials: the applicant itself or the programme's office."""
    return roles.is_applicant(principal, app.applicant_ref) or roles.is_office_of(principal, app.programme)


def may_upload_opinion(principal: Principal, app: ApplicationFacts) -> bool:
    """The recommendation opinion (推荐意见): the application's recommending unit or the programme's office."""
    return roles.is_recommender_of(principal, app.recommending_unit) or roles.is_office_of(principal, app.programme)


def may_override_eligibility(principal: Principal, app: ApplicationFacts) -> bool:
    return roles.is_office_of(principal, app.programme)


def may_post_unit_proof(principal: Principal, app: ApplicationFacts) -> bool:
    """The proof of the posting inside the applicant's unit (单位内部公示): the applicant or the office."""
    return roles.is_applicant(principal, app.applicant_ref) or roles.is_office_of(principal, app.programme)


def starts_as_office(principal: Principal, programme: str) -> bool:
    """An office starts an application on an applicant's behalf in its own programme's rounds."""
    return roles.is_office_of(principal, programme)
