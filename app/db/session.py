"""The database handle: one async engine per process, sessions opened per request or job."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from app.db.embedded import async_url


def _asyncpg_url(url: str) -> tuple[str, dict]:
    """asyncpg takes no libpq query options (pgserver URIs carry ``host=<socket dir>``)."""
    parts = urlsplit(async_url(url))
    query = parse_qs(parts.query)
    connect_args: dict = {}
    if "host" in query:
        connect_args["host"] = query.pop("host")[0]
    return urlunsplit(parts._replace(query=urlencode(query, doseq=True))), connect_args


class Database:
    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = url
        sa_url, connect_args = _asyncpg_url(url)
        self.engine: AsyncEngine = create_async_engine(
            sa_url,
            pool_size=pool_size,
            max_overflow=pool_size,
            # no ping per checkout (three round trips a request): a connection found dead is
            # invalidated by the pool and the request answers 503, to be retried
            pool_pre_ping=False,
            pool_recycle=1800,
            # a failing statement's parameters (names, ID hashes, free text) never reach a log
            hide_parameters=True,
            connect_args={**connect_args, "server_settings": {"timezone": "UTC", "application_name": f"qaward:{os.getpid()}"}},
        )
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction, committed on success, rolled back on error."""
        async with self.sessionmaker() as session:
            async with session.begin():
                yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
