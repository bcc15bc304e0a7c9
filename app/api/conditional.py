"""Public answers a cache may keep: a strong ETag of the bytes, and 304 when the caller already holds them."""

from __future__ import annotations

import hashlib
from collections import OrderedDict

from fastapi import Request, Response


def revalidated(
    request: Request, body: bytes, media_type: str, cache_control: str, headers: dict[str, str] | None = None
) -> Response:
    """``body`` with ``ETag`` (its SHA-256) and ``Cache-Control``; a bodiless 304 when ``If-None-Match`` names the
    tag (weakly compared) or ``*`` (RFC 9110 13.1.2). A changed record changes its bytes, so a revalidating cache sees it at once."""
    tag = strong_tag(body)
    common = {"ETag": tag, "Cache-Control": cache_control}
    if holds(request, tag):
        return Response(status_code=304, headers=common)
    return Response(body, media_type=media_type, headers={**common, **(headers or {})})


def strong_tag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def holds(request: Request, tag: str) -> bool:
    """Whether the caller's ``If-None-Match`` names ``tag`` or ``*``: the weak comparison RFC 9110 13.1.2 asks of
    it, since a CDN compressing the answer hands its clients ``W/`` plus the tag."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    held = {t.strip().removeprefix("W/") for t in header.split(",")}
    return tag in held or "*" in held


def not_modified(tag: str, cache_control: str) -> Response:
    return Response(status_code=304, headers={"ETag": tag, "Cache-Control": cache_control})


class BodiesByVersion:
    """Rendered answers kept by their strong tag, in this process only (a cache, never needed: a miss renders).

    A tag names one version of what the answer shows, so the bytes kept for it are the bytes a render would give
    now: nothing expires, the oldest are dropped beyond ``size`` (issue 21: a notice read by the many is rendered
    once per version and process, not once per read)."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._bodies: OrderedDict[str, bytes] = OrderedDict()

    def get(self, tag: str) -> bytes | None:
        body = self._bodies.get(tag)
        if body is not None:
            self._bodies.move_to_end(tag)
        return body

    def put(self, tag: str, body: bytes) -> None:
        self._bodies[tag] = body
        self._bodies.move_to_end(tag)
        while len(self._bodies) > self.size:
            self._bodies.popitem(last=False)
