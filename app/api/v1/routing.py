"""How a v1 router is made: every route runs inside one request transaction."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute

from app.api.transaction import DatabaseFreeRoute, TransactionalRoute


def v1_router(*, database: bool = True, **kwargs: Any) -> APIRouter:
    """An ``APIRouter`` whose routes are ``TransactionalRoute``s. Use it for every v1 module.

    ``database=False`` only for routes that touch no data at all (liveness).
    """
    return APIRouter(route_class=TransactionalRoute if database else DatabaseFreeRoute, **kwargs)


def check_transactional(router: APIRouter) -> APIRouter:
    for route in router.routes:
        if isinstance(route, APIRoute) and not isinstance(route, TransactionalRoute):
            raise RuntimeError(f"route {route.path} must be made with app.api.v1.routing.v1_router() (one request = one transaction)")
    return router
