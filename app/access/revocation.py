"""Who handles and who reads revocation cases (撤销案件).

The programme's office opens a case and records its steps; an admin reads every programme's; the
programme's supervision team (评审监督小组) reads its programme's cases and changes nothing.
"""

from __future__ import annotations

from app.access import roles
from app.identity import Principal


def handles_cases(principal: Principal, programme: str) -> bool:
    """Opening a case, recording its steps and the items recovered: the programme's office only."""
    return roles.is_office_of(principal, programme)


def reads_cases(principal: Principal, programme: str) -> bool:
    return (
        roles.is_admin(principal)
        or roles.is_office_of(principal, programme)
        or roles.is_supervisor_of(principal, programme)
    )


def readable_programme(principal: Principal) -> tuple[bool, str | None]:
    """What a list shows: (True, None) every programme (an admin), (True, P) programme P's cases,
    (False, None) none (a token scoped to no programme is no programme's office)."""
    if roles.is_admin(principal):
        return True, None
    programme = roles.office_programme(principal) or roles.supervisor_programme(principal)
    return (programme is not None), programme
