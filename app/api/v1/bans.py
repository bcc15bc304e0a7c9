"""Reapplication bans (禁止申报): the office's list, and bans recorded by hand."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated

from fastapi import Query, Response
from pydantic import BaseModel, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from app.api.deps import AppSettings, OfficeOnly, Session, SignedIn
from app.api.pagination import Page, Paging
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.domain.eligibility import bans

router = v1_router(prefix="/bans", tags=["bans"])

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value: object) -> object:
    # pydantic's lax date also takes a Unix time ("0" is 1970-01-01): a query date is written YYYY-MM-DD
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise PydanticCustomError("date_type", "Input should be a date in YYYY-MM-DD format")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]


class BanOut(BaseModel):
    id: uuid.UUID
    applicant_id: uuid.UUID | None
    applicant_name: str
    credit_code: str | None
    kind: str
    rule: str
    clause: str | None
    programme: str
    level: str
    scope: str = Field(description="same_award | same_tier | programme | same_or_higher_level")
    tier: str | None
    category: str | None
    starts_on: date
    ends_on: date | None = Field(description="last day banned; null: for life")
    reason: str
    source_application_id: uuid.UUID | None
    created_by: str
    created_at: datetime


class BanIn(BaseModel):
    model_config = {"extra": "forbid"}

    rule: str = Field(
        min_length=1, max_length=80, description="a ban rule of the office's programme, e.g. five_years_after_award"
    )
    applicant_id: uuid.UUID | None = None
    credit_code: str | None = Field(default=None, max_length=40)
    id_number: str | None = Field(default=None, max_length=40, description="kept only as its keyed hash")
    name: str | None = Field(
        default=None, max_length=200, description="the applicant's name when it is not in the registry"
    )
    tier: str | None = Field(default=None, max_length=40)
    category: str | None = Field(default=None, max_length=40)
    starts_on: date = Field(description="the award's approval date, or the revocation's date")
    reason: str = Field(
        min_length=1, max_length=2000, examples=["2024年度长宁区区长质量奖获奖组织（长府〔2024〕12号）"]
    )


@router.get("", operation_id="list_bans", response_model=Page[BanOut], responses=problem_responses(401, 403))
async def list_bans(
    session: Session,
    paging: Paging,
    principal: SignedIn,
    applicant_id: uuid.UUID | None = None,
    credit_code: Annotated[str | None, Query(max_length=18)] = None,
    in_force_on: IsoDate | None = None,
) -> Page[BanOut]:
    """An office's bans (its programme's, and those reaching every programme of the same or a higher level)."""
    rows, total = await bans.list_bans(
        session,
        principal,
        {
            "applicant_id": applicant_id,
            "credit_code": credit_code.upper() if credit_code else None,
            "in_force_on": in_force_on,
        },
        paging.offset,
        paging.size,
    )
    return Page[BanOut](
        items=[BanOut.model_validate(r, from_attributes=True) for r in rows],
        page=paging.page,
        size=paging.size,
        total=total,
    )


@router.post(
    "", operation_id="record_ban", status_code=201, response_model=BanOut, responses=problem_responses(401, 403, 422)
)
async def record_ban(
    body: BanIn, session: Session, settings: AppSettings, response: Response, principal: OfficeOnly
) -> BanOut:
    """Record a ban under a rule of the office's programme (e.g. for an award won before the service ran); its end follows from the rule."""
    ban = await bans.record_ban(
        session,
        settings,
        principal,
        body.rule,
        body.applicant_id,
        body.credit_code,
        body.id_number,
        body.name,
        body.tier,
        body.category,
        body.starts_on,
        body.reason,
    )
    response.headers["Location"] = (
        f"/api/v1/bans?applicant_id={ban.applicant_id}" if ban.applicant_id else "/api/v1/bans"
    )
    return BanOut.model_validate(ban, from_attributes=True)
