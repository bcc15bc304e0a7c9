"""Stateless replicas: two ``qaward serve`` processes on one database, requests alternated between
them with no balancer. Whatever one replica learns, the other knows, because it is in PostgreSQL,
not in either process: an idempotent create replayed by the other replica, the test clock set on
one read on the other, the objection channel's per-address rate limit counted across both.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from itertools import cycle
from pathlib import Path

import httpx
import pytest

from tests.notices.driver import objection, person

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def replicas(settings):
    """Two ``qaward serve`` processes (one uvicorn worker each, no deadline worker) on the suite's database."""
    env = {
        **os.environ,
        "QAWARD_ENVIRONMENT": "test",
        "QAWARD_DATABASE_URL": settings.database_url,
        # one data folder: the development signing key (production: the identity platform's JWKS)
        "QAWARD_DATA_DIR": str(settings.data_dir),
        "QAWARD_RUN_WORKER": "false",
        "QAWARD_LOG_LEVEL": "WARNING",
    }
    procs, bases = [], []
    try:
        for _ in range(2):
            port = _free_port()
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
        deadline = time.time() + 90
        for proc, base in zip(procs, bases, strict=True):
            while True:
                try:
                    if httpx.get(base + "/api/v1/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("replica did not start: " + proc.stderr.read().decode(errors="replace")[-2000:])
                time.sleep(0.3)
        yield bases
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()


def _unit(code: str) -> dict:
    return {"programme": "changning", "code": code, "name_zh": "新泾镇", "kind": "street", "covers": ["xinjing"]}


async def test_an_idempotent_create_is_replayed_by_the_other_replica(replicas, token, sync_db):
    a, b = replicas
    h = {**token("office", programme="changning", sub="clerk-replicas"), "Idempotency-Key": "across-replicas"}
    async with httpx.AsyncClient(timeout=30) as c:
        first = await c.post(a + "/api/v1/recommending-units", json=_unit("XR1"), headers=h)
        again = await c.post(b + "/api/v1/recommending-units", json=_unit("XR1"), headers=h)
        other = await c.post(b + "/api/v1/recommending-units", json=_unit("XR2"), headers=h)
    assert first.status_code == again.status_code == 201, (first.text, again.text)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert other.status_code == 422 and other.json()["type"].endswith("/idempotency-key-reused")
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM recommending_units")
        assert cur.fetchone()[0] == 1


async def test_the_test_clock_set_on_one_replica_is_the_other_replicas_time(replicas, token):
    a, b = replicas
    admin = token("admin", sub="admin-replicas")
    async with httpx.AsyncClient(timeout=30) as c:
        r = await c.put(a + "/api/v1/testing/clock", json={"now": "2026-09-29T09:00:00+08:00"}, headers=admin)
        assert r.status_code == 200, r.text
        seen = await c.get(b + "/api/v1/testing/clock", headers=admin)
        ready = await c.get(b + "/api/v1/ready")
        await c.delete(b + "/api/v1/testing/clock", headers=admin)
        after = await c.get(a + "/api/v1/testing/clock", headers=admin)
    assert seen.status_code == 200, seen.text
    assert seen.json()["frozen"] is True and seen.json()["now"].startswith("2026-09-29T09:00:00"), seen.text
    assert "2026-09-29" in ready.text
    # cleared on the other replica: real time again on the first
    assert after.json()["frozen"] is False, after.text


async def test_the_per_address_objection_limit_counts_requests_to_both_replicas(replicas):
    """30 objections an hour from one address (rate_limits.ADDRESS_LIMITS), whichever replica each reaches."""
    notice = uuid.uuid4()  # the address is counted before the notice is looked up: 404s count too
    async with httpx.AsyncClient(timeout=30) as c:
        codes = []
        for i, base in zip(range(31), cycle(replicas)):
            body = objection(str(uuid.uuid4()), person(i))
            r = await c.post(f"{base}/api/v1/public/notices/{notice}/objections", json=body)
            codes.append(r.status_code)
    assert codes[:30] == [404] * 30, codes
    assert codes[30] == 429, codes
