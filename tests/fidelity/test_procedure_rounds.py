"""Issue #20 points 7-10, 12-14 through the API: rounds, the winners' list approval, notice wording, readings."""

from __future__ import annotations

from tests.notices.driver import DIRECT, TO_COMMITTEE, NoticeFlow
from tests.workflow.flow import Flow

REASON = "根据上级规定调整"


async def _create_round(flow: Flow, year: int, overrides: list | None = None):
    await flow.at(f"{year}-09-01T09:00:00+08:00")
    body = {
        "programme": flow.programme,
        "label": str(year),
        "call": {
            "title": f"{year}年度申报通知",
            "published_on": f"{year}-09-01",
            "opens_at": f"{year}-09-01T00:00:00+08:00",
            "closes_at": f"{year}-09-21T00:00:00+08:00",
        },
        "overrides": overrides or [],
    }
    return await flow.client.post("/api/v1/rounds", json=body, headers=flow.headers["office"])


# --- point 9: the cycle -------------------------------------------------------------------------


async def test_a_round_in_an_off_year_is_refused__linyi_4a_jinshan_3a_changning_3a(client, token):
    for code, clause in [("linyi", "linyi-4a"), ("jinshan", "jinshan-3a"), ("changning", "changning-3a")]:
        r = await _create_round(Flow(client, token, code), 2027)
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), r.text
        body = r.json()
        assert body["clause"] == clause
        assert [(e["field"], e["code"]) for e in body["errors"]] == [("call.published_on", "off_cycle_year")]
        assert "2027年不是评选年度" in body["detail"]
    en = await client.post(
        "/api/v1/rounds",
        json={
            "programme": "linyi",
            "label": "2027",
            "call": {
                "title": "2027",
                "published_on": "2027-09-01",
                "opens_at": "2027-09-01T00:00:00+08:00",
                "closes_at": "2027-09-21T00:00:00+08:00",
            },
        },
        headers={**Flow(client, token, "linyi").headers["office"], "Accept-Language": "en"},
    )
    assert "not a review year" in en.json()["detail"]
    # the review years themselves are accepted
    assert (await _create_round(Flow(client, token, "linyi"), 2026)).status_code == 201


async def test_an_annual_award_and_one_without_a_fixed_cycle_accept_any_year__tianning_4a_hangzhou_3_1a(client, token):
    assert (await _create_round(Flow(client, token, "tianning"), 2027)).status_code == 201
    assert (await _create_round(Flow(client, token, "hangzhou"), 2027)).status_code == 201


async def test_changning_adjusts_its_cycle_for_an_off_year_with_a_recorded_reason__changning_3e(client, token):
    flow = Flow(client, token, "changning")
    r = await _create_round(flow, 2027, [{"path": "cycle.anchor_year", "value": 2027, "reason": REASON}])
    assert r.status_code == 201, r.text
    assert [(o["path"], o["value"], o["reason"]) for o in r.json()["override_log"]] == [
        ("cycle.anchor_year", 2027, REASON)
    ]
    # no other text grants the power: linyi's office cannot do the same
    r = await _create_round(
        Flow(client, token, "linyi"), 2027, [{"path": "cycle.anchor_year", "value": 2027, "reason": REASON}]
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "not_granted"


# --- points 7, 8, 14 through the API ------------------------------------------------------------


async def test_overrides_the_texts_do_not_grant_are_refused_naming_the_field__jinshan_3c_linyi_4b(client, token):
    cases = [
        ("jinshan", "quotas.gold_model.max", 6, "not_granted"),
        ("tianning", "rewards.mayor_organisation.amount_yuan", "300000.00", "not_granted"),
        ("linyi", "rewards.nomination_organisation.amount_yuan", "50000.00", "reward_not_granted"),
        ("hangzhou", "rewards.merit.amount_yuan", "50000.00", "reward_not_granted"),
        ("changning", "count_start_day", True, "shortens_stated_minimum"),
    ]
    for code, path, value, expected in cases:
        problem = await NoticeFlow(client, token, code).refused_round(
            [{"path": path, "value": value, "reason": REASON}]
        )
        assert [(e["field"], e["code"]) for e in problem["errors"]] == [("overrides", expected)], (code, problem)
        assert problem["path"] == path
    changning = NoticeFlow(client, token, "changning")
    rnd = await changning.start(
        overrides=[
            {"path": "quotas.gold_total.max", "value": 12, "reason": REASON},
            {"path": "rewards.gold_model.amount_yuan", "value": "120000.00", "reason": REASON},
        ]
    )
    assert rnd["overrides"] == {"quotas.gold_total.max": 12, "rewards.gold_model.amount_yuan": "120000.00"}


# --- point 10: changning's approval before the winners' notice, no one dropped on site ----------


async def _changning_at_committee(flow: NoticeFlow, count: int = 1) -> list[str]:
    ids, _ = await flow.qualification_notice(count)
    await flow.at("2026-10-13T00:00:00+08:00")
    await flow.run_deadlines()
    await flow.act(ids, TO_COMMITTEE["changning"])
    return ids


async def test_the_winners_list_is_approved_before_its_notice__changning_25c(client, token):
    flow = NoticeFlow(client, token, "changning")
    ids = await _changning_at_committee(flow)
    app = ids[0]
    approval = {"approved_by": "区政府分管副区长", "approved_on": "2026-11-02"}
    # nothing to approve before the committee's list exists
    r = await flow.fire(app, "approve_publication", approval, role="office")
    assert r.status_code == 409 and r.json()["condition"] == "decision_recorded", r.text
    await flow.act(ids, [("select", "committee", {"tier": "mayor"})])
    await flow.at("2026-11-03T10:00:00+08:00")
    r = await flow.client.post(
        f"/api/v1/rounds/{flow.round['id']}/notices",
        json={"point": "winners", "applications": ids},
        headers=flow.headers["office"],
    )
    assert r.status_code == 409, r.text
    assert (r.json()["condition"], r.json()["clause"]) == ("publication_approved", "changning-25c")
    assert await flow.state(app) == "committee_review"
    # the approval needs its data; the expert may not give it
    missing = await flow.fire(app, "approve_publication", {}, role="office")
    assert missing.status_code == 422 and {e["field"] for e in missing.json()["errors"]} == {
        "data.approved_by",
        "data.approved_on",
    }
    assert (await flow.fire(app, "approve_publication", approval, role="expert")).status_code == 403
    r = await flow.fire(app, "approve_publication", approval, role="office")
    assert r.status_code == 200 and r.json()["state"] == "committee_review", r.text
    outcome = (await flow.get(app)).json()["outcome"]
    assert outcome["decision"] == "select" and outcome["tier"] == "mayor"
    assert {k: outcome["publication_approval"][k] for k in approval} == approval
    history = (await client.get(f"/api/v1/applications/{app}/history", headers=flow.headers["office"])).json()
    assert [h["event"] for h in (history["items"] if isinstance(history, dict) else history)][
        -1
    ] == "approve_publication"
    notice = await flow.publish("winners", ids)
    assert notice["clause"] == "changning-25c" and await flow.state(app) == "award_notice"


async def test_a_new_committee_decision_needs_a_new_approval__changning_25c(client, token):
    flow = NoticeFlow(client, token, "changning")
    ids = await _changning_at_committee(flow)
    await flow.act(ids, [("select", "committee", {"tier": "mayor"})])
    r = await flow.fire(
        ids[0], "approve_publication", {"approved_by": "区政府", "approved_on": "2026-11-02"}, role="office"
    )
    assert r.status_code == 200, r.text
    await flow.act(ids, [("select", "committee", {"tier": "gold"})])
    assert "publication_approval" not in (await flow.get(ids[0])).json()["outcome"]


async def test_an_onsite_entrant_is_never_dropped_before_the_comprehensive_evaluation__changning_24(client, token):
    flow = NoticeFlow(client, token, "changning")
    ids, _ = await flow.qualification_notice(1)
    await flow.at("2026-10-13T00:00:00+08:00")
    await flow.run_deadlines()
    await flow.act(ids, [("shortlist", "expert", {})])
    assert await flow.state(ids[0]) == "onsite_review"
    r = await flow.fire(ids[0], "not_shortlist", {"feedback_report": "现场评审得分较低"}, role="expert")
    assert r.status_code == 409 and r.json()["type"].endswith("/transition-not-allowed"), r.text
    assert "not_shortlist" not in r.json()["allowed_events"]
    await flow.act(ids, [("complete_onsite", "expert", {})])
    assert await flow.state(ids[0]) == "comprehensive_evaluation"


# --- point 13: what each notice prints about objections -----------------------------------------


async def test_each_notice_prints_only_what_its_text_says_about_objections__hangzhou_3_3_7c_changning_31a(
    client, token
):
    changning = NoticeFlow(client, token, "changning")
    _, notice = await changning.qualification_notice(1)
    public = await changning.public_notice(notice["id"])
    for text in (notice["objection_channel_zh"], public["objection_channel_zh"]):
        law, _, practice = text.partition("以下为本平台的受理做法，并非本办法的规定：")
        assert law.startswith("任何单位或者个人对区政府质量奖评选表彰有异议的，可实名向评审会办公室提出")
        assert "核查" not in law and "不予受理" not in law
        assert "匿名或信息不全的异议本平台不予受理" in practice and "2026年10月12日24时前" in practice
    assert "核查结果予以公示" not in notice["verification"]["text_zh"]
    assert "办法未规定" in notice["verification"]["text_zh"]

    hangzhou = NoticeFlow(client, token, "hangzhou")
    await hangzhou.start("2026hz")
    ids = await hangzhou.applications(1, "organisation", first=10)
    await hangzhou.act(ids, DIRECT)
    await hangzhou.at("2026-09-29T10:00:00+08:00")
    notice = await hangzhou.publish("material_entrants", ids)
    law, _, practice = notice["objection_channel_zh"].partition("以下为本平台的受理做法，并非本办法的规定：")
    assert "应当自收到材料之日起5个工作日内" in law and "并对核查结果进行公示" in law
    assert "实名" not in law and "匿名" not in law  # hangzhou's text asks for no real name
    assert "办法未要求实名，此为本平台做法" in practice
    assert notice["verification"]["text_zh"] == "自收到异议材料之日起5个工作日内完成核查，核查结果予以公示"


# --- point 12: readings on the clauses page -----------------------------------------------------


async def test_the_clauses_page_shows_every_reading_of_issue_20_as_not_stated(client):
    expected = {
        "changning": {"ban_counted_to_year_end", "ban_scope_same_award", "objection_cut_off_at_notice_end"},
        "jinshan": {"ban_counted_to_year_end", "ban_scope_same_award", "days_as_calendar_days"},
        "tianning": {
            "export_incident_lifetime",
            "credit_repair_scope",
            "same_or_higher_level_reach",
            "days_as_calendar_days",
        },
        "hangzhou": {"revocation_window_from_award"},
        "linyi": {"units_and_individuals_share_places"},
    }
    for code, ids in expected.items():
        body = (await client.get(f"/api/v1/programmes/{code}/clauses")).json()
        readings = {r["id"]: r for r in body["readings"]}
        assert ids <= set(readings), code
        assert all(r["stated"] is False and r["reason_en"] and r["clauses"] for r in readings.values())
    programme = (await client.get("/api/v1/programmes/changning")).json()
    assert [a["clause"] for a in programme["adjustments"]] == ["changning-3e", "changning-3e", "changning-26c"]
    assert "cycle.anchor" in programme["unstated"]
