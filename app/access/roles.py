"""What a caller is to a programme, a unit or an applicant account: the scopes every rule reads.

A scope claim counts only with its role: an office token names the programme whose office it is
(评审办公室), a recommender token its unit (推荐单位), an applicant token the account's own
applicant reference. A role whose scope is missing is nobody's office, unit or applicant.
"""

from __future__ import annotations

from app.identity import Principal, Role

# the deadline worker and other automatic events; tokens never carry it (``Role`` has no such member)
SYSTEM_ROLE = "system"
# the programme's own people: its office, its expert group (专家组), its committee (评审委员会) and
# its supervision team (评审监督小组)
PROGRAMME_STAFF = (Role.office, Role.expert, Role.committee, Role.supervisor)
# the roles that read a programme's applications whole, not only through an expert's assignment
PROGRAMME_READERS = (Role.admin, Role.office, Role.committee, Role.supervisor)


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


def supervisor_programme(principal: Principal) -> str | None:
    """The programme whose supervision team (评审监督小组, hangzhou-6.1) the caller is, if any."""
    return principal.programme if principal.has(Role.supervisor) and principal.programme else None


def is_supervisor_of(principal: Principal, programme: str | None) -> bool:
    return programme is not None and supervisor_programme(principal) == programme


def read_only(principal: Principal) -> bool:
    """A supervision token changes nothing, whatever other role it also carries: the team watches a
    review it takes no part in (hangzhou-6.1), so no write may be made in its name."""
    return principal.has(Role.supervisor)


def unit_of(principal: Principal) -> str | None:
    return principal.unit if principal.has(Role.recommender) and principal.unit else None


def is_recommender_of(principal: Principal, unit: str | None) -> bool:
    return unit is not None and unit_of(principal) == unit


def applicant_of(principal: Principal) -> str | None:
    """The applicant account's own reference (the ``applicant`` scope)."""
    return principal.applicant if principal.has(Role.applicant) and principal.applicant else None


def is_applicant(principal: Principal, ref: str | None) -> bool:
    return ref is not None and applicant_of(principal) == ref
