"""The app's CPU per workflow event, measured in-process: robust on a busy machine.

    python bench/event_cpu.py [--events N] [--clients C] [--rounds R] [--profile FILE]

``bench/workflow.py`` measures events/s through HTTP, which a busy machine (other jobs on the
cores) moves by tens of percent. This script measures what the app's own code costs: it serves
the app in this process (no uvicorn, no HTTP parsing: the ASGI app called directly, as uvicorn
would), fires ``pass_qualification`` at ``C`` applications concurrently, ``N`` events a round, and
reports the process's CPU time (``time.process_time``) per event for each round and their median.
The event, its data and its SQL are ``bench/workflow.py``'s. CPU time counts only this process
(the app and its asyncpg client), not PostgreSQL, nor the time spent waiting for it.

It imports the ``app`` package of the interpreter running it, not of this checkout, so the same
file measures another commit's worktree: run it there with that worktree's virtualenv
(``cd ../old && .venv/bin/python ../new/bench/event_cpu.py``), alternating with this one.

``--profile FILE`` runs one more round under cProfile and writes its stats (``pstats``) there.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import inspect
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg2
from asgi_lifespan import LifespanManager

from app.config import Settings
from app.db.runtime import migrate
from app.domain.identifiers import credit_check_character
from app.identity import issue_dev_token
from app.main import create_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: the tests' driver
from tests.intake.completing import complete_application

PROGRAMME = "changning"
EVENT_BODY = json.dumps({"event": "pass_qualification", "data": {}}, separators=(",", ":")).encode()


def credit_code(n: int) -> str:
    first17 = f"913101{n:011d}"
    return first17 + credit_check_character(first17)


def bearer(settings: Settings, sub: str, roles: list[str], **scopes: str) -> str:
    return "Bearer " + issue_dev_token(settings, sub=sub, roles=roles, **scopes)


async def prepare(c: httpx.AsyncClient, h: dict[str, dict[str, str]], count: int) -> list[list]:
    """A changning round and ``count`` applications in qualification_review: ``[id, etag]`` each."""

    def ok(r: httpx.Response, code: int = 200) -> httpx.Response:
        if r.status_code != code:
            raise RuntimeError(f"{r.request.method} {r.request.url.path} → {r.status_code}: {r.text[:500]}")
        return r

    ok(await c.put("/api/v1/testing/clock", json={"now": "2026-09-01T09:00:00+08:00"}, headers=h["admin"]))
    body = {
        "programme": PROGRAMME,
        "label": f"bench-{uuid.uuid4().hex[:6]}",
        "call": {
            "title": "基准测试申报通知",
            "published_on": "2026-09-01",
            "opens_at": "2026-09-01T00:00:00+08:00",
            "closes_at": "2026-09-21T00:00:00+08:00",
        },
        "overrides": [],
    }
    r = ok(await c.post("/api/v1/rounds", json=body, headers=h["office"]), 201)
    round_id = r.json()["id"]
    ok(
        await c.post(
            f"/api/v1/rounds/{round_id}/events",
            json={"event": "publish"},
            headers={**h["office"], "If-Match": r.headers["etag"]},
        )
    )
    ids = []
    for i in range(count):
        body = {
            "round_id": round_id,
            "category": "model",
            "applicant": {"name": f"基准企业{i}", "credit_code": credit_code(i)},
            "recommending_unit": "unit-1",
        }
        ids.append(ok(await c.post("/api/v1/applications", json=body, headers=h["proving"](i)), 201).json()["id"])
        # the form and materials submit requires (issue 19)
        await complete_application(c, h["office"], ids[-1])
    for event, role, data in (("submit", "applicant", {}), ("recommend", "recommender", {"opinion": "同意推荐"})):
        ok(
            await c.post(
                f"/api/v1/rounds/{round_id}/actions",
                json={"event": event, "applications": ids, "data": data},
                headers=h[role],
            )
        )
    return [[i, ok(await c.get(f"/api/v1/applications/{i}", headers=h["office"])).headers["etag"]] for i in ids]


async def fire(app, authorization: bytes, slot: list) -> None:
    """One event, the ASGI call uvicorn would make for it."""
    path = f"/api/v1/applications/{slot[0]}/events"
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"authorization", authorization),
            (b"content-type", b"application/json"),
            (b"if-match", slot[1].encode()),
            (b"content-length", str(len(EVENT_BODY)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False

    async def receive():
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": EVENT_BODY, "more_body": False}

    status = 0
    etag = None

    async def send(message):
        nonlocal status, etag
        if message["type"] == "http.response.start":
            status = message["status"]
            for k, v in message["headers"]:
                if k == b"etag":
                    etag = v.decode()

    await app(scope, receive, send)
    if status != 200:
        raise RuntimeError(f"event answered {status}")
    slot[1] = etag


async def run_round(app, authorization: bytes, slots: list[list], clients: int, events: int) -> float:
    """CPU seconds per event over ``events`` events, ``clients`` at a time, each on its own applications."""
    per_client = events // clients

    async def client(k: int) -> None:
        mine = slots[k::clients]
        for j in range(per_client):
            await fire(app, authorization, mine[j % len(mine)])

    before = resource.getrusage(resource.RUSAGE_SELF)
    t = time.process_time()
    await asyncio.gather(*[client(k) for k in range(clients)])
    spent = time.process_time() - t
    after = resource.getrusage(resource.RUSAGE_SELF)
    n = per_client * clients
    _USAGE.append(
        {
            "user_ms": 1000 * (after.ru_utime - before.ru_utime) / n,
            "system_ms": 1000 * (after.ru_stime - before.ru_stime) / n,
            "voluntary_switches": (after.ru_nvcsw - before.ru_nvcsw) / n,
            "threads_hops": _HOPS[0] / n,
        }
    )
    _HOPS[0] = 0
    return spent / n


_USAGE: list[dict] = []
_HOPS = [0]


def _count_thread_hops() -> None:
    """Count the calls FastAPI or Starlette hand to a worker thread (a plain ``def`` dependency or endpoint)."""
    import anyio.to_thread

    run_sync = anyio.to_thread.run_sync

    async def counted(*args, **kwargs):
        _HOPS[0] += 1
        return await run_sync(*args, **kwargs)

    anyio.to_thread.run_sync = counted


async def measure(url: str, data_dir: Path, args) -> dict:
    settings = Settings(environment="test", database_url=url, data_dir=data_dir, run_worker=False, log_level="WARNING")
    app = create_app(settings, migrate=False)
    h = {
        "admin": {"Authorization": bearer(settings, "bench-admin", ["admin"])},
        "office": {"Authorization": bearer(settings, "bench-clerk", ["office"], programme=PROGRAMME)},
        "recommender": {"Authorization": bearer(settings, "bench-recommender", ["recommender"], unit="unit-1")},
        "applicant": {"Authorization": bearer(settings, "bench-applicant", ["applicant"], applicant="org-1")},
    }
    # the applicant's token verifies the credit code it applies in (issue 13); a commit before real
    # names has no such claim and needs none
    real_names = "verified_credit_code" in inspect.signature(issue_dev_token).parameters
    h["proving"] = lambda i: (
        {
            "Authorization": bearer(
                settings, "bench-applicant", ["applicant"], applicant="org-1", verified_credit_code=credit_code(i)
            )
        }
        if real_names
        else h["applicant"]
    )
    _count_thread_hops()
    async with LifespanManager(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t", timeout=120) as c:
            slots = await prepare(c, h, 2 * args.clients)
        authorization = h["office"]["Authorization"].encode()
        await run_round(app, authorization, slots, args.clients, args.events // 4)  # warm-up
        if args.handshake:
            # counted by a tool outside (callgrind): it switches counting on, we fire, it switches it off
            hs = Path(args.handshake)
            # what is alive now lives on: a full collection walking it would land in one run's count and not another's
            gc.collect()
            gc.freeze()
            (hs / "ready").write_text(str(os.getpid()))
            _wait_for(hs / "go")
            t = time.perf_counter()
            await run_round(app, authorization, slots, args.clients, args.events)
            (hs / "done").write_text(str(time.perf_counter() - t))
            _wait_for(hs / "stop")
            return {}
        gc_seen = _GcCounter()
        gc.callbacks.append(gc_seen)
        try:
            rounds = [await run_round(app, authorization, slots, args.clients, args.events) for _ in range(args.rounds)]
        finally:
            gc.callbacks.remove(gc_seen)
        if args.profile:
            import cProfile

            prof = cProfile.Profile(time.process_time)
            prof.enable()
            await run_round(app, authorization, slots, args.clients, args.events)
            prof.disable()
            prof.dump_stats(args.profile)
    ms = [round(1000 * r, 3) for r in rounds]
    events = args.rounds * (args.events // args.clients) * args.clients
    return {
        "app_ms_per_event": ms,
        "median": statistics.median(ms),
        "gc": gc_seen.summary(events),
        "heap_objects": len(gc.get_objects()),
        "usage": {k: round(statistics.median(u[k] for u in _USAGE[1:]), 4) for k in _USAGE[0]},
    }


def _wait_for(path: Path) -> None:
    """Block until ``path`` exists (nothing else runs meanwhile: the clients are idle)."""
    while not path.exists():
        time.sleep(0.05)


class _GcCounter:
    """The collector's runs while measuring: per generation, how many per 1,000 events and their CPU per event."""

    def __init__(self) -> None:
        self.runs = [0, 0, 0]
        self.seconds = [0.0, 0.0, 0.0]
        self.collected = [0, 0, 0]
        self._start = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.process_time()
            return
        g = info["generation"]
        self.runs[g] += 1
        self.collected[g] += info["collected"]
        self.seconds[g] += time.process_time() - self._start

    def summary(self, events: int) -> dict:
        return {
            f"gen{g}": {
                "runs_per_1000_events": round(1000 * self.runs[g] / events, 2),
                "ms_per_event": round(1000 * self.seconds[g] / events, 4),
                "collected_per_event": round(self.collected[g] / events, 2),
            }
            for g in range(3)
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=2000, help="events per round (default 2000)")
    ap.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    ap.add_argument("--rounds", type=int, default=5, help="measured rounds (default 5)")
    ap.add_argument("--profile", help="write a cProfile of one more round here")
    ap.add_argument(
        "--handshake", help="a folder: after the warm-up, wait for FOLDER/go, fire one round, then wait for FOLDER/stop"
    )
    ap.add_argument("--database-url", help="an existing server to create a database on (default: embedded)")
    args = ap.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    tmp = Path(tempfile.mkdtemp(prefix="qaward-cpu-"))
    pg = None
    try:
        if args.database_url:
            uri = args.database_url
        else:
            import pgserver

            pg = pgserver.get_server(tmp / "pg", cleanup_mode="delete")
            uri = pg.get_uri()
        name = f"qaward_cpu_{uuid.uuid4().hex[:8]}"
        conn = psycopg2.connect(uri)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        conn.close()
        url = urlunsplit(urlsplit(uri)._replace(path="/" + name))
        migrate(url)
        print(json.dumps(asyncio.run(measure(url, tmp / "data", args))))
    finally:
        if pg is not None:
            pg.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
