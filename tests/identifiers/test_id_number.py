"""居民身份证号 (GB 11643-1999), 港澳台居民居住证 and 外国人永久居留身份证 numbers."""

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from app.domain import clock
from app.domain.identifiers import IdentifierError, validate_id_number

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _with_check(first17: str) -> str:
    """GB 11643 MOD 11-2, written out independently of the code under test."""
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=False)) % 11]


@pytest.fixture
def frozen_2025() -> Iterator[None]:
    clock.set_frozen(datetime(2025, 6, 1, 4, 0, tzinfo=UTC))
    yield
    clock.set_frozen(None)


def test_standard_example_is_a_female_resident_born_1949() -> None:
    parsed = validate_id_number("11010519491231002X")  # the example in GB 11643-1999
    assert (parsed.kind, parsed.birth_date, parsed.sex) == ("resident", date(1949, 12, 31), "female")


def test_lowercase_x_is_normalised() -> None:
    assert validate_id_number(" 11010519491231002x ").number == "11010519491231002X"


def test_wrong_check_digit_is_refused() -> None:
    with pytest.raises(IdentifierError) as caught:
        validate_id_number("110105194912310021")
    assert caught.value.code == "check_digit"


def test_impossible_birth_date_february_30_is_refused() -> None:
    number = _with_check("11010519490230002")
    with pytest.raises(IdentifierError) as caught:
        validate_id_number(number)
    assert caught.value.code == "birth_date"


def test_birth_date_before_1900_is_refused() -> None:
    with pytest.raises(IdentifierError) as caught:
        validate_id_number("440524188001010014")  # valid check digit, born 1880
    assert caught.value.code == "birth_date"


def test_birth_date_in_the_future_is_refused(frozen_2025: None) -> None:
    assert validate_id_number(_with_check("31011520250601001")).birth_date == date(2025, 6, 1)
    with pytest.raises(IdentifierError) as caught:
        validate_id_number(_with_check("31011520250602001"))
    assert caught.value.code == "birth_date"


def test_hong_kong_residence_permit_number_is_accepted() -> None:
    parsed = validate_id_number("810000199408230021")
    assert (parsed.kind, parsed.birth_date, parsed.sex) == ("hk_mo_tw_residence_permit", date(1994, 8, 23), "female")


@pytest.mark.parametrize("prefix", ["820000", "830000"])
def test_macao_and_taiwan_residence_permit_numbers_are_accepted(prefix: str) -> None:
    assert validate_id_number(_with_check(prefix + "19800101002")).kind == "hk_mo_tw_residence_permit"


def test_residence_permit_with_a_county_code_is_refused() -> None:
    with pytest.raises(IdentifierError) as caught:
        validate_id_number(_with_check("81010119800101002"))
    assert caught.value.code == "region"


def test_unknown_province_is_refused() -> None:
    with pytest.raises(IdentifierError) as caught:
        validate_id_number(_with_check("72010119800101002"))
    assert caught.value.code == "region"


def test_county_missing_from_region_tables_is_not_refused() -> None:
    # 310199 is no county; only the province is a hard check, so tables going stale cannot
    # refuse a real person.
    assert validate_id_number(_with_check("31019919800101001")).kind == "resident"


def test_foreigners_permanent_residence_id_2023_format_is_accepted() -> None:
    # 9, accepted in Shanghai (31), nationality 840, born 1980-01-01, order 001.
    parsed = validate_id_number(_with_check("93184019800101001"))
    assert (parsed.kind, parsed.birth_date, parsed.sex) == ("foreign_permanent_resident", date(1980, 1, 1), "male")


def test_foreigners_permanent_residence_id_2023_format_checks_its_digit() -> None:
    with pytest.raises(IdentifierError) as caught:
        validate_id_number("931840198001010018")
    assert caught.value.code == "check_digit"


def test_foreigners_permanent_residence_id_2017_format_is_accepted() -> None:
    parsed = validate_id_number("USA310080010123")
    assert (parsed.kind, parsed.birth_date, parsed.sex) == ("foreign_permanent_resident", None, None)


@pytest.mark.parametrize(
    ("number", "code"),
    [("11010519491231002", "length"), ("1101051949123100XX", "format"), ("US3100800101234", "length")],
)
def test_malformed_numbers_are_refused(number: str, code: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        validate_id_number(number)
    assert caught.value.code == code
