"""The application factory."""

from __future__ import annotations

import gc
import logging
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from app.api import metrics, notice_cache, problems
from app.api.deps import PUBLIC
from app.api.header_limit import HeaderLimitMiddleware
from app.api.request_id import RequestIdMiddleware
from app.api.security_headers import SecurityHeadersMiddleware, docs_csp
from app.api.shanghai_times import ShanghaiTimesMiddleware
from app.api.v1 import router as v1
from app.config import Settings, get_settings
from app.db.runtime import migrate_async, resolve_database_url
from app.db.session import Database
from app.db.session_read import ReadDatabase
from app.identity import TokenVerifier

log = logging.getLogger("qaward")

DESCRIPTION = """
qaward runs Chinese government quality awards (政府质量奖) end to end.

Errors are RFC 9457 `application/problem+json`; `detail` is Chinese unless `Accept-Language: en`.
Create requests accept `Idempotency-Key`; updates of versioned resources need `If-Match`.
"""


def create_app(settings: Settings | None = None, *, migrate: bool = True) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if not logging.getLogger().handlers:
            # a worker process uvicorn spawned (serve --workers N) starts with no logging set up
            from app.observability import configure_logging

            configure_logging(settings.log_level, settings.log_format)
        url = resolve_database_url(settings)
        if migrate:
            await migrate_async(url)
        app.state.db = Database(url, pool_size=settings.db_pool_size)
        # public reads and exports only (app/api/deps.py ReadSession, ExportSession)
        app.state.read_db = (
            ReadDatabase(settings.read_database_url, settings.db_pool_size) if settings.read_database_url else None
        )
        if not settings.production:
            await _warn_of_test_clock(app.state.db)
        await notice_cache.start(app, url, settings)
        app.state.worker = None
        if settings.run_worker:
            from app.workflow.deadlines import DeadlineWorker

            app.state.worker = DeadlineWorker(app.state.db, settings)
            app.state.worker.start()
        if settings.freezes_gc:
            _freeze_gc()
        try:
            yield
        finally:
            if app.state.worker is not None:
                await app.state.worker.stop()
            await notice_cache.stop(app)
            await app.state.db.dispose()
            if app.state.read_db is not None:
                await app.state.read_db.dispose()

    app = FastAPI(
        title="qaward",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.settings = settings
    app.state.verifier = TokenVerifier(settings)
    problems.install(app)
    for router in v1.routers(settings):
        app.include_router(router, prefix=v1.PREFIX)
    app.include_router(metrics.router(settings))
    _offline_docs(app)
    _declare_convention_headers(app)
    app.add_middleware(HeaderLimitMiddleware)
    if settings.cors_origin_list:
        # browsers of these origins only (off by default: the API needs no browser of another origin)
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-Match",
                "Idempotency-Key",
                "X-Request-ID",
                "Accept-Language",
            ],
            expose_headers=[
                "ETag",
                "Location",
                "X-Request-ID",
                "Retry-After",
                "Idempotent-Replayed",
                "Content-Language",
            ],
            max_age=600,
        )
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    # every instant in a JSON answer in Asia/Shanghai time (+08:00), the legal dates' zone
    app.add_middleware(ShanghaiTimesMiddleware)
    return app


def _freeze_gc() -> None:
    """What lives from start-up to the end goes to the permanent generation: with 100 programmes a full collection
    walked ~300,000 objects (~180 ms) inside whichever request triggered it: the lists' p99 (issue 21)."""
    from app.domain.programmes.registry import get_registry

    get_registry()  # loaded now, not on the first request, so it is frozen with the rest
    gc.collect()  # garbage of start-up first: what is frozen is never collected
    gc.freeze()


async def _warn_of_test_clock(db: Database) -> None:
    """A test clock left set survives restarts (it is stored so every process shares it): say so loudly."""
    from app.db.repositories import clock as clock_repo

    try:
        async with db.transaction() as session:
            frozen = await clock_repo.read(session)
    except Exception:  # a database not migrated yet (migrate=False) has no clock to warn of
        log.debug("test clock not read at start", exc_info=True)
        return
    if frozen is not None:
        log.warning(
            "TEST CLOCK SET: the service's time is frozen at %s (stored in the database, it survived the restart);"
            " deadlines fire as at that instant. DELETE /api/v1/testing/clock returns to real time.",
            frozen.isoformat(),
            extra={"test_clock": frozen.isoformat()},
        )


def _declare_convention_headers(app: FastAPI) -> None:
    """The headers every route honours, declared per operation so the contract shows them:
    ``Idempotency-Key`` on creates (POST), ``If-Match`` where a stale or missing one is refused (428)."""
    base = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        doc = base()
        for path in doc.get("paths", {}).values():
            for method, op in path.items():
                params = op.setdefault("parameters", [])
                names = {p.get("name", "").lower() for p in params}
                if method == "post" and "idempotency-key" not in names:
                    params.append(
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "description": "Retry safely: the same key and body replay the first answer (kept 24 h); another body is 422, a retry in flight 409.",
                            "schema": {"type": "string", "maxLength": 255},
                        }
                    )
                if "428" in op.get("responses", {}) and "if-match" not in names:
                    params.append(
                        {
                            "name": "If-Match",
                            "in": "header",
                            "required": True,
                            "description": "The ETag the resource was read with: missing 428, stale 412.",
                            "schema": {"type": "string"},
                        }
                    )
                if not params:
                    op.pop("parameters")
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]


def _offline_docs(app: FastAPI) -> None:
    """Swagger UI served from the package itself: intranets have no CDN."""
    static = Path(fastapi_offline.__file__).parent / "static"
    app.mount("/docs/static", StaticFiles(directory=static), name="docs-static")

    page = get_swagger_ui_html(
        openapi_url=app.openapi_url,
        title="qaward API",
        swagger_js_url="/docs/static/swagger-ui-bundle.js",
        swagger_css_url="/docs/static/swagger-ui.css",
        swagger_favicon_url="/docs/static/favicon.png",
    )
    csp = docs_csp(page.body)

    @app.get("/docs", include_in_schema=False, dependencies=[PUBLIC])
    async def docs():
        # a new response each time: middlewares append to a response's header list
        return HTMLResponse(page.body, headers={"Content-Security-Policy": csp})
