"""The count (计票) alone: the threshold of those present and not recused, ties across the cut
reported to the chair and never broken, a resolution the only way past an over-full group."""

from __future__ import annotations

import pytest

from app.domain.decisions.procedures import Threshold, procedure
from app.domain.decisions.tally import count_candidate, settle_group

pytestmark = pytest.mark.no_database

MORE_THAN_HALF = Threshold(rule="more_than_half_of_present", stated=False)
GROUP = {"tier": "quality", "category": "organisation", "method": "secret_ballot"}


def _voted(app: str, votes_for: int, eligible: int = 5):
    ballots = {"for": votes_for, "against": eligible - votes_for}
    return count_candidate(
        {"application_id": app, "name": app},
        GROUP,
        [f"m{i}" for i in range(eligible)],
        [],
        [],
        ballots,
        None,
        MORE_THAN_HALF,
    )


def test_more_than_half_of_those_present_and_not_recused_passes_a_stated_false_default():
    assert procedure("hangzhou").threshold.stated is False
    assert _voted("a", 3).passed is True
    assert _voted("b", 2, eligible=4).passed is False  # half is not more than half
    # not everyone has voted yet: undecided, not failed
    partial = count_candidate(
        {"application_id": "c"}, GROUP, ["m1", "m2", "m3"], [], [], {"for": 2}, None, MORE_THAN_HALF
    )
    assert partial.passed is None and not partial.complete


def test_equal_votes_across_the_cut_are_a_tie_for_the_chair_and_nothing_is_selected_without_its_resolution():
    results = [_voted("a", 5), _voted("b", 4), _voted("c", 4), _voted("d", 1)]
    g = settle_group("quality", "organisation", results, 2, False, "hangzhou-3.1b", None)
    assert g.passing == ["a", "b", "c"] and g.ties == [["b", "c"]]
    assert g.needs_resolution and g.selected == []
    resolved = settle_group(
        "quality", "organisation", results, 2, False, "hangzhou-3.1b", {"selected": ["a", "c"], "reason": "…"}
    )
    assert not resolved.needs_resolution and resolved.selected == ["a", "c"]
    # within the places every passing candidate is selected, no resolution asked
    fits = settle_group("quality", "organisation", results, 3, False, None, None)
    assert fits.selected == ["a", "b", "c"] and not fits.ties
