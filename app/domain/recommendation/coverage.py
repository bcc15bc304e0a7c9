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


def _places(applicant: Applicant) -> list[str]:
    return [p for p in (applicant.locality, applicant.competent_department, applicant.registered_jurisdiction, applicant.work_jurisdiction) if p]


def covers(unit_covers: list[str], places: list[str]) -> bool:
    for place in places:
        for code in unit_covers:
            if place == code or within(place, code):
                return True
    return False


async def places_of(session: AsyncSession, applicant: Applicant) -> list[str]:
    places = _places(applicant)
    if applicant.employer_id is not None:
        employer = await applicant_repo.get(session, applicant.employer_id)
        if employer is not None:
            places += _places(employer)
    return places


async def unit_covers(session: AsyncSession, unit_code: str, applicant: Applicant, programme: str | None = None) -> bool:
    """Whether the unit ``unit_code`` (of ``programme``, or of any programme) covers ``applicant``."""
    units = await repo.find_all_by_code(session, unit_code, programme)
    if not units:
        return False
    places = await places_of(session, applicant)
    return any(covers(list(u.covers or []), places) for u in units)
