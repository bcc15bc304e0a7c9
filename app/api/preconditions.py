"""ETags and ``If-Match`` for versioned resources: stale is 412, missing is 428."""

from __future__ import annotations

from starlette.requests import Request

from app.domain.preconditions import check_if_match, etag

__all__ = ["etag", "require_if_match"]


def require_if_match(request: Request, current_version: int) -> None:
    check_if_match(request.headers.get("if-match"), current_version)
