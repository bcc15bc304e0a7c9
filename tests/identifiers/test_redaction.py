"""Masking and redaction of ID numbers and mobile numbers."""

import pytest

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


def test_id_number_is_masked_to_first_and_last_four() -> None:
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert validate_id_number("11010519491231002X").masked == "1101**********002X"


def test_mobile_number_is_masked_to_first_three_and_last_four() -> None:
    assert mask_phone("13812345678") == "138****5678"


def test_redact_masks_id_and_mobile_numbers_in_free_text() -> None:
    text = "申报人身份证11010519491231002X，手机13812345678，座机021-12345678"
    assert redact(text) == "申报人身份证1101**********002X，手机138****5678，座机021-12345678"


def test_redact_masks_mobile_numbers_with_country_code() -> None:
    assert redact("tel +8613812345678;") == "tel +86138****5678;"


def test_redact_masks_a_mistyped_id_number_too() -> None:
    assert redact('{"id_number": "110105194912310021"}') == '{"id_number": "1101**********0021"}'


def test_redact_leaves_credit_codes_and_long_digit_runs_alone() -> None:
    text = "91350100M000100Y43 order 1234567890123456789012"
    assert redact(text) == text


def test_leak_scan_finds_a_full_id_number_in_json() -> None:
    assert looks_like_id_number('{"name": "张三", "id_number": "11010519491231002X"}')
    assert looks_like_id_number("permit 810000199408230021")


def test_leak_scan_ignores_masked_numbers_credit_codes_and_bad_check_digits() -> None:
    assert not looks_like_id_number('{"id_number": "1101**********002X"}')
    assert not looks_like_id_number("91350100M000100Y43")
    assert not looks_like_id_number("110105194912310021")


def test_id_pattern_does_not_match_inside_longer_runs() -> None:
    assert ID_NUMBER_PATTERN.search("911010519491231002X") is None


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("021-12345678", "021-12345678"),
        ("0571 8888 8888", "057188888888"),
    ],
)
def test_mobile_and_landline_numbers_are_accepted(raw: str, normalised: str) -> None:
    assert validate_phone(raw) == normalised


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "12345678", "+1 415 555 0100"])
def test_other_phone_numbers_are_refused(raw: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        validate_phone(raw)
    assert caught.value.code == "phone"
