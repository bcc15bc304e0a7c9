"""``qaward archive ROUND`` / ``qaward archive verify FILE`` (issue 17): one closed round, checked offline."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid

import pytest

from app.db.session import Database
from app.ops import archive
from tests.retention.world import closed_round


@pytest.fixture
async def db(settings):
    database = Database(settings.database_url, pool_size=2)
    try:
        yield database
    finally:
        await database.dispose()


def _rewrite(src, dst, change) -> None:
    """A copy of the tar ``src`` with ``change(name, body)`` applied to each member's bytes."""
    with tarfile.open(src) as tin, tarfile.open(dst, "w", format=tarfile.USTAR_FORMAT) as tout:
        for member in tin.getmembers():
            body = change(member.name, tin.extractfile(member).read())
            member.size = len(body)
            tout.addfile(member, io.BytesIO(body))


def _flip(body: bytes, at: int | None = None) -> bytes:
    i = len(body) // 2 if at is None else at
    return body[:i] + bytes([body[i] ^ 1]) + body[i + 1 :]


async def test_an_archive_holds_every_record_and_file_verifies_offline_and_a_changed_byte_fails_it(
    client, token, settings, db, tmp_path
):
    w = await closed_round(client, token)
    path, manifest = await archive.make(db, settings, w.round_id, tmp_path / "r.tar")
    assert archive.verify(path)["round"]["id"] == w.round_id
    with tarfile.open(path) as tar:
        names = tar.getnames()
        records = {
            n[len("records/") : -len(".json")]: json.loads(tar.extractfile(n).read())
            for n in names
            if n.startswith("records/")
        }
        stored = {n: tar.extractfile(n).read() for n in names if n.startswith("files/")}
    assert names[-2:] == ["manifest.json", "manifest.sha256"]
    # every record of the round: applications, history, objections, notices, forms, materials, the applicant record
    assert {r["id"] for r in records["applications"]} == {w.a, w.b, w.c}
    for table in ("rounds", "application_events", "objections", "objection_files", "notices", "notice_entries"):
        assert records[table], table
    assert {r["application_id"] for r in records["application_forms"]} == {w.a, w.b, w.c}
    assert len(records["application_materials"]) == 9 and len(records["applicants"]) == 1
    assert "id_number_ciphertext" not in records["applicants"][0]
    assert manifest["omitted_columns"]["applicants"] == ["id_number_ciphertext"]
    # every file, as uploaded, matching the SHA-256 its record holds
    assert len(stored) == 10 and all(f["stored"] for f in manifest["files"])
    sums = {r["id"]: r["sha256"] for r in records["application_materials"] + records["objection_files"]}
    for name, body in stored.items():
        assert hashlib.sha256(body).hexdigest() == sums[name.rsplit("/", 1)[1]]
    assert stored[f"files/objection_files/{records['objection_files'][0]['id']}"].startswith(b"%PDF")
    # the audit chain heads are the applications' own
    heads = {r["id"]: (r["history_seq"], r["history_head"]) for r in records["applications"]}
    assert {a: (h["seq"], h["head"]) for a, h in manifest["chains"].items()} == heads

    # the same round archives to the same bytes
    again, _ = await archive.make(db, settings, f"changning/{w.flow.round['label']}", tmp_path / "again.tar")
    assert again.read_bytes() == path.read_bytes()

    # a changed byte anywhere fails, naming what differs
    cases = {
        "records/applications.json": "records/applications.json: SHA-256 mismatch",
        next(iter(stored)): "SHA-256 mismatch",
        "manifest.json": "manifest.json does not match manifest.sha256",
    }
    for member, message in cases.items():
        bad = tmp_path / f"bad-{uuid.uuid4().hex[:6]}.tar"
        _rewrite(path, bad, lambda name, body, m=member: _flip(body) if name == m else body)
        with pytest.raises(archive.ArchiveError, match=message):
            archive.verify(bad)
    # any byte of the file: a header, a member's data, its padding, the end blocks
    whole = path.read_bytes()
    for at in (100, 700, len(whole) // 3, len(whole) // 2, len(whole) - 1):
        raw = bytearray(whole)
        raw[at] ^= 0x01
        flipped = tmp_path / f"flipped-{at}.tar"
        flipped.write_bytes(bytes(raw))
        with pytest.raises(archive.ArchiveError):
            archive.verify(flipped)


async def test_a_history_rewritten_with_its_checksums_recomputed_fails_the_chain_check(
    client, token, settings, db, tmp_path
):
    """Whoever edits a history entry and recomputes every SHA-256 of the archive still breaks the chain."""
    w = await closed_round(client, token)
    path, _ = await archive.make(db, settings, w.round_id, tmp_path / "r.tar")

    def forge(name: str, body: bytes) -> bytes:
        return (
            body.replace("申报单位主动撤回".encode(), "申报单位被动撤回".encode())
            if name.endswith("events.json")
            else body
        )

    edited = tmp_path / "edited.tar"
    _rewrite(path, edited, forge)
    forged = tmp_path / "forged.tar"
    with tarfile.open(edited) as tin:
        bodies = {m.name: tin.extractfile(m).read() for m in tin.getmembers()}
    manifest = json.loads(bodies["manifest.json"])
    for m in manifest["members"]:
        m["sha256"] = hashlib.sha256(bodies[m["path"]]).hexdigest()
        m["size"] = len(bodies[m["path"]])
    bodies["manifest.json"] = archive.canonical(manifest)
    bodies["manifest.sha256"] = (hashlib.sha256(bodies["manifest.json"]).hexdigest() + "  manifest.json\n").encode()
    with tarfile.open(forged, "w", format=tarfile.USTAR_FORMAT) as tout:
        for name, body in bodies.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tout.addfile(info, io.BytesIO(body))
    with pytest.raises(archive.ArchiveError, match="its content does not match its hash"):
        archive.verify(forged)


async def test_an_unknown_round_or_one_not_closed_is_refused_with_exit_code_2(client, token, settings, db, tmp_path):
    from tests.notices.driver import NoticeFlow

    with pytest.raises(archive.ArchiveError, match="no round") as unknown:
        await archive.make(db, settings, str(uuid.uuid4()), tmp_path / "x.tar")
    assert unknown.value.code == 2
    flow = NoticeFlow(client, token, "jinshan")
    rnd = await flow.start()
    with pytest.raises(archive.ArchiveError, match="'open', not closed") as not_closed:
        await archive.make(db, settings, rnd["id"], tmp_path / "x.tar")
    assert not_closed.value.code == 2 and not (tmp_path / "x.tar").exists()


def _qaward(settings, cwd, *args: str):
    env = {
        **os.environ,
        "QAWARD_ENVIRONMENT": "test",
        "QAWARD_DATABASE_URL": settings.database_url,
        "QAWARD_DATA_DIR": str(settings.data_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], env=env, capture_output=True, text=True, timeout=300, cwd=cwd
    )


async def test_the_commands_write_verify_and_refuse_with_clear_messages_and_exit_codes(
    client, token, settings, tmp_path
):
    w = await closed_round(client, token)
    made = await asyncio.to_thread(_qaward, settings, tmp_path, "archive", "changning/2026")
    assert made.returncode == 0, made.stderr
    path = tmp_path / "qaward-archive-changning-2026.tar"
    assert path.exists() and oct(path.stat().st_mode & 0o777) == "0o600"
    ok = await asyncio.to_thread(_qaward, settings, tmp_path, "archive", "verify", str(path))
    assert ok.returncode == 0 and "ok:" in ok.stdout and "3 audit chains" in ok.stdout, ok.stdout + ok.stderr

    raw = bytearray(path.read_bytes())
    raw[700] ^= 0x01  # inside the first member's data (after its 512-byte header)
    (tmp_path / "bad.tar").write_bytes(bytes(raw))
    bad = await asyncio.to_thread(_qaward, settings, tmp_path, "archive", "verify", "bad.tar")
    assert bad.returncode == 1 and "FAILED bad.tar" in bad.stderr and "mismatch" in bad.stderr, bad.stderr

    unknown = await asyncio.to_thread(_qaward, settings, tmp_path, "archive", "changning/1999")
    assert unknown.returncode == 2 and "no round 'changning/1999'" in unknown.stderr
    missing = await asyncio.to_thread(_qaward, settings, tmp_path, "archive", "verify", "nowhere.tar")
    assert missing.returncode == 1 and "not an archive" in missing.stderr
    assert w.round_id


async def test_a_round_archived_after_its_purge_verifies_and_lists_the_deleted_files__changning_37(
    client, token, settings, db, tmp_path
):
    from app.domain.retention import purge

    w = await closed_round(client, token)
    await w.flow.at("2037-01-01T09:00:00+08:00")
    assert len((await purge.run(db, settings, apply=True)).due) == 3
    path, manifest = await archive.make(db, settings, w.round_id, tmp_path / "after.tar")
    assert archive.verify(path)["chains"] == manifest["chains"]
    assert len(manifest["files"]) == 10 and not any(f["stored"] for f in manifest["files"])
    with tarfile.open(path) as tar:
        assert not [n for n in tar.getnames() if n.startswith("files/")]
        events = json.loads(tar.extractfile("records/application_events.json").read())
        ledger = json.loads(tar.extractfile("records/retention_purges.json").read())
    assert sum(1 for e in events if e["event"] == "retention_purge") == 3
    assert sum(1 for line in ledger if line["action"] == "file_deleted") == 10
