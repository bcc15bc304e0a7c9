"""Eligibility of an application (申报条件), explained criterion by criterion, and office overrides."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from fastapi import Request
from pydantic import BaseModel, Field

from app.api.deps import Lang, OfficeOnly, Session, SignedIn
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.domain.eligibility import service

router = v1_router(prefix="/applications", tags=["eligibility"])


class OverrideOut(BaseModel):
    result: str
    computed: str
    reason: str
    by: str
    at: datetime


class RecordJudgedOut(BaseModel):
    """One record a criterion read: whether it counted, and why."""

    fact: str
    on: str | None
    description: str
    counted: bool | None = Field(description="null: an attribute the criterion depends on is not recorded")
    why: str = Field(
        description="counted, undated, after_window, before_window, ended, excepted, excepted_too_late, "
        "the attribute that left it out (severity, level, fault, complainant, major, valid), or unknown_<attribute>"
    )
    sentence: str


class EligibilityEntryOut(BaseModel):
    criterion: str
    kind: Literal["machine", "judgement", "preference", "recommendation", "reapplication"]
    clause: str | None
    stated: bool = Field(description="false: the service's reading of a text that does not state it")
    summary_en: str
    tiers: list[str] | None
    result: Literal["pass", "fail", "needs_review"]
    computed_result: Literal["pass", "fail", "needs_review"]
    applies: bool
    facts: dict[str, Any] = Field(description="the facts the criterion read, as read")
    counted_to: date | None = Field(description="the day its years and windows were counted to")
    records: list[RecordJudgedOut] = Field(description="each record read: counted or not, and why")
    sentence: str = Field(description="why, in Chinese (English with Accept-Language: en)")
    override: OverrideOut | None


class FailedOut(BaseModel):
    criterion: str
    clause: str | None


class EligibilityOut(BaseModel):
    application_id: uuid.UUID
    programme: str
    programme_version: str
    applicant_id: uuid.UUID | None
    reference_date: date = Field(description="the day the round's call was published")
    call_closes_on: date | None = Field(description="the call's last day: 'N年以上' counts to it")
    checked_on: date | None = Field(
        description="the day of the check: '近N年' windows end on it (today before the qualification review passes, "
        "then the day of the last accepted check)"
    )
    result: Literal["pass", "fail", "needs_review"]
    failed: list[FailedOut]
    criteria: list[EligibilityEntryOut]

    @classmethod
    def of(cls, a: service.Assessment, lang: str) -> EligibilityOut:
        return cls(
            application_id=a.application.id,
            programme=a.programme.code,
            programme_version=a.programme.id,
            applicant_id=a.applicant.id if a.applicant else None,
            reference_date=a.reference_date,
            call_closes_on=a.dates.call_close if a.dates else None,
            checked_on=a.dates.check if a.dates else None,
            result=a.result,
            failed=[FailedOut(criterion=e.criterion, clause=e.clause) for e in a.failed],
            criteria=[
                EligibilityEntryOut(
                    criterion=e.criterion,
                    kind=e.kind,
                    clause=e.clause,
                    stated=e.stated,
                    summary_en=e.summary_en,
                    tiers=e.tiers,
                    result=e.result,
                    computed_result=e.computed,
                    applies=e.applies,
                    facts=e.facts,
                    counted_to=e.counted_to,
                    records=[
                        RecordJudgedOut(
                            fact=r["fact"],
                            on=r["on"],
                            description=r["description"],
                            counted=r["counted"],
                            why=r["why"],
                            sentence=r["en"] if lang == "en" else r["zh"],
                        )
                        for r in e.records
                    ],
                    sentence=e.en if lang == "en" else e.zh,
                    override=None
                    if e.override is None
                    else OverrideOut(
                        result=e.override.result,
                        computed=e.override.computed,
                        reason=e.override.reason,
                        by=e.override.by,
                        at=e.override.at,
                    ),
                )
                for e in a.entries
            ],
        )


class EligibilityOverrideIn(BaseModel):
    model_config = {"extra": "forbid"}

    criterion: str = Field(min_length=1, max_length=80)
    result: Literal["pass", "fail"]
    reason: str = Field(min_length=1, max_length=5000)


@router.get(
    "/{application_id}/eligibility",
    operation_id="get_application_eligibility",
    response_model=EligibilityOut,
    responses=problem_responses(401, 404),
)
async def get_eligibility(
    application_id: uuid.UUID, session: Session, lang: Lang, principal: SignedIn
) -> EligibilityOut:
    """One entry per criterion of the programme (and per reapplication rule): `pass`, `fail` or `needs_review`, its clause, the facts read, and why."""
    return EligibilityOut.of(await service.for_caller(session, principal, application_id), lang)


@router.post(
    "/{application_id}/eligibility/overrides",
    operation_id="override_application_eligibility",
    response_model=EligibilityOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def override_eligibility(
    application_id: uuid.UUID,
    body: EligibilityOverrideIn,
    request: Request,
    session: Session,
    lang: Lang,
    principal: OfficeOnly,
) -> EligibilityOut:
    """The office replaces one criterion's result with a reason (kept, and written to the application's history)."""
    a = await service.override(
        session, principal, request.state.request_id, application_id, body.criterion, body.result, body.reason
    )
    return EligibilityOut.of(a, lang)
