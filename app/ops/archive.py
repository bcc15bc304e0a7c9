"""``qaward archive ROUND`` / ``qaward archive verify FILE``: one closed round as one archive (归档).

The archive is a plain tar (USTAR), the same bytes for the same round:

- ``records/<table>.json``: every row of the round, found by the schema's foreign keys
  (``app/db/repositories/archive.py``: its applications and their history, forms, materials,
  objections, notices, reviews and scores, decisions, government acts, certificates, bans, and the
  records they name: applicants, experts, members), as RFC 8785 canonical JSON, rows ordered by
  their primary key; instants in UTC with microseconds, ``numeric`` values as their digits, binary
  columns (ciphertexts) left out and named in the manifest;
- ``files/<table>/<row id>``: every stored file those rows name, as the uploader sent it
  (decrypted: the archive must be readable without the service's keys; it is written 0600), each
  checked against the SHA-256 its row recorded; one the retention purge deleted is listed as such;
- ``manifest.json``: the round, every member's size and SHA-256, the files' rows, the heads of the
  round's audit chains (application → seq and hash), the migration;
- ``manifest.sha256``: the manifest's own SHA-256.

``verify`` needs no database: the manifest's checksum, every member's size and SHA-256, no member
missing or unlisted, every file against its row's SHA-256, and every archived history chain
recomputed (``app.domain.history``) to the head the manifest names. Any difference is named, and
the command exits 1.

Only a closed round is archived (announced or archived: every application has its final answer).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import tarfile
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import rfc8785
from sqlalchemy import LargeBinary

from app.config import Settings
from app.db.repositories import archive as repo
from app.db.repositories.stored_files import TABLES_BY_AREA
from app.db.session import Database
from app.domain import history
from app.domain.files import blobs, sealing
from app.domain.states import RoundState

FORMAT = "qaward-round-archive"
VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.sha256"
CLOSED = (RoundState.ANNOUNCED.value, RoundState.ARCHIVED.value)
AREA_OF = {table: area for area, tables in TABLES_BY_AREA.items() for table in tables}
MTIME = 0  # members carry no time of their own: the same round archives to the same bytes
_SAFE_INT = 2**53 - 1

Progress = Callable[[str, int, int], None]


def _quiet(what: str, done: int, total: int) -> None:
    return None


class ArchiveError(Exception):
    """The archive cannot be made or does not verify: the reason, for the operator; ``code`` the exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


# --- canonical JSON ------------------------------------------------------------------------------


def _instant(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def jsonable(value: Any) -> Any:
    """``value`` as RFC 8785 takes it, losing nothing: what JSON has no exact form for is its text."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if -_SAFE_INT <= value <= _SAFE_INT else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return _instant(value) if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return str(value)


def canonical(value: Any) -> bytes:
    return rfc8785.dumps(jsonable(value))


# --- writing -------------------------------------------------------------------------------------


def _member(tar: tarfile.TarFile, name: str, data: bytes) -> dict:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), MTIME, 0o600
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    tar.addfile(info, io.BytesIO(data))
    return {"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


async def _resolve_round(session, ref: str):
    try:
        rnd = await repo.get_round(session, uuid.UUID(ref))
    except ValueError:
        programme, _, label = ref.partition("/")
        rnd = await repo.find_round(session, programme, label) if label else None
    if rnd is None:
        raise ArchiveError(f"no round {ref!r} (give its id, or programme/label such as changning/2026)", 2)
    if rnd.state not in CLOSED:
        raise ArchiveError(
            f"round {rnd.programme}/{rnd.label} ({rnd.id}) is {rnd.state!r}, not closed:"
            f" only an announced or archived round is archived",
            2,
        )
    return rnd


def default_name(programme: str, label: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in label)
    return f"qaward-archive-{programme}-{safe}.tar"


async def _read_plain(settings: Settings, key: str) -> bytes | None:
    try:
        chunks = await sealing.open_plain(settings, key)
    except blobs.BlobNotFound:
        return None
    out = bytearray()
    async for chunk in chunks:
        out += chunk
    return bytes(out)


async def make(
    db: Database, settings: Settings, round_ref: str, out: Path | None = None, progress: Progress = _quiet
) -> tuple[Path, dict]:
    """Write the archive of the round ``round_ref`` (its id or ``programme/label``); returns its path and manifest."""
    from app.db.runtime import migration_of

    async with db.transaction() as session:
        # one snapshot: rows, heads and files named agree even while the service runs
        await repo.repeatable_read(session)
        rnd = await _resolve_round(session, round_ref)
        progress("reading the round's records", 0, 1)
        rows = await repo.round_rows(session, rnd.id)
        migration = await migration_of(session)
    target = (out or Path(default_name(rnd.programme, rnd.label))).resolve()
    records: dict[str, bytes] = {}
    omitted: dict[str, list[str]] = {}
    for name in sorted(rows):
        table = repo.table_of(name)
        binary = [c.name for c in table.columns if isinstance(c.type, LargeBinary)]
        if binary:
            omitted[name] = binary
        ordered = [rows[name][k] for k in sorted(rows[name], key=lambda k: [str(x) for x in k])]
        records[name] = canonical([{k: v for k, v in r.items() if k not in binary} for r in ordered])
    files: list[dict] = []
    for table in sorted(t for t in rows if t in AREA_OF):
        for key in sorted(rows[table], key=lambda k: [str(x) for x in k]):
            r = rows[table][key]
            files.append(
                {
                    "table": table,
                    "id": str(r["id"]),
                    "sha256": r["sha256"],
                    "size": r["size"],
                    "key": f"{AREA_OF[table]}/{r['storage_key']}",
                }
            )
    chains = {
        str(r["id"]): {"seq": r["history_seq"], "head": r["history_head"] or history.GENESIS}
        for r in rows.get("applications", {}).values()
        if r["round_id"] == rnd.id
    }
    partial = target.with_name(target.name + ".partial")
    members: list[dict] = []
    file_lines: list[dict] = []
    with tarfile.open(partial, "w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in records.items():
            members.append(_member(tar, f"records/{name}.json", data))
        for i, f in enumerate(files, 1):
            data = await _read_plain(settings, f["key"])
            line = {"table": f["table"], "id": f["id"], "sha256": f["sha256"], "size": f["size"]}
            if data is None:
                line["stored"] = False  # deleted by the retention purge (its row remains)
            else:
                if hashlib.sha256(data).hexdigest() != f["sha256"]:
                    partial.unlink(missing_ok=True)
                    raise ArchiveError(f"stored file of {f['table']} {f['id']} does not match its row's SHA-256")
                line["stored"] = True
                line["path"] = f"files/{f['table']}/{f['id']}"
                members.append(_member(tar, line["path"], data))
            file_lines.append(line)
            progress("archiving files", i, len(files))
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "round": {
                "id": str(rnd.id),
                "programme": rnd.programme,
                "label": rnd.label,
                "state": rnd.state,
                "programme_version": rnd.programme_version,
            },
            "migration": migration,
            "members": members,
            "files": file_lines,
            "chains": chains,
            "omitted_columns": omitted,
        }
        raw = canonical(manifest)
        _member(tar, MANIFEST, raw)
        _member(tar, MANIFEST_SUM, (hashlib.sha256(raw).hexdigest() + "  " + MANIFEST + "\n").encode())
    fd = os.open(partial, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(partial, 0o600)  # it holds personal data and business secrets, decrypted
    os.replace(partial, target)
    return target, manifest


# --- verifying, offline ----------------------------------------------------------------------------


def _entries(rows: list[dict]) -> dict[str, list]:
    by_app: dict[str, list] = {}
    for r in rows:
        e = SimpleNamespace(**r)
        e.occurred_at = datetime.fromisoformat(r["occurred_at"])
        by_app.setdefault(r["application_id"], []).append(e)
    for entries in by_app.values():
        entries.sort(key=lambda e: e.seq)
    return by_app


def _only_zeros_between(path: Path, members: list[tarfile.TarInfo]) -> None:
    """Every byte outside the members' headers and data (their padding, the end blocks) is zero, so
    that any changed byte of the file fails: a header by its own checksum, data by its SHA-256."""
    gaps, at = [], 0
    for m in sorted(members, key=lambda m: m.offset):
        gaps.append((at, m.offset))
        at = m.offset_data + m.size
    gaps.append((at, path.stat().st_size))
    with path.open("rb") as f:
        for start, end in gaps:
            f.seek(start)
            left = end - start
            while left > 0:
                chunk = f.read(min(left, 1 << 20))
                if not chunk:
                    break
                if chunk.count(0) != len(chunk):
                    raise ArchiveError("bytes outside the members were changed (the archive is damaged or altered)")
                left -= len(chunk)


def verify(path: Path, progress: Progress = _quiet) -> dict:
    """The manifest, once everything in the archive matches it; ``ArchiveError`` naming the first difference."""
    try:
        tar = tarfile.open(path, "r")  # noqa: SIM115 (closed by the with below)
    except (OSError, tarfile.TarError) as err:
        raise ArchiveError(f"{path}: not an archive ({err})") from err
    with tar:
        try:
            members = {m.name: m for m in tar.getmembers()}
        except tarfile.TarError as err:
            raise ArchiveError(f"{path}: damaged ({err})") from err
        _only_zeros_between(path, list(members.values()))
        for needed in (MANIFEST, MANIFEST_SUM):
            if needed not in members:
                raise ArchiveError(f"{path}: no {needed}: not a round archive")

        def read(name: str) -> bytes:
            member = members[name]
            if not member.isfile():
                raise ArchiveError(f"member {name!r} is not a plain file")
            return tar.extractfile(member).read()  # type: ignore[union-attr]

        raw = read(MANIFEST)
        stated = read(MANIFEST_SUM).decode(errors="replace").split()
        if not stated or stated[0] != hashlib.sha256(raw).hexdigest():
            raise ArchiveError("manifest.json does not match manifest.sha256: the manifest was altered")
        try:
            manifest = json.loads(raw)
        except ValueError as err:
            raise ArchiveError(f"manifest.json is not JSON ({err})") from err
        if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
            raise ArchiveError(f"not a {FORMAT} version {VERSION} archive")
        listed = {m["path"]: m for m in manifest["members"]}
        extra = set(members) - set(listed) - {MANIFEST, MANIFEST_SUM}
        if extra:
            raise ArchiveError(f"members the manifest does not list: {sorted(extra)[:5]}")
        missing = set(listed) - set(members)
        if missing:
            raise ArchiveError(f"members the manifest lists, missing: {sorted(missing)[:5]}")
        bodies: dict[str, bytes] = {}
        for i, (name, want) in enumerate(sorted(listed.items()), 1):
            data = read(name)
            if len(data) != want["size"] or hashlib.sha256(data).hexdigest() != want["sha256"]:
                raise ArchiveError(f"member {name}: SHA-256 mismatch (the archive is damaged or altered)")
            if name.startswith("records/"):
                bodies[name] = data
            progress("checking", i, len(listed))
        for f in manifest["files"]:
            if f.get("stored") and listed[f["path"]]["sha256"] != f["sha256"]:
                raise ArchiveError(f"file {f['path']} differs from the SHA-256 its record holds")
        events = json.loads(bodies.get("records/application_events.json", b"[]"))
        by_app = _entries(events)
        for app_id, head in sorted(manifest["chains"].items()):
            breaks = history.chain_breaks(app_id, head["seq"], head["head"], by_app.get(app_id, []))
            if breaks:
                b = breaks[0]
                raise ArchiveError(f"history of application {app_id}, entry {b.seq}: {b.why}")
    return manifest
