"""The database handle: one async engine per process, sessions opened per request or job."""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import asyncpg
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


# SQLSTATE classes a server answers a connection attempt with when it cannot take it: connection
# exception, operator intervention (starting up, shutting down), insufficient resources (too many
# connections), invalid authorization, invalid catalog name (no such database)
_REFUSING_CLASSES = ("08", "57", "53", "28", "3D")


def connect_failure(exc: BaseException) -> bool:
    """Whether ``exc`` is the database refusing or not answering a new connection.

    SQLAlchemy wraps what the driver raises on a connection it holds, not what it raises while
    connecting: a refused socket, a timeout, an unknown host, or the server's own refusal arrive
    as they are.
    """
    if isinstance(exc, (ConnectionError, TimeoutError, socket.gaierror)):
        return True
    return isinstance(exc, asyncpg.PostgresError) and str(getattr(exc, "sqlstate", ""))[:2] in _REFUSING_CLASSES


class Database:
    # extra server settings of every connection (the read replica's engine makes them read-only)
    read_only_settings: dict[str, str] = {}

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
            # a database that does not answer is reported (503) in seconds, not after asyncpg's default minute
            connect_args={
                **connect_args,
                "timeout": 10,
                "server_settings": {
                    "timezone": "UTC",
                    "application_name": f"qaward:{os.getpid()}",
                    **self.read_only_settings,
                },
            },
        )
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction, committed on success, rolled back on error."""
        async with self.sessionmaker() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
