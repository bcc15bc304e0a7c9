"""Identifiers of applicants: validation, masking and redaction.

* 统一社会信用代码 (unified social credit code, GB 32100-2015) of organisations. Credit codes are
  public, so they are never masked.
* 居民身份证号 (citizen identity number, GB 11643-1999) of individuals, and the numbers built the
  same way: 港澳台居民居住证 (residence permits of Hong Kong, Macao and Taiwan residents, address
  codes 810000/820000/830000) and 外国人永久居留身份证 (foreigners' permanent residence ID: the
  18-digit 2023 card starting with ``9``, and the older 15-character card, three letters and twelve
  digits).
* 手机号码 / 固定电话 (mobile and landline numbers).

ID numbers and mobile numbers are personal data: ``mask_*`` gives the form shown in responses,
``redact`` scrubs free text (logs, error messages), and the ``*_PATTERN`` regexes let tests scan
responses for leaks. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from stdnum.cn import ric

from app.domain import clock
from app.domain.errors import DomainError, invalid


class IdentifierError(ValueError):
    """An identifier that fails its standard; ``code`` says which check (``length``, ``charset``,
    ``check_character``, ``check_digit``, ``birth_date``, ``region``, ``format``)."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.code = code
        self.zh = zh
        self.en = en

    def for_field(self, field_name: str) -> DomainError:
        """The 422 problem naming ``field_name`` (``credit_code``, ``id_number``, ``phone``)."""
        return invalid(field_name, self.zh, self.en, code=self.code)


# --- 统一社会信用代码 (GB 32100-2015) ---------------------------------------------------------

# GB 32100-2015 4.1: digits and upper-case letters without I, O, Z, S, V; the character's
# value is its index here.
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_check_character(first17: str) -> str:
    """The 18th character of a credit code whose first 17 characters are ``first17``."""
    total = sum(_CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """Check a 统一社会信用代码 and return it normalised (stripped, upper case).

    Only the standard's own checks: length, character set, the six-digit area code (characters
    3-8) and check character. The first
    character (登记管理部门, the registering authority) may be a letter — 农业农村部门 codes start
    with ``N``, 工会 codes with ``Y`` — which python-stdnum's ``cn.uscc`` refuses, hence this
    implementation.
    """
    code = value.strip().upper()
    if len(code) != 18:
        raise IdentifierError(
            "length",
            f"统一社会信用代码应为18位，实际为{len(code)}位",
            f"a unified social credit code has 18 characters, not {len(code)}",
        )
    bad = sorted({c for c in code if c not in _CREDIT_ALPHABET})
    if bad:
        raise IdentifierError(
            "charset",
            f"统一社会信用代码只能由数字和大写字母（不含I、O、Z、S、V）组成，含有非法字符：{''.join(bad)}",
            f"a unified social credit code uses digits and capital letters except I, O, Z, S, V; found: {''.join(bad)}",
        )
    if not code[2:8].isdigit():
        # GB 32100-2015 4.3: characters 3-8 are the registering authority's 行政区划码 (GB/T 2260)
        raise IdentifierError(
            "format",
            "统一社会信用代码第3至8位是登记管理机关行政区划码，应为6位数字",
            "characters 3 to 8 of a unified social credit code are the registering authority's area code: six digits",
        )
    expected = credit_check_character(code[:17])
    if code[17] != expected:
        raise IdentifierError(
            "check_character",
            "统一社会信用代码校验码不正确，请核对",
            "the check character of the unified social credit code is wrong; please check the code",
        )
    return code


# --- 居民身份证号 (GB 11643-1999) and the permits numbered like it -----------------------------

IdKind = Literal["resident", "hk_mo_tw_residence_permit", "foreign_permanent_resident"]
Sex = Literal["male", "female"]

# GB/T 2260 province-level codes; 71 is Taiwan as a province of address codes.
_PROVINCES = frozenset(
    {
        11,
        12,
        13,
        14,
        15,
        21,
        22,
        23,
        31,
        32,
        33,
        34,
        35,
        36,
        37,
        41,
        42,
        43,
        44,
        45,
        46,
        50,
        51,
        52,
        53,
        54,
        61,
        62,
        63,
        64,
        65,
        71,
    }
)
# 港澳台居民居住证: 81 Hong Kong, 82 Macao, 83 Taiwan, always with the full code x10000.
_PERMIT_PREFIXES = ("810000", "820000", "830000")
_EARLIEST_BIRTH = date(1900, 1, 1)


@dataclass(frozen=True)
class IdNumber:
    """A checked identity number. ``birth_date`` and ``sex`` are None only for the old 15-character
    foreigner's card, whose layout is not published in a standard this service can rely on."""

    number: str
    kind: IdKind
    birth_date: date | None
    sex: Sex | None

    @property
    def masked(self) -> str:
        return mask_id_number(self.number)


def validate_id_number(value: str) -> IdNumber:
    """Check a 居民身份证号 (or residence permit / permanent-residence number) and describe it.

    Hard checks: length and format, the MOD 11-2 check digit, a real birth date between 1900-01-01
    and today, and a known province in the address code. The county part of the address code is
    not looked up: counties are renamed and merged, and python-stdnum's table would refuse numbers
    that are still valid (and all residence permits).
    """
    number = value.strip().upper()
    if len(number) == 15 and re.fullmatch(r"[A-Z]{3}\d{12}", number):
        # 2017 外国人永久居留身份证: nationality letters + digits; accepted on format only.
        return IdNumber(number, "foreign_permanent_resident", None, None)
    if len(number) != 18:
        raise IdentifierError(
            "length",
            f"身份证号码应为18位，实际为{len(number)}位",
            f"an identity number has 18 characters, not {len(number)}",
        )
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise IdentifierError(
            "format",
            "身份证号码前17位应为数字，最后一位为数字或X",
            "an identity number is 17 digits followed by a digit or X",
        )
    if number[17] != ric.calc_check_digit(number):
        raise IdentifierError(
            "check_digit",
            "身份证号码校验位不正确，请核对",
            "the check digit of the identity number is wrong; please check the number",
        )
    birth = _birth_date(number[6:14])

    kind: IdKind
    if number[0] == "9":
        # 2023 外国人永久居留身份证: 9, acceptance province, nationality (numeric), birth, order.
        kind = "foreign_permanent_resident"
    elif number[:2] in ("81", "82", "83"):
        if not number.startswith(_PERMIT_PREFIXES):
            raise IdentifierError(
                "region",
                "港澳台居民居住证号码应以810000、820000或830000开头",
                "a Hong Kong, Macao or Taiwan residence permit number starts with 810000, 820000 or 830000",
            )
        kind = "hk_mo_tw_residence_permit"
    elif int(number[:2]) in _PROVINCES:
        kind = "resident"
    else:
        raise IdentifierError(
            "region",
            f"身份证号码地址码“{number[:6]}”不属于任何省级行政区",
            f"the address code {number[:6]} of the identity number names no province",
        )
    sex: Sex = "male" if int(number[16]) % 2 else "female"
    return IdNumber(number, kind, birth, sex)


def _birth_date(yyyymmdd: str) -> date:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        raise IdentifierError(
            "birth_date",
            f"身份证号码中的出生日期“{yyyymmdd}”不是有效日期",
            f"the birth date {yyyymmdd} in the identity number is not a real date",
        ) from None
    if not _EARLIEST_BIRTH <= born <= clock.today():
        raise IdentifierError(
            "birth_date",
            f"身份证号码中的出生日期“{born.isoformat()}”早于1900年或晚于今天",
            f"the birth date {born.isoformat()} in the identity number is before 1900 or in the future",
        )
    return born


# --- 电话号码 --------------------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9]\d{9}")
# The mainland numbering plan: the 3-digit area codes (010, 02x) have 8-digit local numbers, the
# 4-digit ones (03xx-09xx) 7 or 8. Spelled out per length, so a 9-digit local number cannot pass
# as a longer area code ("021123456789" is not 0211 + 8 digits).
_LANDLINE = re.compile(r"0(?:[12]\d-?\d{8}|[3-9]\d{2}-?\d{7,8})")


def validate_phone(value: str) -> str:
    """Check a mainland mobile number (``1[3-9]`` + 9 digits, an optional +86 dropped) or a
    landline with its area code (``021-12345678``, ``0571-8765432``); return it without spaces."""
    phone = re.sub(r"[\s()]", "", value)
    mobile = re.sub(r"^(?:\+|00)?86-?", "", phone)
    if _MOBILE.fullmatch(mobile):
        return mobile
    if _LANDLINE.fullmatch(phone):
        return phone
    raise IdentifierError(
        "phone",
        "电话号码应为11位手机号码，或带区号的固定电话（如021-12345678）",
        "a phone number is an 11-digit mobile number or a landline with its area code (e.g. 021-12345678)",
    )


# --- masking and redaction -------------------------------------------------------------------

# An 18-character number with a plausible birth date (18xx-20xx), or the 15-character foreigner's
# card; not glued to other letters or digits.
ID_NUMBER_PATTERN = re.compile(
    r"(?<![0-9A-Za-z])"
    r"(?:[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx]"
    r"|[A-Z]{3}\d{12})"
    r"(?![0-9A-Za-z])"
)
# A mainland mobile number, optionally with +86 / 0086 / 86.
PHONE_PATTERN = re.compile(r"(?<![0-9A-Za-z+])(?:(?:\+|00)?86[- ]?)?(1[3-9]\d{9})(?!\d)")
# The same number written in groups (138 1234 5678, 138-1234-5678): masked in free text too.
_GROUPED_PHONE = re.compile(r"(?<![0-9A-Za-z])(1[3-9]\d)[- ](\d{4})[- ](\d{4})(?!\d)")


def mask_id_number(value: str) -> str:
    """First 4 and last 4 characters, the rest asterisks: ``1101**********002X``."""
    s = value.strip()
    if len(s) <= 8:
        return "*" * len(s)
    return s[:4] + "*" * (len(s) - 8) + s[-4:]


def mask_phone(value: str) -> str:
    """First 3 and last 4 digits kept: ``138****5678``."""
    s = value.strip()
    if len(s) <= 7:
        return "*" * len(s)
    return s[:3] + "*" * (len(s) - 7) + s[-4:]


def looks_like_id_number(text: str) -> bool:
    """Whether ``text`` contains an identity number that passes its check digit (the 15-character
    foreigner's card on format alone) — for tests that scan responses for leaks."""
    for match in ID_NUMBER_PATTERN.finditer(text):
        found = match.group().upper()
        if len(found) == 15 or found[17] == ric.calc_check_digit(found):
            return True
    return False


def redact(text: str) -> str:
    """``text`` with every identity-number-shaped string and mobile number masked. Matches the
    shape, not the check digit: a mistyped ID number is still personal data."""
    text = ID_NUMBER_PATTERN.sub(lambda m: mask_id_number(m.group()), text)
    text = _GROUPED_PHONE.sub(lambda m: f"{m.group(1)} **** {m.group(3)}", text)
    return PHONE_PATTERN.sub(lambda m: m.group()[: m.start(1) - m.start()] + mask_phone(m.group(1)), text)
