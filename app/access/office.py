"""What an office (评审办公室) keeps for its programme: rounds, recommending units, notices,
objections and bans. An admin reads all of them; an office those of its own programme."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, true

from app.access import roles
from app.access.applications import ApplicationFacts, may_view
from app.db.models.intake import ReapplicationBan
from app.db.models.workflow import Round
from app.identity import Principal


def manages_rounds(principal: Principal, programme: str) -> bool:
    return roles.is_office_of(principal, programme)


# ``app.domain.states.RoundState.DRAFT``: the access layer sits below the domain
_DRAFT_ROUND = "draft"


def reads_round(principal: Principal, programme: str, state: str) -> bool:
    """Least privilege (issue 13): a round not yet published (draft) is its office's and the admins'
    alone; once published its call is public and the programmes' people read it."""
    return (
        state != _DRAFT_ROUND
        or roles.is_admin(principal)
        or roles.is_system(principal)
        or roles.is_office_of(principal, programme)
    )


def readable_rounds(principal: Principal) -> ColumnElement[bool]:
    """The rounds a list shows: ``reads_round`` as SQL."""
    if roles.is_admin(principal) or roles.is_system(principal):
        return true()
    published = Round.state != _DRAFT_ROUND
    programme = roles.office_programme(principal)
    return published if programme is None else or_(published, Round.programme == programme)


def manages_units(principal: Principal, programme: str) -> bool:
    return roles.is_admin(principal) or roles.is_office_of(principal, programme)


def reads_notice(principal: Principal, programme: str) -> bool:
    return roles.is_admin(principal) or roles.is_office_of(principal, programme)


def handles_notice(principal: Principal, programme: str) -> bool:
    """Publishing a notice (公示), checking a unit-posting proof: the programme's office only."""
    return roles.is_office_of(principal, programme)


def handles_objection(principal: Principal, programme: str) -> bool:
    """An objection (异议) and its objector: the programme's office only."""
    return roles.is_office_of(principal, programme)


def readable_by_programme(principal: Principal, programme_column: ColumnElement[str]) -> ColumnElement[bool] | None:
    """The rows of a programme-kept table (notices, objections) a list shows; None: none (403).

    An office token scoped to no programme is no programme's office: without this it would be no
    filter at all, every programme's rows with their objectors.
    """
    if roles.is_admin(principal):
        return true()
    programme = roles.office_programme(principal)
    return None if programme is None else programme_column == programme


def readable_bans(principal: Principal) -> ColumnElement[bool] | None:
    """Admins every ban; an office its programme's and those reaching every programme (same or higher level)."""
    if roles.is_admin(principal):
        return true()
    programme = roles.office_programme(principal)
    if programme is None:
        return None
    return or_(ReapplicationBan.programme.in_([programme]), ReapplicationBan.scope == "same_or_higher_level")


def records_bans_for(principal: Principal) -> str | None:
    """The programme under whose rules the caller records a ban by hand, if any."""
    return roles.office_programme(principal)


def reads_deadline(principal: Principal, programme: str | None, app: ApplicationFacts | None) -> bool:
    """A deadline a calendar change touches: as its application is seen (``may_view``), or, for a
    round's own deadline (the call's close), as the round's programme's office or an admin."""
    if app is not None:
        return may_view(principal, app)
    return programme is not None and reads_notice(principal, programme)


def confirms_deadline(principal: Principal, programme: str) -> bool:
    """Confirming a deadline a calendar correction would shorten: the programme's office only."""
    return roles.is_office_of(principal, programme)


def reads_office_reports(principal: Principal, programme: str) -> bool:
    """A programme's statistics and exports (统计、导出, issue 19): its office and the admins."""
    return roles.is_admin(principal) or roles.is_office_of(principal, programme)
