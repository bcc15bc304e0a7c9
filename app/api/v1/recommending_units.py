"""Recommending units (推荐单位)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import Request, Response
from pydantic import BaseModel, Field

from app.api.deps import Session, UnitsRead, UnitsWrite
from app.api.filters import ProgrammeFilter
from app.api.pagination import Page, Paging
from app.api.preconditions import etag, require_if_match
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.domain.recommendation import units
from app.domain.recommendation.units import UnitKind

router = v1_router(prefix="/recommending-units", tags=["recommendation"])

Code = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.-]+$")]


class UnitIn(BaseModel):
    model_config = {"extra": "forbid"}

    programme: str = Field(min_length=1, max_length=40)
    code: Code
    name_zh: str = Field(min_length=1, max_length=200)
    kind: UnitKind
    covers: list[str] = Field(default_factory=list, max_length=500)


class UnitPatch(BaseModel):
    model_config = {"extra": "forbid"}

    name_zh: str | None = Field(default=None, min_length=1, max_length=200)
    kind: UnitKind | None = None
    covers: list[str] | None = Field(default=None, max_length=500)


class UnitOut(BaseModel):
    id: uuid.UUID
    programme: str
    code: str
    name_zh: str
    kind: UnitKind
    covers: list[str]
    version: int
    created_at: datetime
    updated_at: datetime


def _out(unit, response: Response) -> UnitOut:
    response.headers["ETag"] = etag(unit.version)
    return UnitOut.model_validate(unit, from_attributes=True)


@router.post(
    "",
    operation_id="create_recommending_unit",
    status_code=201,
    response_model=UnitOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def create(body: UnitIn, session: Session, response: Response, principal: UnitsWrite) -> UnitOut:
    """Register a recommending unit (推荐单位) of a programme; its `code` is unique within the programme (409 `/duplicate`)."""
    unit = await units.create_unit(session, principal, body.programme, body.code, body.name_zh, body.kind, body.covers)
    response.headers["Location"] = f"/api/v1/recommending-units/{unit.id}"
    return _out(unit, response)


@router.get(
    "", operation_id="list_recommending_units", response_model=Page[UnitOut], responses=problem_responses(401, 403)
)
async def list_units(
    session: Session,
    principal: UnitsRead,
    paging: Paging,
    programme: ProgrammeFilter = None,
) -> Page[UnitOut]:
    """The recommending units, by programme (`?programme=`), paginated."""
    rows, total = await units.list_units(session, programme, paging.offset, paging.size)
    return Page[UnitOut](
        items=[UnitOut.model_validate(r, from_attributes=True) for r in rows],
        page=paging.page,
        size=paging.size,
        total=total,
    )


@router.get(
    "/{unit_id}",
    operation_id="get_recommending_unit",
    response_model=UnitOut,
    responses=problem_responses(401, 403, 404),
)
async def get(unit_id: uuid.UUID, session: Session, response: Response, principal: UnitsRead) -> UnitOut:
    """A recommending unit with its `ETag` (send it as `If-Match` to change the unit)."""
    return _out(await units.get_unit(session, unit_id), response)


@router.patch(
    "/{unit_id}",
    operation_id="update_recommending_unit",
    response_model=UnitOut,
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update(
    unit_id: uuid.UUID, body: UnitPatch, request: Request, session: Session, response: Response, principal: UnitsWrite
) -> UnitOut:
    """Change a unit's name, kind or covered codes (needs `If-Match`); the code does not change."""
    unit = await units.get_unit(session, unit_id, for_update=True)
    require_if_match(request, unit.version)
    return _out(await units.update_unit(session, principal, unit, body.model_dump(exclude_unset=True)), response)
