"""GET /api/v1/programmes: public, the fields portals rely on, clauses with their usage."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.programmes.citations import get_clause_usage
from app.domain.programmes.registry import get_registry

SIXTH = Path(__file__).resolve().parents[1] / "fixtures" / "programmes" / "sixth"


async def test_list_programmes_is_public(client):
    r = await client.get("/api/v1/programmes")
    assert r.status_code == 200
    by_code = {p["code"]: p for p in r.json()}
    assert list(by_code) == ["changning", "hangzhou", "jinshan", "linyi", "tianning"]
    assert by_code["changning"] == {
        "code": "changning",
        "name_zh": "长宁区政府质量奖",
        "name_en": "Changning District Government Quality Award",
        "level": "district",
        "jurisdiction": {
            "code": "changning",
            "name_zh": "上海市长宁区",
            "parent": "shanghai",
            "parent_name_zh": "上海市",
        },
        "current_version": "2023",
        "effective_from": "2023-11-15",
        "effective_until": "2028-11-14",
        "versions": ["2023"],
    }
    assert by_code["hangzhou"]["effective_until"] is None
    assert by_code["tianning"]["jurisdiction"]["parent"] == "changzhou"


async def test_get_programme_has_the_fields_portals_rely_on__changning_3c_26b_21c(client):
    r = await client.get("/api/v1/programmes/changning")
    assert r.status_code == 200
    p = r.json()
    assert p["tiers"][0]["code"] == "mayor" and p["tiers"][0]["name_zh"] == "长宁区区长质量奖"
    assert {"code": "model", "name_zh": "先进质量管理模式", "applicant_kind": "organisation"}.items() <= p[
        "categories"
    ][0].items()
    gold = next(q for q in p["quotas"] if q["tiers"] == ["gold"])
    assert (gold["categories"], gold["max"], gold["soft"], gold["clause"]) == (
        ["model", "achievement"],
        10,
        False,
        "changning-3c",
    )
    mayor_model = next(x for x in p["rewards"] if (x["tier"], x["category"]) == ("mayor", "model"))
    assert (mayor_model["amount_yuan"], mayor_model["kind"], mayor_model["clause"]) == (
        "500000.00",
        "fixed",
        "changning-26b",
    )
    qualification = next(n for n in p["notices"] if n["point"] == "qualification")
    assert {
        k: qualification[k]
        for k in ("stage", "length", "unit", "minimum", "audiences", "objections", "clause", "stated")
    } == {
        "stage": "qualification_notice",
        "length": 5,
        "unit": "working_day",
        "minimum": True,
        "audiences": ["public"],
        "objections": True,
        "clause": "changning-21c",
        "stated": True,
    }
    assert p["pipeline"] == [
        "awaiting_recommendation",
        "qualification_review",
        "qualification_notice",
        "material_review",
        "onsite_review",
        "comprehensive_evaluation",
        "committee_review",
        "award_notice",
        "government_approval",
    ]
    assert p["records"]["retention_years"] == 10
    assert "fees" in p["unstated"]


async def test_values_not_stated_are_marked__jinshan_18d(client):
    p = (await client.get("/api/v1/programmes/jinshan")).json()
    qualification = next(n for n in p["notices"] if n["point"] == "qualification")
    assert (qualification["length"], qualification["stated"]) == (5, False)
    assert "notices.qualification.length" in p["unstated"]
    winners = next(n for n in p["notices"] if n["point"] == "winners")
    assert (winners["length"], winners["unit"], winners["audiences"]) == (
        7,
        "calendar_day",
        ["public", "applicant_unit"],
    )


async def test_amount_not_given_is_null__linyi_15b(client):
    p = (await client.get("/api/v1/programmes/linyi")).json()
    individual = next(x for x in p["rewards"] if (x["tier"], x["category"]) == ("mayor", "individual"))
    assert (individual["amount_yuan"], individual["stated"]) == (None, False)
    unit = next(x for x in p["rewards"] if (x["tier"], x["category"]) == ("mayor", "organisation"))
    assert (unit["amount_yuan"], unit["kind"]) == ("300000.00", "up_to")


async def test_a_version_can_be_asked_for(client):
    r = await client.get("/api/v1/programmes/tianning", params={"version": "2023"})
    assert r.status_code == 200 and r.json()["version"] == "2023"
    assert r.json()["quotas"][0] == {
        "id": "mayor",
        "tiers": ["mayor"],
        "categories": ["organisation"],
        "max": 3,
        "soft": True,
        "clause": "tianning-4b",
        "stated": True,
        "note_en": None,
    }


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/programmes/pudong", {}),
        ("/api/v1/programmes/changning", {"version": "1999"}),
        ("/api/v1/programmes/pudong/clauses", {}),
    ],
)
async def test_unknown_programme_or_version_is_404_problem(client, path, params):
    r = await client.get(path, params=params)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"] == "https://qaward.gov.cn/problems/not-found"


async def test_clauses_with_where_they_are_used(client):
    r = await client.get("/api/v1/programmes/changning/clauses")
    assert r.status_code == 200
    body = r.json()
    assert body["regulation"]["title_zh"] == "上海市长宁区政府质量奖管理办法"
    by_id = {c["id"]: c for c in body["clauses"]}
    assert all(c["id"].startswith("changning-") for c in body["clauses"])
    notice = by_id["changning-21c"]
    assert notice["status"] == "cited"
    assert "changning@2023 notices.qualification.clause" in notice["used_by"]
    assert by_id["changning-1"]["status"] == "not yet" and by_id["changning-1"]["used_by"] == []
    assert body["enforce_not_yet_cited"] == sum(
        1 for c in body["clauses"] if c["system"] == "enforce" and not c["used_by"]
    )
    assert any(
        "10 years" in g or "10年" in g or "retention" in g
        for g in (await client.get("/api/v1/programmes/jinshan/clauses")).json()["gaps"]
    )


async def test_a_sixth_jurisdiction_is_served_with_no_code_change(client, monkeypatch):
    monkeypatch.setenv("QAWARD_PROGRAMME_DIRS", str(SIXTH))
    get_registry.cache_clear()
    get_clause_usage.cache_clear()
    try:
        codes = [p["code"] for p in (await client.get("/api/v1/programmes")).json()]
        assert "xuhui" in codes
        p = (await client.get("/api/v1/programmes/xuhui")).json()
        assert (p["version"], p["versions"], p["pipeline"][0]) == ("2025", ["2020", "2025"], "awaiting_recommendation")
        old = (await client.get("/api/v1/programmes/xuhui", params={"version": "2020"})).json()
        assert old["quotas"][0]["max"] == 3 and old["rewards"][0]["amount_yuan"] == "300000.00"
        clauses = (await client.get("/api/v1/programmes/xuhui/clauses")).json()
        assert (clauses["regulation"], clauses["clauses"]) == (None, [])
    finally:
        monkeypatch.delenv("QAWARD_PROGRAMME_DIRS")
        get_registry.cache_clear()
        get_clause_usage.cache_clear()
