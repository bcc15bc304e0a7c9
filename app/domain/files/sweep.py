"""Sweeping stored files no record names: what a crash between storing a file and committing its row leaves.

An upload stores its file durably before the row that names it commits, and deletes the file
again if the transaction fails (``after_rollback``). A process killed in between runs no
cleanup: the file stays, named by nothing, and so does a half-written temporary of an
interrupted write or upload. The sweep lists each storage area, keeps every file a record names
and every file younger than the grace period (``QAWARD_ORPHAN_FILE_GRACE_HOURS``: an upload may
still be committing), and deletes the rest. Keys are never reused, so a file older than the
grace period that no record names now never will be: deleting it cannot lose a record's file.

The worker sweeps every hour; ``qaward sweep-files [--dry-run]`` sweeps once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from app.config import Settings
from app.db.repositories import stored_files as repo
from app.db.session import Database
from app.domain.files import blobs, intake

log = logging.getLogger("qaward.files")
BATCH = 1000


@dataclass
class SweepReport:
    """What one sweep found: files kept because a record names them, kept because recent, deleted."""

    named: int = 0
    recent: int = 0
    deleted: list[str] = field(default_factory=list)
    dry_run: bool = False


async def sweep(db: Database, settings: Settings, *, dry_run: bool = False, now: datetime | None = None) -> SweepReport:
    store = blobs.store_for(settings)
    # the wall clock, never the test clock: files' times are real, and a test clock set ahead
    # would make a file being uploaded this second look old enough to delete
    cutoff = (now or datetime.now(UTC)) - timedelta(hours=settings.orphan_file_grace_hours)
    report = SweepReport(dry_run=dry_run)
    for area in repo.TABLES_BY_AREA:
        # listed before the records are read: a row committing meanwhile names a file listed as recent
        listed = await store.listing(area)
        old = [o for o in listed if o.modified_at < cutoff]
        report.recent += len(listed) - len(old)
        orphans = [o.key for o in old if o.temporary]
        candidates = [o for o in old if not o.temporary]
        for i in range(0, len(candidates), BATCH):
            batch = candidates[i : i + BATCH]
            relative = {o.key: o.key[len(area) + 1 :] for o in batch}
            async with db.sessionmaker() as session, session.begin():
                named = await repo.named_keys(session, area, list(relative.values()))
            report.named += len(named)
            orphans += [key for key, rel in relative.items() if rel not in named]
        for key in orphans:
            if not dry_run:
                await store.delete(key)
            report.deleted.append(key)
    if not isinstance(store, blobs.LocalBlobStore):
        # uploads are staged on this disk whatever the store; the local listing above covers them otherwise
        for path in intake.leftovers(settings):
            try:
                mtime = path.stat().st_mtime
            except FileNotFoundError:  # its upload finished, or another sweep took it, since the listing
                continue
            if datetime.fromtimestamp(mtime, UTC) < cutoff:
                if not dry_run:
                    path.unlink(missing_ok=True)
                report.deleted.append(f"staging:{path.name}")
    if report.deleted:
        log.warning(
            "%s %d stored file(s) no record names (older than %d h)",
            "found" if dry_run else "deleted",
            len(report.deleted),
            settings.orphan_file_grace_hours,
        )
    return report
