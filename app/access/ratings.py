"""Who reads two-way supervision (双向监督): the ratings without their raters are the programme's
office's and an admin's; who rated whom only the programme's supervision team's (评审监督小组, the
discipline body the ratings are fed back to: changning-29 反馈相关纪检监察部门, jinshan-22)."""

from __future__ import annotations

from app.access import roles
from app.identity import Principal


def reads_ratings(principal: Principal, programme: str) -> bool:
    return (
        roles.is_admin(principal)
        or roles.is_office_of(principal, programme)
        or roles.is_supervisor_of(principal, programme)
    )


def reads_raters(principal: Principal, programme: str) -> bool:
    """The only reader of who rated whom; nobody else's read path opens a rating's sealed rater."""
    return roles.is_supervisor_of(principal, programme)
