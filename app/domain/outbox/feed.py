"""The change feed (变更订阅): the outbox's events in publication order, for partners without webhooks.

The cursor is the last position read (``sequence``); positions are given after commit, one
publisher at a time (``publisher.py``), so a reader resuming after N never misses an event that
committed late and never sees one twice. An integration client scoped to a programme reads
that programme's events only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.repositories import outbox as repo
from app.domain import clock
from app.domain.outbox.publisher import payload_of
from app.identity import Principal


@dataclass
class FeedItem:
    id: str
    sequence: int
    type: str
    subject: str
    programme: str | None
    occurred_at: str
    data: dict


async def read(
    session: AsyncSession, principal: Principal, after: int, limit: int, types: list[str] | None
) -> tuple[list[FeedItem], int]:
    """The events after position ``after`` the caller may read, and the cursor to resume from."""
    programme = None if principal.has("admin") else principal.programme
    rows = await repo.feed(session, after, limit, programme, types)
    items = [
        FeedItem(
            id=f"evt_{r.event_id.hex}",
            sequence=r.published_seq,
            type=r.type,
            subject=r.subject,
            programme=r.programme,
            occurred_at=r.occurred_at.astimezone(clock.SHANGHAI).isoformat(),
            data=payload_of(r),
        )
        for r in rows
    ]
    return items, items[-1].sequence if items else after
