"""The identifier rules at their edges: every province, the 1900 boundary, the masks of short
values, grouped and prefixed phone numbers, the older foreigner's card, and what the leak scan and
redaction match (GB 11643-1999, GB/T 2260, the mainland numbering plan)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.domain import clock
from app.domain.identifiers import (
    ID_NUMBER_PATTERN,
    IdentifierError,
    looks_like_id_number,
    mask_id_number,
    mask_phone,
    redact,
    validate_id_number,
    validate_phone,
)

pytestmark = pytest.mark.no_database

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

# GB/T 2260 province-level codes, written out here independently of the module's table.
PROVINCES = (
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
)


def _with_check(first17: str) -> str:
    """GB 11643 MOD 11-2, independent of the code under test."""
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=False)) % 11]


# --- 居民身份证号: address and birth date ---------------------------------------------------


def test_there_are_32_province_codes():
    assert len(set(PROVINCES)) == 32


@pytest.mark.parametrize("province", PROVINCES)
def test_every_province_level_code_is_accepted(province: str):
    parsed = validate_id_number(_with_check(f"{province}010519800101001"))
    assert parsed.kind == "resident" and parsed.birth_date == date(1980, 1, 1) and parsed.sex == "male"


@pytest.mark.parametrize("code", ["10", "20", "47", "80", "72", "84"])
def test_codes_that_name_no_province_are_refused(code: str):
    with pytest.raises(IdentifierError) as refused:
        validate_id_number(_with_check(f"{code}010519800101001"))
    assert refused.value.code == "region"
    assert refused.value.zh == f"身份证号码地址码“{code}0105”不属于任何省级行政区"
    assert refused.value.en == f"the address code {code}0105 of the identity number names no province"


def test_the_earliest_birth_date_1900_01_01_is_accepted_and_the_day_before_refused():
    assert validate_id_number(_with_check("11010519000101001")).birth_date == date(1900, 1, 1)
    with pytest.raises(IdentifierError) as refused:
        validate_id_number(_with_check("11010518991231001"))
    assert refused.value.code == "birth_date"


def test_a_birth_date_of_today_is_accepted_and_tomorrow_refused():
    clock.set_frozen(datetime(2025, 6, 1, 4, 0, tzinfo=UTC))  # 2025-06-01 12:00 in Shanghai
    try:
        assert validate_id_number(_with_check("11010520250601002")).birth_date == date(2025, 6, 1)
        with pytest.raises(IdentifierError) as refused:
            validate_id_number(_with_check("11010520250602002"))
        assert refused.value.code == "birth_date"
    finally:
        clock.set_frozen(None)


def test_an_impossible_date_is_refused_naming_it():
    with pytest.raises(IdentifierError) as refused:
        validate_id_number(_with_check("11010519801301001"))
    assert refused.value.code == "birth_date" and "19801301" in refused.value.en


def test_the_sex_digit_is_read_from_the_17th_character():
    assert validate_id_number(_with_check("11010519800101003")).sex == "male"
    assert validate_id_number(_with_check("11010519800101008")).sex == "female"


def test_a_foreigners_2017_card_starting_with_a_is_accepted_masked_and_found():
    """The older 外国人永久居留身份证: three nationality letters (AUS) and twelve digits."""
    parsed = validate_id_number(" aus310080010123 ")
    assert (parsed.number, parsed.kind, parsed.birth_date, parsed.sex) == (
        "AUS310080010123",
        "foreign_permanent_resident",
        None,
        None,
    )
    assert parsed.masked == "AUS3*******0123"
    assert looks_like_id_number("card AUS310080010123.")
    assert redact("card AUS310080010123.") == "card AUS3*******0123."


def test_a_15_character_number_that_is_not_the_foreigners_card_is_refused():
    for number in ("AU3310080010123", "AUSA10080010123", "110105800101001"):
        with pytest.raises(IdentifierError) as refused:
            validate_id_number(number)
        assert refused.value.code == "length"


def test_an_identifier_error_becomes_a_422_on_its_field():
    with pytest.raises(IdentifierError) as refused:
        validate_id_number("123")
    problem = refused.value.for_field("applicant.id_number")
    assert (
        problem.status == 422
        and problem.errors[0].field == "applicant.id_number"
        and problem.errors[0].code == "length"
    )
    assert "18位" in problem.errors[0].zh and "not 3" in problem.errors[0].en


# --- masks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("", ""),
        ("1234", "****"),
        ("12345678", "********"),
        ("123456789", "1234*6789"),
        (" 11010519491231002X ", "1101**********002X"),
    ],
)
def test_id_number_masks_hide_short_values_entirely(value: str, masked: str):
    """At 8 characters or fewer, first-4-and-last-4 would show everything: all of it is hidden."""
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("", ""), ("1381", "****"), ("1381234", "*******"), ("13812345", "138*2345"), (" 13812345678 ", "138****5678")],
)
def test_phone_masks_hide_short_values_entirely(value: str, masked: str):
    assert mask_phone(value) == masked


# --- phone numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("138 1234 5678", "13812345678"),
        ("13012345678", "13012345678"),
        ("19912345678", "19912345678"),
        ("008613812345678", "13812345678"),
        ("+86-13812345678", "13812345678"),
        ("86-13812345678", "13812345678"),
        ("(021)12345678", "02112345678"),
        ("010-12345678", "010-12345678"),
        ("0571-8765432", "0571-8765432"),
        ("05718765432", "05718765432"),
        ("0571 8765 4321", "057187654321"),
        ("0311-1234567", "0311-1234567"),
        ("0991-12345678", "0991-12345678"),
        ("029-12345678", "029-12345678"),
    ],
)
def test_mobile_and_landline_forms_are_accepted(raw: str, normalised: str):
    assert validate_phone(raw) == normalised


@pytest.mark.parametrize(
    "raw",
    [
        "021-123456789",  # a 9-digit local number
        "021123456789",  # the same without the hyphen: not a 4-digit area code 0211 with 8 digits
        "0571-123456789",
        "021-1234567",  # 010 and 02x numbers have 8 digits
        "0571-123456",
        "01-12345678",
        "02112345678-",
        "138123456789",
        "1381234567",
        "11812345678",
        "+87 138 1234 5678",
    ],
)
def test_landlines_and_mobiles_of_the_wrong_length_are_refused(raw: str):
    with pytest.raises(IdentifierError) as refused:
        validate_phone(raw)
    assert refused.value.code == "phone"
    assert "021-12345678" in refused.value.zh and "021-12345678" in refused.value.en


# --- redaction and the leak scan -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("手机138 1234 5678。", "手机138 **** 5678。"),
        ("手机138-1234-5678", "手机138 **** 5678"),
        ("手机130 1234 5678", "手机130 **** 5678"),
        ("手机199 1234 5678", "手机199 **** 5678"),
        ("编号128 1234 5678", "编号128 1234 5678"),
        ("编号A138 1234 5678", "编号A138 1234 5678"),
        ("编号0138 1234 5678", "编号0138 1234 5678"),
        ("编号9138 1234 5678", "编号9138 1234 5678"),
        ("编号138 1234 56789", "编号138 1234 56789"),
    ],
)
def test_grouped_mobile_numbers_are_masked_in_free_text(text: str, redacted: str):
    assert redact(text) == redacted


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("tel 008613812345678", "tel 0086138****5678"),
        ("tel 86-13812345678", "tel 86-138****5678"),
        ("tel 8613812345678", "tel 86138****5678"),
        ("tel +86 13812345678", "tel +86 138****5678"),
        ("tel 13012345678", "tel 130****5678"),
        ("tel 19912345678", "tel 199****5678"),
        ("no 12812345678", "no 12812345678"),
        ("no 013812345678", "no 013812345678"),
        ("no 913812345678", "no 913812345678"),
        ("no A13812345678", "no A13812345678"),
        ("no 138123456789", "no 138123456789"),
    ],
)
def test_mobile_numbers_are_masked_in_free_text_and_other_digit_runs_left(text: str, redacted: str):
    assert redact(text) == redacted


@pytest.mark.parametrize(
    "number",
    [
        "110105180001010015",  # born in the 1800s: shape only
        "110105199912310015",
        "110105200010090015",
        "110105200010190015",
        "110105200011200015",
        "110105200012300015",
        "110105200012310015",
        "11010520001231001x",
        "110105200001290015",
        "110105200009090010",  # September, and a last character 0
        "110105200009090019",
        "910105200009090019",  # address codes up to 9
    ],
)
def test_identity_number_shapes_are_masked_whatever_their_check_digit(number: str):
    assert redact(f"证件{number}。") == f"证件{number[:4]}{'*' * 10}{number[-4:]}。"


@pytest.mark.parametrize(
    "text",
    [
        "011010519491231002X",  # glued to a digit before
        "11010519491231002X0",  # or after
        "11010519491231002XA",
        "11010519491231002X9",
        "911010519491231002X",
        "A11010519491231002X",
        "010105194912310021",  # address codes never start with 0
        "110105170012310015",  # no 1700s
        "110105210012310015",  # nor 2100s
        "110105200000310015",  # month 00
        "110105200013310015",  # month 13
        "110105200012000015",  # day 00
        "110105200012320015",  # day 32
        "AUS31008001012",  # the foreigner's card is 3 letters and 12 digits
        "AU310080010123",
    ],
)
def test_strings_that_are_not_identity_numbers_are_left_alone(text: str):
    assert ID_NUMBER_PATTERN.search(text) is None
    assert redact(text) == text


def test_the_leak_scan_checks_the_digit_of_18_character_numbers_only():
    assert looks_like_id_number(_with_check("93184019800101001"))
    assert looks_like_id_number("x " + _with_check("11010519800101001").lower().replace("X", "x"))
    assert looks_like_id_number("nothing here") is False
    assert looks_like_id_number("110105194912310021") is False  # the check digit is wrong


def test_a_checked_identity_number_cannot_be_changed():
    parsed = validate_id_number("11010519491231002X")
    with pytest.raises(AttributeError):
        parsed.number = "110105194912310021"  # type: ignore[misc]
