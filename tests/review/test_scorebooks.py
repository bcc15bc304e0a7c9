"""Scorebooks as data: the shipped books, their validation, and which programme uses which."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.domain.errors import DomainError
from app.domain.programmes.registry import load_registry
from app.domain.review.registry import (
    PROGRAMME_BOOKS_FILE,
    SCOREBOOKS_DIR,
    ReviewRegistry,
    ScorebookDefinitionError,
    coverage_problems,
    load_book_file,
    load_review_registry,
)
from app.domain.review.schema import ItemKind

GBT19580_2012 = {"4.1": 110, "4.2": 90, "4.3": 90, "4.4": 130, "4.5": 100, "4.6": 80, "4.7": 400}


def _book_text(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _write(tmp_path: Path, name: str, data: dict) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# --- the shipped books ---------------------------------------------------------------------------


def test_gbt19580_2012_has_the_seven_categories_and_their_items_sum_to_1000(review: ReviewRegistry) -> None:
    """changning-5a, jinshan-5a, linyi-6, tianning-7: GB/T 19580's 2012 edition, 1,000 points."""
    book = review.book("gbt19580", "2012")
    assert {c.id: c.points for c in book.categories} == GBT19580_2012
    assert [c.name_zh for c in book.categories] == [
        "领导",
        "战略",
        "顾客与市场",
        "资源",
        "过程管理",
        "测量、分析与改进",
        "结果",
    ]
    assert book.total == 1000 == sum(i.points for i in book.items.values())
    for category in book.categories:
        assert sum(i.points for i in category.items) == category.points
    assert len(book.items) == 23
    # results are judged on levels, trends, comparisons; everything else is a process item
    assert {i.id for i in book.items.values() if i.kind is ItemKind.RESULTS} == {f"4.7.{n}" for n in range(2, 8)}
    assert book.results_points == 400


def test_gbt19580_figures_not_read_from_the_standard_are_marked_unverified(review: ReviewRegistry) -> None:
    source = review.book("gbt19580").source
    assert source.stated is False
    assert "could not be read" in source.reason
    assert source.references, "where the figures were looked for is recorded"


def test_db31_598_scores_individuals_and_is_marked_unverified(review: ReviewRegistry) -> None:
    """jinshan-5b: DB31/598 for the achievement (individual) category; its table is not verified."""
    book = review.book("db31_598")
    assert book.applicant_kind == "individual"
    assert book.total == 1000 == sum(c.points for c in book.categories)
    assert book.source.stated is False and "placeholder" in book.source.reason
    assert "DB31/T 598-2023" in book.title_zh


@pytest.mark.parametrize("code", ["innovation_merit", "individual_contribution"])
def test_programme_defined_books_say_so_and_why(review: ReviewRegistry, code: str) -> None:
    """hangzhou-1.2d, linyi-2b: where the text names no book, the programme defines one (stated: false)."""
    book = review.book(code)
    assert book.programme_defined is True
    assert book.source.stated is False and book.source.reason
    assert book.total == sum(i.points for i in book.items.values()) == 1000


def test_every_shipped_book_file_loads_with_consistent_sums() -> None:
    files = sorted(SCOREBOOKS_DIR.glob("*.yaml"))
    assert {f.stem for f in files} == {"gbt19580", "db31_598", "innovation_merit", "individual_contribution"}
    for path in files:
        for book in load_book_file(path):
            assert sum(c.points for c in book.categories) == book.total
            ids = [c.id for c in book.categories] + list(book.items)
            assert len(ids) == len(set(ids))


# --- validation of a book ------------------------------------------------------------------------


def test_item_points_that_do_not_sum_to_the_category_stop_loading(tmp_path: Path) -> None:
    data = _book_text(SCOREBOOKS_DIR / "gbt19580.yaml")
    data["editions"][0]["categories"][0]["items"][0]["points"] = 55
    with pytest.raises(ScorebookDefinitionError) as err:
        load_book_file(_write(tmp_path, "gbt19580.yaml", data))
    assert "editions.0.categories.0.items: the items' points sum to 115, not the category's 110" in str(err.value)


def test_categories_that_do_not_sum_to_the_total_stop_loading(tmp_path: Path) -> None:
    data = _book_text(SCOREBOOKS_DIR / "gbt19580.yaml")
    data["editions"][0]["total"] = 900
    with pytest.raises(ScorebookDefinitionError) as err:
        load_book_file(_write(tmp_path, "gbt19580.yaml", data))
    assert "categories: the categories' points sum to 1000, not the total 900" in str(err.value)


def test_a_repeated_item_id_stops_loading(tmp_path: Path) -> None:
    data = _book_text(SCOREBOOKS_DIR / "gbt19580.yaml")
    data["editions"][0]["categories"][1]["items"][0]["id"] = "4.1.2"
    with pytest.raises(ScorebookDefinitionError) as err:
        load_book_file(_write(tmp_path, "gbt19580.yaml", data))
    assert "items: duplicate id '4.1.2'" in str(err.value)


def test_a_repeated_edition_and_a_wrong_file_name_stop_loading(tmp_path: Path) -> None:
    data = _book_text(SCOREBOOKS_DIR / "gbt19580.yaml")
    data["editions"].append(data["editions"][0])
    with pytest.raises(ScorebookDefinitionError, match="editions: duplicate id '2012'"):
        load_book_file(_write(tmp_path, "gbt19580.yaml", data))
    data["editions"].pop()
    with pytest.raises(ScorebookDefinitionError, match="'gbt19580' must equal the file name 'other'"):
        load_book_file(_write(tmp_path, "other.yaml", data))


def test_unverified_figures_without_a_reason_stop_loading(tmp_path: Path) -> None:
    data = _book_text(SCOREBOOKS_DIR / "db31_598.yaml")
    data["editions"][0]["source"]["reason"] = " "
    with pytest.raises(ScorebookDefinitionError, match=r"source\.reason: figures not verified"):
        load_book_file(_write(tmp_path, "db31_598.yaml", data))


def test_an_item_kind_outside_process_and_results_stops_loading(tmp_path: Path) -> None:
    data = _book_text(SCOREBOOKS_DIR / "gbt19580.yaml")
    data["editions"][0]["categories"][0]["items"][0]["kind"] = "outcome"
    with pytest.raises(ScorebookDefinitionError, match=r"items\.0\.kind"):
        load_book_file(_write(tmp_path, "gbt19580.yaml", data))


# --- which programme uses which book -------------------------------------------------------------


@pytest.mark.parametrize(
    ("programme", "tier", "category", "book", "clause", "stated"),
    [
        ("changning", "mayor", "model", "gbt19580@2012", "changning-5a", True),
        ("changning", "gold", "achievement", "db31_598@2023", "changning-5a", False),
        ("jinshan", "mayor", "model", "gbt19580@2012", "jinshan-5a", True),
        ("jinshan", "gold", "achievement", "db31_598@2023", "jinshan-5b", True),
        ("hangzhou", "quality", "organisation", "gbt19580@2012", "hangzhou-3.3.3", False),
        ("hangzhou", "innovation", "organisation", "innovation_merit@1", "hangzhou-1.2d", False),
        ("hangzhou", "merit", "organisation", "innovation_merit@1", "hangzhou-1.2d", False),
        ("linyi", "nomination", "organisation", "gbt19580@2012", "linyi-6", True),
        ("linyi", "mayor", "individual", "individual_contribution@1", "linyi-2b", False),
        ("tianning", "mayor", "organisation", "gbt19580@2012", "tianning-7", True),
    ],
)
def test_each_programme_category_is_scored_against_its_cited_book(
    review: ReviewRegistry, programme: str, tier: str, category: str, book: str, clause: str, stated: bool
) -> None:
    use = review.book_use(programme, category, tier)
    assert (use.clause, use.stated) == (clause, stated)
    assert use.stated or use.reason
    assert review.book_for(programme, category, tier).key == book


def test_every_programme_version_has_a_book_per_tier_and_category_fitting_its_applicants(
    review: ReviewRegistry,
) -> None:
    assert coverage_problems(review, load_registry()) == []


def test_the_outlier_spread_default_is_marked_as_the_services_reading(review: ReviewRegistry) -> None:
    """tianning-20a: the review rules are to be made separately; no programme states a spread."""
    for code in review.programme_codes():
        spread = review.outlier_spread(code)
        assert spread.stated is False and spread.reason
        assert (spread.value, spread.unit) == (15, "percent")
    assert review.outlier_spread("tianning").clause == "tianning-20a"


def test_an_unknown_programme_or_category_is_not_found(review: ReviewRegistry) -> None:
    with pytest.raises(DomainError) as err:
        review.book_for("xuhui", "model")
    assert err.value.status == 404
    with pytest.raises(DomainError) as err:
        review.book_for("changning", "team")
    assert err.value.status == 404
    with pytest.raises(DomainError):
        review.book("gbt19580", "2004")


def _mapping(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(PROGRAMME_BOOKS_FILE.read_text(encoding="utf-8"))
    edit(data)
    return _write(tmp_path, "programme_books.yaml", data)


def test_a_mapping_naming_a_missing_book_edition_or_clause_stops_loading(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        data["changning"]["books"][0]["book"] = "gbt19581"
        data["jinshan"]["books"][0]["edition"] = "2004"
        data["linyi"]["books"][0]["clause"] = "linyi-99"

    with pytest.raises(ScorebookDefinitionError) as err:
        load_review_registry(programme_books=_mapping(tmp_path, edit))
    text = str(err.value)
    assert "changning.books.0.book: no scorebook 'gbt19581'" in text
    assert "jinshan.books.0.edition: scorebook 'gbt19580' has no edition '2004'" in text
    assert "linyi.books.0.clause: clause 'linyi-99' is not in the clause catalogue" in text


def test_a_category_given_two_books_stops_loading(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        data["hangzhou"]["books"][1]["tiers"] = ["quality", "merit"]

    with pytest.raises(ScorebookDefinitionError, match=r"hangzhou\.books\.1: category 'organisation'"):
        load_review_registry(programme_books=_mapping(tmp_path, edit))


def test_a_reading_without_its_reason_stops_loading(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        del data["changning"]["books"][1]["reason"]

    with pytest.raises(ScorebookDefinitionError, match=r"changning\.books\.1\.reason"):
        load_review_registry(programme_books=_mapping(tmp_path, edit))


def test_coverage_names_a_category_without_a_book(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        data["linyi"]["books"].pop()

    partial = load_review_registry(programme_books=_mapping(tmp_path, edit))
    problems = coverage_problems(partial, load_registry())
    assert any("no book for tier 'mayor' of category 'individual'" in p for p in problems)


def test_coverage_names_a_book_for_the_wrong_applicants(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        data["jinshan"]["books"][1]["book"] = "gbt19580"

    wrong = load_review_registry(programme_books=_mapping(tmp_path, edit))
    problems = coverage_problems(wrong, load_registry())
    assert any("category 'achievement' is for individuals but its book gbt19580@2012" in p for p in problems)
