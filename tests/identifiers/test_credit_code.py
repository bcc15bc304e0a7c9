"""统一社会信用代码 (GB 32100-2015)."""

import pytest

from app.domain.identifiers import IdentifierError, credit_check_character, validate_credit_code

# Published examples with correct check characters (verified by the GB 32100 weights).
REAL_CODES = ["91350100M000100Y43", "91110000600037341L"]


def _with_check(first17: str) -> str:
    return first17 + credit_check_character(first17)


@pytest.mark.parametrize("code", REAL_CODES)
def test_published_enterprise_codes_are_valid(code: str) -> None:
    assert validate_credit_code(code) == code


@pytest.mark.parametrize(
    "first17",
    [
        "N2310115MF0000001",  # N: 农业农村部门, 2: 农村集体经济组织
        "N1330100MA2H00001",  # N: 农业农村部门, 1: 农民专业合作社 (legacy numbering)
        "Y1310000MJ0000001",  # Y: 工会, 1: 基层工会
    ],
)
def test_letter_initial_registering_authority_is_accepted(first17: str) -> None:
    code = _with_check(first17)
    assert validate_credit_code(code) == code


def test_lowercase_and_surrounding_spaces_are_normalised() -> None:
    assert validate_credit_code("  91350100m000100y43 ") == "91350100M000100Y43"


def test_wrong_check_character_is_refused() -> None:
    with pytest.raises(IdentifierError) as caught:
        validate_credit_code("91350100M000100Y44")
    assert caught.value.code == "check_character"


@pytest.mark.parametrize("code", ["91350100M000100Y4", "91350100M000100Y433", ""])
def test_wrong_length_is_refused(code: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        validate_credit_code(code)
    assert caught.value.code == "length"


@pytest.mark.parametrize("letter", "IOZSV")
def test_letters_excluded_by_the_standard_are_refused(letter: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        validate_credit_code("91350100M000100" + letter + "43")
    assert caught.value.code == "charset"
    assert letter in caught.value.zh


def test_error_becomes_a_422_naming_the_field() -> None:
    with pytest.raises(IdentifierError) as caught:
        validate_credit_code("91350100M000100Y44")
    problem = caught.value.for_field("credit_code")
    assert problem.status == 422
    assert [(e.field, e.code) for e in problem.errors] == [("credit_code", "check_character")]


@pytest.mark.parametrize("first17", ["91ABCDEFMA1FL0000", "9131010XMA1FL0000", "Y1Y10000MC1234567"])
def test_registration_area_code_positions_3_to_8_must_be_digits(first17: str) -> None:
    """GB 32100-2015 4.3: characters 3-8 are the registering authority's 行政区划码, six digits."""
    with pytest.raises(IdentifierError) as caught:
        validate_credit_code(_with_check(first17))
    assert caught.value.code == "format"
