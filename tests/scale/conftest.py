"""The --quick data set of ``bench/seed.py`` in a database of its own, and the app serving it.

Seeded once per test session (about ten seconds): 10,000 applications with 100,000 history
entries, 2,000 objections and 20,000 material records, under the shipped programmes' own codes
(the test app reads no programme folder). The other tests' clean tables are not touched.
"""

from __future__ import annotations

import importlib.util
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import psycopg2
import pytest
from asgi_lifespan import LifespanManager

from app.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def load_bench(name: str):
    """A module of ``bench/`` (not a package), imported by path."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def seeded_url(server_uri: str) -> str:
    seed = load_bench("seed")
    name = f"qaward_seeded_{uuid.uuid4().hex[:8]}"
    conn = psycopg2.connect(server_uri)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    from urllib.parse import urlsplit, urlunsplit

    url = urlunsplit(urlsplit(server_uri)._replace(path="/" + name))
    seed.seed(url, None, seed.sizes(quick=True, scale=None), jobs=1)
    return url


@pytest.fixture(scope="session")
def seeded_settings(seeded_url: str, tmp_data_dir: Path) -> Settings:
    return Settings(environment="test", database_url=seeded_url, data_dir=tmp_data_dir / "data", run_worker=False)


@pytest.fixture(scope="session")
async def seeded_app(seeded_settings: Settings):
    from app.main import create_app

    application = create_app(seeded_settings, migrate=False)
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def seeded_client(seeded_app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=seeded_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def seeded_db(seeded_url: str):
    conn = psycopg2.connect(seeded_url)
    conn.autocommit = True
    try:
        yield conn
    finally:
        conn.close()
