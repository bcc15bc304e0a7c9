"""The one pagination contract of list endpoints: ``page`` and ``size`` with a hard maximum, or a keyset ``cursor``.

The lists that grow over the years (applications, an application's history, notices,
objections) also take ``cursor``: the ``next_cursor`` of the page before, opaque. A page by
cursor costs the same however deep it is; by ``page`` it reads every row before it. ``total`` is
counted at most to 1,000 (``total_capped`` says so) and not at all on a page by cursor (null):
a count over a million rows is what breaks first at scale (issue 21).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field

from app.db.repositories.keyset import BadCursor, KeysetPage
from app.domain.errors import invalid

MAX_PAGE_SIZE = 100
T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    page: int
    size: int
    cursor: str | None = None

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


async def _page_request(
    page: Annotated[int, Query(ge=1, le=100000, description="1-based page number")] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"items per page, at most {MAX_PAGE_SIZE}")] = 20,
) -> PageRequest:
    return PageRequest(page, size)


async def _keyset_request(
    page: Annotated[int, Query(ge=1, le=100000, description="1-based page number (ignored with `cursor`)")] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"items per page, at most {MAX_PAGE_SIZE}")] = 20,
    cursor: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=512,
            pattern=r"^[A-Za-z0-9_-]+$",
            description="the `next_cursor` of the page before (same filters and sort): the page after it, as fast at any depth",
        ),
    ] = None,
) -> PageRequest:
    return PageRequest(page, size, cursor)


Paging = Annotated[PageRequest, Depends(_page_request)]
KeysetPaging = Annotated[PageRequest, Depends(_keyset_request)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    page: int
    size: int
    total: int | None = Field(
        description="how many items match; at most 1,000 where `total_capped`; null on a page reached by `cursor`"
    )
    total_capped: bool = Field(False, description="true: more than `total` match (the count stops at 1,000)")
    next_cursor: str | None = Field(
        None, description="pass as `cursor` for the next page (keyset lists only); null on the last page"
    )


@contextmanager
def cursor_errors() -> Iterator[None]:
    """A cursor the list did not make, or made under another sort: 422 naming ``cursor``."""
    try:
        yield
    except BadCursor:
        raise invalid(
            "cursor", "不是本列表按此排序给出的游标", "not a cursor this list gave for this sort", "bad_cursor"
        ) from None


def keyset_page(page: KeysetPage, paging: PageRequest, items: list[Any]) -> dict[str, Any]:
    """The ``Page`` fields of a keyset page (``items`` already rendered)."""
    return {
        "items": items,
        "page": 1 if paging.cursor else paging.page,
        "size": paging.size,
        "total": page.total,
        "total_capped": page.total_capped,
        "next_cursor": page.next_cursor,
    }
