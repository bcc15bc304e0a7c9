"""How a v1 router is made: the route pieces every v1 route is composed of, in one place.

Each piece is a small ``APIRoute`` subclass doing one job and wrapping the handler of the next
(the shape of Polar's ``kit/routing.py``). Listed first = runs first, as the class's MRO:

0. ``PermissionFirstRoute``: the declared permission (401/403) decided before anything reads the body;
   ``BodyLimitRoute``: a body over the operation's limit refused (413) before it is read, JSON too deep 422;
1. ``UnstorableTextRoute``: text the database could never store is a 422 naming the field, before any work;
2. ``IdempotencyClaimRoute``: a POST's ``Idempotency-Key`` claimed (or its answer replayed), released on failure;
3. ``TransactionRoute``: the request's session and its one transaction, committed before the answer (503 if not);
4. ``FrozenClockRoute``: the test clock, read in that transaction (not in production);
5. ``IdempotentAnswerRoute``: the answer stored under the key, in that transaction, before the commit.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute

from app.api.body_limit import BodyLimitRoute
from app.api.frozen_clock import FrozenClockRoute
from app.api.idempotency import IdempotencyClaimRoute, IdempotentAnswerRoute
from app.api.permission_first import PermissionFirstRoute
from app.api.transaction import TransactionRoute
from app.api.unstorable_text import UnstorableTextRoute


class V1Route(
    PermissionFirstRoute,
    BodyLimitRoute,
    UnstorableTextRoute,
    IdempotencyClaimRoute,
    TransactionRoute,
    FrozenClockRoute,
    IdempotentAnswerRoute,
):
    """A v1 route: one request = one transaction, with the conventions of every route (see the module docstring)."""

    uses_database = True


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
