"""Who takes part in the committee's decisions (评审会): the office prepares (members, the candidate
list, the meeting, attendance, the supervision team's report); a member acts only as itself (its
votes, its declarations); the meeting's chair records deliberations and resolutions and closes it.

Reads: an admin, the programme's office and committee, and — the one place its rule plugs in — a
``supervisor`` of the programme (评审监督小组, hangzhou-6.1; discipline inspection), which reads all
of it and writes nothing.
"""

from __future__ import annotations

from app.access import roles
from app.db.models.decisions import CommitteeMember
from app.identity import Principal, Role

SUPERVISOR_ROLE = "supervisor"


def manages_committee(principal: Principal, programme: str) -> bool:
    """Members, candidate lists, meetings, attendance, reports heard: the programme's office only."""
    return roles.is_office_of(principal, programme)


def reads_committee(principal: Principal, programme: str) -> bool:
    if roles.is_admin(principal) or roles.is_office_of(principal, programme):
        return True
    scoped = principal.programme == programme
    return scoped and principal.has(Role.committee, SUPERVISOR_ROLE)


def is_member(principal: Principal, member: CommitteeMember) -> bool:
    """The caller is this member: role ``committee`` of its programme and its identity subject."""
    return (
        principal.has(Role.committee)
        and principal.programme == member.programme
        and bool(principal.sub)
        and principal.sub == member.subject
    )


def committee_programme(principal: Principal) -> str | None:
    return principal.programme if principal.has(Role.committee) and principal.programme and principal.sub else None
