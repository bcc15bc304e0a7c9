"""实名认证: which identity an applicant account's token proves (issue 13).

The identity platform verifies the person behind an account and says so in the token:
``verified_id_number`` (or ``verified_id_number_hash``, its keyed hash) for a natural person,
``verified_credit_code`` for a legal person (``app.identity``). An account registers only the
identity its token proves, and sees the full ID number only of that identity.
"""

from __future__ import annotations

from app.config import Settings
from app.domain import personal_data
from app.identity import Principal


def proven_id_number_hashes(settings: Settings, principal: Principal) -> frozenset[str]:
    hashes = set()
    if principal.verified_id_number:
        hashes.add(personal_data.id_number_hash(settings, principal.verified_id_number))
    if principal.verified_id_number_hash:
        hashes.add(principal.verified_id_number_hash)
    return frozenset(hashes)


def proves(
    settings: Settings, principal: Principal, *, credit_code: str | None = None, id_number_hash: str | None = None
) -> bool:
    """Whether the caller's token verifies this credit code or this ID number (by its keyed hash)."""
    if credit_code:
        return principal.verified_credit_code is not None and principal.verified_credit_code == credit_code.upper()
    if id_number_hash:
        return id_number_hash in proven_id_number_hashes(settings, principal)
    return False
