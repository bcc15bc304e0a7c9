"""``qaward audit verify`` at scale: N history entries with valid hash chains, then the real command,
timed, with the peak memory of its whole process tree.

    .venv/bin/python bench/audit_verify.py --entries 1000000 [--per-app 10] [--workers 2] [--url URL]
    .venv/bin/python bench/audit_verify.py --existing URL [--workers 2]

``--existing``: no entries made, the command run on a database already holding them (the seeded set of
``bench/seed.py``: its embedded server's URL is in ``DIR/seed.json``).

Without ``--url`` a throw-away embedded PostgreSQL (pgserver) is started in a temporary folder.
The chains are made by the application's own ``history.next_entry`` (so they verify), in parallel
processes, and loaded with COPY (foreign-key triggers off for the load: the rows are consistent by
construction). The result is printed and written to ``bench/results/audit_verify_<entries>.json``.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import psycopg2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.db.repositories.workflow import HISTORY_COLUMNS  # noqa: E402
from app.domain import history  # noqa: E402

APPS_PER_CHUNK = 5000
EVENTS = [
    ("submit", "draft", "submitted"),
    ("accept", "submitted", "formal_review"),
    ("pass_formal", "formal_review", "material_review"),
    ("shortlist", "material_review", "onsite_review"),
    ("complete_onsite", "onsite_review", "defence"),
    ("complete_defence", "defence", "comprehensive_evaluation"),
    ("complete_evaluation", "comprehensive_evaluation", "committee_review"),
    ("select", "committee_review", "committee_review"),
    ("publish_notice", "committee_review", "notice"),
    ("close_notice", "notice", "awarded"),
]


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


APP_COLUMNS = (
    "id",
    "round_id",
    "programme",
    "programme_version",
    "category",
    "applicant_kind",
    "applicant_name",
    "state",
    "outcome",
    "version",
    "history_seq",
    "history_head",
    "created_by",
)


def _chunk(args: tuple[str, list[str], int, int, int]) -> int:
    """Make ``count`` applications of ``per_app`` entries each, and COPY them in."""
    dsn, round_ids, first, count, per_app = args
    apps, events = io.StringIO(), io.StringIO()
    start = datetime(2017, 3, 1, 9, 0, tzinfo=UTC)
    for n in range(first, first + count):
        app_id = uuid.uuid4()
        head, at = "", start + timedelta(minutes=n)
        for seq in range(1, per_app + 1):
            event, from_state, to_state = EVENTS[(seq - 1) % len(EVENTS)]
            data = {"comment": f"第{seq}项材料齐全，同意进入下一环节", "score": 80 + (n + seq) % 20 + 0.5, "items": seq}
            actor = history.Actor(sub=f"clerk-{n % 97}", role="office", request_id=uuid.uuid4().hex)
            values = history.next_entry(
                app_id, seq, head, actor, event, from_state, to_state, True, None, data, None, at + timedelta(days=seq)
            )
            head = values["hash"]
            events.write("\t".join(_copy_text(values[c]) for c in HISTORY_COLUMNS) + "\n")
        row = {
            "id": app_id,
            "round_id": round_ids[n % len(round_ids)],
            "programme": "changning",
            "programme_version": "2024",
            "category": "organisation",
            "applicant_kind": "organisation",
            "applicant_name": f"上海某某质量管理有限公司{n}",
            "state": "awarded",
            "outcome": {},
            "version": 1,
            "history_seq": per_app,
            "history_head": head,
            "created_by": "bench",
        }
        apps.write("\t".join(_copy_text(row[c]) for c in APP_COLUMNS) + "\n")
    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            # the rows are consistent by construction: no foreign-key trigger per row during the load
            cur.execute("SET session_replication_role = replica")
            apps.seek(0)
            cur.copy_expert(f"COPY applications ({', '.join(APP_COLUMNS)}) FROM STDIN", apps)
            events.seek(0)
            cur.copy_expert(f"COPY application_events ({', '.join(HISTORY_COLUMNS)}) FROM STDIN", events)
        conn.commit()
    finally:
        conn.close()
    return count * per_app


def generate(dsn: str, entries: int, per_app: int, workers: int) -> float:
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    with conn.cursor() as cur:
        round_ids = []
        for year in range(2017, 2027):
            rid = str(uuid.uuid4())
            cur.execute(
                "INSERT INTO rounds (id, programme, programme_version, label, state, call_title, call_published_on,"
                " opens_at, closes_at, overrides, override_log, version, created_by)"
                " VALUES (%s, 'changning', '2024', %s, 'closed', %s, %s, %s, %s, '{}', '[]', 1, 'bench')",
                (rid, f"bench-{year}", f"{year}年度申报通知", f"{year}-03-01", f"{year}-03-01", f"{year}-04-01"),
            )
            round_ids.append(rid)
    conn.close()
    apps = entries // per_app
    jobs = [
        (dsn, round_ids, first, min(APPS_PER_CHUNK, apps - first), per_app) for first in range(0, apps, APPS_PER_CHUNK)
    ]
    started = time.monotonic()
    done = 0
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        for n in pool.imap_unordered(_chunk, jobs):
            done += n
            print(f"generated {done:,} of {apps * per_app:,} entries", file=sys.stderr, end="\r")
    print(file=sys.stderr)
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE applications")
        cur.execute("VACUUM ANALYZE application_events")
    conn.close()
    return time.monotonic() - started


def measure(url: str, data_dir: Path, workers: int) -> dict:
    """Run ``qaward audit verify`` and sample its process tree's memory every 100 ms."""
    env = {
        **os.environ,
        "QAWARD_DATABASE_URL": url,
        "QAWARD_DATA_DIR": str(data_dir),
        "QAWARD_ENVIRONMENT": "development",
    }
    cmd = [sys.executable, "-m", "app.cli", "audit", "verify", "--workers", str(workers)]
    database = url.rsplit("/", 1)[1].split("?")[0]
    backends: dict[int, float] = {}  # the PostgreSQL backends serving the verify: their CPU seconds
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    top = psutil.Process(proc.pid)
    peak_total = peak_one = 0
    while proc.poll() is None:
        try:
            tree = [top, *top.children(recursive=True)]
            rss = [p.memory_info().rss for p in tree if p.is_running()]
        except psutil.Error:
            rss = []
        if rss:
            peak_total, peak_one = max(peak_total, sum(rss)), max(peak_one, max(rss))
        for p in psutil.process_iter(["name", "cmdline"]):
            try:
                if p.info["name"] == "postgres" and database in " ".join(p.info["cmdline"] or []):
                    t = p.cpu_times()
                    backends[p.pid] = t.user + t.system
            except psutil.Error:
                pass
        time.sleep(0.1)
    out, err = proc.communicate()
    elapsed = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    verifier_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    database_cpu = sum(backends.values())
    return {
        "exit_code": proc.returncode,
        "seconds": round(elapsed, 1),
        # CPU seconds, whatever else the machine was running: what the run costs on an idle machine
        "cpu_seconds_verifier_processes": round(verifier_cpu, 1),
        "cpu_seconds_database_backends": round(database_cpu, 1),
        "peak_rss_mb_all_processes": round(peak_total / 2**20, 1),
        "peak_rss_mb_largest_process": round(peak_one / 2**20, 1),
        "stdout_last_line": out.strip().splitlines()[-1] if out.strip() else "",
        "progress_lines": [line for line in err.splitlines() if line.startswith("audit verify:")][-3:],
        "stderr_tail": err[-500:] if proc.returncode else "",
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--per-app", type=int, default=10)
    ap.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--url", help="a PostgreSQL to create the bench database in (default: embedded, throw-away)")
    ap.add_argument("--existing", help="verify this database as it is (e.g. the seeded set), nothing made")
    args = ap.parse_args()
    if args.existing:
        return _report(existing(args.existing, args.workers))

    from app.db.runtime import migrate

    tmp = Path(tempfile.mkdtemp(prefix="qaward-bench-audit-"))
    srv = None
    if args.url:
        server = args.url
    else:
        import pgserver

        srv = pgserver.get_server(tmp / "pg", cleanup_mode="delete")
        server = srv.get_uri()
    try:
        name = f"qaward_audit_{uuid.uuid4().hex[:6]}"
        conn = psycopg2.connect(server)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        conn.close()
        from urllib.parse import urlsplit, urlunsplit

        url = urlunsplit(urlsplit(server)._replace(path="/" + name))
        migrate(url)
        load = generate(url, args.entries, args.per_app, args.workers)
        conn = psycopg2.connect(url)
        with conn.cursor() as cur:
            cur.execute("SELECT pg_size_pretty(pg_total_relation_size('application_events'))")
            size = cur.fetchone()[0]
        conn.close()
        result = {
            "entries": args.entries,
            "applications": args.entries // args.per_app,
            "workers": args.workers,
            "cpus": os.cpu_count(),
            "load_average_before": os.getloadavg(),
            "generate_and_copy_seconds": round(load, 1),
            "history_table_size": size,
            **measure(url, tmp / "data", args.workers),
            "load_average_after": os.getloadavg(),
        }
        rate = result["entries"] / result["seconds"]
        result["entries_per_second"] = round(rate)
        result["extrapolated_seconds_for_10M"] = round(10_000_000 / rate)
        # on two idle cores: all the CPU the run needed, shared by both cores, scaled to 10M entries
        cpu = result["cpu_seconds_verifier_processes"] + result["cpu_seconds_database_backends"]
        cores = min(args.workers, os.cpu_count() or 1)
        result["cpu_microseconds_per_entry"] = round(1e6 * cpu / result["entries"], 1)
        result["extrapolated_seconds_for_10M_on_idle_cores"] = round(cpu / cores * 10_000_000 / result["entries"])
    finally:
        if srv is not None:
            srv.cleanup()
    return _report(result)


def existing(url: str, workers: int) -> dict:
    """The real command over a database as it is: its entries counted, then verified."""
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        cur.execute("SELECT count(*), count(DISTINCT application_id) FROM application_events")
        entries, apps = cur.fetchone()
        cur.execute("SELECT pg_size_pretty(pg_total_relation_size('application_events'))")
        size = cur.fetchone()[0]
    conn.close()
    result = {
        "entries": entries,
        "applications": apps,
        "workers": workers,
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg(),
        "history_table_size": size,
        **measure(url, Path(tempfile.mkdtemp(prefix="qaward-bench-audit-")) / "data", workers),
        "load_average_after": os.getloadavg(),
    }
    result["entries_per_second"] = round(entries / result["seconds"])
    cpu = result["cpu_seconds_verifier_processes"] + result["cpu_seconds_database_backends"]
    result["cpu_microseconds_per_entry"] = round(1e6 * cpu / entries, 1)
    return result


def _report(result: dict) -> int:
    print(json.dumps(result, indent=2, ensure_ascii=False))
    out = ROOT / "bench" / "results" / f"audit_verify_{result['entries']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0 if result["exit_code"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
