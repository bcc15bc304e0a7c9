"""Idempotency-key records (the only SQL for them)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.platform import IdempotencyKey


async def claim(
    session: AsyncSession,
    principal: str,
    key: str,
    method: str,
    path: str,
    fingerprint: str,
    token: uuid.UUID,
    now: datetime,
    lease: timedelta,
    ttl: timedelta,
) -> IdempotencyKey | None:
    """Insert an in-flight record held by ``token``; None if the key is taken (the caller reads the holder)."""
    stmt = (
        insert(IdempotencyKey)
        .values(
            principal=principal,
            key=key,
            method=method,
            path=path,
            fingerprint=fingerprint,
            state="in_flight",
            token=token,
            locked_until=now + lease,
            created_at=now,
            expires_at=now + ttl,
        )
        .on_conflict_do_nothing()
        .returning(IdempotencyKey.key)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_for_update(session: AsyncSession, principal: str, key: str) -> IdempotencyKey | None:
    return (
        await session.execute(
            select(IdempotencyKey)
            .where(IdempotencyKey.principal == principal, IdempotencyKey.key == key)
            .with_for_update()
            # the key as locked, whatever the session held of it
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()


async def take_over(
    session: AsyncSession,
    row: IdempotencyKey,
    fingerprint: str,
    token: uuid.UUID,
    now: datetime,
    lease: timedelta,
    ttl: timedelta,
) -> None:
    """Reuse an expired record, or one whose first request outlived its lease, for the holder of ``token``."""
    row.fingerprint, row.state, row.token, row.locked_until, row.created_at, row.expires_at = (
        fingerprint,
        "in_flight",
        token,
        now + lease,
        now,
        now + ttl,
    )
    row.response_status = row.response_headers = row.response_body = None


async def complete(
    session: AsyncSession, principal: str, key: str, token: uuid.UUID, status: int, headers: dict, body: bytes
) -> bool:
    """Store the answer if ``token`` still holds the key in flight; False if a retry took it over."""
    result = await session.execute(
        update(IdempotencyKey)
        .where(
            IdempotencyKey.principal == principal,
            IdempotencyKey.key == key,
            IdempotencyKey.token == token,
            IdempotencyKey.state == "in_flight",
        )
        .values(state="completed", response_status=status, response_headers=headers, response_body=body)
    )
    return result.rowcount == 1


async def release(session: AsyncSession, principal: str, key: str, token: uuid.UUID) -> None:
    await session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.principal == principal,
            IdempotencyKey.key == key,
            IdempotencyKey.token == token,
            IdempotencyKey.state == "in_flight",
        )
    )


async def purge_expired(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at < now))
    return result.rowcount or 0
