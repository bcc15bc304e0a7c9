"""The ``qaward`` command: serve, migrate, openapi, token (and the workflow's worker, diagrams, audit)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from app.config import get_settings

ROOT = Path(__file__).resolve().parents[1]
OPENAPI_FILE = ROOT / "openapi" / "openapi.json"


def openapi_document() -> dict:
    from app.config import Settings
    from app.main import create_app

    # the whole contract, testing routes included (they exist outside production, 404 in it)
    settings = Settings(environment="development", database_url="postgresql://unused/unused")
    app = create_app(settings, migrate=False)
    return app.openapi()


def render_openapi() -> str:
    return json.dumps(openapi_document(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def cmd_openapi(args) -> int:
    out = Path(args.output) if args.output else OPENAPI_FILE
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_openapi(), encoding="utf-8")
    print(f"wrote {out}")
    if args.output:
        return 0
    from app import client_types

    if client_types.npm() is None:
        print("npm is not installed: clients/typescript/qaward.d.ts not regenerated (qaward client-types)")
        return 0
    # the TypeScript types follow the contract they are generated from (issue 18)
    return cmd_client_types(argparse.Namespace(check=False))


def cmd_client_types(args) -> int:
    from app import client_types

    rc = client_types.generate(check=args.check)
    if rc == 2:
        print("npm is not installed: the TypeScript types cannot be generated (clients/typescript/README.md)")
    elif rc == 0 and not args.check:
        print(f"wrote {client_types.TYPES_FILE}")
    elif rc:
        print(
            "clients/typescript/qaward.d.ts differs from what openapi/openapi.json generates: run qaward client-types"
        )
    return rc


def cmd_migrate(args) -> int:
    from app.db.runtime import migrate, resolve_database_url, stop_embedded

    try:
        migrate(resolve_database_url())
        print("database at head")
    finally:
        stop_embedded()
    return 0


def server_limits() -> dict:
    """uvicorn's own bounds: headers no larger than the app takes (h11; the app refuses them under any parser)."""
    from app.api.body_limit import MAX_HEADER_BYTES

    return {"h11_max_incomplete_event_size": MAX_HEADER_BYTES}


def cmd_serve(args) -> int:
    import uvicorn

    from app.db.runtime import migrate, resolve_database_url, stop_embedded
    from app.observability import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    try:
        url = resolve_database_url(settings)
        migrate(url)
        # workers reach the same database, embedded or not
        os.environ["QAWARD_DATABASE_URL"] = url
        if args.workers > 1:
            _share_request_metrics(settings)
        get_settings.cache_clear()
        # the proxies whose X-Forwarded-For names the client: the objection rate limits count that client
        # (default: a proxy on this machine only; never "*" unless every path to the app is a proxy)
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_config=None,
            proxy_headers=True,
            forwarded_allow_ips=args.forwarded_allow_ips,
            **server_limits(),
        )
    finally:
        stop_embedded()
    return 0


def _share_request_metrics(settings) -> None:
    """uvicorn's workers keep request metrics in files of one folder, so /metrics answered by any shows all."""
    import shutil

    folder = (settings.data_dir / "metrics").resolve()
    shutil.rmtree(folder, ignore_errors=True)  # the last run's counts belong to processes gone
    folder.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


def cmd_token(args) -> int:
    from app.identity import issue_dev_token

    settings = get_settings()
    if settings.production:
        print("tokens are issued by the identity platform in production", file=sys.stderr)
        return 2
    roles = args.role or []
    token = issue_dev_token(
        settings,
        sub=args.sub,
        roles=roles,
        programme=args.programme,
        unit=args.unit,
        applicant=args.applicant,
        client=args.client,
        ttl_seconds=args.ttl,
        verified_id_number=args.id_number,
        verified_credit_code=args.credit_code,
        body=args.body,
    )
    print(token)
    return 0


def cmd_keys(args) -> int:
    import asyncio

    from app.db.runtime import resolve_database_url, stop_embedded
    from app.db.session import Database
    from app.domain.keys import rotation
    from app.domain.keys.keyring import keyring, new_development_version

    settings = get_settings()
    if args.keys_command == "new":
        version = new_development_version(settings)
        print(f"key version {version} added under {settings.data_dir}; it is current for every process from now")
        return 0

    async def main() -> int:
        db = Database(resolve_database_url(settings), pool_size=2)
        try:
            ring = keyring(settings)
            if args.keys_command == "status":
                for kind, per_version in (await rotation.status(db)).items():
                    shown = ", ".join(f"v{v}: {n}" for v, n in sorted(per_version.items())) or "none"
                    print(f"{kind}: {shown}")
                print(f"current version {ring.current}; configured {sorted(ring.secrets)}")
                return 0
            report = await rotation.rotate(db, settings, batch=args.batch)
            print(
                f"rotated to version {report.version}: {report.id_numbers} ID numbers, {report.files} files,"
                f" {report.webhook_secrets} webhook secrets"
            )
            for what, why in report.failed.items():
                print(f"FAILED {what}: {why}", file=sys.stderr)
            if report.complete and ring.retired:
                print(f"nothing is left under versions {ring.retired}: they may be removed from the settings")
            return 0 if report.complete else 1
        finally:
            await db.dispose()

    try:
        return asyncio.run(main())
    finally:
        stop_embedded()


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="qaward", description="Government quality awards service")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="migrate, then serve the API (and the deadline worker)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, default=1)
    s.add_argument(
        "--forwarded-allow-ips",
        default=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
        help="comma-separated addresses (or networks) of the reverse proxies trusted to name the client in X-Forwarded-For (default: this machine)",
    )
    s.set_defaults(func=cmd_serve)

    m = sub.add_parser("migrate", help="bring the database schema to head")
    m.set_defaults(func=cmd_migrate)

    o = sub.add_parser("openapi", help="write openapi/openapi.json from the app (and the TypeScript types, with npm)")
    o.add_argument("--output")
    o.set_defaults(func=cmd_openapi)

    ct = sub.add_parser("client-types", help="write clients/typescript/qaward.d.ts from openapi/openapi.json (npm)")
    ct.add_argument("--check", action="store_true", help="exit 1 when the file differs from what would be generated")
    ct.set_defaults(func=cmd_client_types)

    t = sub.add_parser("token", help="print a development token (last line)")
    t.add_argument(
        "--role",
        action="append",
        help="admin, office, recommender, expert, committee, applicant, integration, review_body, supervisor (repeatable)",
    )
    t.add_argument("--sub", default="dev-user")
    t.add_argument("--programme")
    t.add_argument("--unit")
    t.add_argument("--applicant")
    t.add_argument("--client")
    t.add_argument("--body", help="the review body's code (评审机构, with --role review_body)")
    t.add_argument("--id-number", help="the real-name claim verified_id_number (a natural person's ID number)")
    t.add_argument("--credit-code", help="the real-name claim verified_credit_code (a legal person's credit code)")
    t.add_argument("--ttl", type=int, default=8 * 3600)
    t.set_defaults(func=cmd_token)

    k = sub.add_parser("keys", help="encryption key versions: status, rotate, new (development)")
    ksub = k.add_subparsers(dest="keys_command", required=True)
    r = ksub.add_parser(
        "rotate", help="re-encrypt ID numbers and stored files under the current key version (resumable)"
    )
    r.add_argument("--batch", type=int, default=200)
    ksub.add_parser("status", help="how many records each key version holds")
    ksub.add_parser("new", help="add a key version under the data folder (development and test only)")
    k.set_defaults(func=cmd_keys)

    for register in _extra_commands():
        register(sub)
    return p


def _extra_commands():
    """Commands contributed by other modules (worker, diagrams, audit; backup, restore, calendar)."""
    from app.ops.archive_commands import register_all as records_office
    from app.ops.commands import register_all as operations

    operations = operations + records_office

    try:
        from app.workflow.commands import register_all
    except ImportError:
        return operations
    return register_all + operations


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    raise SystemExit(main())
