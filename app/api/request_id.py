"""The request id: a sane ``X-Request-ID`` accepted or made, echoed, and each request logged once.

HTTP's part of observability (app/observability.py holds the logging set-up every process uses).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from starlette.requests import Request

from app.api.i18n import content_language, language
from app.api.metrics import observe_request
from app.api.problems import PROBLEM_JSON, internal_error
from app.observability import request_id_var

_VALID_RID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestIdMiddleware:
    """Accepts a sane ``X-Request-ID`` or makes one, echoes it, and logs each request once."""

    def __init__(self, app) -> None:
        self.app = app
        self.log = logging.getLogger("qaward.access")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        incoming = None
        for k, v in scope.get("headers", []):
            if k == b"x-request-id":
                incoming = v.decode("latin-1")
                break
        rid = incoming if incoming and _VALID_RID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(rid)
        scope.setdefault("state", {})["request_id"] = rid
        status = {"code": 500}
        started = time.perf_counter()

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                status["started"] = True
                message.setdefault("headers", []).append((b"x-request-id", rid.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # logged here, where the request id is still known; the client gets a problem, not a trace
            logging.getLogger("qaward.errors").exception("unexpected error")
            if status.get("started"):
                raise
            lang = language(Request(scope))
            body = json.dumps(internal_error(lang, scope["path"], rid), ensure_ascii=False).encode()
            headers = [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                # like every other problem: the detail is in the caller's language, caches key on it
                (b"content-language", content_language(lang).encode()),
                (b"vary", b"Accept-Language"),
            ]
            await send_with_id({"type": "http.response.start", "status": 500, "headers": headers})
            await send_with_id({"type": "http.response.body", "body": body})
        finally:
            # the path only, never the query string: it may carry personal data
            seconds = time.perf_counter() - started
            duration_ms = round(seconds * 1000, 1)
            observe_request(scope, status["code"], seconds)
            self.log.info(
                "%s %s %s %.1fms",
                scope["method"],
                scope["path"],
                status["code"],
                duration_ms,
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status["code"],
                    "duration_ms": duration_ms,
                    **_principal_fields(scope),
                },
            )
            request_id_var.reset(token)


def _principal_fields(scope) -> dict:
    """Who asked: the subject and roles only, never a claim carrying personal data (real-name claims)."""
    principal = scope.get("state", {}).get("principal")
    if principal is None or principal.anonymous:
        return {"principal": None, "roles": []}
    return {"principal": principal.sub, "roles": sorted(principal.roles)}


def new_request_id() -> str:
    return uuid.uuid4().hex
