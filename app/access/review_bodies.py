"""Who acts for a third-party review body (第三方评审机构, linyi-8a): a token of role ``review_body``
scoped to the body's programme and naming the body (its ``code``) in the ``body`` claim.

The body acts in its programme's expert review only (panels of its own experts, assignments,
rankings, reports, the public-opinion survey), only where the programme's data says a body runs the
review, and only for the rounds it is engaged for (the domain checks those, it needs the records).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, true

from app.access import roles
from app.db.models.review import Expert
from app.db.models.review_bodies import ReviewBody
from app.identity import Principal, Role


def body_scope(principal: Principal) -> tuple[str, str] | None:
    """(programme, body code) the caller acts for, or None: both claims count only with the role."""
    if principal.has(Role.review_body) and principal.programme and principal.body and principal.sub:
        return principal.programme, principal.body
    return None


def is_review_body(principal: Principal) -> bool:
    return body_scope(principal) is not None


def acts_for(principal: Principal, body: ReviewBody) -> bool:
    """The caller is this body (its programme and code), and the body is active."""
    return body_scope(principal) == (body.programme, body.code) and body.status == "active"


def manages_bodies(principal: Principal, programme: str) -> bool:
    """Bodies are engaged, suspended and ended by the programme's office (linyi-7e, 8a)."""
    return roles.is_office_of(principal, programme)


def reads_body(principal: Principal, body: ReviewBody) -> bool:
    return roles.is_admin(principal) or roles.is_office_of(principal, body.programme) or acts_for(principal, body)


def readable_bodies(principal: Principal) -> ColumnElement[bool] | None:
    """The bodies a list shows; None: the caller lists none (403)."""
    if roles.is_admin(principal):
        return true()
    programme = roles.office_programme(principal)
    if programme is not None:
        return ReviewBody.programme == programme
    scope = body_scope(principal)
    if scope is not None:
        return (ReviewBody.programme == scope[0]) & (ReviewBody.code == scope[1])
    return None


def experts_of_body(body: ReviewBody) -> ColumnElement[bool]:
    """The pool list a body reads: its own experts."""
    return (Expert.programme == body.programme) & (Expert.body_id == body.id)
