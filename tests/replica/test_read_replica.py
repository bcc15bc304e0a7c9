"""QAWARD_READ_DATABASE_URL against a REAL streaming replica: public reads and exports served by it,
everything that decides and every read following the caller's own write kept on the primary.

The proof that an answer came from the standby and not the primary: the standby's replay is
paused (``pg_wal_replay_pause``), the office writes on the primary, and the anonymous public
still reads the state before the write, which only the standby can still hold; the servers
themselves are asked which one answered (``pg_is_in_recovery()`` behind ``X-Read-Served-By``,
test environment only).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from app.config import Settings
from app.identity import issue_dev_token
from tests.replica import cluster as pg

pytestmark = pytest.mark.no_database


@pytest.fixture(scope="module")
def pair():
    if pg.binaries() is None:
        pytest.skip("no PostgreSQL binaries with pg_basebackup (pgserver's or /usr/lib/postgresql/*/bin)")
    c = pg.start_pair("qaward")
    try:
        yield c
    finally:
        c.stop()


@pytest.fixture(scope="module")
def replica_settings(pair) -> Settings:
    return Settings(
        environment="test",
        database_url=pair.url(pair.primary_port, "qaward"),
        read_database_url=pair.url(pair.standby_port, "qaward"),
        read_replica_wait_seconds=0.3,
        data_dir=Path(tempfile.mkdtemp(prefix="qaward-replica-")),
        run_worker=False,
    )


@pytest.fixture
async def client(replica_settings: Settings):
    from app.main import create_app

    app = create_app(replica_settings)  # migrates the primary; the standby follows by replay
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


def _headers(settings: Settings, *roles: str, **scopes: str) -> dict[str, str]:
    token = issue_dev_token(settings, sub=f"{roles[0]}-replica", roles=list(roles), **scopes)
    return {"Authorization": "Bearer " + token}


async def _open_round(client, office: dict, admin: dict, label: str) -> str:
    r = await client.put("/api/v1/testing/clock", json={"now": "2026-09-01T09:00:00+08:00"}, headers=admin)
    assert r.status_code == 200, r.text
    body = {
        "programme": "changning",
        "label": label,
        "call": {
            "title": f"{label}年度申报通知",
            "published_on": "2026-09-01",
            "opens_at": "2026-09-01T00:00:00+08:00",
            "closes_at": "2026-09-21T00:00:00+08:00",
        },
        "overrides": [],
    }
    r = await client.post("/api/v1/rounds", json=body, headers=office)
    assert r.status_code == 201, r.text
    round_id = r.json()["id"]
    r = await client.post(
        f"/api/v1/rounds/{round_id}/events",
        json={"event": "publish"},
        headers={**office, "If-Match": r.headers["etag"]},
    )
    assert r.status_code == 200, r.text
    return round_id


async def test_public_read_served_by_the_streaming_replica_and_own_writes_read_on_the_primary(
    pair, replica_settings, client
):
    office = _headers(replica_settings, "office", programme="changning")
    admin = _headers(replica_settings, "admin")
    # the standby is a real hot standby fed by streaming replication from the primary
    assert pair.sql(pair.standby_port, "SELECT pg_is_in_recovery()") == [(True,)]
    assert pair.sql(pair.primary_port, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") == [(1,)]

    pg.wait_replayed(pair)
    r = await client.get("/api/v1/public/calls")
    assert r.status_code == 200, r.text
    assert r.json() == []
    assert r.headers["x-read-served-by"] == "replica"

    pg.pause_replay(pair)
    try:
        round_id = await _open_round(client, office, admin, "2026")
        # written on the primary only: the paused standby does not hold it
        assert pair.sql(pair.primary_port, "SELECT count(*) FROM rounds") == [(1,)]
        assert pair.sql(pair.standby_port, "SELECT count(*) FROM rounds") == [(0,)]

        # read-your-own-write: the office reads the round it just wrote, from the primary
        r = await client.get(f"/api/v1/rounds/{round_id}", headers=office)
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "open"
        # a caller with a token reads even a public page from the primary (it may follow its own write)
        r = await client.get("/api/v1/public/calls", headers=office)
        assert [c["round_id"] for c in r.json()] == [round_id]
        assert r.headers["x-read-served-by"] == "primary"

        # the anonymous public reads the replica: the call it does not hold yet is not listed
        r = await client.get("/api/v1/public/calls")
        assert r.status_code == 200, r.text
        assert r.json() == []
        assert r.headers["x-read-served-by"] == "replica"

        # an export waits for the replica to hold what the primary had committed, then reads the primary:
        # the round the office just opened is exported although the standby has never seen it
        r = await client.get(f"/api/v1/rounds/{round_id}/export?format=csv", headers=office)
        assert r.status_code == 200, r.text
        assert r.headers["x-read-served-by"] == "primary"
    finally:
        pg.resume_replay(pair)

    pg.wait_replayed(pair)
    r = await client.get("/api/v1/public/calls")
    assert [c["round_id"] for c in r.json()] == [round_id]
    assert r.headers["x-read-served-by"] == "replica"
    # caught up, the export is the replica's
    r = await client.get(f"/api/v1/rounds/{round_id}/export?format=csv", headers=office)
    assert r.status_code == 200, r.text
    assert r.headers["x-read-served-by"] == "replica"


async def test_replica_is_never_written_and_a_write_goes_to_the_primary(pair, replica_settings, client):
    office = _headers(replica_settings, "office", programme="changning")
    admin = _headers(replica_settings, "admin")
    before = pair.sql(pair.primary_port, "SELECT count(*) FROM rounds")[0][0]
    await _open_round(client, office, admin, "2027")
    assert pair.sql(pair.primary_port, "SELECT count(*) FROM rounds")[0][0] == before + 1
    # every connection of the read engine is read-only: even pointed at a primary, it could write nothing
    from app.db.session_read import ReadDatabase

    db = ReadDatabase(replica_settings.database_url, pool_size=1)
    try:
        async with db.transaction() as session:
            from sqlalchemy import text

            assert (await session.execute(text("SHOW transaction_read_only"))).scalar_one() == "on"
    finally:
        await db.dispose()


async def test_a_replica_down_leaves_public_reads_on_the_primary(pair, replica_settings):
    """The replica refusing connections is not the public's outage: its reads fall back to the primary."""
    from app.main import create_app

    down = replica_settings.model_copy(update={"read_database_url": pair.url(pair.standby_port + 50, "qaward")})
    app = create_app(down, migrate=False)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            r = await c.get("/api/v1/public/calls")
    assert r.status_code == 200, r.text
    assert r.headers["x-read-served-by"] == "primary"
