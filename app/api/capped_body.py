"""A request body read once with a ceiling, then handed on through the ASGI ``receive`` channel.

A route that must refuse an oversized body before anything parses it (the anonymous objection
form) reads it here, chunk by chunk, and stops at the ceiling. The endpoint then needs the same
bytes again: instead of writing Starlette's cache (a private attribute), the request is rebuilt
over a ``receive`` that replays them, through public APIs only.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.types import Message, Receive

from app.api.content_length import declared_length


async def read_capped(request: Request, limit: int, too_large: Callable[[], Exception]) -> Request:
    """The same request over its body read in full, or ``too_large()`` raised as soon as the declared
    or the received size passes ``limit`` (the rest is never read)."""
    length = declared_length(request)
    if length is not None and length > limit:
        raise too_large()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large()
        chunks.append(chunk)
    return Request(request.scope, replaying(b"".join(chunks), request.receive))


def replaying(body: bytes, receive: Receive) -> Receive:
    """An ASGI ``receive`` that gives ``body`` as one message, then whatever ``receive`` gives (a disconnect)."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
