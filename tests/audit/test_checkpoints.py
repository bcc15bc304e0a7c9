"""Signed checkpoints (审计锚点): a rewrite made after one, even with every later hash recomputed so
that the chain verifies alone, is found by ``qaward audit verify --since-checkpoint FILE``."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import rfc8785
from cryptography.hazmat.primitives import serialization

from app.domain import checkpoints
from app.workflow.commands import audit_checkpoint, audit_verify
from app.workflow.deadlines import DeadlineWorker, make_daily_checkpoint
from tests.audit.driver import draft_application, rewrite_consistently, send_raw, superuser

ROOT = Path(__file__).resolve().parents[2]
REFUSED = '{"event":"no-such-event","data":{"k":%d}}'


async def _history(client, token, label: str, attempts: int = 2):
    flow, a = await draft_application(client, token, label)
    for k in range(attempts):
        assert (await send_raw(client, flow, a, REFUSED % k)).status_code == 409
    return flow, a


async def _checkpoint(app, settings, tmp_path, capsys) -> Path:
    out = tmp_path / "checkpoint.json"
    assert await audit_checkpoint(app.state.db, settings, str(out)) == 0
    capsys.readouterr()
    return out


async def test_a_consistent_rewrite_after_the_checkpoint_is_detected(
    client, token, app, settings, sync_db, tmp_path, capsys
):
    _, a = await _history(client, token, "cp-rewrite")
    flow_b, b = await _history(client, token, "cp-other")
    cp = await _checkpoint(app, settings, tmp_path, capsys)
    assert (await send_raw(client, flow_b, b, REFUSED % 9)).status_code == 409  # the record goes on
    rewrite_consistently(sync_db, a, 2, "另一个理由")
    # the rewrite is consistent: the chain verifies alone
    assert await audit_verify(app.state.db) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert await audit_verify(app.state.db, str(cp), settings) == 1
    err = capsys.readouterr().err
    assert f"BROKEN application {a} entry seq=3" in err and "rewritten after it" in err
    assert b not in err and "1 breaks in 1 of 2 application histories" in err


async def test_the_record_going_on_after_the_checkpoint_verifies_against_it(
    client, token, app, settings, tmp_path, capsys
):
    flow, a = await _history(client, token, "cp-on")
    cp = await _checkpoint(app, settings, tmp_path, capsys)
    assert (await send_raw(client, flow, a, REFUSED % 7)).status_code == 409
    await draft_application(client, token, "cp-new")  # a chain the checkpoint does not know
    assert await audit_verify(app.state.db, str(cp), settings) == 0
    assert (
        "ok: 2 application histories verified (5 entries, each holding what the checkpoint of"
        in capsys.readouterr().out
    )


async def test_a_chain_the_checkpoint_anchored_that_is_gone_or_shortened_is_detected(
    client, token, app, settings, sync_db, tmp_path, capsys
):
    _, a = await _history(client, token, "cp-gone")
    _, b = await _history(client, token, "cp-short")
    cp = await _checkpoint(app, settings, tmp_path, capsys)
    superuser(
        sync_db,
        ("DELETE FROM application_events WHERE application_id = %s", (a,)),
        ("DELETE FROM deadlines WHERE application_id = %s", (a,)),
        ("DELETE FROM applications WHERE id = %s", (a,)),
        ("DELETE FROM application_events WHERE application_id = %s AND seq = 3", (b,)),
        (
            "UPDATE applications SET history_seq = 2, history_head = (SELECT hash FROM application_events WHERE application_id = %s AND seq = 2) WHERE id = %s",
            (b, b),
        ),
    )
    assert await audit_verify(app.state.db) == 0
    capsys.readouterr()
    assert await audit_verify(app.state.db, str(cp), settings) == 1
    err = capsys.readouterr().err
    assert f"application {a} entry seq=3" in err and "anchored at entry 3 is gone" in err
    assert f"application {b} entry seq=3" in err and "is gone" in err


@pytest.mark.parametrize("forgery", ["root", "heads", "signature", "made_at", "key", "garbage"])
async def test_a_forged_or_foreign_checkpoint_is_refused(client, token, app, settings, tmp_path, capsys, forgery):
    await _history(client, token, f"cp-forged-{forgery}")
    path = await _checkpoint(app, settings, tmp_path, capsys)
    doc = json.loads(path.read_text())
    if forgery == "root":
        doc["root"] = "0" * 64
    elif forgery == "heads":
        doc["heads"][0][2] = "0" * 64  # anchor a forged head
    elif forgery == "signature":
        doc["signature"] = doc["signature"][:-4] + "AAA="
    elif forgery == "made_at":
        doc["made_at"] = "2020-01-01T00:00:00.000000Z"
    elif forgery == "key":
        other = checkpoints.Ed25519PrivateKey.generate()
        doc["key_id"] = checkpoints.key_id(other.public_key())
        doc["signature"] = checkpoints.base64.b64encode(other.sign(checkpoints._signed_bytes(doc))).decode()
    path.write_text("{not json" if forgery == "garbage" else json.dumps(doc))
    assert await audit_verify(app.state.db, str(path), settings) == 1
    assert f"BROKEN checkpoint {path}" in capsys.readouterr().err


async def test_the_worker_makes_one_checkpoint_a_shanghai_day(client, token, app, settings, sync_db):
    flow, _ = await _history(client, token, "cp-daily", attempts=0)
    await flow.at("2026-09-01T23:30:00+08:00")
    await asyncio.gather(*(make_daily_checkpoint(app.state.db, settings) for _ in range(4)))
    await make_daily_checkpoint(app.state.db, settings)
    await flow.at("2026-09-02T00:10:00+08:00")  # 16:10 UTC on the 1st: already the 2nd in Shanghai
    await make_daily_checkpoint(app.state.db, settings)
    with sync_db.cursor() as cur:
        cur.execute("SELECT day::text, made_by, chains, entries FROM audit_checkpoints ORDER BY id")
        assert cur.fetchall() == [("2026-09-01", "worker", 1, 1), ("2026-09-02", "worker", 1, 1)]


def test_the_cli_exports_a_checkpoint_that_verifies(settings, tmp_path):
    env = {
        **os.environ,
        "QAWARD_ENVIRONMENT": "test",
        "QAWARD_DATABASE_URL": settings.database_url,
        "QAWARD_DATA_DIR": str(settings.data_dir),
        "QAWARD_LOG_LEVEL": "WARNING",
    }

    def cli(*args):
        return subprocess.run(
            [sys.executable, "-m", "app.cli", "audit", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    made = cli("checkpoint", "--out", str(tmp_path / "cp.json"))
    assert made.returncode == 0 and "wrote" in made.stdout, made.stderr
    exported = cli("checkpoint", "--stored", "latest")
    assert exported.returncode == 0 and json.loads(exported.stdout) == json.loads((tmp_path / "cp.json").read_text())
    ok = cli("verify", "--since-checkpoint", str(tmp_path / "cp.json"))
    assert ok.returncode == 0 and ok.stdout.startswith("ok: 0 application histories verified"), ok.stderr
    # an auditor holding only the public key checks the signature over the documented bytes
    pem = cli("public-key")
    public = serialization.load_pem_public_key(pem.stdout.encode())
    doc = json.loads((tmp_path / "cp.json").read_text())
    signed = {k: doc[k] for k in ("format", "day", "made_at", "chains", "entries", "root", "key_id")}
    public.verify(base64.b64decode(doc["signature"]), rfc8785.dumps(signed))
    assert doc["root"] == hashlib.sha256(rfc8785.dumps(doc["heads"])).hexdigest()


async def test_the_running_worker_makes_todays_checkpoint(client, token, app, settings, sync_db):
    await _history(client, token, "cp-worker", attempts=1)
    worker = DeadlineWorker(app.state.db, settings)
    worker.start()
    try:
        for _ in range(100):
            with sync_db.cursor() as cur:
                cur.execute("SELECT day::text, made_by, entries FROM audit_checkpoints")
                rows = cur.fetchall()
            if rows:
                break
            await asyncio.sleep(0.05)
    finally:
        await worker.stop()
    assert rows == [("2026-09-01", "worker", 2)]
