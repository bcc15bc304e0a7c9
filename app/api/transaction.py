"""One request = one transaction (请求事务), committed before the response leaves.

The v1 route (``app/api/v1/routing.py``) opens the request's session and transaction, runs the
endpoint and ends it here: ``commit`` (a failed commit becomes ``503 /commit-failed`` instead of a
2xx for work that was lost) or ``end_failed`` (an error rolls the work back, unless it asks to be
committed first, ``commit_before_answer``: a refusal whose transaction holds only its own record).
What must outlive a rolled-back request (removing a stored file) is appended to
``request.state.after_rollback`` and runs, each hook in its own transaction, whenever the
request's work is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSessionTransaction

from app.db.session import Database
from app.domain.errors import DomainError

log = logging.getLogger(__name__)

AfterRollback = Callable[[Any], Awaitable[None]]


async def end_failed(
    tx: AsyncSessionTransaction, db: Database, after_rollback: list[AfterRollback], exc: BaseException
) -> None:
    """The request failed with ``exc``: roll its work back, or keep it when ``exc`` asks to be committed first."""
    if getattr(exc, "commit_before_answer", False):
        # the exception's transaction holds its own record (a refused attempt): kept, then answered
        await commit(tx, db, after_rollback)
        return
    await tx.rollback()
    await _run_after_rollback(db, after_rollback)


async def commit(tx: AsyncSessionTransaction, db: Database, after_rollback: list[AfterRollback]) -> None:
    """Commit, or answer 503: never a success (nor a committed refusal) for work the database did not keep."""
    try:
        await tx.commit()
    except Exception as exc:
        log.warning("commit failed: %s", type(exc).__name__)
        # the work is lost: what must outlive it runs as for any failed request
        await _run_after_rollback(db, after_rollback)
        raise commit_failed() from exc


async def _run_after_rollback(db: Database, hooks: list[AfterRollback]) -> None:
    """Work that must outlive the failed request, each hook in its own transaction; one failing does not stop the rest."""
    for hook in hooks:
        try:
            async with db.transaction() as session:
                await hook(session)
        except Exception:
            log.exception("after-rollback hook failed")


def commit_failed() -> DomainError:
    return DomainError(
        "commit-failed",
        503,
        "数据未能保存，请重试",
        "The change could not be saved; please retry",
        title="Service Unavailable",
        headers={"Retry-After": "1"},
    )
