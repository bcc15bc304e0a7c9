"""Scoring arithmetic (GB/Z 19579 practice, tianning-7): bands, sheets, consensus, ranking."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from app.domain.errors import DomainError
from app.domain.review.registry import ReviewRegistry
from app.domain.review.schema import OutlierSpread, Scorebook
from app.domain.review.scoring import (
    Candidate,
    compare_with_previous,
    consensus_sheet,
    departures,
    item_score,
    outliers,
    panel_medians,
    parse_band,
    rank,
    require_departure_reasons,
    require_every_member_scored,
    score_sheet,
)

D = Decimal


@pytest.fixture
def book(review: ReviewRegistry) -> Scorebook:
    return review.book("gbt19580", "2012")


def _all(book: Scorebook, band: int) -> dict[str, int]:
    return dict.fromkeys(book.items, band)


def _fields(err: pytest.ExceptionInfo[DomainError]) -> dict[str, str]:
    assert err.value.status == 422 and err.value.slug == "validation-error"
    return {e.field: e.code for e in err.value.errors}


# --- one item ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("points", "band", "score"),
    [
        (50, 55, "27.5"),
        (110, 100, "110.0"),
        (15, 5, "0.8"),  # 0.75: half up
        (15, 15, "2.3"),  # 2.25: half up
        (15, 45, "6.8"),  # 6.75
        (10, 5, "0.5"),
        (80, 0, "0.0"),
        (60, 35, "21.0"),
    ],
)
def test_an_item_scores_its_band_times_its_points_to_a_tenth_half_up(points: int, band: int, score: str) -> None:
    result = item_score(points, band)
    assert isinstance(result, Decimal)
    assert result == D(score) and str(result) == score


@pytest.mark.parametrize("value", [0, 5, 55, 100, "60", " 70 ", D("85"), 95.0, D("1E+2")])
def test_a_band_in_5_percent_steps_is_accepted(value: object) -> None:
    band = parse_band(value)
    assert isinstance(band, int) and band % 5 == 0


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (52, "band_step"),
        (D("57.5"), "band_step"),
        (52.5, "band_step"),
        ("1e-999999999", "band_step"),  # a remainder below the context's precision is still no step
        (105, "band_range"),
        (101, "band_range"),
        (-5, "band_range"),
        ("NaN", "band_range"),
        ("sixty", "not_a_number"),
        (True, "not_a_number"),
        (None, "not_a_number"),
        ([50], "not_a_number"),
        (Fraction(55), "not_a_number"),  # prints as "55", but is no input type a band comes in
    ],
)
def test_a_band_not_in_5_percent_steps_is_refused_naming_the_field(value: object, code: str) -> None:
    with pytest.raises(DomainError) as err:
        parse_band(value, "scores.4.1.2")
    assert _fields(err) == {"scores.4.1.2": code}


# --- a sheet -------------------------------------------------------------------------------------


def test_a_full_sheet_sums_items_to_categories_and_categories_to_the_total(book: Scorebook) -> None:
    bands = _all(book, 50) | {"4.1.2": 65, "4.4.3": 5, "4.4.5": 15, "4.7.2": 40}
    sheet = score_sheet(book, bands)
    assert sheet.complete and sheet.book == "gbt19580@2012" and sheet.max_total == 1000
    leadership = sheet.category("4.1")
    assert sheet.item("4.1.2").score == D("32.5")
    assert leadership.score == D("32.5") + D("15.0") + D("15.0") == D("62.5")
    resources = sheet.category("4.4")
    # 30 + 0.8 (0.75) + 10 + 2.3 (2.25) + 5 + 5: the category is the sum of the rounded items
    assert resources.score == D("53.1")
    assert sheet.total == sum(c.score for c in sheet.categories)
    assert sheet.total == D("62.5") + 45 + 45 + D("53.1") + 50 + 40 + D("32.0") + 40 + 40 + 30 + 25 + 25
    assert sheet.results_score == sheet.category("4.7").score == D("192.0")


def test_every_item_at_100_percent_scores_the_book_total(book: Scorebook, review: ReviewRegistry) -> None:
    for code in review.book_codes():
        each = review.book(code)
        assert score_sheet(each, _all(each, 100)).total == each.total
    assert score_sheet(book, _all(book, 0)).total == 0


def test_a_score_for_an_item_not_in_the_book_is_refused_naming_it(book: Scorebook) -> None:
    with pytest.raises(DomainError) as err:
        score_sheet(book, _all(book, 50) | {"4.8.1": 50, "4.1": 50})
    assert _fields(err) == {"scores.4.8.1": "unknown_item", "scores.4.1": "unknown_item"}
    assert "4.8.1" in err.value.errors[0].zh and "gbt19580@2012" in err.value.errors[0].en


def test_a_complete_sheet_missing_an_item_is_refused_naming_it(book: Scorebook) -> None:
    bands = _all(book, 50)
    del bands["4.6.3"]
    with pytest.raises(DomainError) as err:
        score_sheet(book, bands)
    assert _fields(err) == {"scores.4.6.3": "missing"}


def test_every_bad_field_of_a_sheet_is_named_at_once(book: Scorebook) -> None:
    bands = _all(book, 50) | {"4.1.2": 52, "4.2.2": 120, "x": 50}
    del bands["4.7.7"]
    with pytest.raises(DomainError) as err:
        score_sheet(book, bands, field="consensus")
    assert _fields(err) == {
        "consensus.4.1.2": "band_step",
        "consensus.4.2.2": "band_range",
        "consensus.x": "unknown_item",
        "consensus.4.7.7": "missing",
    }


def test_a_draft_sheet_may_leave_items_out(book: Scorebook) -> None:
    sheet = score_sheet(book, {"4.1.2": 60, "4.7.4": 30}, complete=False)
    assert not sheet.complete
    assert sheet.total == D("30.0") + D("24.0")
    assert sheet.category("4.2").score == 0 and sheet.category("4.2").scored_items == 0


# --- independent scores, then consensus ----------------------------------------------------------


def test_the_panel_median_is_per_item_and_averages_the_middle_pair(book: Scorebook) -> None:
    sheets = {
        "a": {"4.1.2": 50, "4.1.3": 40},
        "b": {"4.1.2": 60, "4.1.3": 45},
        "c": {"4.1.2": 70},
        "d": {"4.1.2": 55},
    }
    medians = panel_medians(book, sheets)
    assert medians == {"4.1.2": D("57.5"), "4.1.3": D("42.5")}


def test_scores_further_from_the_median_than_the_spread_are_flagged(book: Scorebook) -> None:
    sheets = {
        "a": {"4.1.2": 50, "4.7.2": 40},
        "b": {"4.1.2": 55, "4.7.2": 45},
        "c": {"4.1.2": 75, "4.7.2": 60},  # 4.1.2: 20 from 55; 4.7.2: 15 from 45, not MORE than 15
    }
    spread = OutlierSpread(value=D(15), unit="percent", stated=False, reason="test")
    found = outliers(book, sheets, spread)
    assert [(o.member, o.item_id, o.band, o.median, o.difference) for o in found] == [("c", "4.1.2", 75, D(55), D(20))]


def test_a_spread_in_points_weighs_each_item_by_its_points(book: Scorebook) -> None:
    # 20 percentage points are 10 points of 4.1.2 (50 points) but 2 points of 4.4.6 (10 points)
    sheets = {"a": {"4.1.2": 50, "4.4.6": 50}, "b": {"4.1.2": 50, "4.4.6": 50}, "c": {"4.1.2": 70, "4.4.6": 70}}
    spread = OutlierSpread(value=D(5), unit="points", stated=False, reason="test")
    found = outliers(book, sheets, spread)
    assert [(o.member, o.item_id, o.difference) for o in found] == [("c", "4.1.2", D(10))]


def test_a_consensus_before_every_member_scored_is_refused_naming_them(book: Scorebook) -> None:
    sheets = {"expert-a": _all(book, 50)}
    with pytest.raises(DomainError) as err:
        consensus_sheet(book, _all(book, 50), members=["expert-a", "expert-b", "expert-c"], sheets=sheets)
    assert _fields(err) == {"members.expert-b": "not_submitted", "members.expert-c": "not_submitted"}
    with pytest.raises(DomainError) as err:
        require_every_member_scored(["x"], [])
    assert _fields(err) == {"members.x": "not_submitted"}


def test_a_consensus_needs_complete_member_sheets_and_is_itself_complete(book: Scorebook) -> None:
    half = dict.fromkeys(list(book.items)[:5], 50)
    with pytest.raises(DomainError) as err:
        consensus_sheet(book, _all(book, 50), members=["a"], sheets={"a": half})
    assert all(f.startswith("sheets.a.") for f in _fields(err))
    consensus = _all(book, 60)
    del consensus["4.1.2"]
    with pytest.raises(DomainError) as err:
        consensus_sheet(book, consensus, members=["a"], sheets={"a": _all(book, 50)})
    assert _fields(err) == {"consensus.4.1.2": "missing"}
    sheet = consensus_sheet(book, _all(book, 60), members=["a", "b"], sheets={"a": _all(book, 55), "b": _all(book, 65)})
    assert sheet.total == D("600.0")


# --- ranking and the next list -------------------------------------------------------------------


def _c(app: str, total: str, results: str, tier: str = "mayor", category: str = "model") -> Candidate:
    return Candidate(app, tier, category, D(total), D(results))


def test_a_ranking_orders_each_tier_and_category_by_total_then_results_then_id() -> None:
    ranking = rank(
        [
            _c("b-2", "700.5", "300.0"),
            _c("a-1", "700.5", "310.0"),  # same total, more results: first
            _c("c-3", "812.0", "320.0"),
            _c("e-5", "650.0", "250.0"),
            _c("d-4", "650.0", "250.0"),  # a full tie: listed by id, same rank
            _c("z-9", "900.0", "350.0", tier="gold"),
        ]
    )
    assert list(ranking) == [("gold", "model"), ("mayor", "model")]
    mayor = ranking[("mayor", "model")]
    assert [(r.application_id, r.position, r.rank) for r in mayor] == [
        ("c-3", 1, 1),
        ("a-1", 2, 2),
        ("b-2", 3, 3),
        ("d-4", 4, 4),
        ("e-5", 5, 4),
    ]
    assert [r.application_id for r in ranking[("gold", "model")]] == ["z-9"]


def test_a_ranking_refuses_an_application_twice() -> None:
    with pytest.raises(DomainError) as err:
        rank([_c("a", "1", "1"), _c("a", "2", "1", tier="gold")])
    assert _fields(err) == {"candidates": "duplicate"}


def test_choosing_below_rank_order_is_a_departure_naming_who_was_passed_over() -> None:
    """changning-22b, jinshan-18f: the on-site list beside the ranking; skipping a higher one is flagged."""
    ranking = rank([_c("a", "800", "300"), _c("b", "780", "300"), _c("c", "760", "300"), _c("d", "700", "300")])[
        ("mayor", "model")
    ]
    assert departures(ranking, ["a", "b"]) == []
    found = departures(ranking, ["a", "c", "d"])
    assert [(d.chosen.application_id, [p.application_id for p in d.passed_over]) for d in found] == [
        ("c", ["b"]),
        ("d", ["b"]),
    ]


def test_choosing_one_of_two_tied_entries_is_no_departure() -> None:
    ranking = rank([_c("a", "800", "300"), _c("b", "700", "250"), _c("c", "700", "250")])[("mayor", "model")]
    assert departures(ranking, ["a", "c"]) == []


def test_a_chosen_entry_not_in_the_ranking_is_refused_naming_it() -> None:
    ranking = rank([_c("a", "800", "300")])[("mayor", "model")]
    with pytest.raises(DomainError) as err:
        departures(ranking, ["a", "zz"])
    assert _fields(err) == {"chosen.1": "not_ranked"}


def test_every_departure_from_rank_order_needs_a_reason() -> None:
    """changning-22b, jinshan-18f: a departure from rank order needs a recorded reason."""
    ranking = rank([_c("a", "800", "300"), _c("b", "780", "300"), _c("c", "760", "300")])[("mayor", "model")]
    found = departures(ranking, ["a", "c"])
    with pytest.raises(DomainError) as err:
        require_departure_reasons(found, {"c": "  "})
    assert _fields(err) == {"reasons.c": "reason_required"}
    require_departure_reasons(found, {"c": "现场评审名额按行业均衡分配"})


def test_a_reapplicants_scores_stand_beside_its_previous_ones(book: Scorebook) -> None:
    """linyi-13b: a re-applicant's indicators must improve markedly on its previous application."""
    before = score_sheet(book, _all(book, 40))
    now = score_sheet(book, _all(book, 40) | {"4.7.4": 70, "4.1.2": 30})
    rows = {r.category_id: r for r in compare_with_previous(before, now)}
    assert (rows["4.7"].previous, rows["4.7"].current, rows["4.7"].change) == (D("160.0"), D("184.0"), D("24.0"))
    assert rows["4.1"].change == D("-5.0")
    assert rows["4.2"].change == 0
