"""The route's declared permission decided before anything reads the request body.

FastAPI parses a JSON body before it resolves dependencies, and the unstorable-text check reads
the body first of all, so an anonymous caller sending a malformed body learnt 422 (the body was
judged) where the route should have answered 401 (who are you?). The permission only reads the
``Authorization`` header: deciding it first costs nothing and answers every caller in the same
order: 401 (no or a bad token), 403 (a role the route does not take), then the body.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from app.api.caller import principal_of
from app.api.deps import permission_of


class PermissionFirstRoute(APIRoute):
    """Runs the route's declared ``Permission`` (401/403) before the body is read; public routes are untouched."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()
        permission = permission_of(self)
        if permission is None or permission.public:
            return handler

        async def route(request: Request) -> Response:
            await permission(principal_of(request))
            return await handler(request)

        return route
