"""One request = one transaction, committed before the response leaves.

Every route of the API uses ``TransactionalRoute``: it opens the request's session, runs the
endpoint, stores the idempotent replay in the same transaction and commits; a failed commit
becomes an error answer instead of a 2xx for work that was lost.
"""

from __future__ import annotations

import logging

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from app.api import idempotency
from app.api.unstorable_text import refuse_unstorable
from app.db.repositories import clock as clock_repo
from app.domain import clock
from app.domain.errors import DomainError

log = logging.getLogger(__name__)


def principal_of(request: Request):
    cached = getattr(request.state, "principal", None)
    if cached is None:
        cached = request.app.state.verifier.verify(request.headers.get("authorization"))
        request.state.principal = cached
    return cached


class TransactionalRoute(APIRoute):
    uses_database = True

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        writes = bool(self.methods and self.methods & {"POST", "PUT", "PATCH", "DELETE"})

        if not self.uses_database:
            return handler  # touches no data, so answers while the database is down

        async def route(request: Request) -> Response:
            await refuse_unstorable(request)
            state = request.app.state
            db, settings = state.db, state.settings
            claim = None
            if writes and request.method == "POST" and idempotency.HEADER in request.headers:
                claimed = await idempotency.begin(request, db, settings, principal_of(request))
                if isinstance(claimed, Response):
                    return claimed
                claim = claimed
            try:
                request.state.after_rollback = after_rollback = []
                async with db.sessionmaker() as session:
                    request.state.session = session
                    tx = await session.begin()
                    try:
                        if not settings.production:
                            clock.set_frozen(await clock_repo.read(session))
                        response = await handler(request)
                        if claim is not None and response.status_code < 400:
                            await idempotency.complete(session, claim, response)
                    except BaseException as exc:
                        if getattr(exc, "commit_before_answer", False):
                            # a refused event: its history entry is all the transaction holds
                            await _commit_refusal(tx, db, after_rollback)
                            raise
                        await tx.rollback()
                        await _run_after_rollback(db, after_rollback)
                        raise
                    try:
                        await tx.commit()
                    except Exception as exc:
                        log.warning("commit failed: %s", type(exc).__name__)
                        # the work is lost: what must outlive it runs as for any failed request
                        await _run_after_rollback(db, after_rollback)
                        raise _commit_failed() from exc
            except BaseException:
                if claim is not None:
                    await idempotency.release(db, claim)
                raise
            return response

        return route


async def _commit_refusal(tx, db, after_rollback) -> None:
    """Commit a transaction that holds only a refusal's record; if that fails, the answer says so (503)."""
    try:
        await tx.commit()
    except Exception as exc:
        log.warning("commit of a refusal failed: %s", type(exc).__name__)
        await _run_after_rollback(db, after_rollback)
        raise _commit_failed() from exc


async def _run_after_rollback(db, hooks) -> None:
    """Work that must outlive the failed request (a refused event's history entry), each in its own transaction."""
    for hook in hooks:
        try:
            async with db.transaction() as session:
                await hook(session)
        except Exception:
            log.exception("after-rollback hook failed")


def _commit_failed() -> DomainError:
    return DomainError("commit-failed", 503, "数据未能保存，请重试", "The change could not be saved; please retry", title="Service Unavailable", headers={"Retry-After": "1"})


class DatabaseFreeRoute(TransactionalRoute):
    """A route that reads and writes nothing (liveness): no session, no transaction, no test clock."""

    uses_database = False
