"""Events: refusals with reasons, roles, ETags, required data, and the history of every attempt."""

from __future__ import annotations

from tests.workflow.flow import Flow


async def _draft(client, token, programme="changning", category="model"):
    flow = Flow(client, token, programme)
    rnd = await flow.september_round("2026")
    app = await flow.apply(rnd["id"], category)
    return flow, rnd, app["id"]


async def test_event_the_state_does_not_allow_is_409_with_allowed_events(client, token):
    flow, _, app = await _draft(client, token)
    r = await flow.fire(app, "approve", {"document_no": "x", "approved_on": "2026-12-01"}, role="office")
    body = r.json()
    assert r.status_code == 409 and body["type"].endswith("/transition-not-allowed")
    assert body["state"] == "draft" and body["allowed_events"] == ["submit", "withdraw"]


async def test_submit_after_the_window_closed_is_guard_failed__changning_20a(client, token):
    flow, _, app = await _draft(client, token)
    await flow.at("2026-09-21T00:00:00+08:00")
    r = await flow.fire(app, "submit", role="applicant")
    assert r.status_code == 409 and r.json()["type"].endswith("/guard-failed")
    assert r.json()["condition"] == "window_open" and r.json()["clause"] == "changning-20a"


async def test_notice_cannot_start_before_the_decision_is_recorded__changning_21c(client, token):
    flow, rnd, app = await _draft(client, token)
    await flow.step(app, "submit", "awaiting_recommendation")
    await flow.step(app, "recommend", "qualification_review", {"opinion": "同意"})
    r = await flow.publish_notice(rnd["id"], [app], "qualification")
    assert r.status_code == 409 and r.json()["condition"] == "decision_recorded"
    assert r.json()["clause"] == "changning-21c" and r.json()["application_id"] == app


async def test_a_notice_starts_only_by_publishing_its_list(client, token):
    flow, rnd, app = await _draft(client, token)
    await flow.step(app, "submit", "awaiting_recommendation")
    await flow.step(app, "recommend", "qualification_review", {"opinion": "同意"})
    await flow.step(app, "pass_qualification", "qualification_review")
    r = await flow.fire(app, "start_notice", role="office")
    assert r.status_code == 409 and r.json()["type"].endswith("/notice-not-published")
    r = await client.post(
        f"/api/v1/rounds/{rnd['id']}/actions",
        json={"event": "start_notice", "applications": [app]},
        headers=flow.headers["office"],
    )
    assert r.status_code == 409 and r.json()["type"].endswith("/notice-not-published")
    assert (await flow.get(app)).json()["state"] == "qualification_review"


async def test_notice_is_closed_only_by_its_deadline_not_by_a_clerk__changning_21c(client, token):
    flow, rnd, app = await _draft(client, token)
    await flow.step(app, "submit", "awaiting_recommendation")
    await flow.step(app, "recommend", "qualification_review", {"opinion": "同意"})
    await flow.step(app, "pass_qualification", "qualification_review")
    await flow.at("2026-09-29T10:00:00+08:00")
    assert (await flow.publish_notice(rnd["id"], [app])).status_code == 201
    await flow.at("2026-10-20T10:00:00+08:00")
    r = await flow.fire(app, "close_notice", role="office")
    assert r.status_code == 403


async def test_wrong_role_is_403_and_other_programmes_office_cannot_act(client, token):
    flow, _, app = await _draft(client, token)
    await flow.step(app, "submit", "awaiting_recommendation")
    r = await flow.fire(app, "recommend", {"opinion": "同意"}, role="applicant")
    assert r.status_code == 403 and r.json()["type"].endswith("/forbidden")
    other = token("office", programme="jinshan")
    got = await client.get(f"/api/v1/applications/{app}", headers=other)
    assert got.status_code == 404


async def test_recommender_of_another_unit_may_not_recommend(client, token):
    flow, _, app = await _draft(client, token)
    await flow.step(app, "submit", "awaiting_recommendation")
    other = token("recommender", unit="unit-2")
    got = await flow.get(app, "office")
    r = await client.post(
        f"/api/v1/applications/{app}/events",
        json={"event": "recommend", "data": {"opinion": "同意"}},
        headers={**other, "If-Match": got.headers["etag"]},
    )
    assert r.status_code in (403, 404)


async def test_stale_etag_is_412_and_missing_is_428(client, token):
    flow, _, app = await _draft(client, token)
    await flow.complete(app)
    got = await flow.get(app, "applicant")
    h = flow.headers["applicant"]
    r = await client.post(f"/api/v1/applications/{app}/events", json={"event": "submit"}, headers=h)
    assert r.status_code == 428
    ok = await client.post(
        f"/api/v1/applications/{app}/events", json={"event": "submit"}, headers={**h, "If-Match": got.headers["etag"]}
    )
    assert ok.status_code == 200
    stale = await client.post(
        f"/api/v1/applications/{app}/events", json={"event": "withdraw"}, headers={**h, "If-Match": got.headers["etag"]}
    )
    assert stale.status_code == 412


async def test_a_weak_etag_never_moves_an_application(client, token):
    """RFC 9110 §13.1.1: If-Match compares strongly, so W/ plus the current tag is 412 and nothing moves."""
    flow, _, app = await _draft(client, token)
    got = await flow.get(app, "applicant")
    h = flow.headers["applicant"]
    r = await client.post(
        f"/api/v1/applications/{app}/events",
        json={"event": "submit", "data": {}},
        headers={**h, "If-Match": "W/" + got.headers["etag"]},
    )
    assert r.status_code == 412 and r.json()["type"].endswith("/precondition-failed")
    assert (await flow.get(app, "applicant")).json()["state"] == "draft"


async def test_failing_qualification_needs_reason_and_written_notice__changning_21a(client, token):
    flow, _, app = await _draft(client, token)
    await flow.step(app, "submit", "awaiting_recommendation")
    await flow.step(app, "recommend", "qualification_review", {"opinion": "同意"})
    r = await flow.fire(app, "fail_qualification", role="office")
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"reason", "data.notice_text"}
    done = await flow.step(
        app,
        "fail_qualification",
        "ineligible",
        {"notice_text": "经审查，不符合第十七条第（一）项"},
        reason="注册未满三年",
    )
    assert done["state_name_zh"] == "资格审查未通过"


async def test_every_attempt_accepted_or_refused_is_in_the_history(client, token):
    flow, _, app = await _draft(client, token)
    await flow.fire(app, "approve", {"document_no": "x", "approved_on": "2026-12-01"}, role="office")  # refused
    await flow.step(app, "submit", "awaiting_recommendation")
    r = await client.get(f"/api/v1/applications/{app}/history", headers=flow.headers["office"])
    items = r.json()["items"]
    assert [(i["event"], i["accepted"]) for i in items] == [("create", True), ("approve", False), ("submit", True)]
    assert items[1]["refusal"] == "transition-not-allowed" and items[1]["to_state"] is None
    assert items[2]["from_state"] == "draft" and items[2]["to_state"] == "awaiting_recommendation"
    assert items[2]["prev_hash"] == items[1]["hash"] and items[2]["request_id"]


async def test_returned_application_is_resubmitted_before_its_correction_deadline(client, token):
    flow, _, app = await _draft(client, token)
    await flow.step(app, "submit", "awaiting_recommendation")
    await flow.step(app, "recommend", "qualification_review", {"opinion": "同意"})
    await flow.at("2026-09-25T10:00:00+08:00")  # the window is closed
    await flow.step(
        app, "return_for_correction", "draft", {"correction_until": "2026-09-30T17:00:00+08:00"}, reason="缺少自评报告"
    )
    await flow.step(app, "submit", "awaiting_recommendation")


async def test_revoke_is_refused_before_the_award__changning_34b(client, token):
    flow, _, app = await _draft(client, token)
    r = await flow.fire(app, "revoke", {"ground": "fraud", "evidence": "x"}, role="office")
    assert r.status_code == 409


async def test_unknown_application_is_problem_404(client, token):
    r = await client.get(
        "/api/v1/applications/00000000-0000-0000-0000-000000000000", headers=token("office", programme="changning")
    )
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")


async def test_invalid_credit_code_is_422_naming_the_field(client, token):
    flow = Flow(client, token, "changning")
    rnd = await flow.september_round("2026")
    r = await client.post(
        "/api/v1/applications",
        json={
            "round_id": rnd["id"],
            "category": "model",
            "applicant": {"name": "x", "credit_code": "91350100M000100Y44"},
        },
        headers=flow.headers["applicant"],
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "applicant.credit_code"


async def test_individual_applications_never_show_the_id_number(client, token):
    flow = Flow(client, token, "changning")
    rnd = await flow.september_round("2026")
    app = await flow.apply(rnd["id"], "achievement", name="张三", id_number="11010519491231002X")
    assert app["applicant"]["id_number_masked"] == "1101**********002X"
    listed = await client.get("/api/v1/applications", headers=flow.headers["office"])
    assert "11010519491231002X" not in listed.text and "11010519491231002X" not in (await flow.get(app["id"])).text


async def test_round_binds_the_version_in_force_and_records_overrides_with_reasons(client, token):
    flow = Flow(client, token, "changning")
    await flow.at("2026-09-01T09:00:00+08:00")
    bad = await client.post(
        "/api/v1/rounds",
        json={
            "programme": "changning",
            "label": "x",
            "call": {
                "title": "t",
                "published_on": "2026-09-01",
                "opens_at": "2026-09-01T00:00:00+08:00",
                "closes_at": "2026-09-21T00:00:00+08:00",
            },
            "overrides": [{"path": "quotas.gold.max", "value": 8, "reason": " "}],
        },
        headers=flow.headers["office"],
    )
    assert bad.status_code == 422
    rnd = await flow.open_round("2026", "2026-09-01", "2026-09-01T00:00:00+08:00", "2026-09-21T00:00:00+08:00")
    assert rnd["programme_version"] == "2023" and rnd["state"] == "open"
    calls = (await client.get("/api/v1/public/calls")).json()
    assert [c["round_id"] for c in calls] == [rnd["id"]] and calls[0]["notices"][0]["length"] == 5


async def _round_event(flow: Flow, rnd_id: str, event: str):
    got = await flow.client.get(f"/api/v1/rounds/{rnd_id}", headers=flow.headers["office"])
    return await flow.client.post(
        f"/api/v1/rounds/{rnd_id}/events",
        json={"event": event},
        headers={**flow.headers["office"], "If-Match": got.headers["etag"]},
    )


async def test_round_is_decided_only_after_its_applications_and_archived_rounds_allow_only_revocation__changning_10c(
    client, token
):
    flow, rnd, app = await _draft(client, token)
    for event, data in (("submit", {}), ("recommend", {"opinion": "同意"}), ("pass_qualification", {})):
        assert (await flow.fire(app, event, data)).status_code == 200
    await flow.at("2026-09-29T10:00:00+08:00")
    assert (await flow.publish_notice(rnd["id"], [app])).status_code == 201
    await flow.at("2026-10-13T00:00:00+08:00")
    await flow.run_deadlines()  # closes the notice and the round's window
    assert (await client.get(f"/api/v1/rounds/{rnd['id']}", headers=flow.headers["office"])).json()["state"] == "closed"
    assert (await _round_event(flow, rnd["id"], "start_review")).status_code == 200
    refused = await _round_event(flow, rnd["id"], "decide")
    assert (
        refused.status_code == 409
        and refused.json()["type"].endswith("/round-not-ready")
        and refused.json()["pending_applications"] == 1
    )
    for event, data in (
        ("shortlist", {}),
        ("complete_onsite", {}),
        ("complete_evaluation", {}),
        ("select", {"tier": "gold"}),
    ):
        assert (await flow.fire(app, event, data)).status_code == 200
    assert (await _round_event(flow, rnd["id"], "decide")).status_code == 200
    assert (await flow.publish_notice(rnd["id"], [app])).status_code == 201
    assert (await _round_event(flow, rnd["id"], "announce")).status_code == 409
    await flow.at("2026-10-21T00:00:00+08:00")
    await flow.run_deadlines()
    await flow.step(app, "approve", "awarded", {"document_no": "长府〔2026〕1号", "approved_on": "2026-10-30"})
    for event in ("announce", "archive"):
        assert (await _round_event(flow, rnd["id"], event)).status_code == 200
    # the panel is dissolved; years later a fraud found still revokes the award
    r = await flow.fire(app, "withdraw", role="office")
    assert r.status_code == 409
    await flow.step(
        app, "revoke", "revoked", {"ground": "fraud", "evidence": "区市场监管局核查报告"}, reason="申报材料弄虚作假"
    )


async def test_malformed_event_data_is_422_not_500(client, token):
    flow, _, app = await _draft(client, token)
    r = await flow.fire(app, "submit", {"correction_until": ["x"]}, role="applicant")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "data.correction_until"
    r = await client.post(
        f"/api/v1/applications/{app}/events",
        json={"event": "submit", "data": {"opinion": "x" * 70_000}},
        headers={**flow.headers["applicant"], "If-Match": '"v1"'},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "data"


async def test_an_event_writes_its_row_itself_and_leaves_the_unit_of_work_nothing(app, client, token, sync_db):
    """The event path writes the application's row with one UPDATE (app/db/repositories/workflow.py
    save_event_changes) and marks the ORM object stored: nothing is left for a flush to write again,
    and what the database holds is what the object says."""
    import uuid

    from sqlalchemy import inspect

    from app.identity import Principal
    from app.workflow import service

    flow, _, app_id = await _draft(client, token)
    await flow.step(app_id, "submit", "awaiting_recommendation")
    await flow.step(app_id, "recommend", "qualification_review", {"opinion": "同意"})
    async with app.state.db.sessionmaker() as session, session.begin():
        ctx = service.EventContext(
            Principal(sub="clerk-1", roles=frozenset({"office"}), programme="changning"), "req-1"
        )
        fired = await service.fire(session, ctx, uuid.UUID(app_id), "pass_qualification", None, {}, "*")
        assert not session.dirty and not inspect(fired).modified
        version, outcome = fired.version, dict(fired.outcome)
    with sync_db.cursor() as cur:
        cur.execute(
            "SELECT version, outcome, history_seq, (SELECT max(seq) FROM application_events WHERE application_id = %s) FROM applications WHERE id = %s",
            (app_id, app_id),
        )
        row = cur.fetchone()
    assert row[0] == version and row[1] == outcome and outcome["decision"] == "pass_qualification" and row[2] == row[3]


async def test_round_action_naming_an_application_not_in_the_round_points_at_it_in_chinese(client, token):
    flow, rnd, app_id = await _draft(client, token)
    stranger = "00000000-0000-0000-0000-000000000000"
    body = {"event": "submit", "applications": [app_id, stranger]}
    r = await client.post(f"/api/v1/rounds/{rnd['id']}/actions", json=body, headers=flow.headers["applicant"])
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), r.text
    [error] = r.json()["errors"]
    assert error["field"] == "applications[1]" and "不属于本届" in error["message"] and error["code"] == "not_in_round"
    en = await client.post(
        f"/api/v1/rounds/{rnd['id']}/actions", json=body, headers={**flow.headers["applicant"], "Accept-Language": "en"}
    )
    assert "not in this round" in en.json()["errors"][0]["message"]
