"""``Idempotency-Key`` (幂等键, IETF httpapi draft): replay, conflicts, and a record that commits with the work.

The key is claimed in its own short transaction, so a concurrent retry sees it in flight (409).
The response is stored in the same transaction as the work it answers, so a committed create
always has its replay and a failed one frees its key.

Two steps of the v1 route (``app/api/v1/routing.py``), on either side of the request's
transaction: ``claim`` (outside: claim the key or replay its answer; ``release`` it if the request
fails, its commit included) and ``complete`` (inside: store the answer with the work).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from app.api.caller import principal_of
from app.config import Settings
from app.db.repositories import clock as clock_repo
from app.db.repositories import idempotency as repo
from app.db.session import Database
from app.domain import clock
from app.domain.errors import DomainError, FieldError
from app.identity import Principal

HEADER = "idempotency-key"
_REPLAYED_HEADERS = ("content-type", "location", "etag")


async def claim(request: Request) -> Claim | Response | None:
    """A POST's key claimed before its transaction (None without a key), or the answer to replay."""
    if HEADER not in request.headers:
        return None
    state = request.app.state
    return await begin(request, state.db, state.settings, principal_of(request))


@dataclass
class Claim:
    principal: str
    key: str
    token: uuid.UUID


def _fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode() if body else b""
    except (ValueError, RecursionError):  # not JSON, or nested past the parser: the bytes as they came
        canonical = body
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), query.encode(), canonical])).hexdigest()


async def begin(request: Request, db: Database, settings: Settings, principal: Principal) -> Claim | Response | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip().strip('"')
    if not key or len(key) > 255:
        raise DomainError(
            "idempotency-key-invalid",
            400,
            "Idempotency-Key 必须是 1 到 255 个字符",
            "Idempotency-Key must be 1 to 255 characters",
            title="Bad Request",
            errors=[FieldError("Idempotency-Key", "长度须为 1-255", "must be 1-255 characters")],
        )
    body = await request.body()
    fp = _fingerprint(request.method, request.url.path, request.url.query, body)
    lease = timedelta(seconds=settings.idempotency_lease_seconds)
    ttl = timedelta(hours=settings.idempotency_ttl_hours)
    async with db.transaction() as session:
        if not settings.production:
            # this process's copy of the test clock may be stale: the key's times use the stored one
            clock.set_frozen(await clock_repo.read(session))
        now = clock.now()
        token = uuid.uuid4()
        if await repo.claim(session, principal.key, key, request.method, request.url.path, fp, token, now, lease, ttl):
            return Claim(principal.key, key, token)
        row = await repo.get_for_update(session, principal.key, key)
        if row is None:
            raise _in_flight()
        if row.expires_at < now:
            # past its time to live the key is free again, for any request
            await repo.take_over(session, row, fp, token, now, lease, ttl)
            return Claim(principal.key, key, token)
        if row.fingerprint != fp:
            # before any take-over: a key whose request outlived its lease still names that request
            raise DomainError(
                "idempotency-key-reused",
                422,
                "该 Idempotency-Key 已用于另一个不同的请求",
                "This Idempotency-Key was already used for a different request",
                title="Unprocessable Content",
                errors=[FieldError("Idempotency-Key", "已用于不同的请求内容", "already used with a different request")],
            )
        if row.state == "in_flight":
            if row.locked_until < now:
                # the first request died, or is too slow to wait for: this one takes the key (a new
                # token), and the first, should it still finish, fails at complete() and saves nothing
                await repo.take_over(session, row, fp, token, now, lease, ttl)
                return Claim(principal.key, key, token)
            raise _in_flight()
        headers = dict(row.response_headers or {})
        headers["idempotent-replayed"] = "true"
        return Response(row.response_body, status_code=row.response_status, headers=headers)


def _in_flight() -> DomainError:
    return DomainError(
        "idempotency-request-in-flight",
        409,
        "使用同一 Idempotency-Key 的请求正在处理中，请稍后重试",
        "A request with this Idempotency-Key is still being processed; retry later",
        title="Conflict",
        headers={"Retry-After": "1"},
    )


def _taken_over() -> DomainError:
    return DomainError(
        "idempotency-key-taken-over",
        409,
        "本请求处理超时，同一 Idempotency-Key 已由重试接管，本请求未保存任何内容；以同一 Idempotency-Key 重试可取得其结果",
        "This request outlived its lease and a retry with the same Idempotency-Key took over; nothing was saved. Retry with the key for that request's answer",
        title="Conflict",
        headers={"Retry-After": "1"},
    )


async def complete(session, claim: Claim, response: Response) -> None:
    """Store the answer with the work; raises (so the work rolls back) if a retry took the key over."""
    headers = {k: v for k, v in response.headers.items() if k in _REPLAYED_HEADERS}
    if not await repo.complete(
        session, claim.principal, claim.key, claim.token, response.status_code, headers, bytes(response.body)
    ):
        raise _taken_over()


async def release(db: Database, claim: Claim) -> None:
    async with db.transaction() as session:
        await repo.release(session, claim.principal, claim.key, claim.token)
