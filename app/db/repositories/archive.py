"""Every row belonging to one round, found by the schema's foreign keys (the only SQL of ``qaward archive``).

Down: the round, then every row whose foreign key points at a row already taken (its applications,
their history, forms, materials, notices and entries, objections, review panels and sheets,
candidate lists, meetings, government acts, certificates, bans, ...), until nothing new is found.
Up: the rows those point at that are not the round's own (applicant records, experts, committee
members, units), without going down from them again (another round's rows stay out). A table a
later issue adds is archived with no change here, as long as it names what it belongs to by a
foreign key.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Table, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.base import Base
from app.db.models.retention import LegalHold, RetentionPurge
from app.db.models.workflow import Round

# operational tables that are not the round's record even if they ever name one
SKIPPED = frozenset({"test_clock", "worker_heartbeats", "rate_limit_counters", "idempotency_keys", "read_audit"})
CHUNK = 5000

Rows = dict[str, dict[tuple, dict]]  # table -> primary key -> row (column -> value)


def _pk(table: Table, row: dict) -> tuple:
    return tuple(row[c.name] for c in table.primary_key.columns)


def _edges() -> list[tuple[Table, str, Table, str]]:
    """(child table, child column, parent table, parent column) of every single-column foreign key."""
    out = []
    for table in Base.metadata.sorted_tables:
        if table.name in SKIPPED:
            continue
        for fk in table.foreign_key_constraints:
            if len(fk.elements) != 1:
                continue
            el = fk.elements[0]
            out.append((table, el.parent.name, el.column.table, el.column.name))
    return out


async def _rows_where(session: AsyncSession, table: Table, column: str, values: set) -> list[dict]:
    out: list[dict] = []
    ordered = sorted(values, key=str)
    for i in range(0, len(ordered), CHUNK):
        result = await session.execute(select(table).where(table.c[column].in_(ordered[i : i + CHUNK])))
        out.extend(dict(r._mapping) for r in result)
    return out


def _add(rows: Rows, table: Table, found: list[dict]) -> int:
    bucket = rows.setdefault(table.name, {})
    new = 0
    for row in found:
        key = _pk(table, row)
        if key not in bucket:
            bucket[key] = row
            new += 1
    return new


async def round_rows(session: AsyncSession, round_id, progress: Callable[[str], None] | None = None) -> Rows:
    """Every row of the round (down) and what they name (up), in one snapshot (the caller's
    repeatable-read transaction)."""
    rounds = Round.__table__
    rows: Rows = {}
    _add(rows, rounds, await _rows_where(session, rounds, "id", {round_id}))
    if not rows[rounds.name]:
        return {}
    edges = _edges()
    asked: dict[tuple[str, str], set] = {}  # per edge, the parent values already looked up
    changed = True
    while changed:
        changed = False
        for child, col, parent, pcol in edges:
            taken = rows.get(parent.name)
            if not taken:
                continue
            done = asked.setdefault((child.name, col), set())
            wanted = {r[pcol] for r in taken.values() if r.get(pcol) is not None} - done
            if not wanted:
                continue
            done |= wanted
            if _add(rows, child, await _rows_where(session, child, col, wanted)):
                changed = True
                if progress:
                    progress(child.name)
    # up: what the round's rows point at, and what that points at, never down again
    changed = True
    while changed:
        changed = False
        for child, col, parent, pcol in edges:
            taken = rows.get(child.name)
            if not taken:
                continue
            have = {r[pcol] for r in rows.get(parent.name, {}).values()}
            wanted = {r[col] for r in taken.values() if r.get(col) is not None} - have
            if wanted and _add(rows, parent, await _rows_where(session, parent, pcol, wanted)):
                changed = True
    # retention's own records name what they concern without a foreign key (they outlive nothing they name)
    apps = {r["id"] for r in rows.get("applications", {}).values()}
    targets = apps | {round_id} | {r["id"] for r in rows.get("applicants", {}).values()}
    _add(rows, LegalHold.__table__, await _rows_where(session, LegalHold.__table__, "target_id", targets))
    _add(rows, RetentionPurge.__table__, await _rows_where(session, RetentionPurge.__table__, "application_id", apps))
    for table in (LegalHold.__tablename__, RetentionPurge.__tablename__):
        if not rows.get(table):
            rows.pop(table, None)
    return rows


async def repeatable_read(session: AsyncSession) -> None:
    """The transaction's first statement: every later read sees one snapshot."""
    await session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))


def table_of(name: str) -> Table:
    return Base.metadata.tables[name]


async def find_round(session: AsyncSession, programme: str, label: str):
    return await session.scalar(select(Round).where(tuple_(Round.programme, Round.label) == (programme, label)))


async def get_round(session: AsyncSession, round_id):
    return await session.get(Round, round_id)
