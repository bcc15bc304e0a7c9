"""A refused event attempt is recorded where it happened in the application's history, even under a race."""

from __future__ import annotations

import asyncio

import httpx

from tests.workflow.flow import Flow
from tests.workflow.test_concurrency import credit_code


async def _in_qualification_review(flow: Flow, rnd: dict, count: int, base: int) -> list[str]:
    ids = [
        (await flow.apply(rnd["id"], "model", name=f"企业{i}", credit_code=credit_code(base + i)))["id"]
        for i in range(count)
    ]
    await flow.complete(*ids)
    for event, role, data in [("submit", "applicant", {}), ("recommend", "recommender", {"opinion": "同意推荐"})]:
        r = await flow.client.post(
            f"/api/v1/rounds/{rnd['id']}/actions",
            json={"event": event, "applications": ids, "data": data},
            headers=flow.headers[role],
        )
        assert r.status_code == 200, r.text
    return ids


async def test_a_refusal_racing_an_accepted_event_is_recorded_in_the_order_of_the_row_lock(live_server, token, sync_db):
    """Two clerks at once, one with a stale ETag: each history entry starts from the state the entry before it left."""
    async with httpx.AsyncClient(base_url=live_server, timeout=60) as client:
        flow = Flow(client, token, "changning")
        rnd = await flow.september_round("refusal-order")
        ids = await _in_qualification_review(flow, rnd, 8, base=900)
        clerks = [token("office", programme="changning", sub=f"clerk-{i}") for i in range(2)]
        body = {"event": "fail_qualification", "reason": "不符合", "data": {"notice_text": "不予通过"}}
        for app in ids:
            current = (await flow.get(app)).headers["etag"]
            answers = await asyncio.gather(
                *[
                    client.post(f"/api/v1/applications/{app}/events", json=body, headers={**h, "If-Match": tag})
                    for h, tag in zip(clerks, ['"v1"', current], strict=False)
                ]
            )
            assert sorted(r.status_code for r in answers) == [200, 412], [r.text[:200] for r in answers]
    with sync_db.cursor() as cur:
        cur.execute(
            "SELECT application_id, seq, event, from_state, to_state, accepted, refusal FROM application_events WHERE application_id = ANY(%s::uuid[]) ORDER BY application_id, seq",
            (ids,),
        )
        rows = cur.fetchall()
    refused = [r for r in rows if not r[5]]
    assert len(refused) == len(ids) and {r[6] for r in refused} == {"precondition-failed"}
    state: dict = {}
    for app_id, seq, event, from_state, to_state, accepted, _ in rows:
        if app_id in state:
            assert from_state == state[app_id], (app_id, seq, event, from_state, state[app_id])
        if accepted:
            state[app_id] = to_state
