"""The programme data a criterion's reading lives in is checked when the definition loads (issue 20 points 2, 3, 11)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.domain.programmes.schema import EligibilityCriterion

pytestmark = pytest.mark.no_database

_WINDOW = {"ends_on": "check", "stated": False, "note_en": "to the day of the check"}


def _criterion(**kw) -> EligibilityCriterion:
    base = {
        "id": "clean_record",
        "kind": "machine",
        "test": "none_within_years",
        "facts": ["legal_violations", "failed_quality_inspections"],
        "params": {"lookback_years": 3},
        "summary_en": "x",
        "clause": "tianning-11h",
        "counted_to": _WINDOW,
    }
    return EligibilityCriterion(**{**base, **kw})


def test_a_selection_names_attributes_and_values_the_records_have__tianning_11h():
    ok = _criterion(params={"lookback_years": 3, "select": {"legal_violations": {"severity": ["major"]}}})
    assert ok.params["select"]["legal_violations"] == {"severity": ["major"]}
    for select, message in (
        ({"legal_violations": {"level": ["city"]}}, "not an attribute of legal_violations"),
        ({"legal_violations": {"severity": ["grave"]}}, "values among"),
        ({"legal_violations": {"severity": []}}, "values among"),
        ({"major_accidents": {"severity": ["major"]}}, "not among the criterion's facts"),
        ({"legal_violations": ["major"]}, "a mapping of attribute"),
    ):
        with pytest.raises(ValidationError, match=message):
            _criterion(params={"lookback_years": 3, "select": select})


def test_a_counting_criterion_must_state_the_day_it_counts_to__changning_16a():
    with pytest.raises(ValidationError, match="counted_to"):
        _criterion(counted_to=None)
    with pytest.raises(ValidationError, match="counted_to"):
        _criterion(test="min_years", facts=["operating_since"], params={"min_years": 3}, counted_to=None)
    with pytest.raises(ValidationError, match="clause"):
        _criterion(counted_to={"ends_on": "check", "note_en": "stated without a clause"})


def test_a_preference_reads_one_yes_no_fact_and_no_test__jinshan_15h():
    ok = EligibilityCriterion(
        id="cqo", kind="preference", facts=["has_chief_quality_officer"], summary_en="x", clause="jinshan-15h"
    )
    assert ok.kind == "preference"
    for kw in ({"facts": ["operating_since"]}, {"facts": []}, {"test": "is_true"}):
        with pytest.raises(ValidationError, match="preference"):
            EligibilityCriterion(
                **{
                    "id": "cqo",
                    "kind": "preference",
                    "facts": ["has_chief_quality_officer"],
                    "summary_en": "x",
                    "clause": "jinshan-15h",
                    **kw,
                }
            )
