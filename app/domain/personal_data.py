"""Personal data (个人信息): ID numbers are found by a keyed hash and shown masked.

The key is ``QAWARD_PERSONAL_DATA_KEY`` (required in production); development keeps a random
key under the data folder.

Free text (an objection's facts, a decision's published result, an event's reason) is shown
through ``redact``: ID numbers, mobiles and landlines masked. Text about an objection that
anyone but the office reads also goes through ``without_objector``: the objector's own name,
contact person, phone, credit code and ID number are replaced by ``OBJECTOR_ZH`` / ``HIDDEN``,
since the verification result is published without who objected (hangzhou-3.3.7d).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from pathlib import Path

from app.config import Settings, development_secret
from app.domain import identifiers

_KEY_FILE = "personal-data-key"
_cache: dict[str, bytes] = {}


def key(settings: Settings) -> bytes:
    if settings.personal_data_key:
        return settings.personal_data_key.encode()
    path = Path(settings.data_dir) / _KEY_FILE
    cached = _cache.get(str(path))
    if cached:
        return cached
    _cache[str(path)] = development_secret(path, lambda: secrets.token_hex(32).encode()).strip()
    return _cache[str(path)]


def id_number_hash(settings: Settings, number: str) -> str:
    return hmac.new(key(settings), number.upper().encode(), hashlib.sha256).hexdigest()


# --- free text ------------------------------------------------------------------------------

# A landline with its area code, as validate_phone accepts it (021-60000002, 0571 8765 4321,
# (021)60000002); not glued to other letters or digits, so receipt numbers and codes are left.
_LANDLINE = re.compile(r"(?<![0-9A-Za-z])([(（]?0\d{2,3}[)）]?[- ]?)(\d{7,8})(?!\d)")
# the same with the local number in two groups: (021)6000 0002
_LANDLINE_GROUPED = re.compile(r"(?<![0-9A-Za-z])([(（]?0\d{2,3}[)）]?[- ]?)(\d{3,4})[- ](\d{4})(?!\d)")

# what stands in for the objector's own identity in text others read: "经核查，异议人（电话***）反映……"
OBJECTOR_ZH = "异议人"
HIDDEN = "***"


# Numbers written so that a plain pattern misses them (issue 13: the published result carried them in
# clear): invisible characters inside them, full-width digits, glued to Latin letters ("tel138...",
# "ID3101..."), grouped other than 3-4-4, and the first-generation 15-digit ID number.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
_ID_18 = r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx]"
_ID_15 = r"[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}"
_ID_GLUED = re.compile(rf"(?<!\d)(?:{_ID_18}|{_ID_15})(?![0-9Xx])")
_MOBILE_GLUED = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
# digits in groups separated by single spaces or hyphens, 11 to 18 of them (the last may be X)
_GROUPED = re.compile(r"(?<![\d*])\d(?:[ \-]?\d){9,16}(?:[ \-]?[\dXx])(?![\dXx*])")
_ID_WHOLE = re.compile(rf"(?:{_ID_18}|{_ID_15})")


def _grouped(match: re.Match[str]) -> str:
    found = match.group()
    compact = re.sub(r"[ \-]", "", found)
    if _ID_WHOLE.fullmatch(compact):
        return identifiers.mask_id_number(compact)
    if re.fullmatch(r"1[3-9]\d{9}", compact):
        return identifiers.mask_phone(compact)
    return found


def redact(text: str) -> str:
    """``text`` with ID numbers and mobiles masked (``identifiers.redact``) and landlines too:
    the area code and the last 4 digits kept, ``021-****0002``.

    Before masking, invisible characters are dropped and full-width digits written as ASCII, so a
    number cannot hide behind them; numbers glued to letters or grouped unusually are masked too.
    """
    text = _INVISIBLE.sub("", text).translate(_FULL_WIDTH)
    text = identifiers.redact(text)
    text = _ID_GLUED.sub(lambda m: identifiers.mask_id_number(m.group()), text)
    text = _MOBILE_GLUED.sub(lambda m: identifiers.mask_phone(m.group()), text)
    text = _GROUPED.sub(_grouped, text)
    text = _LANDLINE_GROUPED.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)
    return _LANDLINE.sub(lambda m: m.group(1) + "*" * (len(m.group(2)) - 4) + m.group(2)[-4:], text)


def _number_pattern(number: str) -> re.Pattern[str] | None:
    digits = re.sub(r"\D", "", number)
    if len(digits) < 7:
        return None
    # the number as written by someone else: spaces, hyphens or brackets anywhere between digits
    # an opening bracket is taken only round an area code, "(021)", never the text's own "（"
    return re.compile(r"(?<!\d)(?:[(（](?=0\d{2,3}[)）]))?" + r"[\s\-()（）]*".join(digits) + r"(?!\d)")


def without_objector(text: str | None, objection) -> str | None:
    """``text`` redacted, with the objection's own objector named nowhere in it (hangzhou-3.3.7d).

    The raw ID number is not stored, but redacting turns it into the stored masked form, which
    is then hidden like the rest. Names shorter than 2 characters are left: replacing a single
    character would mangle the text without protecting anyone.
    """
    if text is None:
        return None
    phone, code = (objection.objector_phone or "").strip(), (objection.objector_credit_code or "").strip()
    if phone and (pattern := _number_pattern(phone)) is not None:
        text = pattern.sub(HIDDEN, text)
    if code:
        text = re.sub(re.escape(code), HIDDEN, text, flags=re.IGNORECASE)
    names = [
        n.strip() for n in (objection.objector_name, objection.objector_contact_person) if n and len(n.strip()) >= 2
    ]
    for name in sorted(names, key=len, reverse=True):  # the longer first: a company name holding the contact's
        text = text.replace(name, OBJECTOR_ZH)
    text = redact(text)
    masked = objection.objector_id_number_masked
    return text.replace(masked, HIDDEN) if masked else text
