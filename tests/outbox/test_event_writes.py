"""An event's state change reaches the outbox in the statement writing the event (issue 21), with the same order,
subject and payload as when a hook wrote it after the event's other hooks."""

from __future__ import annotations

from datetime import datetime

from tests.workflow.flow import Flow
from tests.workflow.test_concurrency import credit_code


def _outbox(sync_db) -> list[tuple]:
    with sync_db.cursor() as cur:
        cur.execute("SELECT type, subject, payload, occurred_at FROM outbox_events ORDER BY id")
        return cur.fetchall()


def _entry(sync_db, app_id: str, event: str) -> tuple:
    with sync_db.cursor() as cur:
        cur.execute(
            "SELECT occurred_at, from_state, to_state FROM application_events"
            " WHERE application_id = %s AND event = %s AND accepted",
            (app_id, event),
        )
        return cur.fetchone()


async def _in_qualification_notice(flow: Flow, n: int) -> tuple[str, list[str]]:
    rnd = await flow.september_round()
    ids = [(await flow.apply(rnd["id"], "model", name=f"企业{i}", credit_code=credit_code(i)))["id"] for i in range(n)]
    await flow.complete(*ids)
    for event, role, data in (
        ("submit", "applicant", {}),
        ("recommend", "recommender", {"opinion": "同意推荐"}),
        ("pass_qualification", "office", {}),
    ):
        r = await flow.client.post(
            f"/api/v1/rounds/{rnd['id']}/actions",
            json={"event": event, "applications": ids, "data": data},
            headers=flow.headers[role],
        )
        assert r.status_code == 200, r.text
    await flow.at("2026-09-29T10:00:00+08:00")
    r = await flow.publish_notice(rnd["id"], ids)
    assert r.status_code == 201, r.text
    return r.json()["id"], ids


async def test_the_last_application_leaving_a_notice_reports_its_state_change_before_the_notice_closed(
    client, token, sync_db
):
    """One event, two outbox rows: ``application.state_changed`` (written with the history entry) comes first,
    then ``notice.closed`` (written by the hook after it), as when both were hooks; the state change carries the
    answer's version and the history entry's instant."""
    flow = Flow(client, token, "changning")
    notice_id, ids = await _in_qualification_notice(flow, 2)
    await flow.step(ids[0], "withdraw", "withdrawn", reason="企业主动撤回")
    before = len(_outbox(sync_db))
    answer = await flow.step(ids[1], "withdraw", "withdrawn", reason="企业主动撤回")

    written = _outbox(sync_db)[before:]
    assert [(t, s) for t, s, _, _ in written] == [
        ("application.state_changed", f"application:{ids[1]}"),
        ("notice.closed", f"notice:{notice_id}"),
    ]
    _, _, payload, occurred_at = written[0]
    at, from_state, to_state = _entry(sync_db, ids[1], "withdraw")
    assert (payload["event"], payload["from"], payload["to"]) == ("withdraw", from_state, to_state)
    assert payload["version"] == answer["version"] and payload["tier"] is None and payload["category"] == "model"
    assert occurred_at == at and datetime.fromisoformat(payload["at"]) == at and payload["at"].endswith("+08:00")


async def test_a_round_action_reports_each_state_change_once_in_the_order_of_its_applications(client, token, sync_db):
    """A round action runs its events in a savepoint (the row is flushed by the unit of work there): each
    application's state change is still written once, with its event, in the order the action took them."""
    flow = Flow(client, token, "changning")
    _, ids = await _in_qualification_notice(flow, 3)
    changes = [
        (s, p["event"], p["from"], p["to"]) for t, s, p, _ in _outbox(sync_db) if t == "application.state_changed"
    ]
    for event, src, dst in (
        ("submit", "draft", "awaiting_recommendation"),
        ("recommend", "awaiting_recommendation", "qualification_review"),
        ("pass_qualification", "qualification_review", "qualification_review"),
    ):
        mine = [c for c in changes if c[1] == event]
        assert mine == [(f"application:{i}", event, src, dst) for i in sorted(ids)]
    started = [c for c in changes if c[1] == "start_notice"]
    assert sorted(c[0] for c in started) == sorted(f"application:{i}" for i in ids)
