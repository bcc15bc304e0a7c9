"""Generated artefacts and the schema: OpenAPI committed and current, migrations agree with models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

import app.db.models  # noqa: F401
from app.cli import OPENAPI_FILE, render_openapi
from app.db.base import Base
from app.db.runtime import downgrade, migrate

ROOT = Path(__file__).resolve().parents[2]


def test_committed_openapi_matches_the_app():
    """Regenerate with `qaward openapi` when this fails."""
    assert OPENAPI_FILE.exists(), "openapi/openapi.json is missing: run `qaward openapi`"
    assert json.loads(OPENAPI_FILE.read_text(encoding="utf-8")) == json.loads(render_openapi()), (
        "openapi/openapi.json drifted: run `qaward openapi` and commit it"
    )


def test_operation_ids_are_readable_and_unique():
    doc = json.loads(render_openapi())
    ids = [
        op["operationId"]
        for path in doc["paths"].values()
        for op in path.values()
        if isinstance(op, dict) and "operationId" in op
    ]
    assert len(ids) == len(set(ids))
    assert all(i.replace("_", "").isalnum() and i == i.lower() for i in ids), ids


def _sync_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg2://", 1)


def test_models_and_migrations_agree(database_url):
    engine = create_engine(_sync_url(database_url))
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


@pytest.mark.no_database
def test_every_migration_downgrades_and_upgrades_again(server_uri):
    import uuid

    import psycopg2

    name = f"qaward_roundtrip_{uuid.uuid4().hex[:8]}"
    conn = psycopg2.connect(server_uri)
    conn.autocommit = True
    conn.cursor().execute(f'CREATE DATABASE "{name}"')
    from urllib.parse import urlsplit, urlunsplit

    url = urlunsplit(urlsplit(server_uri)._replace(path="/" + name))
    try:
        migrate(url)
        downgrade(url, "base")
        migrate(url)
        engine = create_engine(_sync_url(url))
        with engine.connect() as c:
            assert compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata) == []
        engine.dispose()
    finally:
        conn.cursor().execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.close()
