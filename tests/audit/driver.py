"""What the audit tests share: an application to fire events at, raw event bodies, tampering by SQL."""

from __future__ import annotations

from tests.workflow.flow import Flow


async def draft_application(client, token, label: str, applicant: str = "org-1", code: str | None = None):
    """A changning application in draft, with the Flow that made it; its history holds its creation."""
    flow = Flow(client, token, "changning", applicant=applicant)
    rnd = await flow.september_round(label)
    kwargs = {"credit_code": code} if code else {}
    a = (await flow.apply(rnd["id"], "model", **kwargs))["id"]
    return flow, a


async def send_raw(client, flow: Flow, app_id: str, body: str):
    """POST ``body`` (JSON text as written: duplicate keys, exponents, ``-0.0`` kept) as the applicant."""
    got = await client.get(f"/api/v1/applications/{app_id}", headers=flow.headers["applicant"])
    return await client.post(
        f"/api/v1/applications/{app_id}/events",
        content=body.encode(),
        headers={**flow.headers["applicant"], "If-Match": got.headers["etag"], "Content-Type": "application/json"},
    )


def superuser(sync_db, *statements: tuple) -> None:
    """Run SQL as a database superuser who lifts the history's append-only trigger for it."""
    with sync_db.cursor() as cur:
        cur.execute("ALTER TABLE application_events DISABLE TRIGGER application_events_append_only")
        try:
            for sql, params in statements:
                cur.execute(sql, params)
        finally:
            cur.execute("ALTER TABLE application_events ENABLE TRIGGER application_events_append_only")
