"""Benchmark: the office's lists and bulk work on ten years of seeded data (issue 21, Goals).

    python bench/scale.py [--quick] [--data-dir DIR] [--seconds S] [--clients N] [--out FILE]

One run, figures and their references measured in it:

1. The data: ``bench/seed.py``'s data set under ``DIR`` (default ``.qaward-seed``; ``--quick``:
   ``.qaward-seed-quick`` and the 1/100 set), seeded first if missing, and a set 1/100 its size
   in a second database of the same server (``qaward_small``), seeded at each run.
2. The app: ``qaward``'s ASGI app under uvicorn (one worker, uvloop, httptools, the deadline
   worker off, ``QAWARD_PROGRAMME_DIRS`` naming the seeded programmes), once over each set.
3. Lists: each kind of application list request (an office's programme, by round and state,
   by state, sorted by update, a name search, a credit-code search as an admin, a deep page by
   keyset cursor) in a closed loop of ``--clients`` (8) clients for ``--seconds`` each: p50,
   p99, requests/s on the full set and on the small one; the goal is p99 ≤ 50 ms and the full
   set's rate ≥ 0.7 × the small one's. ``GET /api/v1/health`` in the same loop is the floor.
4. Bulk work on the full set, through the API: a fresh round of ``changning`` with 1,000
   applications (``--quick``: 100), completed; the round actions ``submit`` and ``recommend``
   on 500 (goal ≤ 3 s each); a qualification notice of all 1,000 (goal ≤ 2 s); then the
   ``.xlsx`` export of the seeded round of 10,000 (goal ≤ 10 s) with the server's RSS before
   and after (bounded memory).
5. Memory: the uvicorn worker's RSS after the list load (goal ≤ 200 MB).

Every list query's plan is checked by ``tests/scale/test_list_plans.py`` (``EXPLAIN`` on the
seeded set, no sequential scan of a large table).

Writes ``bench/results/scale-latest.json`` (``--quick``: ``scale-quick.json``) and prints a
summary. Needs the test extras. Shares the machine with whatever else runs: say so beside the
figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psutil
import psycopg2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import seed as seeder  # noqa: E402
from workflow import Server  # noqa: E402

from app.config import Settings  # noqa: E402
from app.db.repositories import keyset  # noqa: E402
from app.identity import issue_dev_token  # noqa: E402
from tests.intake.completing import complete_application  # noqa: E402
from tests.notices.driver import NoticeFlow, credit_code  # noqa: E402

GOALS = {
    "list_p99_ms": 50,
    "size_ratio": 0.7,
    "notice_1000_s": 2.0,
    "round_action_500_s": 3.0,
    "export_10000_s": 10.0,
    "worker_rss_mb": 200,
}


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _with_database(uri: str, name: str) -> str:
    return urlunsplit(urlsplit(uri)._replace(path="/" + name))


def ensure_seeded(data_dir: Path, quick: bool) -> tuple[object, str, str, dict]:
    """The embedded server of ``data_dir`` (seeded if need be), the full and the small set's URLs, seed.json."""
    if not (data_dir / "seed.json").exists():
        log(f"seeding {data_dir} (bench/seed.py{' --quick' if quick else ''})")
        seeder.main([*(["--quick"] if quick else []), "--data-dir", str(data_dir)])
    record = json.loads((data_dir / "seed.json").read_text(encoding="utf-8"))
    server = seeder.start_embedded(data_dir)
    full = server.get_uri()
    conn = psycopg2.connect(full)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP DATABASE IF EXISTS qaward_small WITH (FORCE)")
        cur.execute("CREATE DATABASE qaward_small")
    conn.close()
    small = _with_database(full, "qaward_small")
    factor = record["size"]["applications"] / seeder.FULL["applications"] / 100
    size = seeder.sizes(False, factor)
    size["programmes"] = min(size["programmes"], record["programmes"])
    t = time.perf_counter()
    seeder.seed(small, data_dir, size, jobs=1)
    log(f"the 1/100 set ({size['applications']:,} applications) seeded in {time.perf_counter() - t:.1f} s")
    return server, full, small, record


# --- the list load ----------------------------------------------------------------------------------


WARM_UP_SECONDS = 1.0


def list_requests(url: str, programme: str, office: dict, admin: dict) -> dict[str, tuple[str, dict, dict]]:
    """name -> (path, query, headers), from the data itself (a round, a name, a code, a deep cursor)."""
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT round_id FROM applications WHERE programme = %s GROUP BY round_id ORDER BY count(*) DESC LIMIT 1",
            (programme,),
        )
        round_id = str(cur.fetchone()[0])
        cur.execute(
            "SELECT applicant_name, credit_code FROM applications WHERE programme = %s AND credit_code IS NOT NULL"
            " ORDER BY id LIMIT 1",
            (programme,),
        )
        name, code = cur.fetchone()
        # a page deep in the office's list (90 % of the way), as a cursor a client following next_cursor holds
        cur.execute("SELECT count(*) FROM applications WHERE programme = %s", (programme,))
        n = cur.fetchone()[0]
        cur.execute(
            "SELECT created_at, id FROM applications WHERE programme = %s ORDER BY created_at, id OFFSET %s LIMIT 1",
            (programme, max(0, int(n * 0.9))),
        )
        at, ident = cur.fetchone()
    conn.close()
    apps = "/api/v1/applications"
    return {
        "by_programme": (apps, {}, office),
        "by_round_and_state": (apps, {"round_id": round_id, "state": "not_shortlisted"}, office),
        "by_state": (apps, {"state": "material_review"}, office),
        "sorted_by_update": (apps, {"sort": "-updated_at"}, office),
        "name_search": (apps, {"name": name[2:5]}, office),
        # a clerk types most of a code: 15 of its 18 characters (12 match a whole district's first 100,000)
        "credit_code_search_admin": (apps, {"credit_code": code[:15]}, admin),
        "deep_page_by_cursor": (apps, {"cursor": keyset.encode("created_at", at, ident)}, office),
    }


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


async def closed_loop(base: str, path: str, query: dict, headers: dict, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = 0
    first_error = None
    stop = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal errors, first_error
        async with httpx.AsyncClient(base_url=base, timeout=30) as c:
            while True:  # at least one request each, however short the window
                t = time.perf_counter()
                r = await c.get(path, params=query, headers=headers)
                latencies.append(time.perf_counter() - t)
                if r.status_code != 200:
                    errors += 1
                    first_error = first_error or f"{r.status_code} {r.text[:300]}"
                if time.perf_counter() >= stop:
                    break

    t0 = time.perf_counter()
    await asyncio.gather(*[client() for _ in range(clients)])
    elapsed = time.perf_counter() - t0
    return {
        "requests": len(latencies),
        "rate": round(len(latencies) / elapsed, 1),
        "p50_ms": round(_pct(latencies, 50) * 1000, 1),
        "p99_ms": round(_pct(latencies, 99) * 1000, 1),
        "errors": errors,
        **({"first_error": first_error} if first_error else {}),
    }


async def list_load(
    bases: dict[str, str], requests: dict[str, dict], clients: int, seconds: float
) -> tuple[dict, dict]:
    """Each kind on the small set, then on the full one, then again both (half the time each): both
    sets meet the same neighbours on a shared machine. The health route is the floor."""
    out: dict[str, dict] = {"small": {}, "full": {}}
    kinds = [("health_floor", ("/api/v1/health", {}, {}))]
    for name in requests["full"]:
        kinds.append((name, None))
    for kind, fixed in kinds:
        halves: dict[str, list[dict]] = {"small": [], "full": []}
        for which in ("small", "full"):
            # a warm-up, not counted (as bench/workflow.py): each server connection's first request of a kind
            # prepares its statements, about 1 % of a 2.5 s window: the p99 is the steady state's, not those
            path, query, headers = fixed or requests[which][kind]
            await closed_loop(bases[which], path, query, headers, clients, WARM_UP_SECONDS)
        for _ in range(2):
            for which in ("small", "full"):
                path, query, headers = fixed or requests[which][kind]
                halves[which].append(await closed_loop(bases[which], path, query, headers, clients, seconds / 2))
        for which, parts in halves.items():
            out[which][kind] = _merge(parts)
        f, s = out["full"][kind], out["small"][kind]
        log(f"  {kind}: full {f['rate']} req/s p99 {f['p99_ms']} ms; small {s['rate']} req/s p99 {s['p99_ms']} ms")
    return out["small"], out["full"]


def _merge(parts: list[dict]) -> dict:
    n = sum(p["requests"] for p in parts)
    seconds = sum(p["requests"] / p["rate"] for p in parts if p["rate"])
    return {
        "requests": n,
        "rate": round(n / seconds, 1) if seconds else 0.0,
        "p50_ms": max(p["p50_ms"] for p in parts),
        "p99_ms": max(p["p99_ms"] for p in parts),
        "errors": sum(p["errors"] for p in parts),
        **(
            {"first_error": next(p["first_error"] for p in parts if "first_error" in p)}
            if any("first_error" in p for p in parts)
            else {}
        ),
    }


def rss_mb(proc: subprocess.Popen) -> float:
    p = psutil.Process(proc.pid)
    return round(sum(x.memory_info().rss for x in [p, *p.children(recursive=True)]) / 2**20, 1)


# --- the bulk work ------------------------------------------------------------------------------------


async def bulk(
    base: str, settings: Settings, count: int, action: int, export_round: str, export_programme: str
) -> dict:
    def token(*roles: str, sub: str | None = None, **scopes: str) -> dict[str, str]:
        return {"Authorization": "Bearer " + issue_dev_token(settings, sub=sub or "bench", roles=list(roles), **scopes)}

    out: dict = {}
    async with httpx.AsyncClient(base_url=base, timeout=300) as c:
        flow = NoticeFlow(c, token, "changning")
        await flow.start(label=f"bench-{uuid.uuid4().hex[:6]}")
        rid = flow.round["id"]
        t = time.perf_counter()
        sem = asyncio.Semaphore(8)
        first = 10_000 + int(time.time()) % 10_000 * 100  # fresh credit codes whatever ran before

        async def one(i: int) -> str:
            async with sem:
                app = await flow.apply(
                    rid, "model", name=f"基准测试质量有限公司{i}", credit_code=credit_code(first + i)
                )
                await complete_application(c, flow.headers["office"], app["id"])
                return app["id"]

        ids = await asyncio.gather(*[one(i) for i in range(count)])
        out["applications_made_s"] = round(time.perf_counter() - t, 1)
        log(f"  {count} applications made and completed through the API in {out['applications_made_s']} s")

        async def act(event: str, role: str, data: dict, chunk: list[str]) -> float:
            await flow.review_pieces(chunk, event)
            t = time.perf_counter()
            r = await c.post(
                f"/api/v1/rounds/{rid}/actions",
                json={"event": event, "applications": chunk, "data": data},
                headers=flow.headers[role],
            )
            took = time.perf_counter() - t
            if r.status_code != 200:
                raise RuntimeError(f"{event}: {r.status_code} {r.text[:500]}")
            return round(took, 3)

        for event, role, data in (
            ("submit", "applicant", {}),
            ("recommend", "recommender", {"opinion": "同意推荐"}),
            ("pass_qualification", "office", {}),
        ):
            times = [await act(event, role, data, ids[k : k + action]) for k in range(0, len(ids), action)]
            out[f"round_action_{event}_s"] = times
            log(f"  round action {event} on {action} applications: {times} s")
        await flow.at("2026-09-29T10:00:00+08:00")
        t = time.perf_counter()
        r = await c.post(
            f"/api/v1/rounds/{rid}/notices",
            json={"point": "qualification", "applications": ids},
            headers=flow.headers["office"],
        )
        out["notice_s"] = round(time.perf_counter() - t, 3)
        out["notice_entries"] = len(ids)
        if r.status_code != 201:
            raise RuntimeError(f"notice: {r.status_code} {r.text[:500]}")
        log(f"  a notice of {len(ids)} entries published in {out['notice_s']} s")
        await c.delete("/api/v1/testing/clock", headers=flow.headers["admin"])

        admin = token("admin", sub="bench-admin")
        t = time.perf_counter()
        r = await c.get(f"/api/v1/rounds/{export_round}/export", params={"format": "xlsx"}, headers=admin)
        out["export_s"] = round(time.perf_counter() - t, 3)
        out["export_bytes"] = len(r.content)
        out["export_programme"] = export_programme
        if r.status_code != 200:
            raise RuntimeError(f"export: {r.status_code} {r.text[:500]}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="the 1/100 data set, short loads, 100 bulk applications")
    ap.add_argument("--data-dir", type=Path)
    ap.add_argument("--seconds", type=float, help="per list request kind (default 5; --quick 1)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument(
        "--bulk", type=int, help="applications of the bulk round (default 1000; --quick 100; 0: lists only)"
    )
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    quick = args.quick
    data_dir = (args.data_dir or ROOT / (".qaward-seed-quick" if quick else ".qaward-seed")).resolve()
    seconds = args.seconds or (1.0 if quick else 5.0)
    count = args.bulk if args.bulk is not None else (100 if quick else 1000)
    action = max(1, min(500, count))
    out_file = args.out or ROOT / "bench" / "results" / ("scale-quick.json" if quick else "scale-latest.json")
    t0 = time.perf_counter()
    res: dict = {
        "mode": "quick" if quick else "full",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "shared": True},
        "goals": GOALS,
    }
    pg, full_url, small_url, record = ensure_seeded(data_dir, quick)
    res["seed"] = record
    os.environ["QAWARD_PROGRAMME_DIRS"] = record["programme_dirs"]
    programme = f"{sorted(seeder.DEFINITIONS_DIR.glob('*.yaml'))[0].stem}_01"
    app_data = data_dir / "app"
    settings = Settings(environment="test", database_url=full_url, data_dir=app_data, run_worker=False)
    office = {
        "Authorization": "Bearer " + issue_dev_token(settings, sub="clerk", roles=["office"], programme=programme)
    }
    admin = {"Authorization": "Bearer " + issue_dev_token(settings, sub="admin", roles=["admin"])}
    servers: dict[str, Server] = {}
    try:
        for name, url in (("small", small_url), ("full", full_url)):
            servers[name] = Server.app(url, app_data, 1, data_dir / f"uvicorn-{name}.log")
        log(f"lists ({args.clients} clients, {seconds} s a kind and set, the sets in turn)")
        reqs = {
            name: list_requests(url, programme, office, admin)
            for name, url in (("small", small_url), ("full", full_url))
        }
        res["lists_small"], res["lists_full"] = asyncio.run(
            list_load({k: s.base for k, s in servers.items()}, reqs, args.clients, seconds)
        )
        for name, server in servers.items():
            res[f"worker_rss_mb_{name}"] = rss_mb(server.proc)
        servers.pop("small").stop()
        if count:
            log("bulk work on the full set")
            res["rss_before_export_mb"] = rss_mb(servers["full"].proc)
            res["bulk"] = asyncio.run(
                bulk(servers["full"].base, settings, count, action, record["big_round"], record["big_round_programme"])
            )
            res["rss_after_export_mb"] = rss_mb(servers["full"].proc)
    finally:
        for server in servers.values():
            server.stop()
        pg.cleanup()
    res["summary"] = summarise(res, action)
    res["total_seconds"] = round(time.perf_counter() - t0, 1)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(res["summary"], indent=2, ensure_ascii=False))
    log(f"written {out_file} ({res['total_seconds']} s)")
    return 0


def summarise(res: dict, action: int) -> dict:
    full, small = res["lists_full"], res["lists_small"]
    kinds = [k for k in full if k != "health_floor"]
    ratios = {k: round(full[k]["rate"] / small[k]["rate"], 2) if small[k]["rate"] else None for k in kinds}
    worst_p99 = max(full[k]["p99_ms"] for k in kinds)
    b = res.get("bulk")
    if b is None:  # lists only
        return {"list_worst_p99_ms": worst_p99, "list_rate_full_over_small": ratios, "met": {}}
    action_worst = max(max(b[f"round_action_{e}_s"]) for e in ("submit", "recommend", "pass_qualification"))
    met = {
        "list_p99": worst_p99 <= GOALS["list_p99_ms"],
        "size_ratio": min(r for r in ratios.values() if r is not None) >= GOALS["size_ratio"],
        "notice_1000": b["notice_entries"] >= 1000 and b["notice_s"] <= GOALS["notice_1000_s"],
        "round_action_500": action >= 500 and action_worst <= GOALS["round_action_500_s"],
        "export_10000": res["seed"]["size"]["applications"] >= 1_000_000 and b["export_s"] <= GOALS["export_10000_s"],
        "worker_rss": res["worker_rss_mb_full"] <= GOALS["worker_rss_mb"],
    }
    return {
        "list_worst_p99_ms": worst_p99,
        "list_rate_full_over_small": ratios,
        "health_floor_rate_full_run": full["health_floor"]["rate"],
        "round_action_worst_s": action_worst,
        "round_action_size": action,
        "notice_s": b["notice_s"],
        "notice_entries": b["notice_entries"],
        "export_s": b["export_s"],
        "rss_before_after_export_mb": [res["rss_before_export_mb"], res["rss_after_export_mb"]],
        "worker_rss_mb_full": res["worker_rss_mb_full"],
        "met": met,
    }


if __name__ == "__main__":
    raise SystemExit(main())
