"""Rate limits of the public objection channel: per client address and per objector.

Fixed-window counters in the database (one atomic upsert per hit), so every replica counts
against the same numbers. A hit is counted in the request's own transaction (a second
connection per request would exhaust the pool under exactly the load limits exist for) and,
when the request is refused or fails, counted again after its rollback in a transaction of its
own: a flood of refused requests is still a flood. An ``Idempotency-Key`` replay never reaches
the counter, so a client retrying is not penalised.

What counts where (issue 13): every request, refused or not, counts against the sender's
address (``hit``); only an objection actually lodged counts against the person or organisation
it names (``count_lodged``), so a stranger sending refused requests in someone's name uses up
their own address's quota, never that person's.

The numbers are generous for people: one person or organisation rarely objects to more than a
few entries of a list, and an office behind one address (NAT) with many staff objecting is
still far under 30 an hour. A portal that relays objections for the public should forward the
citizen's address (``X-Forwarded-For`` from a proxy the server trusts: uvicorn's
``--forwarded-allow-ips``), or it is one address.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.repositories import notices as repo
from app.domain import clock
from app.domain.errors import DomainError


@dataclass(frozen=True)
class Limit:
    scope: str  # "address" | "objector"
    max: int
    window_seconds: int

    @property
    def window_zh(self) -> str:
        return (
            "每小时"
            if self.window_seconds == 3600
            else ("每天" if self.window_seconds == 86400 else f"每{self.window_seconds}秒")
        )


ADDRESS_LIMITS = (Limit("address", 30, 3600), Limit("address", 200, 86400))
OBJECTOR_LIMITS = (Limit("objector", 10, 3600), Limit("objector", 30, 86400))
# how long counters are kept
_KEEP = timedelta(days=2)


def _window(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


async def _count(session: AsyncSession, limits: tuple[Limit, ...], key: str, now: datetime) -> tuple[Limit, int] | None:
    exceeded: tuple[Limit, int] | None = None
    for limit in limits:
        start = _window(now, limit.window_seconds)
        count = await repo.count_hit(session, f"{limit.scope}:{limit.window_seconds}:{key}", start)
        if count > limit.max and exceeded is None:
            exceeded = (limit, max(1, int((start + timedelta(seconds=limit.window_seconds) - now).total_seconds())))
    return exceeded


async def hit(session: AsyncSession, after_rollback: list[Callable], limits: tuple[Limit, ...], key: str) -> None:
    """Count one request of ``key`` against ``limits``, kept even when the request is refused;
    429 ``/rate-limited`` when one is exceeded."""
    now = clock.now()

    async def count_again(own: AsyncSession) -> None:
        await _count(own, limits, key, now)

    after_rollback.append(count_again)
    await _check(session, limits, key, now)


async def count_lodged(session: AsyncSession, limits: tuple[Limit, ...], key: str) -> None:
    """Count one lodged objection of ``key`` in the request's own transaction only: a request refused
    later (or failing) takes its count back with its rollback. 429 when a limit is exceeded."""
    await _check(session, limits, key, clock.now())


async def _check(session: AsyncSession, limits: tuple[Limit, ...], key: str, now: datetime) -> None:
    exceeded = await _count(session, limits, key, now)
    if random.random() < 0.01:
        await repo.purge_counters(session, now - _KEEP)
    if exceeded is not None:
        limit, retry_after = exceeded
        who_zh = "同一网络地址" if limit.scope == "address" else "同一异议人"
        who_en = "one client address" if limit.scope == "address" else "one objector"
        raise DomainError(
            "rate-limited",
            429,
            f"{who_zh}{limit.window_zh}最多提交{limit.max}件异议，请稍后再试",
            f"At most {limit.max} objections per {limit.window_seconds} seconds from {who_en}; retry later",
            title="Too Many Requests",
            headers={"Retry-After": str(retry_after)},
            extra={"limit": limit.max, "window_seconds": limit.window_seconds, "scope": limit.scope},
        )
