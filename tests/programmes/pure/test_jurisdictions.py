"""Jurisdictions as data (行政区划): each definition places its programme in GB/T 2260, no table in code."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from app.domain.applicants.jurisdictions import division_code, within
from app.domain.eligibility.criteria import evaluate
from app.domain.programmes.facts import FACTS
from app.domain.programmes.registry import (
    DEFINITIONS_DIR,
    DIRS_ENV,
    ProgrammeDefinitionError,
    get_registry,
    load_registry,
)

CLEAN = {f: [] for f, t in FACTS.items() if t == "records"}
WUJIN = {
    "code": "wujin",
    "name_zh": "江苏省常州市武进区",
    "parent": "changzhou",
    "parent_name_zh": "常州市",
    "division": "320412",
    "parents": [
        {"code": "changzhou", "division": "320400", "name_zh": "常州市"},
        {"code": "jiangsu", "division": "320000", "name_zh": "江苏省"},
    ],
}


def programme(code: str, jurisdiction: dict) -> dict:
    """Tianning's definition under another code and jurisdiction: a new programme, as a file."""
    data = yaml.safe_load((DEFINITIONS_DIR / "tianning.yaml").read_text(encoding="utf-8"))
    data["code"] = code
    data["jurisdiction"] = jurisdiction
    return data


def write(directory: Path, data: dict) -> Path:
    directory.mkdir(exist_ok=True)
    (directory / f"{data['code']}.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return directory


def test_every_shipped_programme_names_its_division_and_parents(registry):
    for code in registry.codes():
        j = registry.get(code).jurisdiction
        assert j.division is not None, code
        assert j.parents and j.parents[0].code == j.parent, code


def test_the_shipped_definitions_give_the_divisions_the_code_used_to_hold(registry):
    held = {
        "shanghai": "310000",
        "changning": "310105",
        "jinshan": "310116",
        "zhejiang": "330000",
        "hangzhou": "330100",
        "shandong": "370000",
        "linyi": "371300",
        "jiangsu": "320000",
        "changzhou": "320400",
        "tianning": "320402",
    }
    assert {code: registry.division(code) for code in held} == held
    assert registry.division("pudong") is None


def test_a_new_programme_file_with_a_new_division_works_with_no_code_edited(monkeypatch, tmp_path):
    monkeypatch.setenv(DIRS_ENV, str(write(tmp_path / "seventh", programme("wujin", WUJIN))))
    get_registry.cache_clear()
    try:
        assert division_code("wujin") == "320412"
        assert within("320412", "wujin") and within("wujin", "changzhou") and within("wujin", "jiangsu")
        assert not within("320402", "wujin") and not within("wujin", "tianning") and not within("wujin", "shanghai")
        p = get_registry().get("wujin")
        c = next(c for c in p.eligibility if c.id == "registered_in_district")
        ok = evaluate(
            c,
            {**CLEAN, "registered_jurisdiction": "320412"},
            date(2026, 9, 1),
            p.jurisdiction.code,
            p.jurisdiction.name_zh,
        )
        assert ok.result == "pass", ok
        bad = evaluate(
            c,
            {**CLEAN, "registered_jurisdiction": "320402"},
            date(2026, 9, 1),
            p.jurisdiction.code,
            p.jurisdiction.name_zh,
        )
        assert bad.result == "fail", bad
    finally:
        get_registry.cache_clear()


def test_without_the_file_the_new_division_is_unknown():
    assert division_code("wujin") is None
    assert not within("320412", "wujin")


def test_a_parent_that_does_not_contain_the_jurisdiction_is_refused(tmp_path):
    wrong = {**WUJIN, "parents": [{"code": "changzhou", "division": "330100"}, WUJIN["parents"][1]]}
    with pytest.raises(
        ProgrammeDefinitionError,
        match=r"wujin\.yaml: jurisdiction\.parents\.0\.division: 330100 \(changzhou\) does not contain division 320412",
    ):
        load_registry([write(tmp_path / "defs", programme("wujin", wrong))])


def test_parents_are_listed_nearest_first(tmp_path):
    swapped = {**WUJIN, "parent": "jiangsu", "parents": list(reversed(WUJIN["parents"]))}
    with pytest.raises(
        ProgrammeDefinitionError,
        match=r"jurisdiction\.parents\.1\.division: 320400 \(changzhou\) does not contain parents\.0\.division 320000",
    ):
        load_registry([write(tmp_path / "defs", programme("wujin", swapped))])


def test_the_nearest_parent_is_the_parent_named(tmp_path):
    with pytest.raises(
        ProgrammeDefinitionError, match=r"jurisdiction\.parents\.0\.code: the nearest parent is 'jiangsu'"
    ):
        load_registry([write(tmp_path / "defs", programme("wujin", {**WUJIN, "parent": "jiangsu"}))])


def test_one_place_with_two_division_codes_is_refused(tmp_path):
    other = {
        **WUJIN,
        "parents": [{"code": "changzhou", "division": "320500"}, WUJIN["parents"][1]],
        "division": "320512",
    }
    with pytest.raises(
        ProgrammeDefinitionError,
        match=r"jurisdiction\.parents\.0\.division: 'changzhou' is 320500 here but 320400 in programme 'tianning'",
    ):
        load_registry([write(tmp_path / "defs", programme("wujin", other))])


def test_a_jurisdiction_test_needs_the_jurisdictions_division__tianning_11a(tmp_path):
    bare = {k: v for k, v in WUJIN.items() if k not in ("division", "parents")}
    with pytest.raises(ProgrammeDefinitionError, match=r"jurisdiction\.division: .*registered_in_district.*GB/T 2260"):
        load_registry([write(tmp_path / "defs", programme("wujin", bare))])


def test_a_division_code_is_six_digits(tmp_path):
    with pytest.raises(ProgrammeDefinitionError, match=r"jurisdiction\.division"):
        load_registry([write(tmp_path / "defs", programme("wujin", {**WUJIN, "division": "32041"}))])
