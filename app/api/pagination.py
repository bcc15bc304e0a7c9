"""The one pagination contract of list endpoints: ``page`` and ``size`` with a hard maximum."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

MAX_PAGE_SIZE = 100
T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    page: int
    size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


async def _page_request(
    page: Annotated[int, Query(ge=1, le=100000, description="1-based page number")] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"items per page, at most {MAX_PAGE_SIZE}")] = 20,
) -> PageRequest:
    return PageRequest(page, size)


Paging = Annotated[PageRequest, Depends(_page_request)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    page: int
    size: int
    total: int
