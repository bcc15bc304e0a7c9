"""The outbox's one entry point (事件发件箱): ``emit`` writes an event in the caller's transaction.

An event is written with the change it reports, in the same transaction: a request that rolls
back (a refused event, a failed commit) publishes nothing, and nothing committed is lost. The
publisher numbers and fans out what committed (``publisher.py``); the delivery worker sends it
(``delivery.py``); the feed reads it (``feed.py``).

Later issues' code (awards, certificates, revocation cases, overdue duties) calls
``outbox.emit(session, "award.granted", {...})`` and lists its type in ``EVENT_TYPES``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.repositories import outbox as repo
from app.domain import clock

# every type a subscription may choose, with its Chinese name (the partners' documentation lists them)
EVENT_TYPES: dict[str, str] = {
    "application.state_changed": "申报状态变化",
    "notice.published": "公示发布",
    "notice.closed": "公示结束",
    "objection.lodged": "异议受理",
    "objection.decided": "异议核查结论",
    "audit.checkpoint_made": "办理记录签名检查点",
    "account.notification": "账号通知",
    "credit.revocation": "骗取奖项被撤销（推送信用平台）",
    "credit.ban": "禁止申报记录（推送信用平台）",
    "credit.record_applied": "信用记录已处理",
    # the hooks later issues call
    "award.granted": "授奖",
    "certificate.issued": "证书颁发",
    "revocation.decided": "撤销决定",
    "revocation.opened": "撤销立案",
    "duty.overdue": "义务逾期",
    # reward money (奖金): approved, paid, to reclaim after a revocation, reclaimed; cancelled if revoked unpaid
    "reward.approved": "奖金核定",
    "reward.paid": "奖金拨付",
    "reward.to_reclaim": "奖金待追回",
    "reward.reclaimed": "奖金已追回",
    "reward.cancelled": "奖金取消（撤销时未拨付）",
}


def row(
    type_: str, payload: dict, at: datetime, *, subject: str | None = None, programme: str | None = None
) -> repo.OutboxRow:
    """The row ``emit`` writes, for a caller writing it in a statement of its own (``emit`` says what the arguments are)."""
    if type_ not in EVENT_TYPES:
        raise ValueError(f"unknown outbox event type {type_!r}: list it in EVENT_TYPES")
    if subject is None:
        app_id = payload.get("application_id")
        subject = f"application:{app_id}" if app_id else type_
    return repo.OutboxRow(type_, subject, programme or payload.get("programme"), payload, at)


async def emit(
    session: AsyncSession,
    type_: str,
    payload: dict,
    *,
    subject: str | None = None,
    programme: str | None = None,
) -> None:
    """Write one event in the caller's transaction.

    ``subject`` is what the delivery order is kept per (default: the payload's application, else the
    type): call it while holding the subject's lock (the application's row, ...), so that two
    events of one subject are numbered in the order they commit.
    """
    await repo.insert_row(session, row(type_, payload, clock.now(), subject=subject, programme=programme))
