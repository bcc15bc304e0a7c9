"""Where the database is, and bringing its schema to head (only ever through Alembic)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from app.config import Settings, get_settings

ROOT = Path(__file__).resolve().parents[2]
_embedded = None


def resolve_database_url(settings: Settings | None = None) -> str:
    """The configured URL, or the embedded PostgreSQL's (started on first use)."""
    global _embedded
    settings = settings or get_settings()
    if settings.database_url:
        return settings.database_url
    if _embedded is None:
        from app.db.embedded import start_embedded

        _embedded = start_embedded(settings.data_dir)
    return _embedded.get_uri()


def stop_embedded() -> None:
    global _embedded
    if _embedded is not None:
        _embedded.cleanup()
        _embedded = None


def alembic_config(url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["database_url"] = url
    return cfg


def migrate(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


async def migrate_async(url: str) -> None:
    # Alembic's env runs its own event loop: keep it off ours.
    await asyncio.to_thread(migrate, url)


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config("postgresql://unused")).get_current_head()


def current_revision_of(sync_connection) -> str | None:
    return MigrationContext.configure(sync_connection).get_current_revision()


async def migration_of(session) -> str | None:
    """The migration the database behind ``session`` is at (raises when the database does not answer)."""
    await session.execute(text("SELECT 1"))
    conn = await session.connection()
    return await conn.run_sync(current_revision_of)
