"""Keyset pages (游标分页) for the lists that grow over the years, and the capped count beside them.

A page of a growing list is found by where the previous one ended (the sort value and the id of
its last row), never by an OFFSET, which reads and throws away every row before the page: page
5,000 of a million applications costs what page 1 costs. The cursor a client gets is opaque:
base64url of ``[sort, value, id]``; it is valid only for the sort it was made under.

``total`` is a count; a count of a million rows is a full scan, the first thing that breaks at
scale. It is counted only up to ``COUNT_CAP`` along the list's own index (``total_capped`` says
when it stopped there), and not at all on a page reached by cursor. 1,000: counting an office's
10,000 applications cost ~27 ms where its page costs ~3 ms (bench/scale.py on the seeded set).
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

COUNT_CAP = 1_000
T = TypeVar("T")


class BadCursor(ValueError):
    """A cursor this list did not make (or made under another sort)."""


@dataclass(frozen=True)
class After:
    """Where a keyset page starts: after the row whose sort value and id these are (as text)."""

    sort: str
    value: str | None
    id: str


@dataclass
class KeysetPage(Generic[T]):
    rows: list[T]
    total: int | None
    total_capped: bool
    next_cursor: str | None


def encode(sort: str, value: Any, ident: Any) -> str:
    text = None if value is None else (value.isoformat() if isinstance(value, (datetime, date)) else str(value))
    raw = json.dumps([sort, text, str(ident)], separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str, sort: str) -> After:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        made_sort, value, ident = json.loads(raw)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise BadCursor("not a cursor of this list") from exc
    if made_sort != sort or not isinstance(ident, str) or not (value is None or isinstance(value, str)):
        raise BadCursor("the cursor was made for another sort order")
    return After(sort, value, ident)


def _typed(column: ColumnElement[Any], text: str) -> Any:
    kind = column.type.python_type
    try:
        if kind is datetime:
            return datetime.fromisoformat(text)
        if kind is date:
            return date.fromisoformat(text)
        if kind is uuid.UUID:
            return uuid.UUID(text)
        if kind is Decimal:
            return Decimal(text)
        if kind is int:
            return int(text)
    except (ValueError, InvalidOperation) as exc:
        raise BadCursor("not a cursor of this list") from exc
    return text


def after_condition(
    column: ColumnElement[Any], id_column: ColumnElement[Any], descending: bool, after: After, nullable: bool = False
) -> ColumnElement[bool]:
    """Rows strictly after ``after`` in ``ORDER BY column [DESC] NULLS LAST, id [DESC]``.

    A column that is never NULL compares as a row value ``(column, id) > (v, id)``, which
    PostgreSQL reads straight off a ``(…, column, id)`` index.
    """
    ident = _typed(id_column, after.id)
    if not nullable:
        if after.value is None:
            raise BadCursor("not a cursor of this list")
        pair = tuple_(column, id_column)
        value = (_typed(column, after.value), ident)
        return pair < value if descending else pair > value
    id_after = id_column < ident if descending else id_column > ident
    if after.value is None:  # among the NULLs, which come last
        return and_(column.is_(None), id_after)
    v = _typed(column, after.value)
    beyond = column < v if descending else column > v
    return or_(beyond, and_(column == v, id_after), column.is_(None))


async def capped_count(session: AsyncSession, ordered: Select, cap: int | None = None) -> tuple[int, bool]:
    """How many rows ``ordered`` (the list's own ordered query) has, counted at most to ``cap``.

    Counting the ordered, limited query walks the index the page itself uses and stops at
    ``cap``: bounded work on any size of table.
    """
    cap = COUNT_CAP if cap is None else cap
    n = (await session.execute(select(func.count()).select_from(ordered.limit(cap + 1).subquery()))).scalar_one()
    return (cap, True) if n > cap else (n, False)


async def page(
    session: AsyncSession,
    base: Select,
    order: list[ColumnElement[Any]],
    *,
    sort: str,
    sort_column: ColumnElement[Any],
    id_column: ColumnElement[Any],
    descending: bool,
    cursor: str | None,
    offset: int,
    limit: int,
    nullable: bool = False,
    count: bool = True,
    count_order: list[ColumnElement[Any]] | None = None,
    cursors: bool = True,
) -> KeysetPage:
    """One page of ``base`` in ``order``, by ``cursor`` when given (else by ``offset``), with the next cursor.

    ``base`` selects the entity first and, where the sort reads a computed value (a score), that
    value second. The row after the page is fetched too, to know whether there is a next page.
    ``count_order``: the order the count walks when ``order`` reads a computed value (no index has
    it); ``[]``: none, when a search's own index finds the rows sooner than the sort's index would.
    """
    total: int | None = None
    capped = False
    if cursor is not None:
        base = base.where(after_condition(sort_column, id_column, descending, decode(cursor, sort), nullable))
        offset = 0
    elif count:
        total, capped = await capped_count(session, base.order_by(*(order if count_order is None else count_order)))
    result = (await session.execute(base.order_by(*order).offset(offset).limit(limit + 1))).all()
    more = len(result) > limit
    result = result[:limit]
    rows = [r[0] for r in result]
    next_cursor = None
    if cursors and more and result:
        last = result[-1]
        value = last[1] if len(last) > 1 else getattr(last[0], sort_column.key)
        next_cursor = encode(sort, value, getattr(last[0], id_column.key))
    return KeysetPage(rows, total, capped, next_cursor)
