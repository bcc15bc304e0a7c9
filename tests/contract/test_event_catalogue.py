"""Issue 18: the event catalogue of a programme (`GET /api/v1/programmes/{code}/events`), and the same
event names in the refusals a clerk reads."""

from __future__ import annotations

from tests.workflow.flow import Flow


async def test_the_catalogue_names_each_event_who_fires_it_its_data_and_its_guards_with_clauses(client):
    r = await client.get("/api/v1/programmes/changning/events")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["programme"], body["version"]) == ("changning", "2023")
    events = {e["code"]: e for e in body["events"]}
    recommend = events["recommend"]
    assert (recommend["name_zh"], recommend["name_en"], recommend["scope"]) == ("推荐", "Recommend", "application")
    assert recommend["data_schema"]["required"] == ["opinion"]
    assert recommend["data_schema"]["properties"]["opinion"]["type"] == "string"
    assert [(t["source"], t["target"]) for t in recommend["transitions"]] == [
        ("awaiting_recommendation", "qualification_review")
    ]
    assert "recommender" in recommend["roles"]
    # select: the tiers the programme has, its guards with the clauses that demand them
    select = events["select"]
    assert select["data_schema"]["properties"]["tier"]["enum"] == ["mayor", "gold"]
    guards = {g["condition"]: g for t in select["transitions"] for g in t["guards"]}
    assert {"quota_available", "not_banned"} <= set(guards)
    assert all(g["clause"] for g in guards.values()), guards
    # submit: the window's guard, cited
    submit = events["submit"]["transitions"][0]
    assert submit["guards"][0]["condition"] == "window_open" and submit["guards"][0]["clause"]
    assert submit["roles"] == sorted(submit["roles"]) and "applicant" in submit["roles"]
    # approve's data: the approval's document number and date (a date, as validate_data parses it)
    approve = events["approve"]["data_schema"]
    assert approve["required"] == ["document_no", "approved_on"]
    assert approve["properties"]["approved_on"]["format"] == "date"
    assert events["fail_qualification"]["reason_required"] is True
    # revoke: the programme's own grounds
    assert events["revoke"]["data_schema"]["properties"]["ground"]["enum"]
    # the close of a notice is the deadline worker's; round events come after the application's
    assert events["close_notice"]["roles"] == ["system"]
    assert events["publish"]["scope"] == "round" and events["publish"]["name_zh"] == "发布申报通知"


async def test_every_event_a_programme_machine_has_is_in_its_catalogue_with_a_name(client):
    for code in ("changning", "jinshan", "tianning", "hangzhou", "linyi"):
        r = await client.get(f"/api/v1/programmes/{code}/events")
        assert r.status_code == 200, r.text
        for event in r.json()["events"]:
            # every event has a real name, not its code repeated
            assert event["name_zh"] != event["code"] and event["name_en"] != event["code"], event
            assert event["transitions"], event


async def test_an_unknown_programme_or_version_is_404(client):
    assert (await client.get("/api/v1/programmes/nowhere/events")).status_code == 404
    r = await client.get("/api/v1/programmes/changning/events", params={"version": "1999"})
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_a_refusal_names_the_event_as_the_catalogue_does_in_chinese_and_in_english(client, token):
    flow = Flow(client, token, "changning")
    rnd = await flow.september_round()
    app_id = (await flow.apply(rnd["id"], "model"))["id"]
    got = await flow.get(app_id)
    headers = {**flow.headers["office"], "If-Match": got.headers["etag"]}
    body = {"event": "recommend", "data": {"opinion": "同意"}}
    r = await client.post(f"/api/v1/applications/{app_id}/events", json=body, headers=headers)
    assert r.status_code == 409, r.text
    assert r.json()["type"].endswith("/transition-not-allowed")
    assert r.json()["detail"] == "申报处于“草稿”状态，不能执行“推荐”"
    assert r.json()["allowed_events"] == ["submit", "withdraw"]
    r = await client.post(
        f"/api/v1/applications/{app_id}/events", json=body, headers={**headers, "Accept-Language": "en"}
    )
    assert r.json()["detail"] == "'Recommend' is not allowed while the application is in 'draft'"
