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


def rewrite_consistently(sync_db, app_id: str, seq: int, reason: str, cascade: bool = True) -> None:
    """What a superuser who knows the scheme does: rewrite entry ``seq``'s reason and recompute its
    hash, every later entry's link and hash, and the application's head, so the chain verifies alone
    (``cascade=False``: its own hash only)."""
    from types import SimpleNamespace

    from app.domain.history import entry_hash

    with sync_db.cursor() as cur:
        cur.execute(
            "SELECT id, application_id, seq, occurred_at, actor, role, request_id, event, from_state, to_state,"
            " accepted, refusal, reason, data_digest, prev_hash, hash, hash_scheme"
            " FROM application_events WHERE application_id = %s ORDER BY seq",
            (app_id,),
        )
        names = [d[0] for d in cur.description]
        rows = [SimpleNamespace(**dict(zip(names, r, strict=True))) for r in cur.fetchall()]
    statements = []
    prev = None
    for e in rows:
        if e.seq == seq:
            e.reason = reason
        if e.seq == seq or (cascade and e.seq > seq):
            if prev is not None:
                e.prev_hash = prev
            e.hash = entry_hash(e)
            statements.append(
                (
                    "UPDATE application_events SET reason = %s, prev_hash = %s, hash = %s WHERE id = %s",
                    (e.reason, e.prev_hash, e.hash, e.id),
                )
            )
        prev = e.hash
    if cascade:
        statements.append(("UPDATE applications SET history_head = %s WHERE id = %s", (prev, app_id)))
    superuser(sync_db, *statements)
