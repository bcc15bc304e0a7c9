"""Recommending units (推荐单位): records with the area or system they cover.

An office keeps its programme's units; a recommender principal acts only for the applicants
its unit covers (checked where recommendations are made).
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import office
from app.db.models.recommendation import RecommendingUnit
from app.db.repositories import recommendation as repo
from app.domain import clock
from app.domain.errors import DomainError, FieldError, invalid, not_found
from app.domain.programmes.registry import get_registry
from app.identity import Principal


class UnitKind(StrEnum):
    street = "street"  # 街道、镇
    park = "park"  # 园区
    department = "department"  # 行业主管部门
    county = "county"  # 县区 (linyi's county-level bodies)


def _forbidden() -> DomainError:
    return DomainError(
        "forbidden",
        403,
        "只有本项目的评审办公室可以管理推荐单位",
        "Only the programme's office may manage its recommending units",
        title="Forbidden",
    )


def _cleaned(name_zh: str | None, covers: list[str] | None) -> tuple[str | None, list[str] | None]:
    """The name and covered codes without surrounding spaces; 422 naming the field for a blank one."""
    errors: list[FieldError] = []
    if name_zh is not None:
        name_zh = name_zh.strip()
        if not name_zh:
            errors.append(FieldError("name_zh", "不能为空", "cannot be blank", "missing"))
    if covers is not None:
        covers = [c.strip() for c in covers]
        errors += [
            FieldError(
                f"covers[{i}]", "区域或系统代码不能为空", "a covered area or system code cannot be blank", "missing"
            )
            for i, c in enumerate(covers)
            if not c
        ]
    if errors:
        raise DomainError(
            "validation-error",
            422,
            "推荐单位的名称和推荐范围代码不能为空",
            "A recommending unit's name and covered codes cannot be blank",
            title="Unprocessable Content",
            errors=errors,
        )
    return name_zh, covers


async def create_unit(
    session: AsyncSession,
    principal: Principal,
    programme: str,
    code: str,
    name_zh: str,
    kind: UnitKind,
    covers: list[str],
) -> RecommendingUnit:
    if not office.manages_units(principal, programme):
        raise _forbidden()
    name_zh, covers = _cleaned(name_zh, covers)
    if programme not in get_registry().codes():
        raise invalid(
            "programme",
            f"没有这个评奖项目，可选：{'、'.join(get_registry().codes())}",
            f"no such programme; one of: {', '.join(get_registry().codes())}",
            "enum",
        )
    unit = await repo.add(
        session,
        {"programme": programme, "code": code, "name_zh": name_zh, "kind": kind.value, "covers": covers, "version": 1},
    )
    if unit is None:
        raise DomainError(
            "duplicate",
            409,
            f"推荐单位代码“{code}”已存在",
            f"A recommending unit with code '{code}' already exists",
            title="Conflict",
            errors=[FieldError("code", "已存在", "already exists", "duplicate")],
        )
    return unit


async def get_unit(session: AsyncSession, unit_id: uuid.UUID, *, for_update: bool = False) -> RecommendingUnit:
    unit = await repo.get(session, unit_id, for_update=for_update)
    if unit is None:
        raise not_found("推荐单位", "Recommending unit", unit_id)
    return unit


async def update_unit(
    session: AsyncSession, principal: Principal, unit: RecommendingUnit, changes: dict
) -> RecommendingUnit:
    if not office.manages_units(principal, unit.programme):
        raise _forbidden()
    changes = dict(changes)
    changes["name_zh"], changes["covers"] = _cleaned(changes.get("name_zh"), changes.get("covers"))
    for name in ("name_zh", "kind", "covers"):
        if name in changes and changes[name] is not None:
            setattr(unit, name, changes[name].value if isinstance(changes[name], StrEnum) else changes[name])
    unit.version += 1
    unit.updated_at = clock.now()
    await session.flush()
    return unit


async def list_units(
    session: AsyncSession, programme: str | None, offset: int, limit: int
) -> tuple[list[RecommendingUnit], int]:
    return await repo.page(session, programme, offset, limit)
