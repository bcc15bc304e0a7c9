"""RFC 9457 problem details: the one renderer of every error the API answers."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request

from app.api.i18n import VALIDATION_MESSAGES, language
from app.db.session import connect_failure
from app.domain.errors import PROBLEM_BASE, DomainError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("qaward.database")


class InvalidField(BaseModel):
    field: str
    code: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details, with ``errors`` for invalid fields and other extension members."""

    model_config = {"extra": "allow"}

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    clause: str | None = None
    errors: list[InvalidField] | None = None


def problem_response(request: Request, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    body.setdefault("instance", request.url.path)
    rid = getattr(request.state, "request_id", None)
    if rid:
        body.setdefault("request_id", rid)
    return JSONResponse(body, status_code=body["status"], media_type=PROBLEM_JSON, headers=headers)


def render_domain_error(request: Request, exc: DomainError) -> JSONResponse:
    lang = language(request)
    body: dict[str, Any] = {
        "type": exc.type_uri,
        "title": exc.title or _TITLES.get(exc.status, "Error"),
        "status": exc.status,
        "detail": exc.en if lang == "en" else exc.zh,
    }
    if exc.clause:
        body["clause"] = exc.clause
    if exc.errors:
        body["errors"] = [e.render(lang) for e in exc.errors]
    body.update(exc.extra)
    return problem_response(request, body, exc.headers or None)


_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    428: "Precondition Required",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}

_HTTP_ERRORS = {
    400: ("bad-request", "请求无法解析", "The request could not be parsed"),
    404: ("not-found", "请求的资源不存在", "The requested resource does not exist"),
    405: ("method-not-allowed", "该资源不支持此请求方法", "This method is not allowed on this resource"),
}


def _field_path(loc: tuple) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:] or parts
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else (("." if out else "") + p)
    return out or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError):
        return render_domain_error(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        lang = language(request)
        errors = []
        for err in exc.errors():
            zh, en = VALIDATION_MESSAGES.get(err.get("type", ""), ("取值无效", err.get("msg", "Invalid value")))
            ctx = err.get("ctx") or {}
            if err.get("type") == "value_error" and ctx.get("error"):
                en = str(ctx["error"])
            errors.append({"field": _field_path(tuple(err.get("loc", ()))), "code": err.get("type", "invalid"), "message": en if lang == "en" else zh})
        fields = "、".join(e["field"] for e in errors) if lang != "en" else ", ".join(e["field"] for e in errors)
        return problem_response(
            request,
            {
                "type": PROBLEM_BASE + "validation-error",
                "title": "Unprocessable Content",
                "status": 422,
                "detail": f"Invalid request: {fields}" if lang == "en" else f"请求内容有误：{fields}",
                "errors": errors,
            },
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        lang = language(request)
        slug, zh, en = _HTTP_ERRORS.get(exc.status_code, ("http-error", str(exc.detail), str(exc.detail)))
        return problem_response(
            request,
            {"type": PROBLEM_BASE + slug, "title": _TITLES.get(exc.status_code, "Error"), "status": exc.status_code, "detail": en if lang == "en" else zh},
            headers=getattr(exc, "headers", None),
        )

    async def _unreachable(request: Request, exc: Exception):
        if not connect_failure(exc):
            raise exc  # not the database: unexpected, answered 500 by the outermost middleware
        # down, restarting or full: nothing was done, and the client may retry
        log.warning("database unreachable: %s", type(exc).__name__)
        return render_domain_error(request, DATABASE_PROBLEMS["database-unavailable"])

    app.add_exception_handler(OSError, _unreachable)
    app.add_exception_handler(asyncpg.PostgresError, _unreachable)

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError):
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None) or ""
        if code in RETRYABLE_SQLSTATES:
            # two requests met on the same rows; the losing one changed nothing and may retry
            problem = DATABASE_PROBLEMS["concurrent-update"]
        elif exc.connection_invalidated or code.startswith("08"):
            # the database connection was lost (a restart, a failover): nothing was saved
            problem = DATABASE_PROBLEMS["database-unavailable"]
        elif code.startswith("22"):
            # data exception (a NUL byte, a date out of range, a number too large): the input, not us
            problem = DATABASE_PROBLEMS["invalid-value"]
        else:
            raise exc  # anything else is unexpected: the outermost middleware answers 500
        return render_domain_error(request, problem)


# What a database refusal means for the client (all of them: nothing was saved).
DATABASE_PROBLEMS = {
    "concurrent-update": DomainError(
        "concurrent-update", 409, "该资源正被其他请求修改，本次请求未作任何更改，请重试",
        "The resource was being changed by another request; nothing was saved, retry", title="Conflict", headers={"Retry-After": "1"},
    ),
    "database-unavailable": DomainError(
        "database-unavailable", 503, "数据库连接中断，本次请求未保存任何内容，请重试",
        "The database connection was lost; nothing was saved, retry", title="Service Unavailable", headers={"Retry-After": "1"},
    ),
    "invalid-value": DomainError(
        "invalid-value", 422, "请求中的某个值无法保存（例如含有空字符，或日期、数值超出范围）",
        "A value cannot be stored as given (for example a NUL character or a date or number out of range)", title="Unprocessable Content",
    ),
}
RETRYABLE_SQLSTATES = {"40P01", "40001", "55P03"}  # deadlock, serialization failure, lock not available


def internal_error(lang: str, path: str, request_id: str | None) -> dict[str, Any]:
    """The 500 body: no internals, the request id to quote."""
    return {
        "type": PROBLEM_BASE + "internal-error",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "An unexpected error occurred; quote the request id when reporting it" if lang == "en" else "服务器内部错误，请联系管理员并提供请求编号",
        "instance": path,
        "request_id": request_id,
    }


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries declaring problem+json answers."""
    return {s: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": _TITLES.get(s, "Error")} for s in statuses}
