"""What every endpoint may ask for: the request's session, the caller, its language.

The dependencies are ``async def`` although they do not await: FastAPI runs a plain ``def``
dependency in a thread pool, a thread hop per request for nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from app.access import roles
from app.api.caller import principal_of
from app.api.i18n import language
from app.config import Settings
from app.db.session_read import caught_up, in_recovery
from app.domain.errors import DomainError
from app.identity import Principal, Role


async def get_session(request: Request) -> AsyncSession:
    return request.state.session


async def get_public_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The read replica for the anonymous public (nothing it reads follows a write of its own); the
    primary for a caller with a token (an office checking what it just published), or without a replica."""
    replica = getattr(request.app.state, "read_db", None)
    if replica is None or "authorization" in request.headers:
        yield await _served(request, request.state.session)
        return
    async with replica.session() as session:
        yield await _served(request, session if session is not None else request.state.session)


async def get_export_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The read replica for a bulk export, once it has replayed all the primary had committed when
    the export began (the caller's own writes included); the primary when it lags longer than
    ``read_replica_wait_seconds`` or is down."""
    replica = getattr(request.app.state, "read_db", None)
    primary: AsyncSession = request.state.session
    if replica is None:
        yield await _served(request, primary)
        return
    async with replica.session() as session:
        fresh = session is not None and await caught_up(
            primary, session, request.app.state.settings.read_replica_wait_seconds
        )
        yield await _served(request, session if fresh else primary)


async def _served(request: Request, session: AsyncSession) -> AsyncSession:
    """The test environment states which server answered (``X-Read-Served-By``), asked of the server itself."""
    if getattr(request.app.state, "read_db", None) is not None and request.app.state.settings.environment == "test":
        request.state.read_served_by = "replica" if await in_recovery(session) else "primary"
    return session


async def get_principal(request: Request) -> Principal:
    return principal_of(request)


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


async def get_language(request: Request) -> str:
    return language(request)


Session = Annotated[AsyncSession, Depends(get_session)]
# reads that decide nothing, served by QAWARD_READ_DATABASE_URL when set (app/db/session_read.py);
# closed when the endpoint returns, before the answer is sent
ReadSession = Annotated[AsyncSession, Depends(get_public_read_session, scope="function")]
ExportSession = Annotated[AsyncSession, Depends(get_export_session, scope="function")]
Caller = Annotated[Principal, Depends(get_principal)]
AppSettings = Annotated[Settings, Depends(get_settings_dep)]
Lang = Annotated[str, Depends(get_language)]


# methods that change nothing (RFC 9110 9.2.1)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def forbidden(zh: str = "当前身份无权执行此操作", en: str = "Your role does not allow this action") -> DomainError:
    return DomainError("forbidden", 403, zh, en, title="Forbidden")


def authenticated(principal: Principal) -> Principal:
    if principal.anonymous:
        raise DomainError(
            "unauthorized",
            401,
            "需要登录（Bearer 令牌）",
            "Authentication (a Bearer token) is required",
            title="Unauthorized",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


class Permission:
    """A route's declared permission (权限): who may call it at all.

    Every route declares exactly one (a test walks ``app.routes``): ``PUBLIC``, ``SIGNED_IN`` (any
    signed-in caller; the object rules of ``app.access`` then answer 404 for what it may not see)
    or a set of roles (401 anonymous, 403 another role). As Polar's annotated ``RefundsRead``.
    """

    public = False
    # a declared permission reads the bearer token (401 without one), as ``get_principal`` does
    reads_token = True

    def __init__(self, name: str, *roles: str) -> None:
        self.name = name
        self.roles = frozenset(roles)

    def __repr__(self) -> str:
        return f"Permission({self.name!r})"

    async def __call__(self, request: Request) -> Principal:
        # the caller read here, not through Depends(get_principal): one dependency per route, not a nested chain to solve per request
        principal = authenticated(principal_of(request))
        if self.roles and not principal.has(*self.roles):
            raise forbidden()
        if request.method not in SAFE_METHODS and roles.read_only(principal):
            # the supervision team watches the review and takes no part in it (hangzhou-6.1): every
            # write of a signed-in route is refused here, whatever the route, before its body is read
            raise DomainError(
                "read-only-role",
                403,
                "评审监督人员只能查阅，不能办理或修改任何事项",
                "The supervision role reads only; it may not change anything",
                title="Forbidden",
            )
        return principal


class PublicPermission(Permission):
    """Anyone, the anonymous public included: the route reads no caller."""

    public = True
    reads_token = False

    async def __call__(self) -> None:  # type: ignore[override]
        return None


def permission_of(route) -> Permission | None:
    """The permission a route declares (among its dependencies, at any depth), or None."""

    def walk(dependant) -> Permission | None:
        for d in dependant.dependencies:
            if isinstance(d.call, Permission):
                return d.call
            if (found := walk(d)) is not None:
                return found
        return None

    return walk(route.dependant)


PUBLIC_ACCESS = PublicPermission("public")
SIGNED_IN_ACCESS = Permission("signed-in")
ADMIN_ACCESS = Permission("admin", Role.admin)
OFFICE_ACCESS = Permission("office", Role.office)
OFFICE_READ_ACCESS = Permission("office-or-admin", Role.office, Role.admin)
ROUNDS_READ_ACCESS = Permission(
    "rounds:read", Role.admin, Role.office, Role.recommender, Role.expert, Role.committee, Role.supervisor
)
APPLICATIONS_CREATE_ACCESS = Permission("applications:create", Role.applicant, Role.office)
APPLICANTS_REGISTER_ACCESS = Permission("applicants:register", Role.admin, Role.office, Role.applicant)
UNITS_READ_ACCESS = Permission("recommending-units:read", Role.admin, Role.office, Role.recommender)
UNITS_WRITE_ACCESS = Permission("recommending-units:write", Role.admin, Role.office)
# the programme's office, or the third-party review body engaged for the round (linyi-8a)
REVIEW_MANAGE_ACCESS = Permission("review:manage", Role.office, Role.review_body)

# for ``dependencies=[...]`` of a route that reads no caller
PUBLIC = Depends(PUBLIC_ACCESS)
# the caller, as each route declares it may be
SignedIn = Annotated[Principal, Depends(SIGNED_IN_ACCESS)]
AdminOnly = Annotated[Principal, Depends(ADMIN_ACCESS)]
OfficeOnly = Annotated[Principal, Depends(OFFICE_ACCESS)]
OfficeOrAdmin = Annotated[Principal, Depends(OFFICE_READ_ACCESS)]
RoundsRead = Annotated[Principal, Depends(ROUNDS_READ_ACCESS)]
ApplicationsCreate = Annotated[Principal, Depends(APPLICATIONS_CREATE_ACCESS)]
ApplicantsRegister = Annotated[Principal, Depends(APPLICANTS_REGISTER_ACCESS)]
UnitsRead = Annotated[Principal, Depends(UNITS_READ_ACCESS)]
UnitsWrite = Annotated[Principal, Depends(UNITS_WRITE_ACCESS)]
ReviewManagers = Annotated[Principal, Depends(REVIEW_MANAGE_ACCESS)]


def require_roles(*roles: str):
    """A permission dependency for ``roles`` (401 if anonymous, else 403); prefer the named ones above."""
    return Depends(Permission("roles:" + ",".join(sorted(roles)), *roles))
