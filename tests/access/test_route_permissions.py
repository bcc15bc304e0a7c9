"""Every route declares its permission (STYLE point 11): public, signed-in, or a set of roles.

A route added without one fails here, before anyone has to notice that it answers everybody.
"""

from __future__ import annotations

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount, Route

from app.api.deps import Caller, OfficeOnly, Permission, permission_of
from app.identity import Role

# routes the framework makes, which take no dependencies: the OpenAPI document and the docs' assets
FRAMEWORK_ROUTES = {"/api/v1/openapi.json", "/docs/static/{path}"}

pytestmark = pytest.mark.no_database


@pytest.fixture(scope="module")
def routes():
    from app.config import Settings
    from app.main import create_app

    app = create_app(Settings(environment="development", database_url="postgresql://unused/unused"), migrate=False)
    return [(ctx.path_format, ctx.original_route) for ctx in iter_route_contexts(app.routes)]


def test_every_route_declares_exactly_one_permission(routes):
    undeclared, twice = [], []
    for path, route in routes:
        if not isinstance(route, APIRoute):
            assert isinstance(route, Route | Mount) and path in FRAMEWORK_ROUTES, (
                f"{path}: a route FastAPI cannot give a permission"
            )
            continue
        found = _permissions(route.dependant)
        if not found:
            undeclared.append(f"{sorted(route.methods)} {path}")
        elif len(set(map(id, found))) > 1:
            twice.append(f"{sorted(route.methods)} {path}: {found}")
    assert not undeclared, "routes without a declared permission (app.api.deps): " + ", ".join(undeclared)
    assert not twice, "routes declaring two permissions: " + ", ".join(twice)


def test_public_routes_read_no_caller_and_the_others_need_a_token(routes):
    """A public route's permission takes no principal; a declared one answers 401 to the anonymous."""
    for path, route in routes:
        if isinstance(route, APIRoute):
            permission = permission_of(route)
            assert permission is not None
            if permission.public:
                assert not _permissions_reading_the_caller(route.dependant), path
            else:
                assert permission.roles <= {r.value for r in Role}, (path, permission.roles)


def test_the_health_and_public_routes_are_declared_public(routes):
    public = {path for path, route in routes if isinstance(route, APIRoute) and permission_of(route).public}
    assert {
        "/api/v1/health",
        "/api/v1/ready",
        "/api/v1/public/calls",
        "/api/v1/public/notices/{notice_id}/objections",
        "/docs",
    } <= public
    assert not any(p.startswith(("/api/v1/objections", "/api/v1/applicants", "/api/v1/bans")) for p in public)


async def test_a_route_without_a_permission_is_found():
    """The walk itself: a route whose caller comes from a bare dependency declares nothing."""
    router = APIRouter()

    @router.get("/bare")
    async def bare(principal: Caller) -> None: ...

    @router.get("/declared")
    async def declared(principal: OfficeOnly) -> None: ...

    by_path = {r.path: r for r in router.routes}
    assert permission_of(by_path["/bare"]) is None
    assert permission_of(by_path["/declared"]).roles == {"office"}


def _permissions(dependant) -> list[Permission]:
    out = []
    for d in dependant.dependencies:
        if isinstance(d.call, Permission):
            out.append(d.call)
        out += _permissions(d)
    return out


def _permissions_reading_the_caller(dependant) -> bool:
    from app.api.deps import get_principal

    return any(
        d.call is get_principal or getattr(d.call, "reads_token", False) or _permissions_reading_the_caller(d)
        for d in dependant.dependencies
    )
