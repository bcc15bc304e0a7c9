"""The round export alone (issue 21: "an .xlsx export of 10,000 applications ≤ 10 s with bounded memory").

    python bench/export.py [--data-dir DIR] [--scale F] [--round-size N] [--repeat R] [--out FILE]

The data: ``bench/seed.py``'s set at ``--scale`` (default 0.1: 100,000 applications, 1,000,000
history entries, 100 programmes) under ``DIR`` (default ``.qaward-seed-export``), seeded first if
missing, its big round made ``--round-size`` applications (default 10,000, the full set's) by the
big round's weight. One uvicorn worker serves it (as ``bench/scale.py`` does); the bench reads the
worker's RSS at rest (after a list request), then exports the big round ``--repeat`` times as
``.xlsx`` (time, size, RSS after each), then once as CSV, and once asks for its statistics.
Writes ``bench/results/export-latest.json``. Shares the machine with whatever else runs: say so
beside the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import seed as seeder  # noqa: E402
from scale import log, rss_mb  # noqa: E402
from workflow import Server  # noqa: E402

from app.config import Settings  # noqa: E402
from app.identity import issue_dev_token  # noqa: E402


def ensure_seeded(data_dir: Path, scale: float, round_size: int) -> dict:
    if (data_dir / "seed.json").exists():
        return json.loads((data_dir / "seed.json").read_text(encoding="utf-8"))
    size = seeder.sizes(False, scale)
    rounds = size["programmes"] * len(seeder.YEARS)
    # the big round's weight against the others' 1 each: round_size of the applications
    seeder.BIG_ROUND_WEIGHT = max(1, round(round_size * (rounds - 1) / (size["applications"] - round_size)))
    log(f"seeding {data_dir}: {size}, big round weight {seeder.BIG_ROUND_WEIGHT}")
    seeder.main(["--scale", str(scale), "--data-dir", str(data_dir)])
    return json.loads((data_dir / "seed.json").read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, default=ROOT / ".qaward-seed-export")
    ap.add_argument("--scale", type=float, default=0.1, help="fraction of the full data set (default 0.1)")
    ap.add_argument("--round-size", type=int, default=10_000, help="applications of the exported round")
    ap.add_argument("--repeat", type=int, default=3, help="xlsx exports in a row (default 3)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "export-latest.json")
    args = ap.parse_args(argv)
    data_dir = args.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    record = ensure_seeded(data_dir, args.scale, args.round_size)
    os.environ["QAWARD_PROGRAMME_DIRS"] = record["programme_dirs"]
    pg = seeder.start_embedded(data_dir)
    url = pg.get_uri()
    app_data = data_dir / "app"
    settings = Settings(environment="test", database_url=url, data_dir=app_data, run_worker=False)
    admin = {"Authorization": "Bearer " + issue_dev_token(settings, sub="bench-admin", roles=["admin"])}
    round_id = record["big_round"]
    res: dict = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "shared": True},
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip(),
        "seed": {"size": record["size"], "counts": record["counts"]},
        "round": round_id,
        "xlsx": [],
    }
    server = Server.app(url, app_data, 1, data_dir / "uvicorn-export.log")
    try:
        with httpx.Client(base_url=server.base, timeout=600, headers=admin) as c:
            c.get("/api/v1/applications", params={"round_id": round_id, "size": 100}).raise_for_status()
            res["rss_at_rest_mb"] = rss_mb(server.proc)
            log(f"worker RSS at rest {res['rss_at_rest_mb']} MB; exporting round {round_id}")
            for _ in range(args.repeat):
                t = time.perf_counter()
                r = c.get(f"/api/v1/rounds/{round_id}/export", params={"format": "xlsx"})
                took = round(time.perf_counter() - t, 3)
                r.raise_for_status()
                one = {"seconds": took, "bytes": len(r.content), "rss_after_mb": rss_mb(server.proc)}
                res["xlsx"].append(one)
                log(f"  xlsx: {one}")
            t = time.perf_counter()
            r = c.get(f"/api/v1/rounds/{round_id}/export", params={"format": "csv"})
            r.raise_for_status()
            res["csv"] = {
                "seconds": round(time.perf_counter() - t, 3),
                "bytes": len(r.content),
                "rows": r.content.count(b"\r\n") - 1,
                "rss_after_mb": rss_mb(server.proc),
            }
            log(f"  csv: {res['csv']}")
            t = time.perf_counter()
            r = c.get("/api/v1/statistics", params={"round_id": round_id})
            r.raise_for_status()
            res["statistics"] = {"seconds": round(time.perf_counter() - t, 3), "total": r.json()["total"]}
            log(f"  statistics: {res['statistics']}")
    finally:
        server.stop()
        pg.cleanup()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"written {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
