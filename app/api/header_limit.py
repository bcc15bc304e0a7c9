"""Request headers bounded: together (names and values) over ``MAX_HEADER_BYTES`` they are 431.

uvicorn's default parser (httptools) takes headers of any size; ``qaward serve`` sets the h11
limit (``app.cli.server_limits``) and this middleware holds the bound under any server.
"""

from __future__ import annotations

from starlette.requests import Request

from app.api.body_limit import MAX_HEADER_BYTES
from app.api.problems import render_domain_error
from app.domain.errors import DomainError


class HeaderLimitMiddleware:
    """431 when the request's headers together pass ``MAX_HEADER_BYTES``, before anything reads them."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and sum(len(k) + len(v) for k, v in scope["headers"]) > MAX_HEADER_BYTES:
            response = render_domain_error(Request(scope), headers_too_large())
            response.headers["Connection"] = "close"
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def headers_too_large() -> DomainError:
    return DomainError(
        "headers-too-large",
        431,
        f"请求头合计超过 {MAX_HEADER_BYTES} 字节",
        f"The request headers together exceed {MAX_HEADER_BYTES} bytes",
        title="Request Header Fields Too Large",
        extra={"max_bytes": MAX_HEADER_BYTES},
    )
