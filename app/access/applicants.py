"""Who reads and changes the applicant registry (申报主体名录), which holds personal data.

Least privilege (issue 13): an admin reads the whole registry; an office only the records it
handles, those it registered and those with an application in its programme; a record is also read
by the applicant account it belongs to and by the recommending units its applications name. The
full ID number is shown to the handling office and to the owning account whose token verifies that
number (``proven``), never to an account that merely holds the record.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import roles
from app.db.models.intake import Applicant
from app.db.models.workflow import Application
from app.db.repositories import applicants as repo
from app.identity import Principal


def reads_registry(principal: Principal) -> bool:
    """Who may list the registry at all: admins, and offices of a programme (each its own records:
    ``readable``); an office token scoped to no programme is nobody's office."""
    return roles.is_admin(principal) or roles.office_programme(principal) is not None


def _applied_in(programme: str) -> ColumnElement[bool]:
    """The record has an application in ``programme`` (linked, or by the same identifier)."""
    same_applicant = or_(
        Application.applicant_id == Applicant.id,
        Application.credit_code == Applicant.credit_code,
        Application.id_number_hash == Applicant.id_number_hash,
    )
    return exists(select(Application.id).where(Application.programme == programme, same_applicant))


def readable(principal: Principal) -> ColumnElement[bool] | None:
    """The records a registry list shows; None: the caller may not list the registry (403).

    An office lists what ``handles`` lets it read one by one: the records it registered and those
    that applied (or apply) in its programme, never another programme's applicants.
    """
    if not reads_registry(principal):
        return None
    programme = roles.office_programme(principal)
    if roles.is_admin(principal) or programme is None:
        return true()
    return or_(Applicant.registered_by_programme == programme, _applied_in(programme))


def owns(principal: Principal, applicant: Applicant) -> bool:
    ref = roles.applicant_of(principal)
    return ref is not None and ref in (str(applicant.id), applicant.principal_ref)


async def handles(session: AsyncSession, principal: Principal, applicant: Applicant) -> bool:
    """The office handling this applicant: it registered it, or it has an application in the office's programme."""
    programme = roles.office_programme(principal)
    if programme is None:
        return False
    if applicant.registered_by_programme == programme:
        return True
    return programme in await repo.programmes_applied(session, applicant)


async def may_read(session: AsyncSession, principal: Principal, applicant: Applicant) -> bool:
    if roles.is_admin(principal) or owns(principal, applicant) or await handles(session, principal, applicant):
        return True
    if (unit := roles.unit_of(principal)) is not None:
        # only the applicants that chose the unit to recommend one of their applications: the
        # registry holds personal data (names, masked ID numbers, phones, employers, records), and
        # covering an area or system is not a reason to read everyone registered in it
        return unit in await repo.recommending_units_of(session, applicant)
    return False


async def may_change(session: AsyncSession, principal: Principal, applicant: Applicant) -> bool:
    return roles.is_admin(principal) or owns(principal, applicant) or await handles(session, principal, applicant)


async def may_reassign(session: AsyncSession, principal: Principal, applicant: Applicant) -> bool:
    """Binding a record to another applicant account: an admin or the office handling it, never an account."""
    return roles.is_admin(principal) or await handles(session, principal, applicant)


async def sees_id_number(
    session: AsyncSession, principal: Principal, applicant: Applicant, proven: bool = False
) -> bool:
    """The handling office, or the owning account whose token verifies this very number (``proven``)."""
    return (owns(principal, applicant) and proven) or await handles(session, principal, applicant)


def registers_as(principal: Principal, principal_ref: str | None) -> tuple[str | None, str | None] | None:
    """``(principal_ref, registered_by_programme)`` of a record the caller registers; None: it may not."""
    if roles.is_admin(principal):
        return principal_ref, None
    if (programme := roles.office_programme(principal)) is not None:
        return principal_ref, programme
    if (ref := roles.applicant_of(principal)) is not None:
        return ref, None
    return None


def registers_on_behalf(principal: Principal) -> str | None:
    """``admin`` or ``office`` when the caller registers for someone else (answering for the identity
    itself); None: an applicant account registering itself, which its token must prove."""
    if roles.is_admin(principal):
        return "admin"
    if roles.office_programme(principal) is not None:
        return "office"
    return None
