"""Request ids, idempotency keys, ETags, pagination: the contract every endpoint shares."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC

import pytest

from tests.db_faults import inserts_refused


def unit_body(code="XJH", **over):
    return {
        "programme": "changning",
        "code": code,
        "name_zh": "新泾镇",
        "kind": "street",
        "covers": ["xinjing"],
        **over,
    }


async def test_request_id_is_echoed_or_generated(client):
    r = await client.get("/api/v1/health", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    r = await client.get("/api/v1/health")
    assert len(r.headers["x-request-id"]) == 32


async def test_same_key_same_body_replays_first_response(client, token, sync_db):
    h = {**token("office", programme="changning", sub="clerk-1"), "Idempotency-Key": "k-1"}
    first = await client.post("/api/v1/recommending-units", json=unit_body(), headers=h)
    again = await client.post("/api/v1/recommending-units", json=unit_body(), headers=h)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM recommending_units")
        assert cur.fetchone()[0] == 1


async def test_same_key_different_body_is_422(client, token):
    h = {**token("office", programme="changning", sub="clerk-1"), "Idempotency-Key": "k-2"}
    assert (await client.post("/api/v1/recommending-units", json=unit_body(), headers=h)).status_code == 201
    r = await client.post("/api/v1/recommending-units", json=unit_body(code="OTHER"), headers=h)
    assert r.status_code == 422 and r.json()["type"].endswith("/idempotency-key-reused")


async def test_keys_are_scoped_to_the_principal(client, token):
    a = {**token("office", programme="changning", sub="clerk-a"), "Idempotency-Key": "shared"}
    b = {**token("office", programme="changning", sub="clerk-b"), "Idempotency-Key": "shared"}
    assert (await client.post("/api/v1/recommending-units", json=unit_body("A1"), headers=a)).status_code == 201
    assert (await client.post("/api/v1/recommending-units", json=unit_body("B1"), headers=b)).status_code == 201


async def test_retry_while_first_in_flight_is_409(client, token, sync_db):
    """The first request holds the table lock, so it is still in flight when the retry arrives."""
    h = {**token("office", programme="changning", sub="clerk-1"), "Idempotency-Key": "k-flight"}
    with sync_db.cursor() as cur:
        locker = sync_db.__class__(sync_db.dsn)
        locker.autocommit = False
        lc = locker.cursor()
        lc.execute("LOCK TABLE recommending_units IN ACCESS EXCLUSIVE MODE")
        first = asyncio.create_task(client.post("/api/v1/recommending-units", json=unit_body(), headers=h))
        for _ in range(100):
            await asyncio.sleep(0.05)
            cur.execute("SELECT state FROM idempotency_keys WHERE key = 'k-flight'")
            if cur.fetchone():
                break
        retry = await client.post("/api/v1/recommending-units", json=unit_body(), headers=h)
        locker.rollback()
        locker.close()
    assert retry.status_code == 409 and retry.json()["type"].endswith("/idempotency-request-in-flight")
    assert (await first).status_code == 201


async def test_failed_request_frees_its_key(client, token):
    h = {**token("office", programme="changning", sub="clerk-1"), "Idempotency-Key": "k-fail"}
    assert (
        await client.post(
            "/api/v1/recommending-units", json=unit_body(), headers=token("office", programme="changning")
        )
    ).status_code == 201
    dup = await client.post("/api/v1/recommending-units", json=unit_body(), headers=h)
    assert dup.status_code == 409
    ok = await client.post("/api/v1/recommending-units", json=unit_body("NEW"), headers=h)
    assert ok.status_code == 201


async def test_parallel_retries_create_once(client, token, concurrently, sync_db):
    h = {**token("office", programme="changning", sub="clerk-1"), "Idempotency-Key": "k-par"}
    results = await concurrently(10, lambda i: client.post("/api/v1/recommending-units", json=unit_body(), headers=h))
    codes = sorted(r.status_code for r in results)
    assert set(codes) <= {201, 409} and codes.count(201) >= 1
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM recommending_units")
        assert cur.fetchone()[0] == 1


async def test_update_without_if_match_is_428_and_stale_is_412(client, token):
    h = token("office", programme="changning")
    created = await client.post("/api/v1/recommending-units", json=unit_body(), headers=h)
    url, tag = created.headers["location"], created.headers["etag"]
    r = await client.patch(url, json={"name_zh": "新泾镇人民政府"}, headers=h)
    assert r.status_code == 428 and r.json()["type"].endswith("/precondition-required")
    ok = await client.patch(url, json={"name_zh": "新泾镇人民政府"}, headers={**h, "If-Match": tag})
    assert ok.status_code == 200 and ok.headers["etag"] != tag
    stale = await client.patch(url, json={"name_zh": "又改"}, headers={**h, "If-Match": tag})
    assert stale.status_code == 412 and stale.json()["type"].endswith("/precondition-failed")
    assert (await client.get(url, headers=h)).json()["name_zh"] == "新泾镇人民政府"


async def test_if_match_compares_strongly_so_a_weak_tag_is_412(client, token):
    """RFC 9110 §13.1.1: If-Match uses the strong comparison; a weak tag never matches."""
    h = token("office", programme="changning")
    created = await client.post("/api/v1/recommending-units", json=unit_body(), headers=h)
    url, tag = created.headers["location"], created.headers["etag"]
    weak = await client.patch(url, json={"name_zh": "弱标签"}, headers={**h, "If-Match": "W/" + tag})
    assert weak.status_code == 412 and weak.json()["type"].endswith("/precondition-failed")
    also_weak = await client.patch(url, json={"name_zh": "弱标签"}, headers={**h, "If-Match": f'"v99", W/{tag}'})
    assert also_weak.status_code == 412
    assert (await client.get(url, headers=h)).json()["name_zh"] == "新泾镇"
    # a list matches when any of its tags is strongly equal; `*` matches any current version
    listed = await client.patch(url, json={"name_zh": "列表"}, headers={**h, "If-Match": f'W/{tag}, "v99", {tag}'})
    assert listed.status_code == 200, listed.text
    star = await client.patch(url, json={"name_zh": "任意"}, headers={**h, "If-Match": "*"})
    assert star.status_code == 200, star.text


async def test_lists_share_page_and_size_with_a_hard_maximum(client, token):
    h = token("office", programme="changning")
    for i in range(3):
        await client.post("/api/v1/recommending-units", json=unit_body(f"U{i}"), headers=h)
    r = await client.get("/api/v1/recommending-units?page=2&size=2", headers=h)
    assert r.json()["total"] == 3 and r.json()["page"] == 2 and len(r.json()["items"]) == 1
    too_big = await client.get("/api/v1/recommending-units?size=101", headers=h)
    assert too_big.status_code == 422 and too_big.json()["errors"][0]["field"] == "size"


@pytest.fixture
def deferred_failure(sync_db):
    """A constraint trigger that fails at COMMIT time, after the endpoint already succeeded."""
    with inserts_refused(sync_db, "recommending_units", at_commit=True):
        yield


async def test_a_failing_commit_is_an_error_not_a_silent_201(client, token, deferred_failure, sync_db):
    r = await client.post(
        "/api/v1/recommending-units",
        json=unit_body(),
        headers={**token("office", programme="changning"), "Idempotency-Key": "k-commit"},
    )
    assert r.status_code == 503 and r.json()["type"].endswith("/commit-failed")
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM recommending_units")
        assert cur.fetchone()[0] == 0
        cur.execute("SELECT count(*) FROM idempotency_keys")
        assert cur.fetchone()[0] == 0


async def test_docs_work_offline_with_assets_served_by_the_app(client):
    page = await client.get("/docs")
    assert (
        page.status_code == 200 and "/docs/static/swagger-ui-bundle.js" in page.text and "cdn" not in page.text.lower()
    )
    js = await client.get("/docs/static/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 100_000


async def test_expired_idempotency_keys_are_purged_and_fresh_ones_kept(client, token, app, sync_db):
    from app.workflow.deadlines import purge_idempotency_keys

    h = {**token("office", programme="changning"), "Idempotency-Key": "old"}
    assert (await client.post("/api/v1/recommending-units", json=unit_body("P1"), headers=h)).status_code == 201
    assert (
        await client.post("/api/v1/recommending-units", json=unit_body("P2"), headers={**h, "Idempotency-Key": "new"})
    ).status_code == 201
    with sync_db.cursor() as cur:
        cur.execute("SELECT expires_at - created_at >= interval '24 hours' FROM idempotency_keys")
        assert all(r[0] for r in cur.fetchall())
        cur.execute("UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'old'")
    assert await purge_idempotency_keys(app.state.db) == 1
    with sync_db.cursor() as cur:
        cur.execute("SELECT key FROM idempotency_keys")
        assert [r[0] for r in cur.fetchall()] == ["new"]


async def test_a_lost_database_connection_is_503_and_the_next_request_recovers(client, token, sync_db):
    h = token("office", programme="changning")
    assert (await client.get("/api/v1/recommending-units", headers=h)).status_code == 200
    with sync_db.cursor() as cur:
        # this process's connections only (a live server in another process keeps its own)
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (f"qaward:{os.getpid()}",),
        )
    statuses = [(await client.get("/api/v1/recommending-units", headers=h)) for _ in range(12)]
    assert {r.status_code for r in statuses} <= {200, 503}, [r.text for r in statuses]
    assert all(r.json()["type"].endswith("/database-unavailable") for r in statuses if r.status_code == 503)
    assert statuses[-1].status_code == 200


async def test_a_restart_killing_every_pooled_connection_costs_one_503_not_one_per_connection(
    app, client, token, sync_db
):
    """A restart or failover ends every pooled connection at once. The first request to meet a dead
    one answers 503 and has the pool replace all connections opened before it, as SQLAlchemy does on
    a disconnect: the next request succeeds. Were each dead connection dropped only when a request
    of its own met it, a pool of n costs n failed requests, and a connection whose end the driver
    has half-read fails with an internal error (500)."""
    h = token("office", programme="changning")
    held = [await app.state.db.engine.connect() for _ in range(6)]  # six connections in the pool at once
    for conn in held:
        await conn.exec_driver_sql("SELECT 1")
    for conn in held:
        await conn.close()
    with sync_db.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (f"qaward:{os.getpid()}",),
        )
    first = await client.get("/api/v1/recommending-units", headers=h)
    assert first.status_code in (200, 503), first.text
    after = [(await client.get("/api/v1/recommending-units", headers=h)).status_code for _ in range(6)]
    assert after == [200] * 6


async def test_a_database_that_refuses_connections_is_503_and_liveness_still_answers(settings, token):
    """A database down (refusing, restarting, full) is the client's 503 to retry, never a 500; /health needs no database."""
    import socket

    import httpx
    from asgi_lifespan import LifespanManager

    from app.main import create_app

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    down = settings.model_copy(update={"database_url": f"postgresql://qaward:secret@127.0.0.1:{port}/qaward"})
    application = create_app(down, migrate=False)
    async with LifespanManager(application):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=application, raise_app_exceptions=False), base_url="http://testserver"
        ) as c:
            assert (await c.get("/api/v1/health")).json() == {"status": "ok"}
            h = token("office", programme="changning")
            for r in (
                await c.get("/api/v1/ready"),
                await c.get("/api/v1/rounds", headers=h),
                await c.post("/api/v1/rounds", json={}, headers={**h, "Idempotency-Key": "k-1"}),
            ):
                assert r.status_code == 503, r.text
                assert r.json()["type"].endswith("/database-unavailable") and r.headers["retry-after"] == "1"
                assert "secret" not in r.text


async def test_only_the_claim_holding_an_idempotency_key_completes_or_frees_it(app, sync_db):
    """A retry that took over a key (the first request outlived its lease) holds it alone: the first
    request's completion is refused, so its transaction fails, and its clean-up leaves the key be."""
    import uuid
    from datetime import datetime, timedelta

    from app.db.repositories import idempotency as repo

    now, lease, ttl = datetime.now(UTC), timedelta(seconds=120), timedelta(hours=24)
    first, retry = uuid.uuid4(), uuid.uuid4()
    async with app.state.db.transaction() as s:
        assert await repo.claim(s, "p", "k", "POST", "/x", "fp", first, now - timedelta(minutes=5), lease, ttl)
    async with app.state.db.transaction() as s:
        await repo.take_over(s, await repo.get_for_update(s, "p", "k"), "fp", retry, now, lease, ttl)
    async with app.state.db.transaction() as s:
        assert not await repo.complete(s, "p", "k", first, 201, {}, b"first")
        await repo.release(s, "p", "k", first)
    with sync_db.cursor() as cur:
        cur.execute("SELECT state, token FROM idempotency_keys")
        assert cur.fetchall() == [("in_flight", str(retry))]
    async with app.state.db.transaction() as s:
        assert await repo.complete(s, "p", "k", retry, 201, {}, b"retry")
        assert not await repo.complete(s, "p", "k", retry, 201, {}, b"twice")  # completed: not in flight any more


async def test_a_different_body_is_422_even_after_the_first_requests_lease_ran_out(client, token, sync_db):
    """The lease frees a key for a retry of the same request only, never for another request."""
    from datetime import datetime, timedelta

    h = {**token("office", programme="changning", sub="clerk-1"), "Idempotency-Key": "k-lease"}
    locker = sync_db.__class__(sync_db.dsn)
    try:
        locker.cursor().execute("LOCK TABLE recommending_units IN ACCESS EXCLUSIVE MODE")
        first = asyncio.create_task(client.post("/api/v1/recommending-units", json=unit_body(), headers=h))
        for _ in range(100):
            await asyncio.sleep(0.05)
            with sync_db.cursor() as cur:
                cur.execute("SELECT state FROM idempotency_keys WHERE key = 'k-lease'")
                if cur.fetchone():
                    break
        later = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
        assert (
            await client.put("/api/v1/testing/clock", json={"now": later}, headers=token("admin", sub="admin-1"))
        ).status_code == 200
        other = await client.post("/api/v1/recommending-units", json=unit_body(code="OTHER"), headers=h)
    finally:
        locker.rollback()
        locker.close()
    assert other.status_code == 422 and other.json()["type"].endswith("/idempotency-key-reused"), other.text
    assert (await first).status_code == 201  # still the key's holder: nothing took it over
