"""Reapplication bans and the applications they are checked against (the only SQL for them)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import lean
from app.db.models.intake import ReapplicationBan
from app.db.models.workflow import Application


def _identity(model, credit_code: str | None, id_number_hash: str | None, applicant_id: uuid.UUID | None) -> list:
    conds = []
    if credit_code:
        conds.append(model.credit_code == credit_code)
    if id_number_hash:
        conds.append(model.id_number_hash == id_number_hash)
    if applicant_id:
        conds.append(model.applicant_id == applicant_id)
    return conds


async def add(session: AsyncSession, ban: ReapplicationBan) -> ReapplicationBan:
    session.add(ban)
    await session.flush()
    return ban


# one pre-built statement per read: an identifier not known is NULL, and ``col = NULL`` matches nothing
def _who_sql(prefix: str = "") -> str:
    return f"({prefix}credit_code = $1 OR {prefix}id_number_hash = $2 OR {prefix}applicant_id = $3)"


_IN_FORCE = (
    f"SELECT {lean.columns(ReapplicationBan.__table__)} FROM reapplication_bans"
    f" WHERE {_who_sql()} AND starts_on <= $4 AND (ends_on IS NULL OR ends_on >= $4) ORDER BY starts_on, id"
)
_OTHER_APPLICATIONS = (
    f"SELECT {lean.columns(Application.__table__, 'a.')}, r.call_published_on FROM applications AS a JOIN rounds AS r ON r.id = a.round_id"
    f" WHERE {_who_sql('a.')} AND a.id <> $4 ORDER BY r.call_published_on, a.created_at"
)
_SELF_ASSESSMENT = "SELECT self_assessment_score FROM application_forms WHERE application_id = $1"


def _who(credit_code: str | None, id_number_hash: str | None, applicant_id: uuid.UUID | None) -> tuple | None:
    if not (credit_code or id_number_hash or applicant_id):
        return None
    return credit_code or None, id_number_hash or None, applicant_id


async def in_force(
    session: AsyncSession, credit_code: str | None, id_number_hash: str | None, applicant_id: uuid.UUID | None, on: date
) -> list[lean.RowView]:
    """Bans in force on ``on`` against the identity, read-only."""
    who = _who(credit_code, id_number_hash, applicant_id)
    return [] if who is None else await lean.fetch(session, _IN_FORCE, *who, on)


async def page(
    session: AsyncSession, readable: ColumnElement[bool], filters: dict, offset: int, limit: int
) -> tuple[list[ReapplicationBan], int]:
    """The bans ``readable`` (the caller's access filter, ``app.access.office.readable_bans``) lets a list show."""
    base = select(ReapplicationBan).where(readable)
    if filters.get("applicant_id"):
        base = base.where(ReapplicationBan.applicant_id == filters["applicant_id"])
    if filters.get("credit_code"):
        base = base.where(ReapplicationBan.credit_code == filters["credit_code"])
    if filters.get("in_force_on"):
        on = filters["in_force_on"]
        base = base.where(
            ReapplicationBan.starts_on <= on, or_(ReapplicationBan.ends_on.is_(None), ReapplicationBan.ends_on >= on)
        )
    total = (await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
    rows = (
        (
            await session.execute(
                base.order_by(ReapplicationBan.starts_on.desc(), ReapplicationBan.id).offset(offset).limit(limit)
            )
        )
        .scalars()
        .all()
    )
    return list(rows), total


async def other_applications(
    session: AsyncSession,
    credit_code: str | None,
    id_number_hash: str | None,
    applicant_id: uuid.UUID | None,
    exclude: uuid.UUID,
) -> list[tuple[lean.RowView, date]]:
    """The identity's other applications (read-only) with their round's call date."""
    who = _who(credit_code, id_number_hash, applicant_id)
    if who is None:
        return []
    return [(row, row.call_published_on) for row in await lean.fetch(session, _OTHER_APPLICATIONS, *who, exclude)]


async def self_assessment_score(session: AsyncSession, application_id: uuid.UUID):
    return await lean.fetchval(session, _SELF_ASSESSMENT, application_id)


# --- a round action's batch (issue 21): every identity's rows in one statement, split by the caller ---

_ANY_WHO = (
    "({p}credit_code = ANY($1::text[]) OR {p}id_number_hash = ANY($2::text[]) OR {p}applicant_id = ANY($3::uuid[]))"
)
_IN_FORCE_ANY = (
    f"SELECT {lean.columns(ReapplicationBan.__table__)} FROM reapplication_bans"
    f" WHERE {_ANY_WHO.format(p='')} AND starts_on <= $4 AND (ends_on IS NULL OR ends_on >= $4) ORDER BY starts_on, id"
)
_OTHER_APPLICATIONS_ANY = (
    f"SELECT {lean.columns(Application.__table__, 'a.')}, r.call_published_on FROM applications AS a JOIN rounds AS r ON r.id = a.round_id"
    f" WHERE {_ANY_WHO.format(p='a.')} ORDER BY r.call_published_on, a.created_at"
)


def _whos(identities: list[tuple[str | None, str | None, uuid.UUID | None]]) -> tuple[list, list, list]:
    return (
        sorted({c for c, _, _ in identities if c}),
        sorted({h for _, h, _ in identities if h}),
        sorted({a for _, _, a in identities if a}),
    )


async def in_force_any(
    session: AsyncSession, identities: list[tuple[str | None, str | None, uuid.UUID | None]], on: date
) -> list[lean.RowView]:
    """Bans in force on ``on`` against any of the identities (credit code, ID-number hash, applicant), in
    ``in_force``'s order (``app.domain.batch_reads`` finds each identity's again)."""
    codes, hashes, ids = _whos(identities)
    if not (codes or hashes or ids):
        return []
    return await lean.fetch(session, _IN_FORCE_ANY, codes, hashes, ids, on)


async def other_applications_any(
    session: AsyncSession, identities: list[tuple[str | None, str | None, uuid.UUID | None]]
) -> list[lean.RowView]:
    """The applications of any of the identities with their round's call date, in ``other_applications``' order."""
    codes, hashes, ids = _whos(identities)
    if not (codes or hashes or ids):
        return []
    return await lean.fetch(session, _OTHER_APPLICATIONS_ANY, codes, hashes, ids)
