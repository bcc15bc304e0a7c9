"""The deadline worker's heartbeat (工作进程心跳): a row per worker that the /ready of any replica reads."""

from __future__ import annotations

import asyncio
import io
import json
import logging

import httpx
from asgi_lifespan import LifespanManager

from app.observability import configure_logging
from app.workflow.deadlines import DeadlineWorker


async def _ready(settings, **changes) -> httpx.Response:
    """``GET /api/v1/ready`` of another replica (a second app over the same database)."""
    from app.main import create_app

    replica = create_app(settings.model_copy(update=changes), migrate=False)
    async with LifespanManager(replica):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=replica), base_url="http://t") as c:
            return await c.get("/api/v1/ready")


async def _until(predicate, seconds: float = 10.0):
    for _ in range(int(seconds / 0.1)):
        if value := predicate():
            return value
        await asyncio.sleep(0.1)
    raise AssertionError("not within the time")


def _rows(sync_db) -> list:
    with sync_db.cursor() as cur:
        cur.execute("SELECT id, host, pid, handled_total FROM worker_heartbeats")
        return cur.fetchall()


async def test_a_running_worker_beats_logs_its_start_and_a_replica_reports_it_ready(app, settings, sync_db):
    configure_logging("INFO", "json")
    stream = io.StringIO()
    logging.getLogger().handlers[0].setStream(stream)
    worker = DeadlineWorker(app.state.db, settings)
    worker.start()
    try:
        rows = await _until(lambda: _rows(sync_db))
        assert rows[0][0] == worker.id and rows[0][2] == worker.pid
        r = await _ready(settings, ready_requires_worker=True)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["worker_expected"] is True
        assert [w["id"] for w in body["workers"]] == [worker.id] and body["workers"][0]["stale"] is False
    finally:
        await worker.stop()
    started = [json.loads(x) for x in stream.getvalue().splitlines() if "started" in x]
    assert started and started[0]["worker"] == worker.id and started[0]["pid"] == worker.pid
    assert _rows(sync_db) == []  # a clean stop removes its row
    r = await _ready(settings, ready_requires_worker=True)
    assert r.status_code == 503 and r.json()["type"].endswith("/not-ready"), r.text


async def test_a_stale_heartbeat_fails_ready_where_a_worker_is_expected_and_is_only_reported_elsewhere(
    settings, sync_db
):
    with sync_db.cursor() as cur:
        cur.execute(
            "INSERT INTO worker_heartbeats (id, host, pid, started_at, beat_at)"
            " VALUES ('host-a:41:dead', 'host-a', 41, now() - interval '2 hours', now() - interval '5 minutes')"
        )
    expected = await _ready(settings, ready_requires_worker=True, worker_stale_seconds=30)
    assert expected.status_code == 503, expected.text
    problem = expected.json()
    assert "30" in problem["detail"] and problem["workers"][0]["stale"] is True
    assert problem["workers"][0]["age_seconds"] >= 300

    not_expected = await _ready(settings)  # QAWARD_RUN_WORKER=false and nothing said: no worker is expected
    assert not_expected.status_code == 200, not_expected.text
    body = not_expected.json()
    assert body["worker_expected"] is False and body["workers"][0]["id"] == "host-a:41:dead"
    assert body["workers"][0]["stale"] is True


def test_a_worker_is_expected_where_the_process_runs_one_unless_the_setting_says_otherwise():
    from app.config import Settings

    base = {"environment": "test", "database_url": "postgresql://x/y"}
    assert Settings(**base).worker_expected  # QAWARD_RUN_WORKER defaults to true
    assert not Settings(**base, run_worker=False).worker_expected
    assert Settings(**base, run_worker=False, ready_requires_worker=True).worker_expected
    assert not Settings(**base, ready_requires_worker=False).worker_expected
