"""The history's canonical JSON (RFC 8785) written by the fast encoder is byte for byte what the
``rfc8785`` library writes, for every value the history can hold: an entry's hash must not change
with the encoder that computed it (docs/audit.md), and the verifier of ten million entries uses
the fast one (app/domain/history.py ``_jcs``)."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import history

pytestmark = pytest.mark.no_database

_keys = st.one_of(
    st.text(max_size=8),
    # keys whose UTF-16 order differs from their code-point order (U+E000.. against U+10000..)
    st.sampled_from(["\ue000", "\uffff", "\U0001f600", "a\U00010000", "Z", "", "é", "\x00", '"', "\\"]),
)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.1, -0.0, 1e-7, 1e-4, 9.99e-5, 1e16, 1e21, 123456789012345680.0, 5e-324, 87.5, 1.0]),
    st.text(),
    st.sampled_from(["\u2028", "\x7f", "\x1f", "line\nbreak", "tab\t", 'quo"te', "back\\slash", "中文"]),
)
_values = st.recursive(
    _scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4), max_leaves=20
)


def _reference(value) -> bytes | type:
    try:
        return rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        return history.Unverifiable


def _fast(value) -> bytes | type:
    try:
        return history._jcs(value)
    except history.Unverifiable:
        return history.Unverifiable


@settings(max_examples=1500, deadline=None)
@given(_values)
def test_fast_canonical_json_is_rfc8785_byte_for_byte(value):
    assert _fast(value) == _reference(value)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(st.text(max_size=6), _scalars, max_size=6))
def test_stored_data_digests_as_rfc8785_after_jsonb_round_trip(value):
    """The verifier reads fractions as Decimal (``parse_stored``): the digest is still rfc8785's over the double."""
    import json

    text = json.dumps(value, ensure_ascii=False)
    parsed = history.parse_stored(text)
    floats = json.loads(text)
    assert history._jcs(parsed) == rfc8785.dumps(floats)


@pytest.mark.parametrize(
    "value",
    [
        {"a": float("nan")},
        {"a": math.inf},
        {"a": 2**53},
        {"a": "\udc00"},
        {"a": Decimal("0.1000000000000000000001")},
    ],
)
def test_what_rfc8785_refuses_the_fast_encoder_refuses(value):
    with pytest.raises(history.Unverifiable):
        history._jcs(value)
