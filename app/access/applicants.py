"""Who reads and changes the applicant registry (申报主体名录), which holds personal data.

The registry is read by admins and offices; a record by the applicant account it belongs to, the
office handling it, and the recommending units its applications name. The full ID number is shown
to the person and the handling office only.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import roles
from app.db.models.intake import Applicant
from app.db.repositories import applicants as repo
from app.identity import Principal


def reads_registry(principal: Principal) -> bool:
    """Admins, and offices of a programme (an office token scoped to no programme is nobody's office)."""
    return roles.is_admin(principal) or roles.office_programme(principal) is not None


def readable(principal: Principal) -> ColumnElement[bool] | None:
    """The records a registry list shows; None: the caller may not list the registry (403)."""
    return true() if reads_registry(principal) else None


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
    if reads_registry(principal) or owns(principal, applicant):
        return True
    if (unit := roles.unit_of(principal)) is not None:
        # only the applicants that chose the unit to recommend one of their applications: the
        # registry holds personal data (names, masked ID numbers, phones, employers, records), and
        # covering an area or system is not a reason to read everyone registered in it
        return unit in await repo.recommending_units_of(session, applicant)
    return False


async def may_change(session: AsyncSession, principal: Principal, applicant: Applicant) -> bool:
    return roles.is_admin(principal) or owns(principal, applicant) or await handles(session, principal, applicant)


async def sees_id_number(session: AsyncSession, principal: Principal, applicant: Applicant) -> bool:
    return owns(principal, applicant) or await handles(session, principal, applicant)


def registers_as(principal: Principal, principal_ref: str | None) -> tuple[str | None, str | None] | None:
    """``(principal_ref, registered_by_programme)`` of a record the caller registers; None: it may not."""
    if roles.is_admin(principal):
        return principal_ref, None
    if (programme := roles.office_programme(principal)) is not None:
        return principal_ref, programme
    if (ref := roles.applicant_of(principal)) is not None:
        return ref, None
    return None
