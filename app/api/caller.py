"""The caller of a request (调用方), verified once per request and kept on it."""

from __future__ import annotations

from starlette.requests import Request

from app.identity import Principal


def principal_of(request: Request) -> Principal:
    """The request's principal: its bearer token verified on first use (401 if bad), then reused.

    The idempotency claim needs it before the endpoint's own dependencies run, and a route may
    set a narrower one first (the public objection route scopes an anonymous caller).
    """
    cached = getattr(request.state, "principal", None)
    if cached is None:
        cached = request.app.state.verifier.verify(request.headers.get("authorization"))
        request.state.principal = cached
    return cached
