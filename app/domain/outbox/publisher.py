"""Publishing the outbox (发布): feed positions after commit, and one delivery per subscription.

Why not order by insert time or id: a transaction that took its id first may commit last, and a
reader paging by id would step over it for good. Why not by transaction id (``xid8``) with a
snapshot horizon: safe for the feed, but a transaction may take its xid before it waits on an
application's lock, so the feed's order could put one application's later event first.

So the position is given after commit, by one publisher at a time (a transaction-level advisory
lock): it numbers the committed, unnumbered events in id order after the last position and
commits. Positions therefore become visible in order (a reader never sees N+1 without N), each
is given once, and two events of one subject (emitted under its lock, so numbered in their
commit order and visible in that order) keep their order. A publisher crash rolls its batch back;
the next one numbers it again. The price is latency: an event is in the feed once a worker's
publisher ran (within ``worker_poll_seconds``).
"""

from __future__ import annotations

import json

from app.db.repositories import outbox as repo
from app.db.session import Database
from app.domain import clock


def payload_of(row) -> dict:
    return json.loads(row.payload) if isinstance(row.payload, str) else row.payload


async def publish(db: Database, batch: int = 1000) -> int:
    """Number and fan out every committed event not yet published; returns how many (0 if another publisher runs)."""
    total = 0
    while True:
        async with db.transaction() as session:
            if not await repo.take_publisher_lock(session):
                return total
            now = clock.now()
            rows = await repo.publish_batch(session, batch, now)
            if rows:
                await repo.fan_out(session, [r.id for r in rows], now)
                notes = [payload_of(r)["notification_id"] for r in rows if r.type == "account.notification"]
                if notes:
                    await repo.mark_notifications_sent(session, notes, now)
        total += len(rows)
        if len(rows) < batch:
            return total
