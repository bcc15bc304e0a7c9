"""``qaward backup FILE`` / ``qaward restore FILE``: the database and the stored files in one archive (备份与恢复).

The archive is a plain tar (the dump is compressed, stored files are encrypted: neither shrinks):

- ``database.dump``: ``pg_dump --format=custom`` of the database, embedded or configured, taken
  in one snapshot (pg_dump's repeatable-read transaction), so every write acknowledged before the
  backup started is in it and no transaction is in it by half: the history's hash chains verify;
- ``data/…``: the data folder without the embedded database: stored files (``QAWARD_STORAGE=local``)
  and, in development, the secrets kept there (signing keys, the personal data key, encryption key
  versions), without which a restored service could not read its files or find ID numbers. Copied
  after the dump: a file is stored before the row naming it commits, so every file the dump names
  is there (an upload still in flight may add a file no row names; the sweep removes it);
- ``manifest.json`` (last): the SHA-256 and size of every other member, the migration, the time.

Restore checks every checksum before it writes anything, then needs an empty data folder (and,
with ``QAWARD_DATABASE_URL``, an empty database), restores the dump with ``pg_restore`` in one
transaction and migrates to head (an archive of an older release). With ``QAWARD_STORAGE=s3`` the
bucket holds the files: back it up with the bucket's own versioning; the archive holds the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from app.config import Settings

FORMAT = "qaward-backup"
DUMP = "database.dump"
MANIFEST = "manifest.json"
DATA = "data"
# never archived: the embedded database (it is the dump), shared metrics files, temporary uploads
SKIPPED_FOLDERS = {"pgdata", "metrics"}
CHUNK = 1024 * 1024

Progress = Callable[[str, int, int], None]  # (what, done, total)


class BackupError(Exception):
    """The backup or restore cannot go on: the reason, for the operator."""


@dataclass
class Report:
    archive: Path
    files: int = 0
    bytes: int = 0
    migration: str | None = None
    notes: list[str] = field(default_factory=list)


def _quiet(what: str, done: int, total: int) -> None:
    return None


def libpq_url(url: str) -> str:
    for prefix in ("postgresql+asyncpg://", "postgresql+psycopg2://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


def pg_tool(name: str) -> str:
    """The embedded PostgreSQL's own client (pgserver ships it: the same version as its server, and
    new enough for any PostgreSQL ≥ 14 the service supports), else the one on PATH."""
    with contextlib.suppress(ImportError):
        from app.db.embedded import import_pgserver

        tool = Path(import_pgserver().__file__).parent / "pginstall" / "bin" / name
        if tool.exists():
            return str(tool)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found (neither pgserver's nor on PATH)")
    return found


def _run(args: list[str], what: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        # the tool's own message, which names the database object, never row values
        raise BackupError(f"{what} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _data_files(data_dir: Path) -> list[Path]:
    if not data_dir.exists():
        return []
    out = []
    for root, dirs, files in os.walk(data_dir):
        here = Path(root)
        if here == data_dir:
            dirs[:] = [d for d in dirs if d not in SKIPPED_FOLDERS]
        dirs.sort()
        for name in sorted(files):
            p = here / name
            # a blob being written has a temporary name (blobs.py): not a stored file yet
            if p.is_file() and not p.is_symlink() and not name.startswith(".tmp"):
                out.append(p)
    return out


def backup(settings: Settings, url: str, archive: Path, migration: str | None, progress: Progress = _quiet) -> Report:
    """Write ``archive`` (first as ``<archive>.partial``, renamed when whole)."""
    archive = archive.resolve()
    report = Report(archive, migration=migration)
    partial = archive.with_name(archive.name + ".partial")
    entries: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="qaward-backup-") as tmp:
        dump = Path(tmp) / DUMP
        progress("dumping the database", 0, 1)
        started = time.monotonic()
        _run(
            [
                pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={dump}",
                f"--dbname={libpq_url(url)}",
            ],
            "pg_dump",
        )
        progress(f"database dumped in {time.monotonic() - started:.1f}s", 1, 1)
        data_dir = Path(settings.data_dir).resolve()
        files = _data_files(data_dir) if settings.storage == "local" or data_dir.exists() else []
        if settings.storage == "s3":
            report.notes.append("stored files are in the S3 bucket: back them up with the bucket's versioning")
        total = len(files) + 1
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            members = [(dump, DUMP)] + [(p, f"{DATA}/{p.relative_to(data_dir).as_posix()}") for p in files]
            for i, (path, name) in enumerate(members, 1):
                try:
                    digest, size = _sha256(path), path.stat().st_size
                    tar.add(path, arcname=name, recursive=False)
                except FileNotFoundError:
                    continue  # swept or replaced since the listing: no row of the dump names it
                entries.append({"path": name, "size": size, "sha256": digest})
                report.bytes += size
                progress("archiving", i, total)
            manifest = {
                "format": FORMAT,
                "version": 1,
                "created_at": datetime.now(UTC).isoformat(),
                "migration": migration,
                "storage": settings.storage,
                "members": entries,
            }
            raw = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(raw), int(time.time()), 0o600
            tar.addfile(info, io.BytesIO(raw))
        with open(partial, "rb") as f:
            os.fsync(f.fileno())
        os.chmod(partial, 0o600)  # it holds personal data and, in development, keys
        os.replace(partial, archive)
    report.files = len(entries) - 1
    return report


def _safe_name(name: str) -> bool:
    p = PurePosixPath(name)
    return not p.is_absolute() and ".." not in p.parts and name != "" and "\\" not in name


def read_manifest(archive: Path, progress: Progress = _quiet) -> dict:
    """The manifest, once every member has been checked against it (size and SHA-256): else ``BackupError``."""
    try:
        tar = tarfile.open(archive, "r")  # noqa: SIM115 (closed by the with below, once opening succeeded)
    except (OSError, tarfile.TarError) as err:
        raise BackupError(f"{archive}: not a backup archive ({err})") from err
    with tar:
        names = tar.getnames()
        if MANIFEST not in names:
            raise BackupError(f"{archive}: no {MANIFEST}")
        manifest = json.loads(tar.extractfile(MANIFEST).read())  # type: ignore[union-attr]
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{archive}: not a {FORMAT} archive")
        listed = {m["path"]: m for m in manifest["members"]}
        extra = set(names) - set(listed) - {MANIFEST}
        if extra:
            raise BackupError(f"members the manifest does not list: {sorted(extra)[:5]}")
        if DUMP not in listed:
            raise BackupError(f"{archive}: no {DUMP}")
        seen = set()
        for i, member in enumerate(tar.getmembers(), 1):
            if member.name == MANIFEST:
                continue
            if not member.isfile() or not _safe_name(member.name):
                raise BackupError(f"member {member.name!r}: not a plain file under the archive")
            h, size, f = hashlib.sha256(), 0, tar.extractfile(member)
            while chunk := f.read(CHUNK):  # type: ignore[union-attr]
                h.update(chunk)
                size += len(chunk)
            want = listed[member.name]
            if h.hexdigest() != want["sha256"] or size != want["size"]:
                raise BackupError(f"member {member.name}: checksum mismatch (the archive is damaged or altered)")
            seen.add(member.name)
            progress("checking", i, len(names))
        missing = set(listed) - seen
        if missing:
            raise BackupError(f"members listed but missing: {sorted(missing)[:5]}")
    return manifest


def data_folder_is_empty(data_dir: Path) -> bool:
    return not data_dir.exists() or not any(data_dir.iterdir())


def restore_files(archive: Path, data_dir: Path, progress: Progress = _quiet) -> tuple[Path, int]:
    """Extract the stored files into ``data_dir`` (0600 files, 0700 folders) and the dump into a
    temporary file; returns the dump's path (the caller deletes it) and how many files."""
    data_dir = data_dir.resolve()
    # the folder itself keeps its mode: the embedded PostgreSQL (its own system user when run as root) lives in it
    data_dir.mkdir(parents=True, exist_ok=True)
    fd, dump_name = tempfile.mkstemp(prefix="qaward-restore-", suffix=".dump")
    count = 0
    with tarfile.open(archive, "r") as tar, os.fdopen(fd, "wb") as dump:
        members = [m for m in tar.getmembers() if m.name != MANIFEST]
        for i, member in enumerate(members, 1):
            src = tar.extractfile(member)
            if member.name == DUMP:
                shutil.copyfileobj(src, dump, CHUNK)  # type: ignore[arg-type]
            else:
                target = data_dir / PurePosixPath(member.name).relative_to(DATA)
                target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                fdw = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fdw, "wb") as out:
                    shutil.copyfileobj(src, out, CHUNK)  # type: ignore[arg-type]
                count += 1
            progress("restoring files", i, len(members))
    return Path(dump_name), count


def restore_database(url: str, dump: Path) -> None:
    _run(
        [
            pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={libpq_url(url)}",
            str(dump),
        ],
        "pg_restore",
    )


async def restore_database_async(url: str, dump: Path) -> None:
    await asyncio.to_thread(restore_database, url, dump)


async def _migration(url: str) -> str | None:
    from app.db.runtime import migration_of
    from app.db.session import Database

    db = Database(url, pool_size=1)
    try:
        async with db.transaction() as session:
            return await migration_of(session)
    finally:
        await db.dispose()


async def take(settings: Settings, url: str, archive: Path, progress: Progress = _quiet) -> Report:
    """A backup of the database at ``url`` and of ``settings.data_dir``, into ``archive``."""
    migration = await _migration(url)
    return await asyncio.to_thread(backup, settings, url, archive, migration, progress)


async def _database_tables(url: str) -> list[str]:
    from app.db.repositories import operations as operations_repo
    from app.db.session import Database

    db = Database(url, pool_size=1)
    try:
        async with db.transaction() as session:
            return await operations_repo.user_tables(session)
    finally:
        await db.dispose()


async def bring_back(settings: Settings, url: str, archive: Path, progress: Progress = _quiet) -> Report:
    """Restore ``archive`` into the empty database at ``url`` and the data folder (checked empty by the
    caller before it started the embedded database there), then migrate to head."""
    from app.db.runtime import migrate_async

    manifest = await asyncio.to_thread(read_manifest, archive, progress)
    tables = await _database_tables(url)
    if tables:
        raise BackupError(f"the database is not empty ({len(tables)} tables, e.g. {tables[0]}): restore into a new one")
    dump, count = await asyncio.to_thread(restore_files, archive, Path(settings.data_dir), progress)
    try:
        progress("restoring the database", 0, 1)
        await restore_database_async(url, dump)
        progress("database restored", 1, 1)
    finally:
        dump.unlink(missing_ok=True)
    await migrate_async(url)
    report = Report(archive, files=count, migration=manifest.get("migration"))
    report.bytes = sum(m["size"] for m in manifest["members"])
    return report
