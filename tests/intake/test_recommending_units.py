"""Recommending units (推荐单位) act only for the applicants their area or system covers."""

from __future__ import annotations

from tests.intake.drive import open_round
from tests.intake.registry import CHANGNING_ORG, HANGZHOU_ORG, LINYI_ORG, register_org
from tests.workflow.flow import Flow


async def _unit(client, office, programme: str, code: str, name: str, kind: str, covers: list[str]) -> dict:
    r = await client.post(
        "/api/v1/recommending-units",
        json={"programme": programme, "code": code, "name_zh": name, "kind": kind, "covers": covers},
        headers=office,
    )
    assert r.status_code == 201, r.text
    return r.json()


async def _apply(client, flow: Flow, round_id: str, category: str, credit_code: str, unit: str | None) -> dict:
    body = {"round_id": round_id, "category": category, "applicant": {"name": "某公司", "credit_code": credit_code}}
    if unit:
        body["recommending_unit"] = unit
    r = await client.post("/api/v1/applications", json=body, headers=flow.proving(credit_code=credit_code))
    assert r.status_code == 201, r.text
    return r.json()


async def test_street_recommends_an_applicant_in_its_area__changning_20b(client, token):
    flow = Flow(client, token, "changning", unit="XJH")
    await _unit(client, flow.headers["office"], "changning", "XJH", "新泾镇", "street", ["xinjing"])
    org = await register_org(client, flow.headers["office"], "changning", locality="xinjing")
    rnd = await open_round(flow, 2026)
    app = await _apply(client, flow, rnd["id"], "model", CHANGNING_ORG, "XJH")
    elig = (
        await client.get(f"/api/v1/applications/{app['id']}/eligibility", headers=flow.headers["recommender"])
    ).json()
    entry = next(e for e in elig["criteria"] if e["criterion"] == "recommending_unit_covers_applicant")
    assert entry["result"] == "pass" and entry["clause"] == "changning-20b" and entry["kind"] == "recommendation"
    await flow.step(app["id"], "submit", "awaiting_recommendation")
    # the unit's recommender reads the applicant it covers
    assert (await client.get(f"/api/v1/applicants/{org['id']}", headers=flow.headers["recommender"])).status_code == 200
    assert (
        await client.get(f"/api/v1/applicants/{org['id']}", headers=token("recommender", unit="TSL"))
    ).status_code == 404
    await flow.step(app["id"], "recommend", "qualification_review", {"opinion": "同意推荐（新泾镇人民政府盖章）"})


async def test_an_applicant_outside_the_units_area_is_refused_at_submit_and_at_recommendation__changning_20b(
    client, token
):
    flow = Flow(client, token, "changning", unit="XJH")
    await _unit(client, flow.headers["office"], "changning", "XJH", "新泾镇", "street", ["xinjing"])
    org = await register_org(client, flow.headers["office"], "changning", locality="xinjing")
    rnd = await open_round(flow, 2026)
    app = await _apply(client, flow, rnd["id"], "model", CHANGNING_ORG, "XJH")
    await flow.step(app["id"], "submit", "awaiting_recommendation")
    # the applicant moves to another street after submitting: the unit no longer acts for it
    moved = await client.patch(
        f"/api/v1/applicants/{org['id']}",
        json={"locality": "tianshan"},
        headers={**flow.headers["office"], "If-Match": '"v1"'},
    )
    assert moved.status_code == 200
    r = await flow.fire(app["id"], "recommend", {"opinion": "同意推荐"}, role="recommender")
    assert (
        r.status_code == 403
        and r.json()["type"].endswith("/unit-does-not-cover")
        and r.json()["clause"] == "changning-20b"
    )
    # a new application naming the wrong unit is refused at submit, listing the reason
    rnd2 = await open_round(flow, 2026, "2026b")
    other = await _apply(client, flow, rnd2["id"], "model", CHANGNING_ORG, "XJH")
    r = await flow.fire(other["id"], "submit", role="applicant")
    assert (
        r.status_code == 422
        and {"criterion": "recommending_unit_covers_applicant", "kind": "recommendation", "clause": "changning-20b"}
        in r.json()["failed"]
    )


async def test_a_department_covers_its_system__jinshan_18b(client, token):
    from tests.intake.registry import JINSHAN_ORG

    flow = Flow(client, token, "jinshan", unit="JXW")
    await _unit(client, flow.headers["office"], "jinshan", "JXW", "区经委", "department", ["economy"])
    await register_org(client, flow.headers["office"], "jinshan", locality="zhujing", competent_department="economy")
    rnd = await open_round(flow, 2026)
    app = await _apply(client, flow, rnd["id"], "model", JINSHAN_ORG, "JXW")
    await flow.step(app["id"], "submit", "awaiting_recommendation")
    await flow.step(app["id"], "recommend", "qualification_review", {"opinion": "同意推荐"})


async def test_linyi_county_body_covers_the_applicants_registered_in_its_county__linyi_14c(client, token):
    flow = Flow(client, token, "linyi", unit="LANSHAN")
    await _unit(client, flow.headers["office"], "linyi", "LANSHAN", "兰山区质量议事协调机构", "county", ["371302"])
    await register_org(client, flow.headers["office"], "linyi", registered_jurisdiction="371302", locality=None)
    await register_org(
        client,
        flow.headers["office"],
        "linyi",
        credit_code=HANGZHOU_ORG,
        registered_jurisdiction="371311",
        name="罗庄区某公司",
    )
    rnd = await open_round(flow, 2026)
    mine = await _apply(client, flow, rnd["id"], "organisation", LINYI_ORG, "LANSHAN")
    await flow.step(mine["id"], "submit", "preliminary_review")
    await flow.step(mine["id"], "pass_preliminary", "qualification_review")
    elsewhere = await _apply(client, flow, rnd["id"], "organisation", HANGZHOU_ORG, "LANSHAN")
    r = await flow.fire(elsewhere["id"], "submit", role="applicant")
    assert r.status_code == 422 and r.json()["failed"] == [
        {"criterion": "recommending_unit_covers_applicant", "kind": "recommendation", "clause": "linyi-14c"}
    ]


async def test_no_recommending_unit_is_refused_where_the_programme_needs_one_and_not_in_hangzhou__changning_20b(
    client, token
):
    flow = Flow(client, token, "changning")
    await register_org(client, flow.headers["office"], "changning")
    rnd = await open_round(flow, 2026)
    app = await _apply(client, flow, rnd["id"], "model", CHANGNING_ORG, None)
    r = await flow.fire(app["id"], "submit", role="applicant")
    assert r.status_code == 422 and r.json()["failed"] == [
        {"criterion": "recommending_unit_covers_applicant", "kind": "recommendation", "clause": "changning-20b"}
    ]
    hz = Flow(client, token, "hangzhou")
    await register_org(client, hz.headers["office"], "hangzhou")
    hz_round = await open_round(hz, 2026, "2026")
    direct = await _apply(client, hz, hz_round["id"], "organisation", HANGZHOU_ORG, None)
    elig = (await client.get(f"/api/v1/applications/{direct['id']}/eligibility", headers=hz.headers["office"])).json()
    assert all(e["kind"] != "recommendation" for e in elig["criteria"])
    await hz.step(direct["id"], "submit", "qualification_review")


async def test_concurrent_creates_of_one_unit_code_make_one_unit_and_clean_409s(client, token, concurrently, sync_db):
    office = token("office", programme="changning")
    body = {"programme": "changning", "code": "XJH", "name_zh": "新泾镇", "kind": "street", "covers": ["xinjing"]}
    results = await concurrently(6, lambda i: client.post("/api/v1/recommending-units", json=body, headers=office))
    assert sorted(r.status_code for r in results) == [201] + [409] * 5, [r.text for r in results]
    assert all(r.json()["type"].endswith("/duplicate") for r in results if r.status_code == 409)
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM recommending_units")
        assert cur.fetchone()[0] == 1


async def test_a_unit_of_an_unknown_programme_is_422_naming_the_field(client, token, sync_db):
    body = {"programme": "nowhere", "code": "XJH", "name_zh": "新泾镇", "kind": "street", "covers": ["xinjing"]}
    r = await client.post("/api/v1/recommending-units", json=body, headers=token("admin"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "programme"
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM recommending_units")
        assert cur.fetchone()[0] == 0


async def test_a_blank_name_or_covered_code_is_422_naming_the_field(client, token, sync_db):
    office = token("office", programme="changning")
    body = {"programme": "changning", "code": "XJH", "name_zh": "新泾镇", "kind": "street", "covers": ["xinjing"]}
    r = await client.post("/api/v1/recommending-units", json={**body, "name_zh": "  "}, headers=office)
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["name_zh"]
    r = await client.post("/api/v1/recommending-units", json={**body, "covers": ["xinjing", " "]}, headers=office)
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["covers[1]"]
    created = await _unit(client, office, "changning", "XJH", " 新泾镇 ", "street", [" xinjing "])
    assert created["name_zh"] == "新泾镇" and created["covers"] == ["xinjing"]
    r = await client.patch(
        f"/api/v1/recommending-units/{created['id']}", json={"covers": [""]}, headers={**office, "If-Match": '"v1"'}
    )
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["covers[0]"]
