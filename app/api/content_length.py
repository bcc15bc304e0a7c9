"""The request's declared size (``Content-Length``), read once the same way by every route that streams a body."""

from __future__ import annotations

from starlette.requests import Request

from app.domain.errors import DomainError, FieldError


def declared_length(request: Request) -> int | None:
    """The ``Content-Length`` in bytes, ``None`` when absent (chunked); 400 naming the header when it is not ASCII digits
    (``str.isdigit`` alone takes "²", which ``int`` refuses)."""
    length = request.headers.get("content-length")
    if length is None:
        return None
    length = length.strip()
    if not (length.isascii() and length.isdigit()):
        raise DomainError(
            "bad-request",
            400,
            "请求头 Content-Length 无效",
            "The Content-Length header is invalid",
            title="Bad Request",
            errors=[
                FieldError(
                    "Content-Length", "应为非负整数（字节数）", "must be a non-negative whole number (bytes)", "invalid"
                )
            ],
        )
    return int(length)
