"""Who sees and records what follows an award (获奖后管理): duties, follow-up visits, role-model activities.

The programme's office keeps them (it schedules, receives, visits and reports); its supervision team
(评审监督小组) reads them and writes nothing; a winner's applicant account sees its own duties and
submits its reports and activities. ``readable_duties`` is the list's SQL of the same rule.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select, true

from app.access import roles
from app.access.applications import ApplicationFacts
from app.db.models.aftercare import AwardDuty
from app.db.models.workflow import Application
from app.identity import Principal


def _programme_reader(principal: Principal) -> str | None:
    return roles.office_programme(principal) or roles.supervisor_programme(principal)


def reads_programme(principal: Principal, programme: str) -> bool:
    """A programme's follow-ups and its role-model report: its office, its supervision team, the admins."""
    return roles.is_admin(principal) or _programme_reader(principal) == programme


def readable_duties(principal: Principal) -> ColumnElement[bool] | None:
    """The duties a list shows: every one (admin), the programme's (office, supervisor), a winner's own; None: 403."""
    if roles.is_admin(principal):
        return true()
    if (programme := _programme_reader(principal)) is not None:
        return AwardDuty.programme == programme
    if (ref := roles.applicant_of(principal)) is not None:
        return AwardDuty.application_id.in_(select(Application.id).where(Application.applicant_ref == ref))
    return None


def readable_by_programme(principal: Principal, programme_column: ColumnElement[str]) -> ColumnElement[bool] | None:
    """Follow-up visits: the admins all, an office or supervision team its programme's; None: 403."""
    if roles.is_admin(principal):
        return true()
    programme = _programme_reader(principal)
    return None if programme is None else programme_column == programme


def sees_winner(principal: Principal, app: ApplicationFacts) -> bool:
    """A winner's duties and activities: the admins, the programme's office and supervisors, its own account."""
    return reads_programme(principal, app.programme) or roles.is_applicant(principal, app.applicant_ref)


def submits_for(principal: Principal, app: ApplicationFacts) -> bool:
    """A report or a role-model activity: the winner's own account, or the office receiving it on paper."""
    return roles.is_applicant(principal, app.applicant_ref) or roles.is_office_of(principal, app.programme)


def records_follow_up(principal: Principal, programme: str) -> bool:
    """A follow-up visit and its result (changning-36a, jinshan-28a, linyi-25a): the programme's office."""
    return roles.is_office_of(principal, programme)
