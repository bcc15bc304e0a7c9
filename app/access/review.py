"""Who runs the expert review (专家评审): the pool and panels are the programme office's; an expert
acts only as itself, on what is assigned to it.

The expert pool (专家库) and panels (评审组) are managed by the programme's office; an admin and the
programme's supervision team (评审监督小组, hangzhou-6.1) read them, the latter changing nothing. An expert is the identity subject an expert record names, with role ``expert`` scoped to the
record's programme: nobody else acts or reads as that expert.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, true

from app.access import roles
from app.db.models.review import Expert
from app.identity import Principal, Role


def manages_review(principal: Principal, programme: str) -> bool:
    """The pool, panels, assignments, conflict overrides: the programme's office only."""
    return roles.is_office_of(principal, programme)


def reads_review(principal: Principal, programme: str) -> bool:
    """The whole review of a programme (pool, conflicts and overrides, panels, assignments, scores,
    rankings): its office, an admin, its supervision team (hangzhou-6.1)."""
    return (
        roles.is_admin(principal)
        or roles.is_office_of(principal, programme)
        or roles.is_supervisor_of(principal, programme)
    )


def readable_experts(principal: Principal) -> ColumnElement[bool] | None:
    """The experts a pool list shows; None: the caller lists none (403)."""
    if roles.is_admin(principal):
        return true()
    programme = roles.office_programme(principal) or roles.supervisor_programme(principal)
    return None if programme is None else Expert.programme == programme


def is_expert(principal: Principal, expert: Expert) -> bool:
    """The caller is this expert: role ``expert`` of the expert's programme and its identity subject."""
    return (
        principal.has(Role.expert)
        and principal.programme == expert.programme
        and bool(principal.sub)
        and principal.sub == expert.subject
    )


def expert_programme(principal: Principal) -> str | None:
    """The programme an expert token acts in, if any."""
    return principal.programme if principal.has(Role.expert) and principal.programme and principal.sub else None
