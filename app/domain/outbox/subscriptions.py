"""Webhook subscriptions (订阅) of integration clients: made, rotated and replayed by an admin.

A secret rotation keeps the previous secret valid for an overlap window (default 24 h): every
delivery in it is signed with both, so the partner may switch its verifier at any moment within
it. Replay puts dead deliveries back, due now, with a new 24 hours of retries.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.db.models.outbox import WebhookSubscription
from app.db.repositories import outbox as repo
from app.domain import clock
from app.domain.errors import DomainError, FieldError, not_found
from app.domain.outbox import secrets
from app.domain.outbox.events import EVENT_TYPES
from app.identity import Principal

MAX_OVERLAP_HOURS = 168


@dataclass
class Made:
    subscription: WebhookSubscription
    secret: str
    previous_valid_until: datetime | None = None


def _check_types(types: list[str]) -> list[str]:
    bad = [
        FieldError(
            f"event_types[{i}]",
            f"未知的事件类型“{t}”，可选：{'、'.join(EVENT_TYPES)}",
            f"unknown event type '{t}'; one of: {', '.join(EVENT_TYPES)}",
            "enum",
        )
        for i, t in enumerate(types)
        if t not in EVENT_TYPES
    ]
    if bad:
        raise DomainError(
            "validation-error",
            422,
            "订阅的事件类型有误",
            "Unknown event types",
            title="Unprocessable Content",
            errors=bad,
        )
    return list(dict.fromkeys(types))


async def create(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    client: str,
    url: str,
    event_types: list[str],
    programme: str | None,
    description: str | None,
    sm3: bool = False,
) -> Made:
    types = _check_types(event_types)
    secret = secrets.new_secret()
    sub_id = uuid.uuid4()
    row = WebhookSubscription(
        id=sub_id,
        client=client,
        url=url,
        event_types=types,
        programme=programme,
        description=description,
        secret_ciphertext=secrets.seal(settings, sub_id, secret),
        sm3=sm3,
        active=True,
        created_by=principal.sub or "admin",
        created_at=clock.now(),
        version=1,
    )
    return Made(await repo.add_subscription(session, row), secret)


async def get(session: AsyncSession, principal: Principal, subscription_id: uuid.UUID) -> WebhookSubscription:
    row = await repo.get_subscription(session, subscription_id)
    # an integration client sees only its own subscriptions; to it, another's does not exist
    if row is None or not (principal.has("admin") or row.client == principal.client):
        raise not_found("订阅", "Subscription", subscription_id)
    return row


async def listed(session: AsyncSession, principal: Principal) -> list[WebhookSubscription]:
    return await repo.subscriptions(session, None if principal.has("admin") else principal.client or "")


async def rotate(session: AsyncSession, settings: Settings, subscription_id: uuid.UUID, overlap_hours: int) -> Made:
    row = await repo.get_subscription(session, subscription_id, for_update=True)
    if row is None:
        raise not_found("订阅", "Subscription", subscription_id)
    now = clock.now()
    secret = secrets.new_secret()
    row.previous_secret_ciphertext = row.secret_ciphertext
    row.previous_secret_until = now + timedelta(hours=overlap_hours)
    row.secret_ciphertext = secrets.seal(settings, row.id, secret)
    row.rotated_at = now
    row.version += 1
    await session.flush()
    return Made(row, secret, row.previous_secret_until)


async def set_active(session: AsyncSession, subscription_id: uuid.UUID, active: bool) -> WebhookSubscription:
    row = await repo.get_subscription(session, subscription_id, for_update=True)
    if row is None:
        raise not_found("订阅", "Subscription", subscription_id)
    row.active = active
    row.version += 1
    await session.flush()
    return row


async def replay(session: AsyncSession, subscription_id: uuid.UUID, delivery_ids: list[int] | None) -> int:
    if await repo.get_subscription(session, subscription_id) is None:
        raise not_found("订阅", "Subscription", subscription_id)
    return await repo.replay_dead(session, subscription_id, delivery_ids, clock.now())


async def deliveries(session: AsyncSession, subscription_id: uuid.UUID, status: str | None, offset: int, limit: int):
    if await repo.get_subscription(session, subscription_id) is None:
        raise not_found("订阅", "Subscription", subscription_id)
    return await repo.deliveries(session, subscription_id, status, offset, limit)
