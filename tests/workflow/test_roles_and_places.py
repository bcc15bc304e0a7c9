"""Who may fire an event (the programme's own panel only) and places freed at the winners' notice."""

from __future__ import annotations

from tests.workflow.flow import Flow
from tests.workflow.test_concurrency import credit_code

_TO_EVALUATED = (
    ("submit", {}),
    ("recommend", {"opinion": "同意"}),
    ("pass_qualification", {}),
    ("shortlist", {}),
    ("complete_onsite", {}),
    ("complete_defence", {}),
    ("complete_evaluation", {}),
)


async def _tianning_evaluated(flow: Flow, rnd: dict, n: int, base: int) -> list[str]:
    ids = []
    for i in range(n):
        app = (await flow.apply(rnd["id"], "organisation", name=f"企业{i}", credit_code=credit_code(base + i)))["id"]
        for event, data in _TO_EVALUATED:
            assert (await flow.fire(app, event, data)).status_code == 200
        ids.append(app)
    return ids


async def test_an_expert_or_committee_member_of_no_programme_may_not_fire_events__tianning_9b(client, token):
    """The expert group and the committee act for their programme (tianning-8a, tianning-9b): a
    principal scoped to no programme may not see the application, so may not decide on it either: to it
    the application is not found (404; in a round action, not in the round), as when it reads it."""
    flow = Flow(client, token, "tianning")
    rnd = await flow.september_round("roles")
    app = (await flow.apply(rnd["id"], "organisation", credit_code=credit_code(300)))["id"]
    for event, data in _TO_EVALUATED[:3]:
        assert (await flow.fire(app, event, data)).status_code == 200
    got = await flow.get(app)
    unscoped_expert = token("expert", sub="roaming-expert")
    r = await client.post(
        f"/api/v1/applications/{app}/events",
        json={"event": "shortlist", "data": {}},
        headers={**unscoped_expert, "If-Match": got.headers["etag"]},
    )
    assert r.status_code == 404, r.text
    r = await client.post(
        f"/api/v1/rounds/{rnd['id']}/actions",
        json={"event": "shortlist", "applications": [app]},
        headers=unscoped_expert,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "not_in_round", r.text
    assert (await flow.get(app)).json()["state"] == "material_review"
    for event, data in _TO_EVALUATED[3:]:
        assert (await flow.fire(app, event, data)).status_code == 200
    got = await flow.get(app)
    unscoped_committee = token("committee", sub="roaming-committee")
    r = await client.post(
        f"/api/v1/applications/{app}/events",
        json={"event": "select", "data": {"tier": "mayor"}},
        headers={**unscoped_committee, "If-Match": got.headers["etag"]},
    )
    assert r.status_code == 404, r.text
    assert (await flow.get(app)).json()["tier"] is None


async def test_a_place_freed_by_a_withdrawal_during_the_winners_notice_is_not_refilled__tianning_12j(client, token):
    """tianning-12j: "公示不通过的，取消获评资格，不进行递补" - a candidate leaving during the notice
    (INTERPRETATIONS §8: "A place freed at the winners' notice is not refilled") frees no place."""
    flow = Flow(client, token, "tianning")
    rnd = await flow.september_round("w1")
    ids = await _tianning_evaluated(flow, rnd, 4, 400)
    for app in ids[:3]:
        assert (await flow.fire(app, "select", {"tier": "mayor"})).status_code == 200
    r = await flow.publish_notice(rnd["id"], ids[:3])
    assert r.status_code == 201, r.text
    await flow.step(ids[0], "withdraw", "withdrawn", reason="申报单位主动撤回")
    r = await flow.fire(ids[3], "select", {"tier": "mayor"})
    assert r.status_code == 409 and r.json()["condition"] == "quota_available", r.text
    assert r.json()["clause"] == "tianning-4b"


async def test_a_place_freed_before_the_winners_notice_may_be_filled__tianning_4b(client, token):
    """A withdrawal at the committee's review, before any notice, frees its place (no notice was failed)."""
    flow = Flow(client, token, "tianning")
    rnd = await flow.september_round("w2")
    ids = await _tianning_evaluated(flow, rnd, 4, 500)
    for app in ids[:3]:
        assert (await flow.fire(app, "select", {"tier": "mayor"})).status_code == 200
    await flow.step(ids[0], "withdraw", "withdrawn", reason="申报单位主动撤回")
    assert (await flow.fire(ids[3], "select", {"tier": "mayor"})).status_code == 200


async def test_government_approval_is_dated_after_the_winners_notice__tianning_12k(client, token):
    """tianning-12k: "经公示通过的候选名单，报区人民政府批准后向社会公布" - the approval follows the notice."""
    flow = Flow(client, token, "tianning")
    rnd = await flow.september_round("a1")
    [app] = await _tianning_evaluated(flow, rnd, 1, 600)
    assert (await flow.fire(app, "select", {"tier": "mayor"})).status_code == 200
    await flow.at("2026-11-02T10:00:00+08:00")
    assert (await flow.publish_notice(rnd["id"], [app])).status_code == 201
    deadline = await flow.notice_deadline(app)
    assert deadline["ends_at"].startswith("2026-11-10T00:00:00")  # 7 days: 11-03 to 11-09 24:00
    await flow.at("2026-11-12T10:00:00+08:00")
    await flow.run_deadlines()
    assert (await flow.get(app)).json()["state"] == "government_approval"
    for before in ("2026-10-15", "2026-11-09"):
        r = await flow.fire(app, "approve", {"document_no": "常天政〔2026〕1号", "approved_on": before})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "data.approved_on", r.text
        assert r.json()["clause"] == "tianning-12k"
    await flow.step(app, "approve", "awarded", {"document_no": "常天政〔2026〕1号", "approved_on": "2026-11-10"})


async def _round_event(flow: Flow, rnd_id: str, event: str):
    got = await flow.client.get(f"/api/v1/rounds/{rnd_id}", headers=flow.headers["office"])
    return await flow.client.post(
        f"/api/v1/rounds/{rnd_id}/events",
        json={"event": event},
        headers={**flow.headers["office"], "If-Match": got.headers["etag"]},
    )


async def test_a_returned_application_is_not_resubmitted_into_a_decided_round__changning_20a(client, token):
    """A correction period does not outlive the round's review: once the committee has decided the
    round, nothing new enters it (and an entrant would hold its announcement back for ever)."""
    flow = Flow(client, token, "changning")
    rnd = await flow.september_round("c1")
    app = (await flow.apply(rnd["id"], "model"))["id"]
    await flow.step(app, "submit", "awaiting_recommendation")
    await flow.step(
        app,
        "return_for_correction",
        "draft",
        {"correction_until": "2027-03-01T00:00:00+08:00"},
        reason="推荐意见缺少盖章",
    )
    await flow.at("2026-09-22T10:00:00+08:00")
    await flow.run_deadlines()
    for event in ("start_review", "decide"):
        assert (await _round_event(flow, rnd["id"], event)).status_code == 200
    await flow.at("2026-10-15T10:00:00+08:00")
    r = await flow.fire(app, "submit", role="applicant")
    assert r.status_code == 409 and r.json()["condition"] == "window_open", r.text
    assert (await flow.get(app)).json()["state"] == "draft"
    assert (await _round_event(flow, rnd["id"], "announce")).status_code == 200
