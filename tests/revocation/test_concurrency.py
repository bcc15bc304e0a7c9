"""Two clerks at once on the same case: one wins, the other gets 409/412, nothing half-written."""

from __future__ import annotations

from tests.awards.drive import certificate, commended
from tests.revocation.drive import WINNERS, open_case, read_case, revocation_no, step


def _count(sync_db, sql: str, *args) -> int:
    with sync_db.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchone()[0]


async def test_two_clerks_closing_the_same_case_at_once_one_wins__tianning_15b(client, token, sync_db, concurrently):
    """Both send the government's approval with the case's ETag at the same moment: exactly one revokes (200), the
    other is refused (412: the case changed under it), and the award is revoked once: one step, one `revoke` in the
    history, one ban, one credit listing, one set of items to recover."""
    a = await commended(client, token, "tianning", [WINNERS["tianning"]])
    app_id = a.ids[0]
    today = await a.today()
    case = (await open_case(a, app_id)).json()
    r = await step(a, case["id"], {"step": "verification", "result": "proceed", "decided_on": today})
    assert r.status_code == 200, r.text
    etag = r.headers["etag"]
    clerks = [token("office", programme="tianning", sub=f"tianning-clerk-{i}") for i in range(2)]

    async def close(i: int):
        body = {
            "step": "government_approval",
            "result": "proceed",
            "decided_on": today,
            "document_no": revocation_no("tianning", 10 + i),
        }
        return await client.post(
            f"/api/v1/revocation-cases/{case['id']}/steps", json=body, headers={**clerks[i], "If-Match": etag}
        )

    results = await concurrently(2, close)
    statuses = sorted(r.status_code for r in results)
    assert statuses[0] == 200 and statuses[1] in (409, 412), [r.text for r in results]
    winner = next(r for r in results if r.status_code == 200).json()
    final = (await read_case(a, case["id"])).json()
    assert final["status"] == "revoked" and final["document_no"] == winner["document_no"]
    assert [s["step"] for s in final["steps"]] == ["opened", "verification", "government_approval"]
    assert (await certificate(a, app_id))["revocation_document_no"] == winner["document_no"]
    assert _count(sync_db, "SELECT count(*) FROM revocation_items WHERE case_id = %s", case["id"]) == 2
    assert _count(sync_db, "SELECT count(*) FROM reapplication_bans WHERE kind = 'ban_after_revocation'") == 1
    assert _count(sync_db, "SELECT count(*) FROM outbox_events WHERE type = 'credit.revocation'") == 1
    assert (
        _count(
            sync_db,
            "SELECT count(*) FROM application_events WHERE application_id = %s AND event = 'revoke' AND accepted",
            app_id,
        )
        == 1
    )


async def test_two_clerks_opening_a_case_on_the_same_award_at_once_one_wins(client, token, sync_db, concurrently):
    """One open case per award, however the requests race (a partial unique index): one 201, the other 409."""
    a = await commended(client, token, "jinshan", [WINNERS["jinshan"]])
    results = await concurrently(2, lambda i: open_case(a, a.ids[0], "fraud" if i else "post_award_incident"))
    assert sorted(r.status_code for r in results) == [201, 409], [r.text for r in results]
    loser = next(r for r in results if r.status_code == 409).json()
    assert loser["type"].endswith("/revocation-case-open")
    assert _count(sync_db, "SELECT count(*) FROM revocation_cases") == 1
    assert _count(sync_db, "SELECT count(*) FROM revocation_case_steps") == 1
