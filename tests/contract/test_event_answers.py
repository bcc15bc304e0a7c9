"""Issue 18: every event answer carries what the GET carries (`allowed_events`, `deadlines`), so a
frontend draws its buttons from the answer without a second read."""

from __future__ import annotations

from tests.workflow.flow import Flow


def _same_next_steps(answer: dict, got: dict) -> None:
    assert answer["allowed_events"] == got["allowed_events"]
    assert answer["deadlines"] == got["deadlines"]
    assert answer["state"] == got["state"] and answer["version"] == got["version"]


async def test_an_application_event_answers_its_allowed_events_and_deadlines_as_the_get_does(client, token):
    flow = Flow(client, token, "changning")
    rnd = await flow.september_round()
    app_id = (await flow.apply(rnd["id"], "model"))["id"]
    for event, role, data, state in (
        ("submit", "office", None, "awaiting_recommendation"),
        ("recommend", "recommender", {"opinion": "同意推荐"}, "qualification_review"),
        ("pass_qualification", "office", None, "qualification_review"),
    ):
        r = await flow.fire(app_id, event, data, role=role)
        assert r.status_code == 200, r.text
        # what the one who fired it may do next is what its own GET says
        _same_next_steps(r.json(), (await flow.get(app_id, role)).json())
        assert r.json()["state"] == state
    decided = r.json()
    # the decision just recorded is a fact the answer already reads: the notice may start
    assert "start_notice" in decided["allowed_events"]


async def test_a_notice_deadline_appears_in_the_round_action_that_starts_it__changning_21c(client, token):
    """The notice's deadline is in the answer of the action that opens it (changning-21c, five working days)."""
    flow = Flow(client, token, "changning")
    rnd = await flow.september_round()
    app_id = (await flow.apply(rnd["id"], "model"))["id"]
    await flow.step(app_id, "submit", "awaiting_recommendation")
    await flow.step(app_id, "recommend", "qualification_review", {"opinion": "同意推荐"})
    await flow.step(app_id, "pass_qualification", "qualification_review")
    await flow.at("2026-09-29T10:00:00+08:00")
    r = await flow.publish_notice(rnd["id"], [app_id])
    assert r.status_code == 201, r.text
    # a round action on an application that has left the notice's stage answers each application as its GET
    r = await client.post(
        f"/api/v1/rounds/{rnd['id']}/actions",
        json={"event": "withdraw", "applications": [app_id], "reason": "企业主动撤回"},
        headers=flow.headers["office"],
    )
    assert r.status_code == 200, r.text
    answered = r.json()["applications"][0]
    _same_next_steps(answered, (await flow.get(app_id)).json())
    assert answered["state"] == "withdrawn" and answered["allowed_events"] == []
    assert [d["kind"] for d in answered["deadlines"]] == ["notice_end"]
    assert answered["deadlines"][0]["status"] == "cancelled"


async def test_a_round_answers_its_allowed_events_and_its_window_deadline(client, token):
    flow = Flow(client, token, "changning")
    await flow.at("2026-09-01T09:00:00+08:00")
    body = {
        "programme": "changning",
        "label": "2026",
        "call": {
            "title": "2026年度申报通知",
            "published_on": "2026-09-01",
            "opens_at": "2026-09-01T00:00:00+08:00",
            "closes_at": "2026-09-21T00:00:00+08:00",
        },
    }
    created = await client.post("/api/v1/rounds", json=body, headers=flow.headers["office"])
    assert created.status_code == 201, created.text
    assert created.json()["allowed_events"] == ["publish"] and created.json()["deadlines"] == []
    rnd = created.json()["id"]
    published = await client.post(
        f"/api/v1/rounds/{rnd}/events",
        json={"event": "publish"},
        headers={**flow.headers["office"], "If-Match": created.headers["etag"]},
    )
    assert published.status_code == 200, published.text
    answer = published.json()
    got = (await client.get(f"/api/v1/rounds/{rnd}", headers=flow.headers["office"])).json()
    assert answer["allowed_events"] == got["allowed_events"] == []  # the window's close is the worker's
    assert answer["deadlines"] == got["deadlines"]
    assert [(d["kind"], d["ends_at"]) for d in answer["deadlines"]] == [("window_close", "2026-09-21T00:00:00+08:00")]
    # one who may not manage the round sees no round event to fire
    expert = (await client.get(f"/api/v1/rounds/{rnd}", headers=flow.headers["expert"])).json()
    assert expert["allowed_events"] == []
