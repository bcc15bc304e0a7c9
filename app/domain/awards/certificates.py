"""证书: a certificate's number, its verification code and what a verifier is told.

The verification code is the certificate number signed by the service: an HMAC-SHA256 under a key
derived from ``QAWARD_PERSONAL_DATA_KEY`` (never rotated, so a certificate printed years ago still
verifies), cut to 50 bits and written in Crockford's base32 (no I, L, O, U: read aloud or typed
from paper without confusion). A forged or mistyped code answers "unknown", as an unknown number
does: the page never tells which of the two was wrong (changning-33d, tianning-19b: anti-forgery).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
_CODE_LENGTH = 10
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})

VALID, REVOKED, UNKNOWN = "valid", "revoked", "unknown"
STATUS_ZH = {VALID: "有效", REVOKED: "已撤销", UNKNOWN: "无法核验"}
STATUS_EN = {VALID: "valid", REVOKED: "revoked", UNKNOWN: "unknown"}


def number(programme: str, award_year: int, sequence: int) -> str:
    """证书编号: the programme, the award year and the certificate's place in that year, ``CHANGNING-2026-0001``."""
    return f"{programme.upper()}-{award_year}-{sequence:04d}"


def _signing_key(secret: bytes) -> bytes:
    # a key of its own, so a verification code never doubles as an ID number's hash
    return hmac.new(secret, b"qaward certificate verification v1", hashlib.sha256).digest()


def verification_code(secret: bytes, certificate_number: str) -> str:
    """The short code printed on the certificate and carried by its QR code, ``XXXXX-XXXXX``."""
    mac = hmac.new(_signing_key(secret), certificate_number.encode(), hashlib.sha256).digest()
    bits = int.from_bytes(mac[:8], "big") >> (64 - 5 * _CODE_LENGTH)
    chars = [_ALPHABET[(bits >> (5 * i)) & 31] for i in reversed(range(_CODE_LENGTH))]
    return "".join(chars[:5]) + "-" + "".join(chars[5:])


def normalise_code(given: str) -> str:
    """What a person typed, as the code is written: case, spaces and dashes ignored, I/L/O/U read as Crockford does."""
    bare = "".join(ch for ch in given.upper() if ch.isalnum()).translate(_READ_AS)
    return bare[:5] + "-" + bare[5:] if len(bare) == _CODE_LENGTH else bare


def code_matches(secret: bytes, certificate_number: str, given: str | None) -> bool:
    if not given:
        return False
    return hmac.compare_digest(normalise_code(given), verification_code(secret, certificate_number))


def verification_url(base_url: str, certificate_number: str, code: str) -> str:
    """The page a citizen opens from the QR code."""
    return f"{base_url.rstrip('/')}/api/v1/public/certificates/{quote(certificate_number)}/page?code={code}"


@dataclass(frozen=True)
class Verification:
    """What a verifier learns: nothing but "unknown" without the right number and code."""

    number: str
    status: str
    holder_name: str | None = None
    applicant_kind: str | None = None
    credit_code: str | None = None
    employer: str | None = None
    programme_name_zh: str | None = None
    award_year: int | None = None
    tier_name_zh: str | None = None
    category_name_zh: str | None = None
    commendation_no: str | None = None
    issued_by_zh: str | None = None
    issued_on: date | None = None
    revoked_on: date | None = None
    revocation_document_no: str | None = None
    version: int = 0

    @property
    def award_zh(self) -> str:
        """The honour as the honour-use clauses require it stated: year and category (changning-33a, jinshan-25a)."""
        return f"{self.programme_name_zh}（{self.award_year}年度）{self.tier_name_zh}（{self.category_name_zh}）"


def unknown(certificate_number: str) -> Verification:
    return Verification(number=certificate_number, status=UNKNOWN)
