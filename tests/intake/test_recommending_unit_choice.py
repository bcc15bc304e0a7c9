"""The recommending unit chosen and changed while a draft, and the units that cover an applicant (issue 19)."""

from __future__ import annotations

import asyncio

from tests.intake.drive import open_round
from tests.intake.registry import CHANGNING_ORG, register_org
from tests.workflow.flow import Flow


async def _unit(client, office, code: str, name: str, covers: list[str], kind: str = "street") -> None:
    r = await client.post(
        "/api/v1/recommending-units",
        json={"programme": "changning", "code": code, "name_zh": name, "kind": kind, "covers": covers},
        headers=office,
    )
    assert r.status_code == 201, r.text


async def _world(client, token, unit: str | None = "TSL"):
    flow = Flow(client, token, "changning", unit="XJH")
    office = flow.headers["office"]
    await _unit(client, office, "XJH", "新泾镇人民政府", ["xinjing"])
    await _unit(client, office, "TSL", "天山路街道办事处", ["tianshan"])
    await _unit(client, office, "JJW", "区经委", ["economy"], kind="department")
    await register_org(client, office, "changning", locality="xinjing", competent_department="economy")
    rnd = await open_round(flow, 2026)
    body = {"round_id": rnd["id"], "category": "model", "applicant": {"name": "某公司", "credit_code": CHANGNING_ORG}}
    if unit:
        body["recommending_unit"] = unit
    r = await client.post("/api/v1/applications", json=body, headers=flow.proving(credit_code=CHANGNING_ORG))
    assert r.status_code == 201, r.text
    return flow, r.json()["id"]


async def _change(
    client, flow: Flow, app_id: str, unit: str | None, reason: str = "申报时选错街镇", etag: str | None = None
):
    if etag is None:
        etag = (await flow.get(app_id)).headers["etag"]
    return await client.put(
        f"/api/v1/applications/{app_id}/recommending-unit",
        json={"unit": unit, "reason": reason},
        headers={**flow.headers["applicant"], "If-Match": etag},
    )


async def test_the_units_covering_an_applicant_are_listed_with_how_covers_matched__changning_20b(client, token):
    flow, app_id = await _world(client, token)
    r = await client.get(f"/api/v1/applications/{app_id}/recommending-units", headers=flow.headers["applicant"])
    assert r.status_code == 200, r.text
    body = r.json()
    covering = [u for u in body["units"] if u["covers_applicant"]]
    assert [u["code"] for u in covering] == ["JJW", "XJH"] and body["units"][-1]["code"] == "TSL"
    xjh = next(u for u in covering if u["code"] == "XJH")
    assert xjh["name_zh"] == "新泾镇人民政府" and xjh["covers"] == [{"code": "xinjing", "name_zh": "新泾镇"}]
    assert xjh["matched"] == [
        {
            "of": "applicant",
            "attribute": "locality",
            "code": "xinjing",
            "name_zh": "新泾镇",
            "attribute_zh": "所在街镇、园区",
            "covers": "xinjing",
            "how": "equal",
        }
    ]
    jjw = next(u for u in covering if u["code"] == "JJW")
    assert jjw["matched"][0]["attribute"] == "competent_department"
    assert body["recommending_unit"] == "TSL" and "locality" in body["how_covers_matches"]


async def test_the_unit_changes_in_draft_with_if_match_and_a_reason_in_the_history__changning_20b(client, token):
    flow, app_id = await _world(client, token)
    before = await flow.get(app_id)
    # a unit that does not cover the applicant is refused naming those that do
    wrong = await _change(client, flow, app_id, "TSL", etag=before.headers["etag"])
    assert wrong.status_code == 422 and wrong.json()["covering_units"] == ["JJW", "XJH"], wrong.text
    assert wrong.json()["clause"] == "changning-20b"
    unknown = await _change(client, flow, app_id, "NOPE")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "unit"
    ok = await _change(client, flow, app_id, "XJH", etag=before.headers["etag"])
    assert ok.status_code == 200, ok.text
    assert ok.json()["recommending_unit"] == "XJH" and ok.headers["etag"] != before.headers["etag"]
    # the old tag is stale now
    stale = await _change(client, flow, app_id, "JJW", etag=before.headers["etag"])
    assert stale.status_code == 412
    missing = await client.put(
        f"/api/v1/applications/{app_id}/recommending-unit",
        json={"unit": "JJW", "reason": "x"},
        headers=flow.headers["applicant"],
    )
    assert missing.status_code == 428
    no_reason = await _change(client, flow, app_id, "JJW", reason="")
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    history = (await client.get(f"/api/v1/applications/{app_id}/history", headers=flow.headers["office"])).json()
    entry = history["items"][-1]
    assert entry["event"] == "change_recommending_unit" and entry["accepted"] is True
    assert entry["reason"] == "申报时选错街镇" and entry["from_state"] == entry["to_state"] == "draft"
    # a stranger neither sees nor changes it
    other = await client.put(
        f"/api/v1/applications/{app_id}/recommending-unit",
        json={"unit": "JJW", "reason": "x"},
        headers={**token("applicant", applicant="someone-else"), "If-Match": ok.headers["etag"]},
    )
    assert other.status_code == 404


async def test_after_submit_the_unit_is_fixed_until_returned_for_correction__changning_20b(client, token):
    flow, app_id = await _world(client, token, unit="XJH")
    await flow.step(app_id, "submit", "awaiting_recommendation")
    r = await _change(client, flow, app_id, "JJW")
    assert r.status_code == 409 and r.json()["type"].endswith("/application-not-editable")
    await flow.step(app_id, "return_for_correction", "draft", reason="推荐单位应为主管部门")
    r = await _change(client, flow, app_id, "JJW", reason="按退回意见改由主管部门推荐")
    assert r.status_code == 200 and r.json()["recommending_unit"] == "JJW", r.text


async def test_two_clerks_changing_the_unit_at_once_with_one_etag_one_wins(client, token):
    """Real concurrent requests: the row lock orders them, the loser's ETag is stale (412) and the history has one change."""
    flow, app_id = await _world(client, token)
    etag = (await flow.get(app_id)).headers["etag"]
    results = await asyncio.gather(
        *[
            client.put(
                f"/api/v1/applications/{app_id}/recommending-unit",
                json={"unit": unit, "reason": f"改为{unit}"},
                headers={**flow.headers[role], "If-Match": etag},
            )
            for unit, role in (("XJH", "applicant"), ("JJW", "office"))
        ]
    )
    assert sorted(r.status_code for r in results) == [200, 412], [r.text for r in results]
    winner = next(r for r in results if r.status_code == 200).json()["recommending_unit"]
    assert (await flow.get(app_id)).json()["recommending_unit"] == winner
    history = (await client.get(f"/api/v1/applications/{app_id}/history", headers=flow.headers["office"])).json()
    assert [i["event"] for i in history["items"]].count("change_recommending_unit") == 1


async def test_before_applying_the_units_covering_a_registered_applicant_are_listed__changning_20b(client, token):
    flow = Flow(client, token, "changning", unit="XJH")
    office = flow.headers["office"]
    await _unit(client, office, "XJH", "新泾镇人民政府", ["xinjing"])
    await _unit(client, office, "TSL", "天山路街道办事处", ["tianshan"])
    org = await register_org(client, office, "changning", locality="xinjing")
    url = f"/api/v1/applicants/{org['id']}/recommending-units"
    r = await client.get(url, params={"programme": "changning"}, headers=office)
    assert r.status_code == 200, r.text
    assert [(u["code"], u["covers_applicant"]) for u in r.json()["units"]] == [("XJH", True), ("TSL", False)]
    assert r.json()["applicant_places"][0]["name_zh"] == "新泾镇"
    assert (await client.get(url, params={"programme": "nowhere"}, headers=office)).status_code == 422
    assert (
        await client.get(url, params={"programme": "changning"}, headers=token("office", programme="jinshan"))
    ).status_code == 404
