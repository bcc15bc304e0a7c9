"""Two app instances on one database, each with its own notice channel: two "replicas" in one process."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import contextmanager

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import event


@pytest.fixture
async def other_app(settings):
    """A second instance of the app (another replica: its own process state, cache and LISTEN connection)."""
    from app.main import create_app

    application = create_app(settings, migrate=False)
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def other(other_app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=other_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 2.0, what: str = "") -> None:
    """Poll ``check`` until it holds, at most ``seconds`` (a notification is heard in milliseconds)."""
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        await asyncio.sleep(0.01)


async def trusted(app) -> None:
    """Wait until the app's notice cache listens and has heard back its own writes."""

    async def ok() -> bool:
        return app.state.notice_cache.trusted

    await eventually(ok, what="the notice cache trusted")


@contextmanager
def database_use(app):
    """Count what the app asks of its database meanwhile: connections checked out of the pool (every statement,
    SQLAlchemy's or sent straight to asyncpg by app/db/lean.py, needs one) and SQLAlchemy statements."""
    counts = {"checkouts": 0, "statements": 0}
    engine = app.state.db.engine.sync_engine

    def checkout(*_args) -> None:
        counts["checkouts"] += 1

    def statement(*_args) -> None:
        counts["statements"] += 1

    event.listen(engine, "checkout", checkout)
    event.listen(engine, "before_cursor_execute", statement)
    try:
        yield counts
    finally:
        event.remove(engine, "checkout", checkout)
        event.remove(engine, "before_cursor_execute", statement)
