"""The test clock (测试时钟) on every request, outside production.

The clock is stored (``PUT /api/v1/testing/clock``) so that every process sees the same time;
each request loads it, in its own transaction, before the endpoint reads ``clock.now()``. In
production there is no test clock and nothing is read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from app.db.repositories import clock as clock_repo
from app.domain import clock


class FrozenClockRoute(APIRoute):
    """Sets this process's clock from the stored test clock; runs inside ``TransactionRoute`` (uses its session)."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            if not request.app.state.settings.production:
                clock.set_frozen(await clock_repo.read(request.state.session))
            return await handler(request)

        return route
