"""The credit platform's records in (信用记录), and what the office sees of them: flags and revocation candidates."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import Depends, Query, Response
from pydantic import BaseModel, Field

from app.api.deps import AppSettings, OfficeOrAdmin, Permission, Session
from app.api.pagination import Page, Paging
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.domain import clock
from app.domain.credit import records
from app.identity import Principal, Role

router = v1_router(prefix="/integrations", tags=["integrations"])

INTEGRATION_ACCESS = Permission("integration", Role.integration)
IntegrationClient = Annotated[Principal, Depends(INTEGRATION_ACCESS)]


class CreditRecordBody(BaseModel):
    model_config = {"extra": "forbid"}

    record_id: str = Field(
        min_length=1, max_length=100, description="the platform's own id: a re-send is the same record"
    )
    credit_code: str | None = Field(default=None, max_length=40, description="统一社会信用代码 (or id_number)")
    id_number: str | None = Field(default=None, max_length=40, description="居民身份证号: kept only as its keyed hash")
    kind: str = Field(
        min_length=1,
        max_length=40,
        description="the look-back fact it is: " + ", ".join(records.RECORD_KINDS),
        examples=["legal_violations"],
    )
    attributes: dict[str, str | bool] = Field(
        default_factory=dict, max_length=10, description='what the texts distinguish, e.g. {"severity": "major"}'
    )
    occurred_on: date = Field(description="the record's date (违法行为/处罚/列入名单之日)")
    ended_on: date | None = Field(default=None, description="a listing: the day it ended (移出名单)")
    withdrawn_on: date | None = Field(default=None, description="信用修复: the day the record was withdrawn (repaired)")
    source: str = Field(min_length=1, max_length=200, examples=["信用中国（上海）"])
    summary: str | None = Field(default=None, max_length=2000)


class FlagOut(BaseModel):
    application_id: uuid.UUID
    criterion: str
    clause: str | None
    status: Literal["open", "cleared"]
    raised_at: datetime
    cleared_at: datetime | None = None
    cleared_why: str | None = None


class CandidateOut(BaseModel):
    application_id: uuid.UUID
    status: Literal["open", "withdrawn"]
    grounds: list[dict] = Field(description="the programme's revocation grounds it may fall under, with clauses")
    raised_at: datetime


class CreditRecordOut(BaseModel):
    id: uuid.UUID
    record_id: str
    kind: str
    credit_code: str | None
    occurred_on: date
    ended_on: date | None
    withdrawn_on: date | None
    source: str
    status: Literal["created", "updated", "unchanged"]
    flags: list[FlagOut]
    revocation_candidates: list[CandidateOut]


class ApplicationFlagOut(FlagOut):
    record_id: str
    kind: str
    source: str
    occurred_on: date
    withdrawn_on: date | None


class CandidateListOut(CandidateOut):
    id: int
    programme: str
    record_id: str
    kind: str
    source: str
    occurred_on: date
    summary: str | None


def _local(v: datetime | None) -> datetime | None:
    return v.astimezone(clock.SHANGHAI) if v is not None else None


def _flag(f) -> dict:
    return {
        "application_id": f.application_id,
        "criterion": f.criterion,
        "clause": f.clause,
        "status": f.status,
        "raised_at": _local(f.raised_at),
        "cleared_at": _local(f.cleared_at),
        "cleared_why": f.cleared_why,
    }


def _candidate(c) -> dict:
    return {
        "application_id": c.application_id,
        "status": c.status,
        "grounds": c.grounds,
        "raised_at": _local(c.raised_at),
    }


@router.post(
    "/credit-records",
    operation_id="receive_credit_record",
    status_code=201,
    response_model=CreditRecordOut,
    responses={200: {"model": CreditRecordOut, "description": "the record was known: unchanged, or its change applied"}}
    | problem_responses(401, 403, 409, 422),
)
async def receive_credit_record(
    body: CreditRecordBody, session: Session, settings: AppSettings, response: Response, principal: IntegrationClient
) -> CreditRecordOut:
    """A record from the credit platform: kept once per its id, re-checks the applicant's open applications.

    An open application whose criterion it makes fail is flagged for the office (with the clause);
    a current winner gets a revocation candidate (never an automatic revocation); a withdrawal
    (信用修复) clears the flags where the text excepts repaired credit (tianning-11h).
    """
    applied = await records.receive(session, settings, principal, records.CreditRecordIn(**body.model_dump()))
    if applied.status != "created":
        response.status_code = 200
    r = applied.record
    return CreditRecordOut(
        id=r.id,
        record_id=r.record_id,
        kind=r.kind,
        credit_code=r.credit_code,
        occurred_on=r.occurred_on,
        ended_on=r.ended_on,
        withdrawn_on=r.withdrawn_on,
        source=r.source,
        status=applied.status,
        flags=[FlagOut(**_flag(f)) for f in applied.flags],
        revocation_candidates=[CandidateOut(**_candidate(c)) for c in applied.candidates],
    )


@router.get(
    "/credit-flags",
    operation_id="list_credit_flags",
    response_model=list[ApplicationFlagOut],
    responses=problem_responses(401, 403, 404, 422),
)
async def credit_flags(
    session: Session, principal: OfficeOrAdmin, application_id: Annotated[uuid.UUID, Query()]
) -> list[ApplicationFlagOut]:
    """The credit platform's flags on one application: each criterion a record makes fail, with its clause."""
    rows = await records.flags_for(session, principal, application_id)
    return [
        ApplicationFlagOut(
            **_flag(f),
            record_id=r.record_id,
            kind=r.kind,
            source=r.source,
            occurred_on=r.occurred_on,
            withdrawn_on=r.withdrawn_on,
        )
        for f, r in rows
    ]


@router.get(
    "/revocation-candidates",
    operation_id="list_revocation_candidates",
    response_model=Page[CandidateListOut],
    responses=problem_responses(401, 403, 422),
)
async def revocation_candidates(
    session: Session,
    paging: Paging,
    principal: OfficeOrAdmin,
    status: Annotated[Literal["open", "withdrawn"] | None, Query()] = None,
) -> Page[CandidateListOut]:
    """Winners a credit record may disqualify (撤销线索), for the office to weigh; newest first."""
    rows, total = await records.revocation_candidates(session, principal, status, paging.offset, paging.size)
    items = [
        CandidateListOut(
            **_candidate(c),
            id=c.id,
            programme=c.programme,
            record_id=r.record_id,
            kind=r.kind,
            source=r.source,
            occurred_on=r.occurred_on,
            summary=r.summary,
        )
        for c, r in rows
    ]
    return Page[CandidateListOut](items=items, page=paging.page, size=paging.size, total=total)
