"""An application's ``created_at`` is the service's time, the test clock included (issue 13)."""

from __future__ import annotations

from tests.audit.driver import draft_application


async def test_an_applications_created_at_follows_the_test_clock(client, token, sync_db):
    flow, a = await draft_application(client, token, "created")  # the clock frozen at 2026-09-01 09:00 +08:00
    body = (await flow.get(a)).json()
    # the same instant, as every answer writes it: Asia/Shanghai time (issue 18)
    assert body["created_at"].startswith("2026-09-01T09:00:00+08:00"), body["created_at"]
    with sync_db.cursor() as cur:
        cur.execute(
            "SELECT created_at = updated_at, created_at = occurred_at FROM applications JOIN application_events ON application_id = applications.id WHERE applications.id = %s",
            (a,),
        )
        assert cur.fetchone() == (True, True)
