"""Liveness and readiness."""

from __future__ import annotations

from pydantic import BaseModel

from app.api.deps import PUBLIC, Session
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.db.runtime import head_revision, migration_of
from app.domain.errors import DomainError

router = v1_router(tags=["health"])
liveness = v1_router(tags=["health"], database=False)


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    database: str
    migration: str | None


@liveness.get("/health", operation_id="get_health", dependencies=[PUBLIC], response_model=Health)
async def health() -> Health:
    """The process is alive (touches nothing else: answers while the database is down)."""
    return Health(status="ok")


@router.get(
    "/ready",
    operation_id="get_readiness",
    dependencies=[PUBLIC],
    response_model=Readiness,
    responses=problem_responses(503),
)
async def ready(session: Session) -> Readiness:
    """The database answers and its schema is at the head migration."""
    try:
        current = await migration_of(session)
    except Exception as exc:
        raise DomainError(
            "not-ready", 503, "数据库不可用", "The database is unreachable", title="Service Unavailable"
        ) from exc
    if current != head_revision():
        raise DomainError(
            "not-ready",
            503,
            "数据库结构未升级到最新版本",
            "The database schema is not at the latest migration",
            title="Service Unavailable",
            extra={"migration": current},
        )
    return Readiness(status="ready", database="ok", migration=current)
