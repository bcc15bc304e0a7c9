"""The embedded PostgreSQL (pgserver) used when no ``QAWARD_DATABASE_URL`` is given."""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)


def start_embedded(data_dir: Path):
    """Start (or attach to) a PostgreSQL kept under ``data_dir/pgdata``; returns the pgserver handle.

    pgserver shares one server between processes using the same folder and stops it when the
    last one detaches, so Ctrl-C stops PostgreSQL cleanly and a restart keeps the data.
    """
    import pgserver

    pgdata = (data_dir / "pgdata").resolve()
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    log.info("embedded PostgreSQL ready", extra={"pgdata": str(pgdata)})
    return server


def async_url(uri: str) -> str:
    """Turn any postgres URI into an asyncpg SQLAlchemy URL."""
    for prefix in ("postgresql+asyncpg://", "postgresql+psycopg2://", "postgresql://", "postgres://"):
        if uri.startswith(prefix):
            return "postgresql+asyncpg://" + uri[len(prefix) :]
    raise ValueError(f"not a PostgreSQL URL: {uri.split('@')[-1]}")
