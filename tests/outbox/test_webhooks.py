"""Standard Webhooks delivery: signed, retried through a receiver's outage, in order per subject, dead, replayed."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from datetime import timedelta

from standardwebhooks import Webhook

from tests.outbox import drive
from tests.outbox.receiver import Receiver


async def _subscribe(client, admin, url: str, types: list[str], **extra) -> tuple[str, str]:
    r = await client.post(
        "/api/v1/webhooks/subscriptions",
        json={"client": "portal-1", "url": url, "event_types": types, **extra},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["secret"].startswith("whsec_")
    return body["subscription"]["id"], body["secret"]


async def test_1000_events_of_8_writers_through_an_outage_arrive_all_signed_and_in_order_per_subject(
    app, client, token, settings, sync_db
):
    admin = token("admin", sub="admin-1")
    receiver = Receiver(fail_first_of_every=7)  # down at first; once up, refuses some first attempts too
    _, secret = await _subscribe(client, admin, receiver.url, ["application.state_changed"])
    receiver.secrets = [secret]
    subjects = drive.make_subjects(sync_db, 24)
    await drive.set_clock(client, admin, drive.T0)
    started = time.monotonic()
    workers = drive.Workers(app.state.db, settings, 2)
    workers.start()
    try:
        await asyncio.gather(*(drive.writer(app.state.db, w, 125, subjects) for w in range(8)))
        # the receiver stays down a while: every subject's first event has failed at least once
        for _ in range(100):
            with sync_db.cursor() as cur:
                cur.execute("SELECT count(*) FROM webhook_deliveries WHERE attempts > 0")
                if cur.fetchone()[0] >= len(subjects):
                    break
            await asyncio.sleep(0.1)
        assert receiver.got == []
        receiver.start()
        await drive.until_drained(sync_db, client, admin, drive.T0, timedelta(minutes=10), 100)
    finally:
        await workers.stop()
        receiver.stop()
        drive.drop_subjects(sync_db)
    assert time.monotonic() - started < 60
    firsts = receiver.first_of_each()
    # 0 lost: every event arrived; duplicates only ever repeat a webhook-id with the same body
    assert len(firsts) == 1000
    bodies = {}
    for g in receiver.got:
        assert bodies.setdefault(g.webhook_id, g.body) == g.body
        assert g.verified_with == [secret]
    # 0 out of order per subject: each subject's counts arrive 1, 2, 3, ... with no gap
    per_subject = defaultdict(list)
    for g in firsts:
        per_subject[g.envelope["subject"]].append(g.envelope["data"]["n"])
    assert sum(len(v) for v in per_subject.values()) == 1000
    for subject, ns in per_subject.items():
        assert ns == list(range(1, len(ns) + 1)), subject
    with sync_db.cursor() as cur:
        cur.execute("SELECT status, count(*) FROM webhook_deliveries GROUP BY status")
        assert dict(cur.fetchall()) == {"delivered": 1000}


async def test_a_delivery_failing_for_24_hours_is_dead_and_an_admin_replays_it(app, client, token, settings, sync_db):
    admin = token("admin", sub="admin-1")
    receiver = Receiver()
    sub_id, secret = await _subscribe(client, admin, receiver.url, ["application.state_changed"])
    receiver.secrets = [secret]
    subjects = drive.make_subjects(sync_db, 1)
    await drive.set_clock(client, admin, drive.T0)
    try:
        await drive.writer(app.state.db, 0, 2, subjects)
        workers = drive.Workers(app.state.db, settings, 1)
        workers.start()
        try:
            at = drive.T0
            # retried with growing waits for 24 hours, then dead
            while at < drive.T0 + timedelta(hours=31):
                at += timedelta(minutes=30)
                await drive.set_clock(client, admin, at)
                await asyncio.sleep(0.15)
            await asyncio.sleep(0.3)
            with sync_db.cursor() as cur:
                cur.execute(
                    "SELECT status, attempts, next_attempt_at - last_attempt_at FROM webhook_deliveries ORDER BY seq"
                )
                rows = cur.fetchall()
            assert [r[0] for r in rows] == ["dead", "dead"], rows
            assert rows[0][1] >= 10  # attempts, doubling waits (5 s, 10 s, ... 4 h)
            r = await client.get(f"/api/v1/webhooks/subscriptions/{sub_id}/deliveries?status=dead", headers=admin)
            assert r.status_code == 200 and r.json()["total"] == 2
            receiver.start()
            r = await client.post(f"/api/v1/webhooks/subscriptions/{sub_id}/replay", json={}, headers=admin)
            assert r.status_code == 200 and r.json() == {"replayed": 2}
            for _ in range(50):
                if len(receiver.first_of_each()) == 2:
                    break
                await asyncio.sleep(0.1)
        finally:
            await workers.stop()
    finally:
        receiver.stop()
        drive.drop_subjects(sync_db)
    assert [g.envelope["data"]["n"] for g in receiver.first_of_each()] == [1, 2]


async def test_a_rotated_secret_signs_beside_the_new_one_during_its_overlap_only(app, client, token, settings, sync_db):
    admin = token("admin", sub="admin-1")
    receiver = Receiver()
    sub_id, old = await _subscribe(client, admin, receiver.url, ["application.state_changed"])
    await drive.set_clock(client, admin, drive.T0)
    r = await client.post(f"/api/v1/webhooks/subscriptions/{sub_id}/secret", json={"overlap_hours": 2}, headers=admin)
    assert r.status_code == 200, r.text
    new = r.json()["secret"]
    assert new != old and r.json()["previous_valid_until"].startswith("2026-09-01T11:00:00+08:00")
    receiver.secrets = [new, old]
    subjects = drive.make_subjects(sync_db, 1)
    receiver.start()
    workers = drive.Workers(app.state.db, settings, 1)
    workers.start()
    try:
        await drive.writer(app.state.db, 0, 1, subjects)
        await drive.until_drained(sync_db, client, admin, drive.T0, timedelta(seconds=1), 20)
        await drive.set_clock(client, admin, drive.T0 + timedelta(hours=3))
        await drive.writer(app.state.db, 0, 1, subjects)
        await drive.until_drained(sync_db, client, admin, drive.T0 + timedelta(hours=3), timedelta(seconds=1), 20)
    finally:
        await workers.stop()
        receiver.stop()
        drive.drop_subjects(sync_db)
    during, after = receiver.first_of_each()
    assert during.verified_with == [new, old] and len(during.headers["webhook-signature"].split(" ")) == 2
    assert after.verified_with == [new] and len(after.headers["webhook-signature"].split(" ")) == 1
    # what the partner's own library checks: the whole signed message, with the new secret
    assert Webhook(new).verify(after.body, after.headers)["type"] == "application.state_changed"


async def test_subscriptions_are_made_by_an_admin_and_read_by_their_own_client_only(client, token):
    admin = token("admin", sub="admin-1")
    r = await client.post(
        "/api/v1/webhooks/subscriptions",
        json={"client": "portal-1", "url": "https://portal.example/hooks", "event_types": ["no.such"]},
        headers=admin,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "event_types[0]"
    sub_id, _ = await _subscribe(client, admin, "https://portal.example/hooks", ["notice.published"])
    mine = token("integration", client="portal-1")
    other = token("integration", client="portal-2")
    assert (await client.get(f"/api/v1/webhooks/subscriptions/{sub_id}", headers=mine)).status_code == 200
    assert (await client.get(f"/api/v1/webhooks/subscriptions/{sub_id}", headers=other)).status_code == 404
    assert (await client.get("/api/v1/webhooks/subscriptions", headers=other)).json() == []
    r = await client.post(
        "/api/v1/webhooks/subscriptions",
        json={"client": "portal-1", "url": "https://x.example/", "event_types": ["notice.published"]},
        headers=mine,
    )
    assert r.status_code == 403
    listed = (await client.get("/api/v1/webhooks/subscriptions", headers=mine)).json()
    assert [s["id"] for s in listed] == [sub_id] and "secret" not in listed[0]


def _hmac_sm3_by_hand(key: bytes, message: bytes) -> bytes:
    """RFC 2104 written out over gmssl's SM3 (64-byte blocks), independent of the service's code."""
    from gmssl import func, sm3

    def h(data: bytes) -> bytes:
        return bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(data)))

    key = key.ljust(64, b"\0")
    inner = h(bytes(k ^ 0x36 for k in key) + message)
    return h(bytes(k ^ 0x5C for k in key) + inner)


async def test_a_subscriber_choosing_sm3_also_gets_an_hmac_sm3_signature(app, client, token, settings, sync_db):
    import base64

    admin = token("admin", sub="admin-1")
    receiver = Receiver()
    _, secret = await _subscribe(client, admin, receiver.url, ["application.state_changed"], sm3=True)
    receiver.secrets = [secret]
    subjects = drive.make_subjects(sync_db, 1)
    await drive.set_clock(client, admin, drive.T0)
    receiver.start()
    workers = drive.Workers(app.state.db, settings, 1)
    workers.start()
    try:
        await drive.writer(app.state.db, 0, 1, subjects)
        await drive.until_drained(sync_db, client, admin, drive.T0, timedelta(seconds=1), 20)
    finally:
        await workers.stop()
        receiver.stop()
        drive.drop_subjects(sync_db)
    [got] = receiver.first_of_each()
    assert got.verified_with == [secret]  # the Standard Webhooks signature as ever
    version, signature = got.headers["webhook-signature-sm3"].split(",")
    content = f"{got.webhook_id}.{got.headers['webhook-timestamp']}.{got.body}".encode()
    key = base64.b64decode(secret.removeprefix("whsec_"))
    assert version == "v1" and base64.b64decode(signature) == _hmac_sm3_by_hand(key, content)
