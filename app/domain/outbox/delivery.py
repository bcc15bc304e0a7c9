"""Delivering webhooks (推送): Standard Webhooks over HTTP, retried with exponential backoff, then dead.

Each run claims due deliveries ``FOR UPDATE SKIP LOCKED`` (any number of workers), sends them
at once and records each answer in the same transaction. A delivery is not claimed while an
earlier delivery of the same subject (an application, a notice, ...) to the same subscription is
still pending, so a subscriber never receives an application's later event before its earlier
one. A dead delivery no longer holds the later ones back (replay sends it again).

Every attempt carries the same ``webhook-id``: a receiver that got an event twice (its answer
lost, a worker killed after sending) recognises it. ``webhook-timestamp`` is the wall-clock time
of the attempt (receivers refuse stale ones), never the test clock. While a rotated secret's
overlap window lasts, ``webhook-signature`` carries both signatures (``v1,<new> v1,<old>``). A
subscription that chose SM3 also gets ``webhook-signature-sm3`` (HMAC-SM3 of the same content).
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta

import httpx
from standardwebhooks import Webhook

from app.config import Settings
from app.db.repositories import clock as clock_repo
from app.db.repositories import outbox as repo
from app.db.session import Database
from app.domain import clock
from app.domain.outbox import secrets, sm3
from app.domain.outbox.publisher import payload_of

log = logging.getLogger("qaward.outbox")

FIRST_RETRY = timedelta(seconds=5)
LONGEST_WAIT = timedelta(hours=4)
# retried at least this long after the event was published, then dead (a replay starts again)
RETRY_FOR = timedelta(hours=24)
TIMEOUT_SECONDS = 10.0


def retry_delay(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failed attempt: 5 s, 10 s, 20 s, ... doubling, at most 4 h."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


def webhook_id(row) -> str:
    return f"evt_{row.event_id.hex}"


def body_of(row) -> str:
    """The bytes sent and signed: Standard Webhooks' ``type``, ``timestamp``, ``data``, and the feed position."""
    envelope = {
        "type": row.type,
        "timestamp": row.occurred_at.astimezone(clock.SHANGHAI).isoformat(),
        "sequence": row.seq,
        "subject": row.subject,
        "data": payload_of(row),
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))


def headers_for(settings: Settings, row, body: str, sent_at: datetime, now: datetime) -> dict[str, str]:
    msg_id = webhook_id(row)
    keys = [secrets.open_secret(settings, row.subscription_id, row.secret_ciphertext)]
    if row.previous_secret_ciphertext is not None and row.previous_secret_until and now < row.previous_secret_until:
        keys.append(secrets.open_secret(settings, row.subscription_id, row.previous_secret_ciphertext))
    headers = {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": " ".join(Webhook(k).sign(msg_id, sent_at, body) for k in keys),
    }
    if row.sm3:
        headers["webhook-signature-sm3"] = " ".join(sm3.sign(k, msg_id, sent_at, body) for k in keys)
    return headers


async def _send(settings: Settings, client: httpx.AsyncClient, row, now: datetime) -> tuple[int | None, str | None]:
    body = body_of(row)
    sent_at = datetime.now(UTC)
    try:
        r = await client.post(row.url, content=body.encode(), headers=headers_for(settings, row, body, sent_at, now))
    except httpx.HTTPError as err:
        return None, f"{type(err).__name__}: {err}"[:500]
    if 200 <= r.status_code < 300:
        return r.status_code, None
    return r.status_code, f"HTTP {r.status_code}"


async def deliver_due(db: Database, settings: Settings, client: httpx.AsyncClient, batch: int = 200) -> int:
    """One run: claim what is due, send it, record the answers; returns how many were attempted."""
    async with db.transaction() as session:
        if not settings.production:
            clock.set_frozen(await clock_repo.read(session))
        now = clock.now()
        rows = await repo.claim_due(session, now, batch)
        if not rows:
            return 0
        answers = await asyncio.gather(*(_send(settings, client, r, now) for r in rows))
        ok_ids, ok_codes = [], []
        failed: tuple[list, list, list, list, list] = ([], [], [], [], [])
        for row, (code, error) in zip(rows, answers, strict=True):
            if error is None:
                ok_ids.append(row.id)
                ok_codes.append(code)
                continue
            dead = now - row.created_at >= RETRY_FOR
            failed[0].append(row.id)
            failed[1].append("dead" if dead else "pending")
            failed[2].append(now + retry_delay(row.attempts + 1))
            failed[3].append(code)
            failed[4].append(error)
            if dead:
                log.warning("webhook delivery %s dead after %s attempts: %s", row.id, row.attempts + 1, error)
        await repo.mark_delivered(session, ok_ids, ok_codes, now)
        await repo.mark_failed(session, *failed, now)
    return len(rows)


def http_client() -> httpx.AsyncClient:
    # no redirects: a subscriber's URL is the one an admin registered, not where it points elsewhere
    return httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False, trust_env=False)
