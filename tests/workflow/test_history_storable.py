"""Data the history's JSONB cannot hold as given (办理记录的数据保存): kept as it reads back, so every
attempt is recorded and its digest verifies. Database-free; ``test_machine.py`` proves the round trip
through PostgreSQL, these pin each case of ``storable`` itself."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime

import pytest

from app.domain.history import Actor, digest, next_entry, storable

pytestmark = pytest.mark.no_database


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        (math.nan, "NaN"),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
        (1e20, "1e+20"),  # PostgreSQL would read it back as an integer: kept as its text
        (-1e300, "-1e+300"),
        (1e16, "1e+16"),
        (1e15, 1e15),  # repr 1000000000000000.0: read back as written
        (0.0, 0.0),
        (2.5, 2.5),
        (1.5e300, "1.5e+300"),
        (1e-7, 1e-7),  # not an integer: a float JSONB keeps
        # beyond I-JSON's exact integers (2^53 - 1): kept as its digits, RFC 8785 has no form for it (issue 13)
        (12345678901234567890123, "12345678901234567890123"),
        (2**53 - 1, 2**53 - 1),
        (-(2**53), str(-(2**53))),
        (-0.0, 0.0),  # numeric has no negative zero (issue 13)
        ("NaN", "NaN"),
        (None, None),
        (True, True),
    ],
)
def test_each_value_is_kept_as_it_reads_back(value, kept):
    result = storable(value)
    assert result == kept and type(result) is type(kept)


def test_containers_are_walked_and_their_keys_made_text():
    assert storable({"a": [math.inf, (1e20, {"x": math.nan})], 1: 2}) == {
        "a": ["Infinity", ["1e+20", {"x": "NaN"}]],
        "1": 2,
    }
    assert storable((1, 2.5)) == [1, 2.5]
    assert storable([]) == [] and storable({}) == {}


def test_an_entry_with_unstorable_data_stores_and_digests_what_reads_back():
    values = next_entry(
        uuid.uuid4(),
        1,
        "",
        Actor("clerk", "office", "req-1"),
        "submit",
        "draft",
        None,
        False,
        None,
        {"huge": 1e400, "nan": math.nan},
        "validation-error",
        datetime(2026, 9, 1, tzinfo=UTC),
    )
    assert values["data"] == {"huge": "Infinity", "nan": "NaN"}
    assert values["data_digest"] == digest({"huge": "Infinity", "nan": "NaN"})
