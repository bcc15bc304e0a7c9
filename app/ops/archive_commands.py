"""``qaward retention run``, ``qaward legal-hold``, ``qaward archive``: the records office's commands (issue 17)."""

from __future__ import annotations

import asyncio
import getpass
import sys
import uuid
from pathlib import Path

from app.config import get_settings
from app.ops.commands import _progress

EXIT_BAD_INPUT = 2


def _with_db(fn):
    from app.db.runtime import resolve_database_url, stop_embedded
    from app.db.session import Database

    settings = get_settings()

    async def main():
        db = Database(resolve_database_url(settings), pool_size=2)
        try:
            return await fn(db, settings)
        finally:
            await db.dispose()

    try:
        return asyncio.run(main())
    finally:
        stop_embedded()


def _actor(args) -> str:
    return args.actor or f"cli:{getpass.getuser()}"


# --- retention -----------------------------------------------------------------------------------


def print_report(report) -> None:
    what = "purged" if report.applied else "past retention (dry run: nothing changed; --apply purges)"
    for d in report.due:
        r = d.summary()["retention"]
        print(
            f"{what}: application {d.application_id} ({d.programme} {d.round_label}, {d.state}),"
            f" kept {r['years']} years from {r['counted_from']} ({r['clause'] or 'the service default'}),"
            f" past retention since {r['expires_on']}: {len(d.files)} files"
            f" ({sum(f['size'] for f in d.files)} bytes)"
            + (f", personal data: {', '.join(d.redacted)}" if d.redacted else "")
        )
    for d in report.held:
        reasons = "; ".join(f"{h['scope']} hold {h['id']}: {h['reason']}" for h in d.holds)
        print(f"held: application {d.application_id} ({d.programme} {d.round_label}) is past retention: {reasons}")
    for a in report.applicants:
        print(f"purged: applicant {a['applicant_id']}: {', '.join(a['redacted'])}")
    tail = f", run {report.run_id}" if report.run_id else ""
    print(
        f"as of {report.as_of}: {len(report.due)} application(s) {'purged' if report.applied else 'to purge'}"
        f" ({report.files} files, {report.bytes} bytes), {len(report.held)} held,"
        f" {report.not_yet} closed but within retention{tail}"
    )


def cmd_retention_run(args) -> int:
    from app.domain.retention import purge

    async def main(db, settings):
        return await purge.run(db, settings, apply=args.apply, actor=_actor(args), progress=_progress())

    print_report(_with_db(main))
    return 0


# --- legal holds ---------------------------------------------------------------------------------


def _hold_line(h) -> str:
    state = f"lifted {h.lifted_at:%Y-%m-%d %H:%M} by {h.lifted_by}: {h.lift_reason}" if h.lifted_at else "in force"
    return f"{h.id} {h.scope} {h.target_id} set {h.set_at:%Y-%m-%d %H:%M} by {h.set_by}: {h.reason} [{state}]"


def cmd_legal_hold(args) -> int:
    from app.domain.errors import DomainError
    from app.domain.retention import holds

    async def main(db, settings):
        async with db.transaction() as session:
            if args.hold_command == "set":
                scope, target = next((s, getattr(args, s)) for s in holds.SCOPES if getattr(args, s))
                return [await holds.set_hold(session, _actor(args), None, scope, target, args.reason)]
            if args.hold_command == "lift":
                return [await holds.lift_hold(session, _actor(args), None, args.hold, args.reason)]
            rows, _ = await holds.list_holds(session, None if args.all else True, None, None, 0, 10_000)
            return rows

    try:
        rows = _with_db(main)
    except DomainError as err:
        print(f"refused: {err.en} ({err.zh})", file=sys.stderr)
        return EXIT_BAD_INPUT
    for h in rows:
        print(_hold_line(h))
    return 0


# --- archive -------------------------------------------------------------------------------------


def cmd_archive(args) -> int:
    from app.ops import archive

    if args.round == "verify":
        if not args.file:
            print("usage: qaward archive verify FILE", file=sys.stderr)
            return EXIT_BAD_INPUT
        try:
            manifest = archive.verify(Path(args.file), _progress())
        except archive.ArchiveError as err:
            print(f"FAILED {args.file}: {err}", file=sys.stderr)
            return 1
        r = manifest["round"]
        stored = sum(1 for f in manifest["files"] if f.get("stored"))
        print(
            f"ok: {args.file}: round {r['programme']}/{r['label']} ({r['id']}), {len(manifest['members'])} members"
            f" with their SHA-256, {stored} stored files, {len(manifest['chains'])} audit chains to their heads"
        )
        return 0
    if args.file:
        print("usage: qaward archive ROUND [--out FILE]", file=sys.stderr)
        return EXIT_BAD_INPUT

    async def main(db, settings):
        return await archive.make(db, settings, args.round, Path(args.out) if args.out else None, _progress())

    try:
        path, manifest = _with_db(main)
    except archive.ArchiveError as err:
        print(f"not archived: {err}", file=sys.stderr)
        return err.code
    records = sum(1 for m in manifest["members"] if m["path"].startswith("records/"))
    print(
        f"wrote {path}: round {manifest['round']['programme']}/{manifest['round']['label']}, {records} record tables,"
        f" {sum(1 for f in manifest['files'] if f.get('stored'))} stored files, {len(manifest['chains'])} audit chain"
        " heads, each member's SHA-256 in manifest.json"
    )
    return 0


def _register(sub) -> None:
    r = sub.add_parser("retention", help="retention of application and review materials (changning-37)")
    rsub = r.add_subparsers(dest="retention_command", required=True)
    run = rsub.add_parser(
        "run", help="list what is past retention and not under a legal hold; --apply purges it (files, personal data)"
    )
    run.add_argument("--apply", action="store_true", help="purge (without it: a dry run that changes nothing)")
    run.add_argument("--actor", help="who runs it, as recorded on the run (default: cli:<user>)")
    run.set_defaults(func=cmd_retention_run)

    h = sub.add_parser("legal-hold", help="legal holds (法律保全): keep records from the retention purge")
    hsub = h.add_subparsers(dest="hold_command", required=True)
    s = hsub.add_parser("set", help="set a hold with its reason")
    target = s.add_mutually_exclusive_group(required=True)
    target.add_argument("--application", type=uuid.UUID)
    target.add_argument("--applicant", type=uuid.UUID)
    target.add_argument("--round", type=uuid.UUID)
    s.add_argument("--reason", required=True)
    s.add_argument("--actor")
    s.set_defaults(func=cmd_legal_hold)
    lift = hsub.add_parser("lift", help="lift a hold in force, with the reason")
    lift.add_argument("hold", type=uuid.UUID)
    lift.add_argument("--reason", required=True)
    lift.add_argument("--actor")
    lift.set_defaults(func=cmd_legal_hold)
    ls = hsub.add_parser("list", help="the holds in force (--all: lifted ones too)")
    ls.add_argument("--all", action="store_true")
    ls.set_defaults(func=cmd_legal_hold)

    a = sub.add_parser(
        "archive", help="`archive ROUND [--out FILE]`: one archive of a closed round; `archive verify FILE`: check one"
    )
    a.add_argument("round", help="the round's id or programme/label (changning/2026), or `verify`")
    a.add_argument("file", nargs="?", help="with `verify`: the archive to check")
    a.add_argument("--out", help="the archive to write (default: qaward-archive-<programme>-<label>.tar)")
    a.set_defaults(func=cmd_archive)


register_all = [_register]
