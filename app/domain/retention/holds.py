"""Legal holds (法律保全): what an admin keeps whole past its retention period, and why.

A hold names an application, an applicant's record or a round; while it is in force no purge
touches the application (or any application of the applicant or the round). Setting and lifting
each need a reason and are recorded with who and when (the row is the audit record: the table
refuses DELETE, and UPDATE except lifting a hold once). Both take the holds' advisory lock
exclusively, a purge shares it: a hold committed before a purge's transaction starts is seen by
it, and one set while a purge runs waits for that application's purge to commit.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.retention import LegalHold
from app.db.repositories import retention as repo
from app.domain import clock
from app.domain.errors import DomainError, FieldError, not_found

SCOPES = ("application", "applicant", "round")
SCOPE_NAMES_ZH = {"application": "申报", "applicant": "申报主体", "round": "届次"}


def _reason(value: str, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(
            "validation-error",
            422,
            "法律保全须写明理由",
            "a legal hold needs a reason",
            title="Unprocessable Content",
            errors=[FieldError(field, "不能为空", "must not be blank", "blank")],
        )
    return text


async def set_hold(
    session: AsyncSession, actor: str, request_id: str | None, scope: str, target_id: uuid.UUID, reason: str
) -> LegalHold:
    reason = _reason(reason, "reason")
    await repo.lock_holds(session, shared=False)
    if not await repo.target_exists(session, scope, target_id):
        raise DomainError(
            "validation-error",
            422,
            f"{SCOPE_NAMES_ZH[scope]}“{target_id}”不存在",
            f"no {scope} '{target_id}'",
            title="Unprocessable Content",
            errors=[FieldError("target_id", "不存在", "does not exist", "not_found")],
        )
    hold = LegalHold(
        id=uuid.uuid4(),
        scope=scope,
        target_id=target_id,
        reason=reason,
        set_by=actor,
        set_at=clock.now(),
        set_request_id=request_id,
    )
    session.add(hold)
    await session.flush()
    return hold


async def lift_hold(
    session: AsyncSession, actor: str, request_id: str | None, hold_id: uuid.UUID, reason: str
) -> LegalHold:
    reason = _reason(reason, "reason")
    await repo.lock_holds(session, shared=False)
    hold = await repo.hold_for_update(session, hold_id)
    if hold is None:
        raise not_found("法律保全", "Legal hold", hold_id)
    if hold.lifted_at is not None:
        raise DomainError(
            "legal-hold-lifted",
            409,
            "该法律保全已解除",
            "this legal hold has already been lifted",
            title="Conflict",
            extra={"lifted_at": hold.lifted_at.isoformat(), "lifted_by": hold.lifted_by},
        )
    hold.lifted_by, hold.lifted_at, hold.lift_reason, hold.lift_request_id = actor, clock.now(), reason, request_id
    await session.flush()
    return hold


async def get_hold(session: AsyncSession, hold_id: uuid.UUID) -> LegalHold:
    hold = await repo.get_hold(session, hold_id)
    if hold is None:
        raise not_found("法律保全", "Legal hold", hold_id)
    return hold


async def list_holds(
    session: AsyncSession,
    active: bool | None,
    scope: str | None,
    target_id: uuid.UUID | None,
    offset: int,
    limit: int,
) -> tuple[list[LegalHold], int]:
    return await repo.page_holds(session, active, scope, target_id, offset, limit)
