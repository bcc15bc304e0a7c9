"""The read audit (读取审计, GB/T 22239-2019 8.1.4.3 安全审计): every read of a full ID number and every
download of a stored file, recorded with who, what, when and the request.

A record is written in the read's own transaction (one request = one transaction): if the record
cannot be committed, the request fails and nothing was shown. Times are the wall clock, never the
test clock: a record says when the read really happened, and a test clock set ahead must not make
today's records look old enough to delete.

Records are kept ``QAWARD_READ_AUDIT_RETENTION_DAYS`` (184 by default, refused below: GB/T 22239
asks 6 months, and 6 calendar months are at most 184 days); the worker deletes older ones daily.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.db.models.audit import ReadAuditRecord
from app.db.repositories import read_audit as repo
from app.db.session import Database
from app.identity import Principal
from app.observability import request_id_var

ID_NUMBER = "applicant_id_number"  # an applicant record shown with its full ID number
MATERIAL = "material"  # an application material downloaded
OBJECTION_FILE = "objection_file"  # an objection's or its verification's evidence downloaded
# an application read by an expert through its assignment (jinshan-21a, hangzhou-6.2a, linyi-20a)
REVIEW_APPLICATION = "review_application"
# an application read by the programme's supervision team (评审监督小组, hangzhou-6.1)
SUPERVISION_APPLICATION = "supervision_application"
KINDS = (ID_NUMBER, MATERIAL, OBJECTION_FILE, REVIEW_APPLICATION, SUPERVISION_APPLICATION)


def _now() -> datetime:
    return datetime.now(UTC)


def _row(principal: Principal, kind: str, record_id: uuid.UUID, at: datetime) -> ReadAuditRecord:
    return ReadAuditRecord(
        read_at=at,
        subject=principal.key,
        roles=",".join(sorted(principal.roles)),
        record_kind=kind,
        record_id=record_id,
        request_id=request_id_var.get(),
    )


async def record(session: AsyncSession, principal: Principal, kind: str, record_id: uuid.UUID) -> None:
    """One read by ``principal``, in the caller's transaction."""
    await repo.add(session, _row(principal, kind, record_id, _now()))


async def record_many(session: AsyncSession, principal: Principal, kind: str, record_ids: list[uuid.UUID]) -> None:
    """The reads of a list page (each record shown is read), in one flush."""
    if record_ids:
        at = _now()
        await repo.add_all(session, [_row(principal, kind, i, at) for i in record_ids])


async def search(
    session: AsyncSession,
    *,
    subject: str | None = None,
    record_kind: str | None = None,
    record_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: int = 0,
    limit: int = 20,
) -> tuple[list[ReadAuditRecord], int]:
    return await repo.search(
        session,
        subject=subject,
        record_kind=record_kind,
        record_id=record_id,
        since=since,
        until=until,
        offset=offset,
        limit=limit,
    )


def cutoff(settings: Settings, now: datetime | None = None) -> datetime:
    """Records read before this are past their retention."""
    # the settings refuse less than 184 days; checked again here so no path deletes younger records
    days = max(settings.read_audit_retention_days, 184)
    return (now or _now()) - timedelta(days=days)


async def purge(db: Database, settings: Settings, now: datetime | None = None) -> int:
    """Delete the records past their retention; how many went."""
    async with db.transaction() as session:
        return await repo.delete_older_than(session, cutoff(settings, now))
