"""Errors that say what to do (issue 19): codes with their lists, limits in messages, malformed If-Match, Chinese titles."""

from __future__ import annotations

from tests.intake.registry import CHANGNING_ORG, changning_draft


async def test_lookup_lists_serve_codes_with_chinese_names(client):
    lists = (await client.get("/api/v1/lookups")).json()
    names = {item["name"] for item in lists}
    assert {"localities", "departments", "industries", "sizes", "tiers", "categories", "states"} <= names
    localities = (await client.get("/api/v1/lookups/localities?programme=changning")).json()
    assert {"code": "xinhua", "name_zh": "新华路街道", "name_en": None, "programme": "changning"} in localities
    assert all(v["programme"] == "changning" for v in localities)
    sizes = (await client.get("/api/v1/lookups/sizes")).json()
    assert [v["code"] for v in sizes] == ["large", "medium", "small", "micro"] and sizes[0]["name_zh"] == "大型"
    tiers = (await client.get("/api/v1/lookups/tiers?programme=changning")).json()
    assert {t["code"]: t["name_zh"] for t in tiers} == {"mayor": "长宁区区长质量奖", "gold": "长宁区质量金奖"}
    assert (await client.get("/api/v1/lookups/nonsense")).status_code == 404


async def test_chinese_in_a_code_field_says_a_code_is_expected_and_links_the_list(client, token):
    office = token("office", programme="changning", sub="clerk")
    r = await client.post(
        "/api/v1/applicants/organisations",
        json={"credit_code": CHANGNING_ORG, "name": "某公司", "locality": "新华路街道"},
        headers=office,
    )
    assert r.status_code == 422
    err = next(e for e in r.json()["errors"] if e["field"] == "locality")
    assert err["message"].startswith("应为代码，如 ") and "xinjing（新泾镇）" in err["message"]
    assert err["lookup"] == "/api/v1/lookups/localities"
    en = await client.post(
        "/api/v1/applicants/organisations",
        json={"credit_code": CHANGNING_ORG, "name": "某公司", "size": "巨大"},
        headers={**office, "Accept-Language": "en"},
    )
    err = next(e for e in en.json()["errors"] if e["field"] == "size")
    assert err["message"].startswith("a code is expected") and err["lookup"] == "/api/v1/lookups/sizes"


async def test_limits_are_stated_in_the_message(client, token):
    h = token("office", programme="changning", sub="clerk")
    r = await client.get("/api/v1/applications?size=500", headers=h)
    assert r.status_code == 422
    assert r.json()["errors"][0]["message"] == "数值过大，最大为 100"
    en = await client.get("/api/v1/applications?size=500", headers={**h, "Accept-Language": "en"})
    assert en.json()["errors"][0]["message"] == "Value is too large: at most 100"
    short = await client.get("/api/v1/applications?page=0", headers=h)
    assert short.json()["errors"][0]["message"] == "数值过小，最小为 1"


async def test_an_unknown_enum_filter_is_422_not_an_empty_list(client, token):
    h = token("office", programme="changning", sub="clerk")
    r = await client.get("/api/v1/applications?state=nonsense", headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "state", r.text
    assert "draft" in r.json()["errors"][0]["message"] and r.json()["errors"][0]["lookup"] == "/api/v1/lookups/states"
    r = await client.get("/api/v1/applications?programme=nowhere", headers=h)
    assert r.status_code == 422 and "changning" in r.json()["errors"][0]["message"]
    assert (await client.get("/api/v1/applications?state=draft", headers=h)).status_code == 200


async def test_a_malformed_if_match_is_400_naming_the_header_and_its_form(client, token):
    flow, app_id = await changning_draft(client, token)
    for bad in ("v1", "v1, v2", '"v1', "W/v1"):
        r = await client.post(
            f"/api/v1/applications/{app_id}/events",
            json={"event": "withdraw"},
            headers={**flow.headers["applicant"], "If-Match": bad},
        )
        body = r.json()
        assert r.status_code == 400 and body["type"].endswith("/bad-request"), (bad, r.text)
        assert body["errors"][0]["field"] == "If-Match" and '"v1"' in body["detail"], bad
    # nothing moved, and a well-formed stale tag is still 412
    assert (await flow.get(app_id)).json()["state"] == "draft"
    stale = await client.post(
        f"/api/v1/applications/{app_id}/events",
        json={"event": "withdraw"},
        headers={**flow.headers["applicant"], "If-Match": '"v9"'},
    )
    assert stale.status_code == 412


async def test_problem_titles_follow_accept_language(client, token):
    zh = await client.get("/api/v1/applications?state=nonsense", headers=token("office", programme="changning"))
    assert zh.json()["title"] == "请求内容有误"
    en = await client.get(
        "/api/v1/applications?state=nonsense",
        headers={**token("office", programme="changning"), "Accept-Language": "en"},
    )
    assert en.json()["title"] == "Unprocessable Content"
    missing = await client.get("/api/v1/applications")
    assert missing.status_code == 401 and missing.json()["title"] == "未登录或令牌无效"
    assert (await client.get("/api/v1/nowhere")).json()["title"] == "未找到"
