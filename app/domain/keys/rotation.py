"""Key rotation (密钥轮换): every encrypted ID number, stored file and sealed webhook secret moved to
the current key version.

Run while the service runs (``qaward keys rotate``), after every process was given the new version
as current (so nothing new is written under an old one). Progress is what the rows say: each batch
takes rows not on the current version (``FOR UPDATE SKIP LOCKED``: a row a request holds is taken
on a later pass), re-encrypts them and commits. A crash leaves some rows done and the rest not; a
re-run finishes them. Until the rotation reports nothing left, every older version must stay
configured: the rows not yet rotated still need it.

A file is re-sealed in place: its plaintext streamed out of the store (checked against the row's
SHA-256), sealed under the current version into a private temporary file, and put over the old
object (an atomic rename on disk, an overwrite in S3), so a download in flight reads the old one
whole and the next reads the new. Should the process die between the put and the commit, the file
is already under the new version and the row says otherwise; the next pass seals it again (a file
names its own version, so reading never depends on the row).
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag

from app.config import Settings
from app.db.repositories import keys as repo
from app.db.session import Database
from app.domain.applicants.encryption import decrypt_id_number, encrypt_id_number
from app.domain.files import blobs, intake, sealing
from app.domain.keys.keyring import keyring
from app.domain.outbox import secrets

log = logging.getLogger("qaward.keys")


@dataclass
class RotationReport:
    """What one rotation did: the version it moved to, rows moved, rows it could not move (and why)."""

    version: int
    id_numbers: int = 0
    files: int = 0
    webhook_secrets: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    passes: int = 0

    @property
    def complete(self) -> bool:
        return not self.failed


async def _id_numbers(db: Database, settings: Settings, version: int, batch: int, report: RotationReport) -> int:
    async with db.transaction() as session:
        rows = await repo.id_numbers_to_rotate(session, version, batch)
        for row in rows:
            number = decrypt_id_number(settings, row.id, row.id_number_ciphertext)
            await repo.set_id_number_ciphertext(session, row.id, encrypt_id_number(settings, row.id, number, version))
    report.id_numbers += len(rows)
    return len(rows)


async def reseal(settings: Settings, key: str, sha256: str, version: int) -> None:
    """The stored file under ``key`` sealed again under ``version``, in place; refused if its plaintext is not ``sha256``."""
    plain = await sealing.open_plain(settings, key)
    tmp = intake.staging_file(settings, key.split("/", 1)[0])
    try:
        with blobs.open_private(tmp) as out:
            sealer = sealing.Sealer(settings, key, out, version)
            async for chunk in plain:
                sealer.write(chunk)
            digest = sealer.close()
            out.flush()
            os.fsync(out.fileno())
        if digest != sha256:
            raise sealing.Unreadable(f"{key}: its content no longer has the SHA-256 its record names")
        await blobs.store_for(settings).put(key, tmp)
    finally:
        tmp.unlink(missing_ok=True)


async def _files(db: Database, settings: Settings, table: str, version: int, batch: int, report: RotationReport) -> int:
    area = repo.FILE_TABLES[table]
    moved = 0
    async with db.transaction() as session:
        rows = await repo.files_to_rotate(session, table, version, batch, exclude=_failed_ids(report, table))
        for row in rows:
            key = f"{area}/{row.storage_key}"
            try:
                await reseal(settings, key, row.sha256, version)
            except (blobs.BlobNotFound, sealing.Unreadable) as exc:
                report.failed[f"{table}/{row.id}"] = str(exc) or type(exc).__name__
                log.error("key rotation: %s %s cannot be re-sealed: %s", table, row.id, exc)
                continue
            await repo.set_file_key_version(session, table, row.id, version)
            moved += 1
    report.files += moved
    return len(rows)


async def _webhook_secrets(db: Database, settings: Settings, version: int, batch: int, report: RotationReport) -> int:
    """Each subscription's signing secrets (and the previous one of its overlap) sealed again under ``version``."""
    table = "webhook_subscriptions"
    async with db.transaction() as session:
        rows = await repo.webhook_secrets_to_rotate(session, version, batch, exclude=_failed_ids(report, table))
        for row in rows:
            try:
                secret = secrets.open_secret(settings, row.id, row.secret_ciphertext)
                previous = row.previous_secret_ciphertext
                if previous is not None:
                    previous = secrets.seal(settings, row.id, secrets.open_secret(settings, row.id, previous))
            except (LookupError, ValueError, InvalidTag) as exc:
                report.failed[f"{table}/{row.id}"] = str(exc) or type(exc).__name__
                log.error("key rotation: %s %s cannot be re-sealed: %s", table, row.id, exc)
                continue
            await repo.set_webhook_secrets(session, row.id, secrets.seal(settings, row.id, secret), previous)
            report.webhook_secrets += 1
    return len(rows)


def _failed_ids(report: RotationReport, table: str) -> list[uuid.UUID]:
    return [uuid.UUID(k.split("/", 1)[1]) for k in report.failed if k.startswith(f"{table}/")]


async def remaining(db: Database, settings: Settings) -> int:
    """Rows not on the current version (the rotation's progress, read off the rows)."""
    current = keyring(settings).current
    async with db.transaction() as session:
        counts = await repo.count_by_version(session)
    return sum(n for per_version in counts.values() for v, n in per_version.items() if v != current)


async def status(db: Database) -> dict[str, dict[int, int]]:
    async with db.transaction() as session:
        return await repo.count_by_version(session)


async def rotate(
    db: Database, settings: Settings, *, batch: int = 200, file_batch: int = 10, pause: float = 0.2
) -> RotationReport:
    """Move every row to the current key version; returns once none is left but those that failed."""
    version = keyring(settings).current
    report = RotationReport(version)
    while True:
        report.passes += 1
        taken = await _id_numbers(db, settings, version, batch, report)
        for table in repo.FILE_TABLES:
            taken += await _files(db, settings, table, version, file_batch, report)
        taken += await _webhook_secrets(db, settings, version, batch, report)
        if taken:
            continue
        left = await remaining(db, settings)
        if left <= len(report.failed):
            break
        await asyncio.sleep(pause)  # what is left is locked by requests in flight: taken on a later pass
    log.info(
        "key rotation to version %d: %d ID numbers, %d files, %d webhook secrets, %d failed",
        version,
        report.id_numbers,
        report.files,
        report.webhook_secrets,
        len(report.failed),
    )
    return report
