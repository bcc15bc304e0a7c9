"""Liveness and readiness."""

from __future__ import annotations

from datetime import datetime

from fastapi import Request
from pydantic import BaseModel, Field

from app.api.deps import PUBLIC, Session
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.db.repositories import clock as clock_repo
from app.db.repositories import operations as operations_repo
from app.db.runtime import head_revision, migration_of
from app.domain.errors import DomainError

router = v1_router(tags=["health"])
liveness = v1_router(tags=["health"], database=False)


class Health(BaseModel):
    status: str


class WorkerStatus(BaseModel):
    """A deadline worker's heartbeat (工作进程心跳), as the database last heard it."""

    id: str = Field(description="host:pid:random")
    host: str
    pid: int
    started_at: datetime
    beat_at: datetime
    age_seconds: float = Field(description="since its last heartbeat, by the database's clock")
    stale: bool = Field(description="silent longer than QAWARD_WORKER_STALE_SECONDS")
    last_batch_at: datetime | None
    last_batch_size: int | None
    handled_total: int


class Readiness(BaseModel):
    status: str
    database: str
    migration: str | None
    workers: list[WorkerStatus] = Field(
        default_factory=list, description="every deadline worker that beat recently (any replica, any machine)"
    )
    worker_expected: bool = Field(
        False,
        description="a fresh worker heartbeat is required (QAWARD_READY_REQUIRES_WORKER; default: QAWARD_RUN_WORKER)",
    )
    test_clock: datetime | None = Field(
        None,
        description="the frozen 'now' when a test clock is set (stored in the database: it survives restarts until DELETE /api/v1/testing/clock); never in production",
    )


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
async def ready(session: Session, request: Request) -> Readiness:
    """The database answers, its schema is at the head migration and, where one is expected, a deadline
    worker beat within ``QAWARD_WORKER_STALE_SECONDS``; shows every worker's heartbeat and any test clock."""
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
    settings = request.app.state.settings
    stale_after = settings.worker_stale_seconds
    workers = [
        WorkerStatus(
            **{k: getattr(w, k) for k in WorkerStatus.model_fields if k != "stale"}, stale=w.age_seconds > stale_after
        )
        for w in await operations_repo.workers(session)
    ]
    frozen = None if settings.production else await clock_repo.read(session)
    if settings.worker_expected and not any(not w.stale for w in workers):
        raise DomainError(
            "not-ready",
            503,
            f"没有正常运行的截止期限工作进程（{stale_after} 秒内无心跳）",
            f"No deadline worker has beaten within {stale_after} seconds",
            title="Service Unavailable",
            extra={"workers": [w.model_dump(mode="json") for w in workers]},
        )
    return Readiness(
        status="ready",
        database="ok",
        migration=current,
        workers=workers,
        worker_expected=settings.worker_expected,
        test_clock=frozen,
    )
