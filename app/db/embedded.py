"""The embedded PostgreSQL (pgserver) used when no ``QAWARD_DATABASE_URL`` is given."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

log = logging.getLogger(__name__)


def start_embedded(data_dir: Path):
    """Start (or attach to) a PostgreSQL kept under ``data_dir/pgdata``; returns the pgserver handle.

    pgserver shares one server between processes using the same folder and stops it when the
    last one detaches, so Ctrl-C stops PostgreSQL cleanly and a restart keeps the data.
    """
    pgserver = import_pgserver()
    pgdata = (data_dir / "pgdata").resolve()
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    log.info("embedded PostgreSQL ready", extra={"pgdata": str(pgdata)})
    return server


def import_pgserver():
    """pgserver, imported without platformdirs' ``XDG_RUNTIME_DIR is not set`` warning on every command.

    pgserver's class body asks platformdirs for a runtime folder (its inter-process lock file);
    with no ``XDG_RUNTIME_DIR`` (a service, cron, a container, ``sudo``) platformdirs warns and
    falls back to ``/tmp/runtime-<uid>``, which serves that lock file as well: the same folder for
    every process of the user, the warning only noise.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR", category=UserWarning)
        import pgserver
    return pgserver


def async_url(uri: str) -> str:
    """Turn any postgres URI into an asyncpg SQLAlchemy URL."""
    for prefix in ("postgresql+asyncpg://", "postgresql+psycopg2://", "postgresql://", "postgres://"):
        if uri.startswith(prefix):
            return "postgresql+asyncpg://" + uri[len(prefix) :]
    raise ValueError(f"not a PostgreSQL URL: {uri.split('@')[-1]}")
