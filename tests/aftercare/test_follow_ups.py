"""Follow-up visits and their consequences, role-model activities and their report (issue 17)."""

from __future__ import annotations

from tests.aftercare.drive import counts, duties, follow_up, winner
from tests.notices.driver import credit_code


async def test_a_follow_up_finding_a_serious_regression_urges_the_winner_to_rectify__jinshan_28b(client, token):
    """jinshan-28a/28b: the office's return visit finds the quality performance seriously regressed → urged to
    rectify (督促整改), with the clause; the visit fulfils the winner's earliest open return-visit duty."""
    a, app_id = await winner(client, token, "jinshan")
    today = await a.today()
    r = await follow_up(
        a,
        app_id,
        {"visited_on": today, "result": "regressed", "findings": "质量绩效指标连续下滑", "rectify_by": "2027-03-31"},
    )
    assert r.status_code == 201, r.text
    visit = r.json()
    assert (visit["result"], visit["outcome"], visit["clause"], visit["stated"]) == (
        "regressed",
        "rectify",
        "jinshan-28b",
        True,
    )
    assert visit["rectify_by"] == "2027-03-31" and visit["winner_name"] == "上海金山某某化工有限公司"
    fulfilled = (await duties(a, application_id=app_id, kind="follow_up", status="received"))["items"]
    assert [(d["id"], d["year"], d["follow_up_id"]) for d in fulfilled] == [
        (visit["fulfils_duty_id"], 2026, visit["id"])
    ]
    # the office and the supervision team list it; the supervisor records nothing (hangzhou-6.1)
    supervisor = token("supervisor", programme="jinshan", sub="jinshan-supervisor")
    for headers in (a.flow.headers["office"], supervisor):
        r = await client.get("/api/v1/aftercare/follow-ups", params={"outcome": "rectify"}, headers=headers)
        assert r.status_code == 200 and [v["id"] for v in r.json()["items"]] == [visit["id"]], r.text
    r = await follow_up(a, app_id, {"visited_on": today, "result": "fine", "findings": "良好"}, headers=supervisor)
    assert r.status_code == 403, r.text
    assert (await counts(a, application_id=app_id))["received"] == 1
    assert (await counts(a, role="applicant", application_id=app_id))["received"] == 1
    # another programme's office sees none of it
    other = token("office", programme="changning", sub="changning-clerk")
    r = await client.get("/api/v1/aftercare/follow-ups", params={"programme": "jinshan"}, headers=other)
    assert r.status_code == 200 and r.json()["total"] == 0


async def test_linyi_periodic_evaluation_a_minor_problem_calls_a_summons_talk_and_unmet_conditions_recommend_revocation__linyi_25b(
    client, token
):
    """linyi-25b: 问题轻微 → 约谈; 不符合条件 → revocation through the procedure: the visit opens a
    revocation case on linyi's periodic-evaluation ground, which then follows its own procedure."""
    a, app_id = await winner(client, token, "linyi")
    today = await a.today()
    r = await follow_up(a, app_id, {"visited_on": today, "result": "minor_problem", "findings": "质量档案不全"})
    assert r.status_code == 201, r.text
    assert (r.json()["outcome"], r.json()["clause"]) == ("summons_talk", "linyi-25b")
    r = await follow_up(a, app_id, {"visited_on": today, "result": "no_longer_eligible", "findings": "已不在本市经营"})
    assert r.status_code == 201, r.text
    visit = r.json()
    assert (visit["outcome"], visit["clause"]) == ("revocation_recommended", "linyi-25b")
    case = await _case(a, visit["revocation_case_id"])
    assert (case["application_id"], case["source"], case["ground"], case["status"]) == (
        app_id,
        "office_finding",
        "failed_periodic_evaluation",
        "open",
    )
    assert "已不在本市经营" in case["evidence"]
    # a second such finding while the case is open names the same case
    r = await follow_up(a, app_id, {"visited_on": today, "result": "no_longer_eligible", "findings": "复查仍不符合"})
    assert r.status_code == 201 and r.json()["revocation_case_id"] == case["id"], r.text
    again = r.json()
    r = await client.get(
        "/api/v1/aftercare/follow-ups",
        params={"outcome": "revocation_recommended", "programme": "linyi"},
        headers=a.flow.headers["office"],
    )
    assert sorted(v["id"] for v in r.json()["items"]) == sorted([visit["id"], again["id"]])
    # three visits fulfilled the 2026-2028 evaluations (linyi-25a, yearly: the service's reading)
    received = (await duties(a, application_id=app_id, status="received"))["items"]
    assert [(d["duty"], d["year"]) for d in received] == [("periodic_evaluation", y) for y in (2026, 2027, 2028)]


async def test_changning_a_winner_no_longer_meeting_the_conditions_is_referred_for_revocation__changning_36c(
    client, token
):
    a, app_id = await winner(client, token, "changning")
    r = await follow_up(
        a, app_id, {"visited_on": await a.today(), "result": "no_longer_eligible", "findings": "发生重大质量事故"}
    )
    assert r.status_code == 201, r.text
    assert (r.json()["outcome"], r.json()["clause"]) == ("revocation_recommended", "changning-36c")
    case = await _case(a, r.json()["revocation_case_id"])
    assert (case["application_id"], case["source"], case["ground"]) == (app_id, "office_finding", "post_award_incident")


async def _case(a, case_id: str | None) -> dict:
    assert case_id is not None
    r = await a.flow.client.get(f"/api/v1/revocation-cases/{case_id}", headers=a.flow.headers["office"])
    assert r.status_code == 200, r.text
    return r.json()


async def test_follow_ups_refuse_bad_input_naming_the_field(client, token):
    """422 naming the field (Chinese, English on request); a follow-up of an application that holds no award is 409."""
    a, app_id = await winner(client, token, "jinshan")
    today = await a.today()
    cases = [
        ({"visited_on": today, "result": "lost", "findings": "x"}, "result"),
        ({"visited_on": "2099-01-01", "result": "fine", "findings": "x"}, "visited_on"),
        ({"visited_on": "2020-01-01", "result": "fine", "findings": "x"}, "visited_on"),
        ({"visited_on": today, "result": "fine", "findings": ""}, "findings"),
        ({"visited_on": today, "result": "fine", "findings": "x", "rectify_by": "2027-01-01"}, "rectify_by"),
        ({"visited_on": today, "result": "regressed", "findings": "x", "rectify_by": today}, "rectify_by"),
    ]
    for body, field in cases:
        r = await follow_up(a, app_id, body, headers={**a.flow.headers["office"], "Accept-Language": "en"})
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert [e["field"].removeprefix("body.") for e in r.json()["errors"]] == [field], (body, r.text)
    assert (await duties(a, application_id=app_id, status="received"))["total"] == 0
    # an application of the round that holds no award
    other = (await a.flow.apply(a.round_id, "model", name="上海某某公司", credit_code=credit_code(900)))["id"]
    r = await follow_up(a, other, {"visited_on": today, "result": "fine", "findings": "x"})
    assert r.status_code == 409 and r.json()["type"].endswith("/not-a-winner"), r.text


async def test_role_model_activities_are_recorded_and_reported_per_programme_and_year__jinshan_24a(client, token):
    """jinshan-24a (changning-7a, 32; linyi-18b; tianning-17): sharing experience recorded as activities (day,
    kind, audience) by the winner or the office; the office's report per programme and year counts them."""
    a, app_id = await winner(client, token, "jinshan")
    today = await a.today()
    url = f"/api/v1/applications/{app_id}/role-model-activities"
    bodies = [
        (
            "applicant",
            {
                "held_on": today,
                "kind": "lecture",
                "audience": "区内制造业企业",
                "audience_size": 120,
                "description": "卓越绩效管理经验分享",
            },
        ),
        (
            "applicant",
            {
                "held_on": today,
                "kind": "site_visit",
                "audience": "质量协会会员单位",
                "audience_size": 30,
                "description": "生产现场观摩",
            },
        ),
        (
            "office",
            {"held_on": today, "kind": "lecture", "audience": "获奖企业交流会", "description": "首席质量官讲座"},
        ),
    ]
    for role, body in bodies:
        r = await client.post(url, json=body, headers=a.flow.headers[role])
        assert r.status_code == 201, r.text
        assert r.json()["clause"] == "jinshan-24a"
    r = await client.post(url, json={**bodies[0][1], "kind": "party"}, headers=a.flow.headers["applicant"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"].endswith("kind"), r.text
    r = await client.post(url, json={**bodies[0][1], "held_on": "2099-01-01"}, headers=a.flow.headers["applicant"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "held_on", r.text
    supervisor = token("supervisor", programme="jinshan", sub="jinshan-supervisor")
    r = await client.post(url, json=bodies[0][1], headers=supervisor)
    assert r.status_code == 403 and r.json()["type"].endswith("/read-only-role"), r.text

    year = int(today[:4])
    for headers in (a.flow.headers["office"], supervisor):
        r = await client.get(
            "/api/v1/aftercare/role-model-activities/report",
            params={"programme": "jinshan", "year": year},
            headers=headers,
        )
        assert r.status_code == 200, r.text
        report = r.json()
        assert (report["total"], report["audience_size"], report["by_kind"], report["clause"]) == (
            3,
            150,
            {"lecture": 2, "site_visit": 1},
            "jinshan-24a",
        )
        assert [(w["winner_name"], w["activities"]) for w in report["winners"]] == [("上海金山某某化工有限公司", 3)]
    r = await client.get(
        "/api/v1/aftercare/role-model-activities/report",
        params={"programme": "jinshan", "year": year + 1},
        headers=a.flow.headers["office"],
    )
    assert r.json()["total"] == 0
    r = await client.get(
        "/api/v1/aftercare/role-model-activities/report",
        params={"programme": "jinshan", "year": year},
        headers=token("office", programme="changning"),
    )
    assert r.status_code == 403, r.text
    r = await client.get(
        "/api/v1/aftercare/role-model-activities/report",
        params={"programme": "nowhere", "year": year},
        headers=a.flow.headers["office"],
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "programme", r.text
