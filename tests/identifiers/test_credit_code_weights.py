"""The GB 32100-2015 check character over codes whose every position counts.

Published codes are full of zeros, which a wrong weight multiplies away; these codes use every
character of the alphabet at every position, checked against python-stdnum's implementation.
"""

from __future__ import annotations

import pytest
from stdnum.cn import uscc

from app.domain.identifiers import IdentifierError, credit_check_character, validate_credit_code

pytestmark = pytest.mark.no_database

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# 17-character bodies: registering authority digit, type digit, six-digit area code, then the
# alphabet rotated so each position sees many different characters.
BODIES = [
    f"{1 + k % 9}{1 + (k * 7) % 9}{(123457 * (k + 1)) % 900000 + 100000}"
    + "".join(ALPHABET[(k * 5 + i * (k + 3)) % 31] for i in range(9))
    for k in range(40)
]


@pytest.mark.parametrize("body", BODIES)
def test_check_character_agrees_with_an_independent_implementation(body: str):
    check = credit_check_character(body)
    assert check == uscc.calc_check_digit(body)
    assert validate_credit_code(body + check) == body + check


def test_every_check_character_value_is_reached():
    assert {credit_check_character(b) for b in BODIES} | {
        credit_check_character(f"9131010{n:010d}") for n in range(200)
    } == set(ALPHABET)


def test_a_code_with_the_check_character_of_another_body_is_refused():
    body = BODIES[3]
    wrong = ALPHABET[(ALPHABET.index(credit_check_character(body)) + 1) % 31]
    with pytest.raises(IdentifierError) as refused:
        validate_credit_code(body + wrong)
    assert refused.value.code == "check_character"


def test_the_refusal_names_every_character_outside_the_alphabet_once_each():
    with pytest.raises(IdentifierError) as refused:
        validate_credit_code("91350100MOI0100Y4O")
    assert refused.value.code == "charset"
    assert refused.value.zh.endswith("含有非法字符：IO") and refused.value.en.endswith("found: IO")


def test_the_check_character_is_computed_over_exactly_17_characters():
    with pytest.raises(ValueError):
        credit_check_character("9135010")
    with pytest.raises(ValueError):
        credit_check_character("91350100M000100Y43")
