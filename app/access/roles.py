"""What a caller is to a programme, a unit or an applicant account: the scopes every rule reads.

A scope claim counts only with its role: an office token names the programme whose office it is
(评审办公室), a recommender token its unit (推荐单位), an applicant token the account's own
applicant reference. A role whose scope is missing is nobody's office, unit or applicant.
"""

from __future__ import annotations

from app.identity import Principal, Role

# the deadline worker and other automatic events; tokens never carry it (``Role`` has no such member)
SYSTEM_ROLE = "system"
# the programme's own people: its office, its expert group (专家组) and its committee (评审委员会)
PROGRAMME_STAFF = (Role.office, Role.expert, Role.committee)


def is_system(principal: Principal) -> bool:
    return SYSTEM_ROLE in principal.roles


def is_admin(principal: Principal) -> bool:
    return principal.has(Role.admin)


def office_programme(principal: Principal) -> str | None:
    """The programme whose office the caller is, if any."""
    return principal.programme if principal.has(Role.office) and principal.programme else None


def is_office_of(principal: Principal, programme: str | None) -> bool:
    return programme is not None and office_programme(principal) == programme


def staff_programme(principal: Principal) -> str | None:
    """The programme whose office, expert group or committee the caller is, if any."""
    return principal.programme if principal.has(*PROGRAMME_STAFF) and principal.programme else None


def is_staff_of(principal: Principal, programme: str | None) -> bool:
    return programme is not None and staff_programme(principal) == programme


def unit_of(principal: Principal) -> str | None:
    return principal.unit if principal.has(Role.recommender) and principal.unit else None


def is_recommender_of(principal: Principal, unit: str | None) -> bool:
    return unit is not None and unit_of(principal) == unit


def applicant_of(principal: Principal) -> str | None:
    """The applicant account's own reference (the ``applicant`` scope)."""
    return principal.applicant if principal.has(Role.applicant) and principal.applicant else None


def is_applicant(principal: Principal, ref: str | None) -> bool:
    return ref is not None and applicant_of(principal) == ref
