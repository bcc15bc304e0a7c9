"""Who keeps and who reads the incubation pool (孵化池): the programme's office keeps it (admits,
schedules trainings, records attendance and the cultivation review); an admin and the programme's
supervision team (评审监督小组) read it; an applicant account reads the memberships it proposed."""

from __future__ import annotations

from sqlalchemy import ColumnElement, true

from app.access import roles
from app.db.models.incubation import IncubationMember, IncubationTraining
from app.identity import Principal


def manages_pool(principal: Principal, programme: str) -> bool:
    return roles.is_office_of(principal, programme)


def reads_pool(principal: Principal, programme: str) -> bool:
    return (
        roles.is_admin(principal)
        or roles.is_office_of(principal, programme)
        or roles.is_supervisor_of(principal, programme)
    )


def may_view_member(principal: Principal, member: IncubationMember) -> bool:
    if reads_pool(principal, member.programme):
        return True
    return member.applicant_ref is not None and roles.is_applicant(principal, member.applicant_ref)


def readable_members(principal: Principal) -> ColumnElement[bool] | None:
    """The memberships a list shows (the same rule as ``may_view_member``); None: the caller lists none."""
    if roles.is_admin(principal):
        return true()
    programme = roles.office_programme(principal) or roles.supervisor_programme(principal)
    if programme is not None:
        return IncubationMember.programme == programme
    own = roles.applicant_of(principal)
    return None if own is None else IncubationMember.applicant_ref == own


def readable_trainings(principal: Principal) -> ColumnElement[bool] | None:
    if roles.is_admin(principal):
        return true()
    programme = roles.office_programme(principal) or roles.supervisor_programme(principal)
    return None if programme is None else IncubationTraining.programme == programme
