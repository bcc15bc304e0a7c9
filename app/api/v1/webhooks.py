"""Webhook subscriptions (订阅): an admin makes them for integration clients, rotates secrets, replays."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import Depends, Query, Response
from pydantic import AnyHttpUrl, BaseModel, Field

from app.api.deps import PUBLIC, AdminOnly, AppSettings, Permission, Session
from app.api.pagination import Page, Paging
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.domain import clock
from app.domain.outbox import EVENT_TYPES
from app.domain.outbox import subscriptions as subs
from app.identity import Principal, Role

router = v1_router(prefix="/webhooks", tags=["integrations"])

WEBHOOKS_READ_ACCESS = Permission("webhooks:read", Role.admin, Role.integration)
WebhooksRead = Annotated[Principal, Depends(WEBHOOKS_READ_ACCESS)]


class EventTypeOut(BaseModel):
    type: str
    name_zh: str


class SubscriptionIn(BaseModel):
    model_config = {"extra": "forbid"}

    client: str = Field(min_length=1, max_length=200, description="the integration client (its tokens' `client` scope)")
    url: AnyHttpUrl = Field(description="where the events are POSTed (http or https)")
    event_types: list[str] = Field(min_length=1, max_length=50, description="types from GET /webhooks/event-types")
    programme: str | None = Field(
        default=None, max_length=40, description="only this programme's events (null: every programme's)"
    )
    description: str | None = Field(default=None, max_length=500)
    sm3: bool = Field(
        default=False, description="also sign with HMAC-SM3 (header webhook-signature-sm3), national algorithms"
    )


class SubscriptionOut(BaseModel):
    id: uuid.UUID
    client: str
    url: str
    event_types: list[str]
    programme: str | None
    description: str | None
    sm3: bool
    active: bool
    created_by: str
    created_at: datetime
    rotated_at: datetime | None
    previous_secret_until: datetime | None = Field(description="until when the previous secret still signs too")
    version: int


class SecretOut(BaseModel):
    subscription: SubscriptionOut
    secret: str = Field(description="Standard Webhooks secret (`whsec_...`): shown only now, keep it safe")
    previous_valid_until: datetime | None = None


class RotateIn(BaseModel):
    model_config = {"extra": "forbid"}

    overlap_hours: int = Field(
        default=24, ge=0, le=subs.MAX_OVERLAP_HOURS, description="how long the previous secret still signs"
    )


class ActiveIn(BaseModel):
    model_config = {"extra": "forbid"}

    active: bool


class ReplayIn(BaseModel):
    model_config = {"extra": "forbid"}

    delivery_ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] | None = Field(
        default=None, max_length=1000, description="dead deliveries to send again (null: every dead one)"
    )


class ReplayOut(BaseModel):
    replayed: int


class DeliveryOut(BaseModel):
    id: int
    webhook_id: str
    type: str
    sequence: int
    subject: str
    status: Literal["pending", "delivered", "dead"]
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    last_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    delivered_at: datetime | None
    dead_at: datetime | None


def _out(row) -> SubscriptionOut:
    return SubscriptionOut.model_validate(row, from_attributes=True)


def _local(value: datetime | None) -> datetime | None:
    return value.astimezone(clock.SHANGHAI) if value is not None else None


@router.get(
    "/event-types", operation_id="list_webhook_event_types", dependencies=[PUBLIC], response_model=list[EventTypeOut]
)
async def event_types() -> list[EventTypeOut]:
    """Every event type the outbox publishes (webhooks and the feed), with its Chinese name."""
    return [EventTypeOut(type=t, name_zh=n) for t, n in EVENT_TYPES.items()]


@router.post(
    "/subscriptions",
    operation_id="create_webhook_subscription",
    status_code=201,
    response_model=SecretOut,
    responses=problem_responses(401, 403, 422),
)
async def create_subscription(
    body: SubscriptionIn, session: Session, settings: AppSettings, response: Response, principal: AdminOnly
) -> SecretOut:
    """Subscribe an integration client's endpoint to event types; the answer shows its signing secret once."""
    made = await subs.create(
        session,
        settings,
        principal,
        body.client,
        str(body.url),
        body.event_types,
        body.programme,
        body.description,
        body.sm3,
    )
    response.headers["Location"] = f"/api/v1/webhooks/subscriptions/{made.subscription.id}"
    return SecretOut(subscription=_out(made.subscription), secret=made.secret)


@router.get(
    "/subscriptions",
    operation_id="list_webhook_subscriptions",
    response_model=list[SubscriptionOut],
    responses=problem_responses(401, 403),
)
async def list_subscriptions(session: Session, principal: WebhooksRead) -> list[SubscriptionOut]:
    """Every subscription (admin), or the calling integration client's own."""
    return [_out(r) for r in await subs.listed(session, principal)]


@router.get(
    "/subscriptions/{subscription_id}",
    operation_id="get_webhook_subscription",
    response_model=SubscriptionOut,
    responses=problem_responses(401, 403, 404),
)
async def get_subscription(subscription_id: uuid.UUID, session: Session, principal: WebhooksRead) -> SubscriptionOut:
    """One subscription (an integration client: only its own)."""
    return _out(await subs.get(session, principal, subscription_id))


@router.post(
    "/subscriptions/{subscription_id}/secret",
    operation_id="rotate_webhook_secret",
    response_model=SecretOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def rotate_secret(
    subscription_id: uuid.UUID, body: RotateIn, session: Session, settings: AppSettings, principal: AdminOnly
) -> SecretOut:
    """A new signing secret; the previous one keeps signing beside it for `overlap_hours`."""
    made = await subs.rotate(session, settings, subscription_id, body.overlap_hours)
    return SecretOut(
        subscription=_out(made.subscription), secret=made.secret, previous_valid_until=_local(made.previous_valid_until)
    )


@router.post(
    "/subscriptions/{subscription_id}/active",
    operation_id="set_webhook_subscription_active",
    response_model=SubscriptionOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def set_active(
    subscription_id: uuid.UUID, body: ActiveIn, session: Session, principal: AdminOnly
) -> SubscriptionOut:
    """Pause (false) or resume (true) a subscription: paused, no new deliveries are made for it."""
    return _out(await subs.set_active(session, subscription_id, body.active))


@router.post(
    "/subscriptions/{subscription_id}/replay",
    operation_id="replay_webhook_deliveries",
    response_model=ReplayOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def replay(subscription_id: uuid.UUID, body: ReplayIn, session: Session, principal: AdminOnly) -> ReplayOut:
    """Send dead deliveries again (all, or those named), due now, with a new 24 hours of retries."""
    return ReplayOut(replayed=await subs.replay(session, subscription_id, body.delivery_ids))


@router.get(
    "/subscriptions/{subscription_id}/deliveries",
    operation_id="list_webhook_deliveries",
    response_model=Page[DeliveryOut],
    responses=problem_responses(401, 403, 404, 422),
)
async def deliveries(
    subscription_id: uuid.UUID,
    session: Session,
    paging: Paging,
    principal: AdminOnly,
    status: Annotated[Literal["pending", "delivered", "dead"] | None, Query()] = None,
) -> Page[DeliveryOut]:
    """A subscription's deliveries in feed order, with their attempts and last answer."""
    rows, total = await subs.deliveries(session, subscription_id, status, paging.offset, paging.size)
    items = [
        DeliveryOut(
            id=r.id,
            webhook_id=f"evt_{r.event_id.hex}",
            type=r.type,
            sequence=r.seq,
            subject=r.subject,
            status=r.status,
            attempts=r.attempts,
            created_at=_local(r.created_at),
            next_attempt_at=_local(r.next_attempt_at),
            last_attempt_at=_local(r.last_attempt_at),
            last_status=r.last_status,
            last_error=r.last_error,
            delivered_at=_local(r.delivered_at),
            dead_at=_local(r.dead_at),
        )
        for r in rows
    ]
    return Page[DeliveryOut](items=items, page=paging.page, size=paging.size, total=total)
