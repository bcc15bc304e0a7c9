"""Public answers a cache may keep: a strong ETag of the bytes, and 304 when the caller already holds them."""

from __future__ import annotations

import hashlib

from fastapi import Request, Response


def revalidated(
    request: Request, body: bytes, media_type: str, cache_control: str, headers: dict[str, str] | None = None
) -> Response:
    """``body`` with ``ETag`` (its SHA-256) and ``Cache-Control``; a bodiless 304 when ``If-None-Match`` names the
    tag (weakly compared) or ``*`` (RFC 9110 13.1.2). A changed record changes its bytes, so a revalidating cache sees it at once."""
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    common = {"ETag": tag, "Cache-Control": cache_control}
    if holds(request, tag):
        return Response(status_code=304, headers=common)
    return Response(body, media_type=media_type, headers={**common, **(headers or {})})


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
