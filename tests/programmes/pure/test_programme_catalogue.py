"""The clause catalogue and the definitions' citations of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.programmes.catalogue import CATALOGUE_FILE, get_catalogue
from app.domain.programmes.citations import clause_usage, code_citations, definition_citations

SHARED_CATALOGUE = Path(__file__).resolve().parents[4] / "shared" / "regulations" / "clauses.yaml"


def test_every_clause_a_definition_cites_is_in_the_catalogue(registry):
    catalogue = get_catalogue()
    cited = definition_citations(registry)
    missing = {clause_id: places for clause_id, places in cited.items() if clause_id not in catalogue}
    assert not missing, f"definitions cite clause ids the catalogue lacks: {missing}"


def test_count_enforce_clauses_cited_nowhere(registry, capsys):
    """Prints how many ``system: enforce`` clauses neither a definition nor code under app/ cites yet."""
    catalogue = get_catalogue()
    usage = clause_usage(registry, catalogue)
    enforce = [c for c in catalogue.clauses.values() if c.system == "enforce"]
    uncited = [c.id for c in enforce if c.id not in usage]
    with capsys.disabled():
        print(
            f"\n{len(uncited)} of {len(enforce)} `system: enforce` clauses are cited by no definition or code yet: {', '.join(uncited)}"
        )
    assert len(uncited) < len(enforce)


def test_every_programme_has_its_catalogue_regulation(registry):
    catalogue = get_catalogue()
    assert set(registry.codes()) == set(catalogue.regulations)
    for code in registry.codes():
        assert catalogue.for_regulation(code), code


def test_code_citations_name_file_and_line():
    catalogue = get_catalogue()
    found = code_citations(catalogue)
    for places in found.values():
        for place in places:
            file, _, line = place.rpartition(":")
            assert file.startswith("app/") and line.isdigit(), place


def test_shipped_catalogue_is_the_shared_one():
    """The service ships a copy of shared/regulations/clauses.yaml (shared/ is not deployed)."""
    if not SHARED_CATALOGUE.exists():
        pytest.skip("shared/regulations is not beside this checkout")
    assert CATALOGUE_FILE.read_bytes() == SHARED_CATALOGUE.read_bytes(), (
        "copy shared/regulations/clauses.yaml to app/domain/programmes/catalogue/"
    )


def test_catalogue_quotes_and_kinds_load():
    catalogue = get_catalogue()
    clause = catalogue.clause("changning-21c")
    assert clause.system == "enforce" and clause.params["period"] == 5 and "不少于5个工作日" in clause.quote_zh
    assert clause.regulation == "changning"
    assert len(catalogue.clauses) == 418
