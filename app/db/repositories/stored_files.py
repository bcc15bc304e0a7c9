"""Which stored files records name (the only SQL for the sweep of orphaned files)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.db import lean
from app.db.models.intake import ApplicationMaterial
from app.db.models.notices import ObjectionFile, UnitPostingProof

# per storage area (the first part of a blob key): the tables whose ``storage_key`` names a file in it
TABLES_BY_AREA = {
    "materials": (ApplicationMaterial.__tablename__,),
    "files": (UnitPostingProof.__tablename__, ObjectionFile.__tablename__),
}


async def named_keys(session: AsyncSession, area: str, keys: list[str]) -> set[str]:
    """Those of ``keys`` (relative to ``area``) that some record names."""
    found: set[str] = set()
    for table in TABLES_BY_AREA[area]:
        rows = await lean.fetch(
            session, f"SELECT DISTINCT storage_key FROM {table} WHERE storage_key = ANY($1::text[])", keys
        )
        found.update(r.storage_key for r in rows)
    return found
