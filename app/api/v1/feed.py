"""The change feed (变更订阅): `GET /api/v1/feed?after=CURSOR` for partners that cannot receive webhooks."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query
from pydantic import BaseModel, Field

from app.api.deps import Permission, Session
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.domain.outbox import feed
from app.identity import Principal, Role

router = v1_router(prefix="/feed", tags=["integrations"])

FEED_ACCESS = Permission("feed:read", Role.admin, Role.integration)
FeedReader = Annotated[Principal, Depends(FEED_ACCESS)]


class FeedItemOut(BaseModel):
    id: str = Field(description="the event's id: the webhook-id of its webhook deliveries")
    sequence: int = Field(description="its position: pass the last one read as `after`")
    type: str
    subject: str = Field(description="what the order is kept per, e.g. application:<id>")
    programme: str | None
    occurred_at: str = Field(description="when the change committed (+08:00)")
    data: dict


class FeedOut(BaseModel):
    items: list[FeedItemOut]
    next_after: int = Field(description="the cursor to resume from (the last item's sequence, or `after` if none)")


@router.get("", operation_id="read_feed", response_model=FeedOut, responses=problem_responses(401, 403, 422))
async def read_feed(
    session: Session,
    principal: FeedReader,
    after: Annotated[int, Query(ge=0, le=2**62, description="the last sequence read (0: from the start)")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    types: Annotated[
        str | None, Query(max_length=2000, description="comma-separated event types (default: all)")
    ] = None,
) -> FeedOut:
    """The events published after `after`, in publication order: resumable, none skipped or repeated.

    An integration client scoped to a programme reads that programme's events only.
    """
    wanted = [t.strip() for t in types.split(",") if t.strip()] if types else None
    items, next_after = await feed.read(session, principal, after, limit, wanted)
    return FeedOut(items=[FeedItemOut(**vars(i)) for i in items], next_after=next_after)
