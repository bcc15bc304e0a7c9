"""The test harness: real PostgreSQL, schema from migrations, each test on clean tables.

PostgreSQL is ``TEST_DATABASE_URL`` when set, otherwise an embedded one (pgserver) in a
temporary folder. Each test starts with empty tables (seed tables are restored).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import psycopg2
import pytest
from asgi_lifespan import LifespanManager

from app.config import Settings
from app.db.runtime import migrate
from app.domain import clock
from app.identity import issue_dev_token

ROOT = Path(__file__).resolve().parents[1]

# Tables whose rows are reference data written by migrations: kept between tests.
# A module with seed data lists here the SQL that puts its seed back after a test changed it.
PRESERVED_TABLES = {"alembic_version", "calendar_years", "calendar_days", "calendar_revisions"}
RESTORE_SEED_SQL: list[str] = [
    # the calendar as the migration seeded it: years 2004-2026, revision 1
    "DELETE FROM calendar_days WHERE year > 2026 OR year < 2004",
    "DELETE FROM calendar_years WHERE year > 2026 OR year < 2004",
]


def _psycopg_dsn(uri: str) -> str:
    return uri.replace("postgresql+asyncpg://", "postgresql://").replace("postgresql+psycopg2://", "postgresql://")


@pytest.fixture(scope="session")
def tmp_data_dir() -> Path:
    d = Path(tempfile.mkdtemp(prefix="qaward-test-"))
    return d


@pytest.fixture(scope="session")
def server_uri(tmp_data_dir: Path):
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        yield _psycopg_dsn(external)
        return
    import pgserver

    srv = pgserver.get_server(tmp_data_dir / "pg", cleanup_mode="delete")
    try:
        yield srv.get_uri()
    finally:
        srv.cleanup()


@pytest.fixture(scope="session")
def database_url(server_uri: str) -> str:
    """A fresh database for this test session, migrated to head."""
    name = f"qaward_test_{uuid.uuid4().hex[:8]}"
    conn = psycopg2.connect(server_uri)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    url = _with_database(server_uri, name)
    migrate(url)
    return url


def _with_database(uri: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(uri)
    return urlunsplit(parts._replace(path="/" + name))


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_data_dir: Path) -> Settings:
    return Settings(environment="test", database_url=database_url, data_dir=tmp_data_dir / "data", run_worker=False)


@pytest.fixture(scope="session")
async def app(settings: Settings):
    from app.main import create_app

    application = create_app(settings, migrate=False)
    async with LifespanManager(application):
        yield application


@pytest.fixture
def sync_db(database_url: str):
    """A plain psycopg2 connection to the test database (autocommit), for setup and inspection."""
    conn = psycopg2.connect(database_url)
    conn.autocommit = True
    try:
        yield conn
    finally:
        conn.close()


@pytest.fixture(autouse=True)
def clean_database(request):
    """Every test starts on empty tables and real time; a ``no_database`` test starts no database."""
    if "no_database" in request.keywords:
        yield
        return
    conn = psycopg2.connect(request.getfixturevalue("database_url"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = [r[0] for r in cur.fetchall() if r[0] not in PRESERVED_TABLES]
        if tables:
            cur.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
        cur.execute("SELECT to_regclass('calendar_days') IS NOT NULL")
        if cur.fetchone()[0]:
            for stmt in RESTORE_SEED_SQL:
                cur.execute(stmt)
    conn.close()
    clock.set_frozen(None)
    yield


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def token(settings: Settings) -> Callable[..., dict[str, str]]:
    """``token("office", programme="changning")`` → an Authorization header for that principal."""

    def make(*roles: str, sub: str | None = None, **scopes: str) -> dict[str, str]:
        sub = sub or f"{roles[0] if roles else 'user'}-{uuid.uuid4().hex[:6]}"
        return {"Authorization": "Bearer " + issue_dev_token(settings, sub=sub, roles=list(roles), **scopes)}

    return make


@pytest.fixture
def concurrently():
    """Run ``n`` request coroutines truly at once (each on its own connection) and return the results."""

    async def run(n: int, make: Callable[[int], Awaitable[httpx.Response]]) -> list[httpx.Response]:
        start = asyncio.Event()

        async def one(i: int):
            await start.wait()
            return await make(i)

        tasks = [asyncio.create_task(one(i)) for i in range(n)]
        await asyncio.sleep(0)
        start.set()
        return await asyncio.gather(*tasks)

    return run


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(settings: Settings, tmp_data_dir: Path):
    """The app served by a real uvicorn in another process (two workers), for concurrency tests."""
    port = _free_port()
    env = {
        **os.environ,
        "QAWARD_ENVIRONMENT": "test",
        "QAWARD_DATABASE_URL": settings.database_url,
        "QAWARD_DATA_DIR": str(settings.data_dir),
        "QAWARD_RUN_WORKER": "false",
        "QAWARD_LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(base + "/api/v1/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError("live server did not start: " + (proc.stderr.read() or b"").decode(errors="replace")[-2000:])
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
