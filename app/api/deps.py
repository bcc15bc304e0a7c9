"""What every endpoint may ask for: the request's session, the caller, its language.

The dependencies are ``async def`` although they do not await: FastAPI runs a plain ``def``
dependency in a thread pool, a thread hop per request for nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from app.api.caller import principal_of
from app.api.i18n import language
from app.config import Settings
from app.domain.errors import DomainError
from app.identity import Principal


async def get_session(request: Request) -> AsyncSession:
    return request.state.session


async def get_principal(request: Request) -> Principal:
    return principal_of(request)


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


async def get_language(request: Request) -> str:
    return language(request)


Session = Annotated[AsyncSession, Depends(get_session)]
Caller = Annotated[Principal, Depends(get_principal)]
AppSettings = Annotated[Settings, Depends(get_settings_dep)]
Lang = Annotated[str, Depends(get_language)]


def forbidden(zh: str = "当前身份无权执行此操作", en: str = "Your role does not allow this action") -> DomainError:
    return DomainError("forbidden", 403, zh, en, title="Forbidden")


def authenticated(principal: Principal) -> Principal:
    if principal.anonymous:
        raise DomainError("unauthorized", 401, "需要登录（Bearer 令牌）", "Authentication (a Bearer token) is required", title="Unauthorized", headers={"WWW-Authenticate": "Bearer"})
    return principal


def require_roles(*roles: str):
    """A dependency giving the caller if it holds one of ``roles`` (401 if anonymous, else 403)."""

    async def dependency(request: Request) -> Principal:
        principal = authenticated(principal_of(request))
        if not principal.has(*roles):
            raise forbidden()
        return principal

    return Depends(dependency)
