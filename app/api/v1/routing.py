"""How a v1 router is made: the steps every v1 route runs around its endpoint, in one place.

Each step is a small function in its own module; ``V1Route`` composes them once, when the route
is built, into one handler (one frame per request, not one per step; the order is ``STEPS``):

0. ``permission_first``: the declared permission (401/403) decided before anything reads the body;
   ``body_limit``: a body over the operation's limit refused (413) before it is read, JSON too deep refused;
1. ``unstorable_text``: text the database could never store is a 422 naming the field, before any work;
2. ``idempotency_claim``: a POST's ``Idempotency-Key`` claimed (or its answer replayed), released on failure;
3. ``transaction``: the request's session and its one transaction, committed before the answer (503 if not);
4. ``frozen_clock``: the test clock, read in that transaction (not in production);
5. ``idempotent_answer``: the answer stored under the key, in that transaction, before the commit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from app.api import frozen_clock, idempotency, notice_cache, transaction
from app.api.body_limit import BodyLimitRoute, cap_body, caps_body
from app.api.deps import SAFE_METHODS
from app.api.permission_first import permission_first
from app.api.unstorable_text import refuse_unstorable

# outermost first: the order the handler below runs them in (a test reads it off the handler's code)
STEPS = (
    "permission_first",
    "body_limit",
    "unstorable_text",
    "idempotency_claim",
    "transaction",
    "frozen_clock",
    "idempotent_answer",
)


class V1Route(APIRoute):
    """A v1 route: one request = one transaction, with the conventions of every route (see the module docstring)."""

    uses_database = True

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        endpoint = super().get_route_handler()
        # decided once per route: only a POST claims an Idempotency-Key
        claims_keys = "POST" in (self.methods or ())
        # a route that may write tells this process's public notice cache once it ended (app/api/notice_cache.py)
        writes = not (self.methods or set()) <= SAFE_METHODS
        permission = permission_first(self)
        capped = caps_body(self)

        async def route(request: Request) -> Response:
            if permission is not None:
                await permission(request)  # permission_first
            if capped:
                request = await cap_body(self, request)  # body_limit
            await refuse_unstorable(request)  # unstorable_text
            claim = await idempotency.claim(request) if claims_keys else None  # idempotency_claim
            if isinstance(claim, Response):
                return claim  # the stored answer, replayed
            state = request.app.state
            db = state.db
            try:
                request.state.after_rollback = after_rollback = []
                async with db.sessionmaker() as session:  # transaction
                    request.state.session = session
                    tx = await session.begin()
                    try:
                        if not state.settings.production:
                            await frozen_clock.load(session)  # frozen_clock
                        response = await endpoint(request)
                        if claim is not None and response.status_code < 400:
                            await idempotency.complete(session, claim, response)  # idempotent_answer
                    except BaseException as exc:
                        await transaction.end_failed(tx, db, after_rollback, exc)
                        raise
                    await transaction.commit(tx, db, after_rollback)
                    if served_by := getattr(request.state, "read_served_by", None):
                        # the test environment only (app/api/deps.py): which server a public read or export used
                        response.headers["X-Read-Served-By"] = served_by
            except BaseException:
                if claim is not None:
                    await idempotency.release(db, claim)
                raise
            finally:
                if writes and (cache := notice_cache.of(request.app)) is not None:
                    cache.after_write()
            return response

        return route


class DatabaseFreeRoute(BodyLimitRoute):
    """A route that reads and writes nothing (liveness): no session, no transaction, no test clock,
    so it answers while the database is down."""

    uses_database = False


def v1_router(*, database: bool = True, **kwargs: Any) -> APIRouter:
    """An ``APIRouter`` whose routes are ``V1Route``s. Use it for every v1 module.

    ``database=False`` only for routes that touch no data at all (liveness).
    """
    return APIRouter(route_class=V1Route if database else DatabaseFreeRoute, **kwargs)


def check_transactional(router: APIRouter) -> APIRouter:
    for route in router.routes:
        if isinstance(route, APIRoute) and not isinstance(route, (V1Route, DatabaseFreeRoute)):
            raise RuntimeError(
                f"route {route.path} must be made with app.api.v1.routing.v1_router() (one request = one transaction)"
            )
    return router
