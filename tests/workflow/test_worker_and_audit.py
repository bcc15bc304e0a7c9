"""Deadlines fire exactly once across worker processes and crashes; the history detects tampering."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import psycopg2
import pytest
from asgi_lifespan import LifespanManager

from tests.workflow.flow import Flow

ROOT = Path(__file__).resolve().parents[2]


def _env(settings) -> dict:
    return {
        **os.environ,
        "QAWARD_ENVIRONMENT": "test",
        "QAWARD_DATABASE_URL": settings.database_url,
        "QAWARD_DATA_DIR": str(settings.data_dir),
        "QAWARD_LOG_LEVEL": "WARNING",
    }


def _seed_due_notices(conn, n: int) -> str:
    """``n`` changning applications in their qualification notice, each with a due notice deadline."""
    round_id = str(uuid.uuid4())
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO rounds (id, programme, programme_version, label, state, call_title, call_published_on, opens_at, closes_at, overrides, override_log, version, created_by)"
            " VALUES (%s, 'changning', '2023', %s, 'under_review', 't', '2026-09-01', '2026-09-01T00:00+08', '2026-09-21T00:00+08', '{}', '[]', 1, 'seed')",
            (round_id, f"w-{round_id[:8]}"),
        )
        cur.execute(
            "INSERT INTO applications (id, round_id, programme, programme_version, category, applicant_kind, applicant_name, credit_code, state, outcome, version, history_seq, history_head, created_by)"
            " SELECT gen_random_uuid(), %s, 'changning', '2023', 'model', 'organisation', 'org ' || g, NULL, 'qualification_notice', '{}', 1, 0, '', 'seed' FROM generate_series(1, %s) g",
            (round_id, n),
        )
        cur.execute(
            "INSERT INTO deadlines (id, application_id, round_id, kind, event, stage, rule, starts_on, ends_at, calendar_revision, status)"
            " SELECT gen_random_uuid(), id, round_id, 'notice_end', 'close_notice', 'qualification_notice', '{\"unit\": \"working_day\", \"length\": 5}', '2026-09-29', '2026-10-13T00:00+08', 1, 'pending' FROM applications WHERE round_id = %s",
            (round_id,),
        )
    return round_id


def _fired_once_each(conn, round_id: str, n: int) -> None:
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM applications WHERE round_id = %s AND state = 'material_review'", (round_id,))
        assert cur.fetchone()[0] == n
        cur.execute(
            "SELECT count(*), count(DISTINCT e.application_id) FROM application_events e JOIN applications a ON a.id = e.application_id"
            " WHERE a.round_id = %s AND e.event = 'close_notice' AND e.accepted",
            (round_id,),
        )
        assert cur.fetchone() == (n, n)
        cur.execute("SELECT status, count(*) FROM deadlines WHERE round_id = %s GROUP BY status", (round_id,))
        assert dict(cur.fetchall()) == {"fired": n}


def test_two_worker_processes_fire_each_of_1000_deadlines_once(settings, sync_db):
    round_id = _seed_due_notices(sync_db, 1000)
    cmd = [sys.executable, "-m", "app.cli", "worker", "--once", "--batch", "50"]
    procs = [
        subprocess.Popen(cmd, cwd=ROOT, env=_env(settings), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    fired = [int(o[0].strip().split()[-1]) for o in outs]
    assert sum(fired) == 1000
    _fired_once_each(sync_db, round_id, 1000)


def test_a_worker_killed_mid_run_leaves_the_rest_to_fire_after_restart(settings, sync_db):
    round_id = _seed_due_notices(sync_db, 600)
    # another transaction holds some applications, so the worker is surely mid-run when killed
    holder = psycopg2.connect(sync_db.dsn)
    with holder.cursor() as cur:
        cur.execute(
            "SELECT id FROM applications WHERE round_id = %s ORDER BY random() LIMIT 50 FOR UPDATE", (round_id,)
        )
    worker = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker", "--batch", "20"],
        cwd=ROOT,
        env=_env(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    with sync_db.cursor() as cur:
        while time.time() < deadline:
            cur.execute("SELECT count(*) FROM deadlines WHERE round_id = %s AND status = 'fired'", (round_id,))
            if cur.fetchone()[0] > 0:
                break
            time.sleep(0.05)
    time.sleep(0.5)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    holder.rollback()
    holder.close()
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM deadlines WHERE round_id = %s AND status = 'pending'", (round_id,))
        left = cur.fetchone()[0]
    assert left > 0, "the worker finished before it was killed; the test proves nothing"
    subprocess.run(
        [sys.executable, "-m", "app.cli", "worker", "--once"],
        cwd=ROOT,
        env=_env(settings),
        check=True,
        capture_output=True,
        timeout=300,
    )
    _fired_once_each(sync_db, round_id, 600)


async def test_deadline_fires_within_a_second_of_the_test_clock_moving(settings, token):
    from app.main import create_app

    app = create_app(settings.model_copy(update={"run_worker": True, "worker_poll_seconds": 0.2}), migrate=False)
    async with LifespanManager(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            flow = Flow(client, token, "changning")
            rnd = await flow.september_round("live")
            a = (await flow.apply(rnd["id"], "model"))["id"]
            await flow.step(a, "submit", "awaiting_recommendation")
            await flow.step(a, "recommend", "qualification_review", {"opinion": "同意"})
            await flow.step(a, "pass_qualification", "qualification_review")
            await flow.at("2026-09-29T10:00:00+08:00")
            assert (await flow.publish_notice(rnd["id"], [a])).status_code == 201
            await flow.at("2026-10-13T00:00:00+08:00")
            moved = time.monotonic()
            while time.monotonic() - moved < 1.0:
                if (await flow.get(a)).json()["state"] == "material_review":
                    break
                await asyncio.sleep(0.05)
            assert (await flow.get(a)).json()["state"] == "material_review"


def _audit(settings) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "audit", "verify"],
        cwd=ROOT,
        env=_env(settings),
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_history_refuses_update_and_tampering_is_detected(client, token, settings, sync_db):
    flow = Flow(client, token, "changning")
    rnd = await flow.september_round("audit")
    a = (await flow.apply(rnd["id"], "model"))["id"]
    await flow.step(a, "submit", "awaiting_recommendation")
    await flow.step(a, "recommend", "qualification_review", {"opinion": "同意"})
    ok = _audit(settings)
    assert ok.returncode == 0, ok.stderr
    with pytest.raises(psycopg2.Error, match="append-only"), sync_db.cursor() as cur:
        cur.execute("UPDATE application_events SET reason = 'rewritten' WHERE application_id = %s AND seq = 2", (a,))
    with pytest.raises(psycopg2.Error, match="append-only"), sync_db.cursor() as cur:
        cur.execute("DELETE FROM application_events WHERE application_id = %s", (a,))
    with sync_db.cursor() as cur:
        cur.execute("ALTER TABLE application_events DISABLE TRIGGER application_events_append_only")
        cur.execute("UPDATE application_events SET reason = 'rewritten' WHERE application_id = %s AND seq = 2", (a,))
        cur.execute("ALTER TABLE application_events ENABLE TRIGGER application_events_append_only")
    bad = _audit(settings)
    assert bad.returncode == 1 and f"application {a} entry seq=2" in bad.stderr


async def test_deleting_the_last_entry_is_detected(client, token, settings, sync_db):
    flow = Flow(client, token, "changning")
    rnd = await flow.september_round("audit2")
    a = (await flow.apply(rnd["id"], "model"))["id"]
    await flow.step(a, "submit", "awaiting_recommendation")
    with sync_db.cursor() as cur:
        cur.execute("ALTER TABLE application_events DISABLE TRIGGER application_events_append_only")
        cur.execute("DELETE FROM application_events WHERE application_id = %s AND seq = 2", (a,))
        cur.execute("ALTER TABLE application_events ENABLE TRIGGER application_events_append_only")
    bad = _audit(settings)
    assert bad.returncode == 1 and str(a) in bad.stderr
