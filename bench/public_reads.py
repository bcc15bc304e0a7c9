"""Public notice reads against a FastAPI no-op route, in the same run (issue 21).

    python bench/public_reads.py [--quick] [--entries N] [--clients C] [--seconds S] [--replicas R] [--out FILE]

One database (embedded PostgreSQL, or ``BENCH_DATABASE_URL``), the app served by uvicorn as
``bench/workflow.py`` serves it (same command line, ``--replicas`` servers, default one per CPU),
and ``bench/noop_app.py`` (FastAPI, one route answering ``{"ok": true}``: no middleware, no
database) served by the same command line. Through the API: a changning round, ``--entries``
applications through qualification review, their qualification notice (公示) published. Then
closed loops at ``--clients`` keep-alive connections (``bench/rawhttp.py``), each for ``--seconds``
after a warm-up, in turn and twice over (noop, notice, 304, list, noop, ...) so a busy machine
moves them alike:

- ``noop``: ``GET /noop`` on the no-op app;
- ``notice``: ``GET /api/v1/public/notices/{id}``, no ``If-None-Match`` (the body rendered);
- ``not_modified``: the same with the notice's current ``ETag`` in ``If-None-Match`` (``304``, no body:
  what a portal's CDN revalidating costs);
- ``list``: ``GET /api/v1/public/notices?programme=changning`` (the public list's first page).

Reported: requests/s of each (the better of its two runs, and both), each read's ratio to the
no-op's, CPU per request (app, PostgreSQL, load generator). The issue's goal: a notice read ≥ 0.5 ×
the no-op route, 304 answers cheaper still. Results go to ``bench/results/public-reads.json``
(``--quick``: ``public-reads-quick.json``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

import httpx  # noqa: E402
from rawhttp import Connection  # noqa: E402
from workflow import (  # noqa: E402
    Api,
    CpuMeter,
    Postgres,
    Replicas,
    Server,
    _ok,
    _postmaster_pid,
    log,
    prepare,
)

from app.config import Settings  # noqa: E402
from app.db.runtime import migrate  # noqa: E402

KINDS = ("noop", "notice", "not_modified", "list")


async def publish_notice(base: str, api: Api, entries: int) -> str:
    """``entries`` applications through qualification review and their qualification notice; its id."""
    round_id, slots = await prepare(base, api, entries)
    ids = [s.id for s in slots]
    async with httpx.AsyncClient(base_url=base, timeout=120) as c:
        action = {"event": "pass_qualification", "applications": ids, "data": {}}
        _ok(await c.post(f"/api/v1/rounds/{round_id}/actions", json=action, headers=api.h["office"]))
        _ok(await c.put("/api/v1/testing/clock", json={"now": "2026-09-29T10:00:00+08:00"}, headers=api.h["admin"]))
        r = await c.post(
            f"/api/v1/rounds/{round_id}/notices",
            json={"point": "qualification", "applications": ids},
            headers=api.h["office"],
        )
        _ok(r, 201)
        return r.json()["id"]


def request_bytes(host: str, path: str, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in (headers or {}).items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def closed_loop(
    bases: list[str], data: bytes, expect: int, clients: int, seconds: float, warmup: float, cpu: CpuMeter
) -> dict:
    """``clients`` connections (spread over the servers' ports in turn) sending ``data`` back to back."""
    conns = []
    for i in range(clients):
        host, port = bases[i % len(bases)].removeprefix("http://").split(":")
        conns.append(await Connection(host, int(port)).open())
    counts = {"ok": 0, "errors": 0}
    t_start = time.perf_counter() + warmup
    t_stop = t_start + seconds
    cpu_at: dict = {}

    async def start_meter() -> None:
        await asyncio.sleep(max(0.0, t_start - time.perf_counter()))
        cpu_at["start"] = cpu.snap()

    async def loop(conn: Connection) -> None:
        while True:
            t0 = time.perf_counter()
            if t0 >= t_stop:
                return
            reply = await conn.request(data)
            if t0 >= t_start:
                if reply.status == expect:
                    counts["ok"] += 1
                else:
                    counts["errors"] += 1
                    counts.setdefault("first_error", f"{reply.status}: {reply.body[:200]!r}")

    await asyncio.gather(start_meter(), *[loop(c) for c in conns])
    elapsed = time.perf_counter() - t_start
    cpu_at["stop"] = cpu.snap()
    for c in conns:
        c.close()
    return {
        "requests": counts["ok"],
        "errors": counts["errors"],
        "first_error": counts.get("first_error"),
        "seconds": round(elapsed, 3),
        "per_s": round(counts["ok"] / elapsed, 1),
        "cpu": CpuMeter.per_event(
            cpu_at["start"], cpu_at["stop"], counts["ok"], elapsed, ("app", "postgres", "load_generator")
        ),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="2 s per loop, 10 entries")
    ap.add_argument("--entries", type=int, help="applications on the notice (default 30; --quick 10)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, help="per loop (default 8; --quick 2)")
    ap.add_argument("--replicas", type=int, default=os.cpu_count() or 1, help="app servers (default one per CPU)")
    ap.add_argument("--out", help="results file (default bench/results/public-reads[-quick].json)")
    args = ap.parse_args()
    seconds = args.seconds or (2.0 if args.quick else 8.0)
    warmup = 0.5 if args.quick else 1.0
    entries = args.entries or (10 if args.quick else 30)
    out = (
        Path(args.out)
        if args.out
        else ROOT / "bench" / "results" / ("public-reads-quick.json" if args.quick else "public-reads.json")
    )
    tmp = Path(tempfile.mkdtemp(prefix="qaward-public-"))
    pg = server = noop = None
    started = time.time()
    res: dict = {
        "command": " ".join(["python", "bench/public_reads.py", *sys.argv[1:]]),
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg()},
        "clients": args.clients,
        "seconds_per_loop": seconds,
        "entries": entries,
        "replicas": args.replicas,
        # QAWARD_PUBLIC_NOTICE_CACHE=false measures the reads without the per-process notice cache (the servers inherit it)
        "public_notice_cache": os.environ.get("QAWARD_PUBLIC_NOTICE_CACHE", "true"),
    }
    try:
        log("starting PostgreSQL")
        pg = Postgres(tmp)
        url = pg.create_database("qaward_public")
        migrate(url)
        data_dir = tmp / "data"
        api = Api(Settings(environment="test", database_url=url, data_dir=data_dir, run_worker=False))
        log(f"starting the app ({args.replicas} replica(s)) and the no-op app")
        server = Replicas(lambda i: Server.app(url, data_dir, 1, tmp / f"server-{i}.log"), args.replicas)
        noop = Replicas(
            lambda i: Server(["noop_app:app", "--app-dir", "bench"], {}, 1, tmp / f"noop-{i}.log", "/noop"),
            args.replicas,
        )
        postmaster = _postmaster_pid(tmp / "pg" if pg.pg is not None else None)
        log(f"publishing a notice of {entries} entries through the API")
        notice_id = asyncio.run(publish_notice(server.base, api, entries))
        path = f"/api/v1/public/notices/{notice_id}"
        first = httpx.get(server.base + path)
        _ok(first)
        tag = first.headers["etag"]
        res["notice_bytes"] = len(first.content)
        res["cache_control"] = first.headers.get("cache-control")
        loops = {
            "noop": (noop.bases, noop.pids, request_bytes("127.0.0.1", "/noop"), 200),
            "notice": (server.bases, server.pids, request_bytes("127.0.0.1", path), 200),
            "not_modified": (server.bases, server.pids, request_bytes("127.0.0.1", path, {"If-None-Match": tag}), 304),
            "list": (
                server.bases,
                server.pids,
                request_bytes("127.0.0.1", "/api/v1/public/notices?programme=changning"),
                200,
            ),
        }
        runs: dict[str, list[dict]] = {k: [] for k in KINDS}
        for _ in range(2):
            for kind in KINDS:
                bases, pids, data, expect = loops[kind]
                log(f"{kind}: {args.clients} clients, {seconds:g} s")
                level = asyncio.run(
                    closed_loop(bases, data, expect, args.clients, seconds, warmup, CpuMeter(pids, postmaster))
                )
                log(f"  {level['per_s']}/s, errors {level['errors']} {level['first_error'] or ''}")
                runs[kind].append(level)
        best = {k: max(r["per_s"] for r in runs[k]) for k in KINDS}
        res["runs"] = runs
        res["per_s"] = best
        res["ratio_to_noop"] = {k: round(best[k] / best["noop"], 3) for k in KINDS if k != "noop"}
        res["goals"] = {
            "notice_read_vs_noop": {
                "goal": ">= 0.5",
                "value": res["ratio_to_noop"]["notice"],
                "met": res["ratio_to_noop"]["notice"] >= 0.5,
            },
            "not_modified_cheaper_than_read": {
                "value": round(best["not_modified"] / best["notice"], 3),
                "met": best["not_modified"] > best["notice"],
            },
        }
    finally:
        for s in (server, noop):
            if s is not None:
                s.stop()
        if pg is not None:
            pg.close()
        shutil.rmtree(tmp, ignore_errors=True)
    res["machine"]["load_after"] = os.getloadavg()
    res["total_seconds"] = round(time.time() - started, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: res[k] for k in ("per_s", "ratio_to_noop", "goals")}, indent=2, ensure_ascii=False))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
