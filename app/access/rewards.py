"""Who handles and who reads reward money (奖金): the programme's office decides and pays it; the admin and the
programme's supervision team read it; a winner's own account reads its own (through ``may_view``)."""

from __future__ import annotations

from app.access import office, roles
from app.identity import Principal, Role

# the roles the reward routes let through at all; each read then asks whether the caller sees the application
READERS = (Role.admin, Role.office, Role.supervisor, Role.applicant)


def manages_rewards(principal: Principal, programme: str) -> bool:
    """Approval, disbursement, reclaim and the awards a winner holds: the programme's office alone."""
    return roles.is_office_of(principal, programme)


def reads_round_rewards(principal: Principal, programme: str, round_state: str) -> bool:
    """A round's rewards and their export: the admin, the programme's office, its supervision team (a draft round:
    its office's and the admin's alone, as the round itself)."""
    return office.reads_round(principal, programme, round_state) and (
        roles.is_admin(principal)
        or roles.is_office_of(principal, programme)
        or roles.is_supervisor_of(principal, programme)
    )
