"""``qaward backup`` / ``qaward restore``: one archive of the database and the stored files, with checksums."""

from __future__ import annotations

import asyncio
import json
import tarfile
import time
import uuid

import psycopg2
import pytest

from app.config import Settings
from app.db.session import Database
from app.ops import backup
from app.workflow.commands import audit_verify
from tests.conftest import _with_database
from tests.workflow.flow import Flow
from tests.workflow.test_concurrency import credit_code

WRITERS = 8


def _new_database(server_uri: str) -> str:
    name = f"qaward_restore_{uuid.uuid4().hex[:8]}"
    conn = psycopg2.connect(server_uri)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return _with_database(server_uri, name)


async def _write(flow: Flow, round_id: str, writer: int, n: int, acks: list) -> None:
    """One application, then one refused event on it (recorded in its history): two acknowledged writes."""
    app = await flow.apply(round_id, "model", name=f"企业{writer}-{n}", credit_code=credit_code(writer * 1000 + n))
    acks.append((time.monotonic(), app["id"], 1))
    got = await flow.get(app["id"])
    r = await flow.client.post(
        f"/api/v1/applications/{app['id']}/events",
        json={"event": "select", "data": {}},
        headers={**flow.headers["office"], "If-Match": got.headers["etag"]},
    )
    assert r.status_code == 409, r.text  # refused, and the refusal is recorded (history)
    acks.append((time.monotonic(), app["id"], 2))


def _history(url: str) -> dict[str, int]:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT application_id::text, count(*) FROM application_events GROUP BY 1")
            return dict(cur.fetchall())
    finally:
        conn.close()


async def test_a_backup_taken_while_8_clients_write_restores_every_acknowledged_write_and_verifies(
    client, token, settings, server_uri, tmp_path
):
    flow = Flow(client, token, "changning")
    rnd = await flow.september_round()
    # a stored file too: the archive carries the data folder's files with the dump
    stored = settings.data_dir / "ops-test" / "evidence.bin"
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(b"\x00stored file\xff" * 1000)

    acks: list = []
    stop, warmed_up = asyncio.Event(), asyncio.Event()

    async def writer(i: int) -> None:
        n = 0
        while not stop.is_set() or n < 2:
            await _write(flow, rnd["id"], i, n, acks)
            n += 1
            if len(acks) >= WRITERS * 2:
                warmed_up.set()

    writers = [asyncio.create_task(writer(i)) for i in range(WRITERS)]
    await warmed_up.wait()  # the clients are writing when the backup starts
    archive = tmp_path / "qaward.tar"
    started = time.monotonic()
    report = await backup.take(settings, settings.database_url, archive)
    finished = time.monotonic()
    writes_during = sum(1 for t, *_ in acks if started <= t <= finished)
    stop.set()
    await asyncio.gather(*writers)
    assert report.files >= 1 and archive.exists()

    restored_url = _new_database(server_uri)
    restored = Settings(environment="test", database_url=restored_url, data_dir=tmp_path / "restored", run_worker=False)
    back = await backup.bring_back(restored, restored_url, archive)
    assert back.files == report.files

    # every write acknowledged before the backup began is there (those after it may be, in the snapshot or not)
    before: dict[str, int] = {}
    for t, app_id, entries in acks:
        if t < started:
            before[app_id] = max(before.get(app_id, 0), entries)
    history = _history(restored_url)
    assert len(before) >= WRITERS
    missing = {a: n for a, n in before.items() if history.get(a, 0) < n}
    assert not missing, f"acknowledged before the backup, not restored: {missing}"
    assert writes_during > 0, "no client wrote while the backup ran: the test proves nothing"
    assert (tmp_path / "restored" / "ops-test" / "evidence.bin").read_bytes() == stored.read_bytes()

    db = Database(restored_url, pool_size=1)
    try:
        assert await audit_verify(db) == 0
    finally:
        await db.dispose()


async def test_the_manifest_lists_every_member_with_its_sha256_and_a_damaged_archive_is_refused_before_any_write(
    settings, server_uri, tmp_path
):
    import hashlib
    import io

    archive = tmp_path / "b.tar"
    await backup.take(settings, settings.database_url, archive)
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        for m in manifest["members"]:
            assert hashlib.sha256(tar.extractfile(m["path"]).read()).hexdigest() == m["sha256"]
        names = tar.getnames()
    assert names[0] == "database.dump" and names[-1] == "manifest.json"
    assert manifest["migration"] and manifest["format"] == "qaward-backup"

    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w") as out:
        for member in src.getmembers():
            body = src.extractfile(member).read()
            if member.name == "database.dump":
                body = body[:-1] + bytes([body[-1] ^ 1])
            out.addfile(member, io.BytesIO(body))
    with pytest.raises(backup.BackupError, match="checksum mismatch"):
        backup.read_manifest(damaged)
    url = _new_database(server_uri)
    target = Settings(environment="test", database_url=url, data_dir=tmp_path / "never", run_worker=False)
    with pytest.raises(backup.BackupError, match="checksum mismatch"):
        await backup.bring_back(target, url, damaged)
    assert not (tmp_path / "never").exists()


async def test_a_restore_into_a_database_that_is_not_empty_is_refused(settings, tmp_path):
    archive = tmp_path / "b.tar"
    await backup.take(settings, settings.database_url, archive)
    with pytest.raises(backup.BackupError, match="not empty"):
        await backup.bring_back(settings, settings.database_url, archive)


def _qaward(env_changes: dict, *args: str):
    import os
    import subprocess
    import sys

    env = {**os.environ, "QAWARD_ENVIRONMENT": "test", **env_changes}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )


async def test_the_commands_back_up_restore_into_a_new_data_folder_and_the_restored_service_verifies(
    client, token, settings, server_uri, tmp_path
):
    flow = Flow(client, token, "changning")
    rnd = await flow.september_round()
    acks: list = []
    for n in range(3):
        await _write(flow, rnd["id"], 9, n, acks)
    archive = tmp_path / "cli.tar"
    source = {"QAWARD_DATABASE_URL": settings.database_url, "QAWARD_DATA_DIR": str(settings.data_dir)}
    made = await asyncio.to_thread(_qaward, source, "backup", str(archive))
    assert made.returncode == 0, made.stderr
    assert "wrote" in made.stdout and "dumping the database" in made.stderr  # phases, no tty here

    target = {"QAWARD_DATABASE_URL": _new_database(server_uri), "QAWARD_DATA_DIR": str(tmp_path / "new")}
    back = await asyncio.to_thread(_qaward, target, "restore", str(archive))
    assert back.returncode == 0, back.stderr
    verified = await asyncio.to_thread(_qaward, target, "audit", "verify")
    assert verified.returncode == 0 and "ok: 3 application histories verified (6 entries)" in verified.stdout, (
        verified.stdout + verified.stderr
    )
    again = await asyncio.to_thread(_qaward, target, "restore", str(archive))
    assert again.returncode == 1 and "not empty" in again.stderr


def test_progress_is_one_line_rewritten_in_place_on_a_terminal(monkeypatch):
    import io

    from app.ops.commands import _progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = Terminal()
    monkeypatch.setattr("sys.stderr", err)
    show = _progress()
    for i in range(1, 4):
        show("archiving", i, 3)
    out = err.getvalue()
    assert out.count("\r") == 3 and "archiving 3/3 (100%)" in out and out.endswith("\n")
