"""Lookup values (代码表): the codes the API takes, with their Chinese names, public."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import BaseModel

from app.api.deps import PUBLIC
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.domain.lookups import service

router = v1_router(prefix="/lookups", tags=["lookups"])


class LookupListOut(BaseModel):
    name: str
    name_zh: str
    name_en: str
    href: str


class LookupValueOut(BaseModel):
    code: str
    name_zh: str
    name_en: str | None = None
    programme: str | None = None


@router.get("", operation_id="list_lookups", dependencies=[PUBLIC], response_model=list[LookupListOut])
async def list_lookups() -> list[LookupListOut]:
    """Every code list: localities (街镇、园区), departments (主管部门), industries (行业), sizes (规模), sectors, tiers, categories, states, material kinds."""
    return [LookupListOut(**n) for n in service.names()]


@router.get(
    "/{name}",
    operation_id="get_lookup",
    dependencies=[PUBLIC],
    response_model=list[LookupValueOut],
    responses=problem_responses(404),
)
async def get_lookup(
    name: Annotated[
        str, Path(min_length=1, max_length=40, pattern=r"^[a-z_]+$", description="a list, e.g. localities")
    ],
    programme: Annotated[
        str | None, Query(max_length=40, description="only this programme's codes (localities, tiers, categories)")
    ] = None,
) -> list[LookupValueOut]:
    """The codes of one list with their Chinese names (a code field's 422 links here)."""
    return [LookupValueOut(**v) for v in service.values(name, programme)]
