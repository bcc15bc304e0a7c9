"""Tampering with the stored history (办理记录) is found by ``qaward audit verify``, and what the
database hands back (JSONB reorders an object's keys) still verifies."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.db.repositories import workflow as repo
from app.domain.history import verify_chain
from tests.workflow.flow import Flow

ROOT = Path(__file__).resolve().parents[2]

MULTI_KEY = {
    "opinion": "同意推荐",
    "zz_extra_note": "第二项",
    "b": 1,
    "nested": {"zeta": 1, "a": [2, {"yy": 1, "x": 2}]},
}

# a new value for each hashed column of entry 2, as SQL
REWRITES = {
    "application_id": None,  # (application, seq) is unique: moving an entry is proven in test_history_chain.py
    "seq": "seq = 9",
    "occurred_at": "occurred_at = occurred_at + interval '1 second'",
    "actor": "actor = 'mallory'",
    "role": "role = 'admin'",
    "request_id": "request_id = 'forged'",
    "event": "event = 'withdraw'",
    "from_state": "from_state = 'awarded'",
    "to_state": "to_state = 'awarded'",
    "accepted": "accepted = NOT accepted",
    "refusal": "refusal = 'forged'",
    "reason": "reason = 'rewritten'",
    "data_digest": "data_digest = repeat('f', 64)",
    "prev_hash": "prev_hash = repeat('e', 64)",
    "data": 'data = \'{"opinion": "不同意"}\'::jsonb',
}


def _env(settings) -> dict:
    import os

    return {
        **os.environ,
        "QAWARD_ENVIRONMENT": "test",
        "QAWARD_DATABASE_URL": settings.database_url,
        "QAWARD_DATA_DIR": str(settings.data_dir),
        "QAWARD_LOG_LEVEL": "WARNING",
    }


def _audit(settings) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "audit", "verify"],
        cwd=ROOT,
        env=_env(settings),
        capture_output=True,
        text=True,
        timeout=120,
    )


async def _application(client, token, label: str) -> str:
    """An application with three history entries, the second carrying multi-key data."""
    flow = Flow(client, token, "changning")
    rnd = await flow.september_round(label)
    a = (await flow.apply(rnd["id"], "model"))["id"]
    await flow.step(a, "submit", "awaiting_recommendation")
    await flow.step(a, "recommend", "qualification_review", MULTI_KEY)
    return a


def _rewrite(sync_db, sql: str, *params) -> None:
    with sync_db.cursor() as cur:
        cur.execute("ALTER TABLE application_events DISABLE TRIGGER application_events_append_only")
        try:
            cur.execute(sql, params)
        finally:
            cur.execute("ALTER TABLE application_events ENABLE TRIGGER application_events_append_only")


async def _verify(app) -> list:
    breaks = []
    async with app.state.db.transaction() as session:
        async for app_id, seq, head, rows in repo.all_chains(session):
            bad = verify_chain(app_id, seq, head, rows)
            if bad:
                breaks.append(bad)
    return breaks


async def test_multi_key_data_read_back_from_jsonb_verifies(client, token, settings, sync_db):
    """JSONB returns keys shortest first, not as written: the chain still verifies, by the CLI too."""
    a = await _application(client, token, "audit-jsonb")
    with sync_db.cursor() as cur:
        cur.execute("SELECT data::text FROM application_events WHERE application_id = %s AND seq = 3", (a,))
        stored = cur.fetchone()[0]
    assert (
        stored.index('"b"') < stored.index('"opinion"') < stored.index('"zz_extra_note"')
    )  # reordered by the database
    ok = _audit(settings)
    assert ok.returncode == 0 and "ok: 1 application histories verified" in ok.stdout, ok.stderr


@pytest.mark.parametrize("column", sorted(c for c, sql in REWRITES.items() if sql))
async def test_rewriting_any_column_of_a_middle_entry_is_detected_at_its_seq(client, token, app, sync_db, column):
    a = await _application(client, token, f"audit-{column}")
    assert await _verify(app) == []
    _rewrite(sync_db, f"UPDATE application_events SET {REWRITES[column]} WHERE application_id = %s AND seq = 2", a)
    [bad] = await _verify(app)
    assert bad.application_id == a and bad.seq == 2, bad


async def test_deleting_a_middle_entry_is_reported_by_the_cli_at_its_seq(client, token, settings, sync_db):
    a = await _application(client, token, "audit-middle")
    _rewrite(sync_db, "DELETE FROM application_events WHERE application_id = %s AND seq = 2", a)
    bad = _audit(settings)
    assert (
        bad.returncode == 1
        and f"BROKEN application {a} entry seq=2" in bad.stderr
        and "entry 2 is missing (found 3)" in bad.stderr
    )
