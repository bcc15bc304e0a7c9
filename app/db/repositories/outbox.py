"""The outbox, its publication, webhook subscriptions and deliveries (the only SQL for them)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import lean
from app.db.models.outbox import WebhookSubscription


class OutboxRow(NamedTuple):
    """One outbox event as it is inserted (``app/domain/outbox/events.py`` makes it)."""

    type: str
    subject: str
    programme: str | None
    payload: dict
    occurred_at: datetime

    def arguments(self) -> tuple:
        """The values of ``insert_values``'s parameters, in order."""
        return (self.type, self.subject, self.programme, _json(self.payload), self.occurred_at)


def insert_values(first: int) -> str:
    """The INSERT of one outbox row, its parameters numbered from ``first``: alone, or the last part of
    a statement writing the change it reports (``workflow.save_event``)."""
    n = range(first, first + 5)
    return (
        "INSERT INTO outbox_events (event_id, type, subject, programme, payload, occurred_at)"
        " VALUES (gen_random_uuid(), ${}, ${}, ${}, ${}::jsonb, ${})".format(*n)
    )


_INSERT = insert_values(1)


async def insert_row(session: AsyncSession, row: OutboxRow) -> None:
    """One event, in the caller's transaction (a plain INSERT: nothing is read back)."""
    await lean.execute(session, _INSERT, *row.arguments())


_INSERT_MANY = (
    "INSERT INTO outbox_events (event_id, type, subject, programme, payload, occurred_at)"
    " SELECT gen_random_uuid(), v.type, v.subject, v.programme, v.payload::jsonb, $5"
    " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS v(type, subject, programme, payload, n)"
    " ORDER BY v.n"
)


async def insert_events_many(
    session: AsyncSession, rows: list[tuple[str, str, str | None, dict]], at: datetime
) -> None:
    """Many events (type, subject, programme, payload) in one statement, numbered in the order given."""
    if rows:
        columns = list(zip(*rows, strict=True))
        await lean.execute(
            session,
            _INSERT_MANY,
            list(columns[0]),
            list(columns[1]),
            list(columns[2]),
            [_json(p) for p in columns[3]],
            at,
        )


def _json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


# --- publication: one publisher at a time -----------------------------------------------------

# any constant: the advisory lock every publisher takes for its transaction
_PUBLISHER_LOCK = 0x716177617264_01  # "qaward" + 1

_NUMBER = (
    "WITH batch AS (SELECT id FROM outbox_events WHERE published_seq IS NULL ORDER BY id LIMIT $1),"
    " numbered AS (SELECT id, $2::bigint + row_number() OVER (ORDER BY id) AS seq FROM batch)"
    " UPDATE outbox_events o SET published_seq = n.seq, published_at = $3 FROM numbered n WHERE o.id = n.id"
    " RETURNING o.id, o.type, o.payload"
)

_FAN_OUT = (
    "INSERT INTO webhook_deliveries (subscription_id, event_id, subject, seq, status, attempts, created_at, next_attempt_at)"
    " SELECT s.id, e.id, e.subject, e.published_seq, 'pending', 0, $2, $2"
    " FROM outbox_events e JOIN webhook_subscriptions s"
    "   ON s.active AND e.type = ANY(s.event_types) AND (s.programme IS NULL OR s.programme = e.programme)"
    " WHERE e.id = ANY($1::bigint[]) ORDER BY e.published_seq, s.id"
    " ON CONFLICT DO NOTHING"
)


async def take_publisher_lock(session: AsyncSession) -> bool:
    return bool(await lean.fetchval(session, "SELECT pg_try_advisory_xact_lock($1)", _PUBLISHER_LOCK))


async def publish_batch(session: AsyncSession, limit: int, at: datetime) -> list[lean.RowView]:
    """Number the oldest unpublished events after the last position, in id order; returns them.

    Only under the publisher lock: positions are handed out by one transaction at a time and each
    run starts after the previous one committed, so the feed's positions become visible in order.
    """
    last = await lean.fetchval(session, "SELECT coalesce(max(published_seq), 0) FROM outbox_events")
    return await lean.fetch(session, _NUMBER, limit, last, at)


async def fan_out(session: AsyncSession, event_ids: list[int], at: datetime) -> None:
    await lean.execute(session, _FAN_OUT, event_ids, at)


async def mark_notifications_sent(session: AsyncSession, ids: list[int], at: datetime) -> None:
    await lean.execute(
        session,
        "UPDATE account_notifications SET sent_at = $2 WHERE id = ANY($1::bigint[]) AND sent_at IS NULL",
        ids,
        at,
    )


# --- the change feed ----------------------------------------------------------------------------

_FEED = (
    "SELECT event_id, published_seq, type, subject, programme, payload, occurred_at FROM outbox_events"
    " WHERE published_seq > $1 AND ($3::text IS NULL OR programme = $3) AND ($4::text[] IS NULL OR type = ANY($4))"
    " ORDER BY published_seq LIMIT $2"
)


async def feed(
    session: AsyncSession, after: int, limit: int, programme: str | None, types: list[str] | None
) -> list[lean.RowView]:
    return await lean.fetch(session, _FEED, after, limit, programme, types)


# --- deliveries ---------------------------------------------------------------------------------

_CLAIM = (
    "SELECT d.id, d.subscription_id, d.attempts, d.created_at, d.seq, d.subject,"
    " e.event_id, e.type, e.payload, e.occurred_at, e.programme,"
    " s.url, s.secret_ciphertext, s.previous_secret_ciphertext, s.previous_secret_until, s.sm3"
    " FROM webhook_deliveries d"
    " JOIN outbox_events e ON e.id = d.event_id JOIN webhook_subscriptions s ON s.id = d.subscription_id"
    " WHERE d.status = 'pending' AND d.next_attempt_at <= $1"
    # an event is never sent before an earlier one of the same subject to the same subscription
    " AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.subscription_id = d.subscription_id"
    "   AND p.subject = d.subject AND p.status = 'pending' AND p.seq < d.seq)"
    " ORDER BY d.seq LIMIT $2 FOR UPDATE OF d SKIP LOCKED"
)


async def claim_due(session: AsyncSession, now: datetime, limit: int) -> list[lean.RowView]:
    return await lean.fetch(session, _CLAIM, now, limit)


_DELIVERED = (
    "UPDATE webhook_deliveries AS d SET status = 'delivered', attempts = d.attempts + 1, last_attempt_at = $3,"
    " delivered_at = $3, last_status = v.code, last_error = NULL"
    " FROM unnest($1::bigint[], $2::int[]) AS v(id, code) WHERE d.id = v.id"
)
_FAILED = (
    "UPDATE webhook_deliveries AS d SET status = v.status, attempts = d.attempts + 1, last_attempt_at = $6::timestamptz,"
    " next_attempt_at = v.next_at, last_status = v.code, last_error = v.error,"
    " dead_at = CASE WHEN v.status = 'dead' THEN $6::timestamptz END"
    " FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::int[], $5::text[]) AS v(id, status, next_at, code, error)"
    " WHERE d.id = v.id"
)


async def mark_delivered(session: AsyncSession, ids: list[int], codes: list[int], at: datetime) -> None:
    if ids:
        await lean.execute(session, _DELIVERED, ids, codes, at)


async def mark_failed(
    session: AsyncSession,
    ids: list[int],
    statuses: list[str],
    next_at: list[datetime],
    codes: list[int | None],
    errors: list[str],
    at: datetime,
) -> None:
    if ids:
        await lean.execute(session, _FAILED, ids, statuses, next_at, codes, errors, at)


_REPLAY = (
    "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $2, dead_at = NULL, created_at = $2"
    " WHERE subscription_id = $1 AND status = 'dead' AND ($3::bigint[] IS NULL OR id = ANY($3)) RETURNING id"
)


async def replay_dead(session: AsyncSession, subscription_id: uuid.UUID, ids: list[int] | None, at: datetime) -> int:
    """Dead deliveries back to pending, due now, with a fresh 24 hours of retries."""
    return len(await lean.fetch(session, _REPLAY, subscription_id, at, ids))


_DELIVERIES = (
    "SELECT d.id, d.status, d.attempts, d.seq, d.subject, d.created_at, d.next_attempt_at, d.last_attempt_at,"
    " d.last_status, d.last_error, d.delivered_at, d.dead_at, e.event_id, e.type"
    " FROM webhook_deliveries d JOIN outbox_events e ON e.id = d.event_id"
    " WHERE d.subscription_id = $1 AND ($2::text IS NULL OR d.status = $2) ORDER BY d.seq LIMIT $3 OFFSET $4"
)
_COUNT = "SELECT count(*) FROM webhook_deliveries WHERE subscription_id = $1 AND ($2::text IS NULL OR status = $2)"


async def deliveries(
    session: AsyncSession, subscription_id: uuid.UUID, status: str | None, offset: int, limit: int
) -> tuple[list[lean.RowView], int]:
    rows = await lean.fetch(session, _DELIVERIES, subscription_id, status, limit, offset)
    return rows, await lean.fetchval(session, _COUNT, subscription_id, status)


# --- subscriptions ------------------------------------------------------------------------------


async def add_subscription(session: AsyncSession, row: WebhookSubscription) -> WebhookSubscription:
    session.add(row)
    await session.flush()
    return row


async def get_subscription(
    session: AsyncSession, subscription_id: uuid.UUID, *, for_update: bool = False
) -> WebhookSubscription | None:
    stmt = select(WebhookSubscription).where(WebhookSubscription.id == subscription_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def subscriptions(session: AsyncSession, client: str | None) -> list[WebhookSubscription]:
    stmt = select(WebhookSubscription).order_by(WebhookSubscription.created_at, WebhookSubscription.id)
    if client is not None:
        stmt = stmt.where(WebhookSubscription.client == client)
    return list((await session.execute(stmt)).scalars().all())


# --- a notice's closing (the last application leaving it) ---------------------------------------

_NOTICE_OF = (
    "SELECT n.id FROM notice_entries e JOIN notices n ON n.id = e.notice_id"
    " WHERE e.application_id = $1 AND n.stage = $2 AND n.closed_at IS NULL ORDER BY n.published_at DESC LIMIT 1"
)
_LOCK_NOTICE = "SELECT id FROM notices WHERE id = $1 FOR UPDATE"
# under the notice's lock, so of two applications leaving it at once the second sees the first gone
_CLOSE_NOTICE = (
    "UPDATE notices AS n SET closed_at = $3 WHERE n.id = $1 AND n.closed_at IS NULL AND NOT EXISTS ("
    " SELECT 1 FROM notice_entries e JOIN applications a ON a.id = e.application_id"
    " WHERE e.notice_id = n.id AND a.state = n.stage AND a.id <> $2)"
    " RETURNING n.id, n.programme, n.round_id, n.point, n.stage, n.name_zh, n.ends_at"
)


async def close_notice_if_last(
    session: AsyncSession, application_id: uuid.UUID, stage: str, at: datetime
) -> lean.RowView | None:
    """The notice ``application_id`` just left, marked closed if no other application is still on it."""
    notice_id = await lean.fetchval(session, _NOTICE_OF, application_id, stage)
    if notice_id is None:
        return None
    await lean.execute(session, _LOCK_NOTICE, notice_id)
    return await lean.fetchrow(session, _CLOSE_NOTICE, notice_id, application_id, at)
