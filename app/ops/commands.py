"""``qaward backup``, ``qaward restore``, ``qaward calendar load``: the operator's commands."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from app.config import get_settings


def _progress():
    """A line rewritten in place on a terminal; phases only (no per-file lines) elsewhere."""
    tty = sys.stderr.isatty()
    last = {"what": None}

    def show(what: str, done: int, total: int) -> None:
        if tty:
            pct = f" {done}/{total} ({100 * done // max(total, 1)}%)" if total > 1 else ""
            sys.stderr.write(f"\r\x1b[K{what}{pct}")
            if done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()
        elif what != last["what"]:
            print(what, file=sys.stderr)
        last["what"] = what

    return show


def cmd_backup(args) -> int:
    from app.db.runtime import resolve_database_url, stop_embedded
    from app.ops import backup

    settings = get_settings()
    try:
        url = resolve_database_url(settings)
        report = asyncio.run(backup.take(settings, url, Path(args.file), _progress()))
    except backup.BackupError as err:
        print(f"backup failed: {err}", file=sys.stderr)
        return 1
    finally:
        stop_embedded()
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    print(
        f"wrote {report.archive}: the database (migration {report.migration}) and {report.files} stored files,"
        f" {report.bytes} bytes, each with its SHA-256 in manifest.json"
    )
    return 0


def cmd_restore(args) -> int:
    from app.db.runtime import resolve_database_url, stop_embedded
    from app.ops import backup

    settings = get_settings()
    archive = Path(args.file)
    data_dir = Path(settings.data_dir).resolve()
    try:
        # the archive first: nothing is written (no embedded database made) for a damaged one
        backup.read_manifest(archive)
        if not backup.data_folder_is_empty(data_dir):
            raise backup.BackupError(
                f"the data folder {data_dir} is not empty: restore into a new one (QAWARD_DATA_DIR)"
            )
        url = resolve_database_url(settings)
        report = asyncio.run(backup.bring_back(settings, url, archive, _progress()))
    except backup.BackupError as err:
        print(f"restore failed: {err}", file=sys.stderr)
        return 1
    finally:
        stop_embedded()
    print(
        f"restored {archive}: the database (backed up at migration {report.migration}, now at head) and"
        f" {report.files} stored files into {data_dir}; check it with `qaward audit verify`"
    )
    return 0


def cmd_calendar_load(args) -> int:
    from app.db.runtime import resolve_database_url, stop_embedded
    from app.db.session import Database
    from app.ops.calendar_load import LoadRefused, load

    settings = get_settings()

    async def main() -> dict:
        db = Database(resolve_database_url(settings), pool_size=1)
        try:
            return await load(db, Path(args.file), args.year, args.actor)
        finally:
            await db.dispose()

    try:
        loaded = asyncio.run(main())
    except LoadRefused as err:
        print(f"not loaded: {args.file}", file=sys.stderr)
        for line in err.lines:
            print(f"  {line}", file=sys.stderr)
        return 2
    finally:
        stop_embedded()
    print(
        f"loaded {loaded['year']}: {len(loaded['holidays'])} holidays, {len(loaded['makeup_workdays'])} make-up"
        f" working days, calendar revision {loaded['revision']} ({loaded['source']})"
    )
    return 0


def _register_backup(sub) -> None:
    b = sub.add_parser("backup", help="the database and the stored files in one archive with SHA-256 checksums")
    b.add_argument("file", help="the archive to write (a tar)")
    b.set_defaults(func=cmd_backup)
    r = sub.add_parser("restore", help="an archive of `qaward backup` into an empty data folder (and database)")
    r.add_argument("file")
    r.set_defaults(func=cmd_restore)


def _register_calendar(sub) -> None:
    c = sub.add_parser("calendar", help="the legal calendar")
    csub = c.add_subparsers(dest="calendar_command", required=True)
    ld = csub.add_parser(
        "load",
        help="load a year's State Council holiday notice from a file (the body of PUT /api/v1/calendar/years/{year})",
    )
    ld.add_argument("file", help="JSON (or YAML): holidays, makeup_workdays, source, and optionally year")
    ld.add_argument("--year", type=int, help='the year (else the file\'s "year")')
    ld.add_argument("--actor", default="cli", help="who loads it, as recorded on the revision (default: cli)")
    ld.set_defaults(func=cmd_calendar_load)


register_all = [_register_backup, _register_calendar]
