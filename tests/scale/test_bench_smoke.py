"""``bench/seed.py --quick`` and ``bench/scale.py --quick`` run end to end from a fresh folder (issue 21, Acceptance).

Nothing about speed is asserted (the machine is shared, the sets are small): that they run, that
the seeded history verifies with ``qaward audit verify``, that the credit codes are valid, and
that the results file holds every goal's figure. About a minute; ``QAWARD_SKIP_BENCH_SMOKE=1``
skips it locally (CI runs it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.no_database,
    pytest.mark.skipif(bool(os.environ.get("QAWARD_SKIP_BENCH_SMOKE")), reason="QAWARD_SKIP_BENCH_SMOKE is set"),
]


def run(*args: str, env: dict | None = None, timeout: int = 300) -> str:
    done = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def test_seed_and_scale_run_end_to_end_on_the_quick_set(tmp_path):
    data = tmp_path / "seed"
    run("bench/seed.py", "--quick", "--data-dir", str(data))
    record = json.loads((data / "seed.json").read_text(encoding="utf-8"))
    assert record["counts"]["applications"] == 10_000
    assert record["counts"]["application_events"] >= 90_000
    assert record["counts"]["application_materials"] == 20_000
    assert record["counts"]["objections"] >= 1_900
    assert len(list(Path(record["programme_dirs"]).glob("*.yaml"))) == record["programmes"] == 10

    # the chains verify as the service verifies them (the replica helper's audit verify runs on the full set)
    out = subprocess.run(
        [str(Path(sys.executable).parent / "qaward"), "audit", "verify"],
        cwd=tmp_path,
        env={**os.environ, "QAWARD_DATA_DIR": str(data), "QAWARD_PROGRAMME_DIRS": record["programme_dirs"]},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "10000 application histories verified" in out.stdout + out.stderr

    results = tmp_path / "scale.json"
    run("bench/scale.py", "--quick", "--data-dir", str(data), "--seconds", "0.2", "--bulk", "10", "--out", str(results))
    res = json.loads(results.read_text(encoding="utf-8"))
    summary = res["summary"]
    assert set(summary["met"]) == {
        "list_p99",
        "size_ratio",
        "notice_1000",
        "round_action_500",
        "export_10000",
        "worker_rss",
    }
    assert set(summary["list_rate_full_over_small"]) >= {"by_programme", "name_search", "deep_page_by_cursor"}
    for kind, figures in res["lists_full"].items():
        assert figures["errors"] == 0, (kind, figures)
        assert figures["requests"] > 0
    assert res["bulk"]["notice_entries"] == 10 and res["bulk"]["export_bytes"] > 0
    assert summary["worker_rss_mb_full"] > 0
