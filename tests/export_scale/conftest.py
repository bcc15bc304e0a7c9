"""Two seeded rounds for the export (issue 21): one of ``N`` applications and one of ``4N``, each
the big round of a database of its own seeded by ``bench/seed.py`` (every other round holds one
application), with its history (about ten entries each) and the app serving it.
"""

from __future__ import annotations

import importlib.util
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg2
import pytest
from asgi_lifespan import LifespanManager

from app.config import Settings

ROOT = Path(__file__).resolve().parents[2]
N = 1000
# the shipped five programmes, ten years each: 49 rounds besides the big one
OTHER_ROUNDS = 49


@dataclass
class SeededRound:
    url: str
    round_id: str
    programme: str
    client: httpx.AsyncClient


def load_bench(name: str):
    """A module of ``bench/`` (not a package), imported by path."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _seed(server_uri: str, applications: int) -> tuple[str, str, str]:
    seed = load_bench("seed")
    name = f"qaward_export_{applications}_{uuid.uuid4().hex[:6]}"
    conn = psycopg2.connect(server_uri)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    url = urlunsplit(urlsplit(server_uri)._replace(path="/" + name))
    # the big round weighs as much as its applications: every other round gets one
    seed.BIG_ROUND_WEIGHT = applications
    total = applications + OTHER_ROUNDS
    size = {"programmes": 5, "applications": total, "events": 10 * total, "objections": 0, "materials": 0}
    record = seed.seed(url, None, size, jobs=1)
    return url, record["big_round"], record["big_round_programme"]


@pytest.fixture(scope="session")
def export_seeds(server_uri: str) -> dict[int, tuple[str, str, str]]:
    """``{N: (url, round_id, programme), 4 * N: ...}`` (seeded outside the event loop: migrating runs its own)."""
    return {n: _seed(server_uri, n) for n in (N, 4 * N)}


@pytest.fixture(scope="session")
async def export_rounds(export_seeds, tmp_data_dir: Path) -> AsyncIterator[dict[int, SeededRound]]:
    """``{N: ..., 4 * N: ...}``: each round's database, its id and programme, a client of an app serving it."""
    from app.main import create_app

    out: dict[int, SeededRound] = {}
    async with AsyncExitStack() as stack:
        for n, (url, round_id, programme) in export_seeds.items():
            settings = Settings(environment="test", database_url=url, data_dir=tmp_data_dir / "data", run_worker=False)
            app = create_app(settings, migrate=False)
            await stack.enter_async_context(LifespanManager(app))
            client = await stack.enter_async_context(
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://testserver"
                )
            )
            out[n] = SeededRound(url, round_id, programme, client)
        yield out
