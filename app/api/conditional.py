"""Public answers a cache may keep: a strong ETag of the bytes, and 304 when the caller already holds them."""

from __future__ import annotations

import hashlib

from fastapi import Request, Response


def revalidated(
    request: Request, body: bytes, media_type: str, cache_control: str, headers: dict[str, str] | None = None
) -> Response:
    """``body`` with ``ETag`` (its SHA-256) and ``Cache-Control``; a bodiless 304 when ``If-None-Match`` names the
    tag or ``*`` (RFC 9110 13.1.2). A changed record changes its bytes, so a revalidating cache sees it at once."""
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    common = {"ETag": tag, "Cache-Control": cache_control}
    held = [t.strip() for t in request.headers.get("if-none-match", "").split(",")]
    if tag in held or "*" in held:
        return Response(status_code=304, headers=common)
    return Response(body, media_type=media_type, headers={**common, **(headers or {})})
