"""What the key rotation reads and rewrites (the only SQL for it): encrypted ID numbers and sealed files by key version."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.db import lean
from app.db.models.intake import ApplicationMaterial
from app.db.models.notices import ObjectionFile, UnitPostingProof

# per table of stored files: its storage area (the first part of the blob key)
FILE_TABLES = {
    ApplicationMaterial.__tablename__: "materials",
    ObjectionFile.__tablename__: "files",
    UnitPostingProof.__tablename__: "files",
}


async def id_numbers_to_rotate(session: AsyncSession, current: int, batch: int) -> list[lean.RowView]:
    """Up to ``batch`` ID numbers not under ``current``, locked; rows another transaction holds are left for later."""
    return await lean.fetch(
        session,
        "SELECT id, id_number_ciphertext FROM applicants"
        " WHERE id_number_ciphertext IS NOT NULL AND id_number_key_version <> $1"
        " ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED",
        current,
        batch,
    )


async def set_id_number_ciphertext(session: AsyncSession, applicant_id: uuid.UUID, ciphertext: bytes) -> None:
    await lean.execute(
        session, "UPDATE applicants SET id_number_ciphertext = $2 WHERE id = $1", applicant_id, ciphertext
    )


async def files_to_rotate(
    session: AsyncSession, table: str, current: int, batch: int, exclude: list[uuid.UUID] = ()
) -> list[lean.RowView]:
    """Up to ``batch`` files of ``table`` not under ``current`` (but those in ``exclude``), locked, skipping locked ones."""
    if table not in FILE_TABLES:
        raise ValueError(table)
    return await lean.fetch(
        session,
        f"SELECT id, storage_key, sha256, size FROM {table} WHERE key_version <> $1 AND id <> ALL($3::uuid[])"
        " ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED",
        current,
        batch,
        list(exclude),
    )


async def set_file_key_version(session: AsyncSession, table: str, file_id: uuid.UUID, version: int) -> None:
    if table not in FILE_TABLES:
        raise ValueError(table)
    await lean.execute(session, f"UPDATE {table} SET key_version = $2 WHERE id = $1", file_id, version)


# a sealed webhook secret names its key version in its first two bytes (app/domain/outbox/secrets.py)
def _sealed_version(column: str) -> str:
    return f"(get_byte({column}, 0) * 256 + get_byte({column}, 1))"


async def webhook_secrets_to_rotate(
    session: AsyncSession, current: int, batch: int, exclude: list[uuid.UUID] = ()
) -> list[lean.RowView]:
    """Up to ``batch`` subscriptions with a secret (current or previous) not under ``current``, locked, skipping locked ones."""
    return await lean.fetch(
        session,
        "SELECT id, secret_ciphertext, previous_secret_ciphertext FROM webhook_subscriptions"
        f" WHERE ({_sealed_version('secret_ciphertext')} <> $1"
        f" OR (previous_secret_ciphertext IS NOT NULL AND {_sealed_version('previous_secret_ciphertext')} <> $1))"
        " AND id <> ALL($3::uuid[]) ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED",
        current,
        batch,
        list(exclude),
    )


async def set_webhook_secrets(
    session: AsyncSession, subscription_id: uuid.UUID, secret: bytes, previous: bytes | None
) -> None:
    await lean.execute(
        session,
        "UPDATE webhook_subscriptions SET secret_ciphertext = $2, previous_secret_ciphertext = $3 WHERE id = $1",
        subscription_id,
        secret,
        previous,
    )


async def count_by_version(session: AsyncSession) -> dict[str, dict[int, int]]:
    """Per kind of record (``id_numbers`` and each file table), how many rows each key version holds."""
    out: dict[str, dict[int, int]] = {}
    rows = await lean.fetch(
        session,
        "SELECT id_number_key_version AS v, count(*) AS n FROM applicants"
        " WHERE id_number_ciphertext IS NOT NULL GROUP BY 1",
    )
    out["id_numbers"] = {r.v: r.n for r in rows}
    for table in FILE_TABLES:
        rows = await lean.fetch(session, f"SELECT key_version AS v, count(*) AS n FROM {table} GROUP BY 1")
        out[table] = {r.v: r.n for r in rows}
    rows = await lean.fetch(
        session,
        f"SELECT v, count(*) AS n FROM (SELECT {_sealed_version('secret_ciphertext')} AS v FROM webhook_subscriptions"
        f" UNION ALL SELECT {_sealed_version('previous_secret_ciphertext')} FROM webhook_subscriptions"
        " WHERE previous_secret_ciphertext IS NOT NULL) AS sealed GROUP BY 1",
    )
    out["webhook_secrets"] = {r.v: r.n for r in rows}
    return out
