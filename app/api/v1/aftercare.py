"""After the award (获奖后管理, issue 17): duties as deadlines, reports, follow-up visits, role-model activities."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import Query, Request, Response
from pydantic import BaseModel, Field

from app.api.deps import AppSettings, OfficeOnly, Session, SignedIn
from app.api.filters import ProgrammeFilter
from app.api.pagination import Page, Paging
from app.api.problems import problem_responses
from app.api.v1.materials import material_request_body, uploaded_file
from app.api.v1.routing import v1_router
from app.domain.aftercare import activities, duties, follow_ups
from app.domain.files.policy import MATERIAL
from app.workflow import aftercare

router = v1_router(tags=["aftercare"])

DutyStatus = Literal["due", "overdue", "received", "cancelled"]
FollowUpResult = Literal["fine", "regressed", "minor_problem", "no_longer_eligible"]
ActivityKind = Literal["lecture", "site_visit", "exchange_meeting", "training", "publication", "other"]


class DutyOut(BaseModel):
    id: uuid.UUID
    application_id: uuid.UUID
    round_id: uuid.UUID
    programme: str
    winner_name: str
    duty: str = Field(description="the duty's id in the programme's post_award_duties")
    who: str = Field(description="winner (a report) | office (a follow-up)")
    kind: str = Field(description="report | follow_up")
    clause: str
    sequence: int
    year: int
    due_on: date = Field(description="the last day (31 December, moved off a rest day: Civil Code art. 203)")
    due_at: datetime = Field(description="24:00 Asia/Shanghai of due_on")
    provisional: bool = Field(description="the year's legal calendar is not loaded yet: due_on may still move")
    stated: bool = Field(description="false: which years or which day is the programme's reading")
    reading: str | None
    status: DutyStatus
    overdue_at: datetime | None
    received_at: datetime | None
    received_late: bool
    material_id: uuid.UUID | None = Field(description="the report (a material of the application)")
    follow_up_id: uuid.UUID | None
    version: int


def _duty_out(d, name: str) -> DutyOut:
    return DutyOut.model_validate(
        {
            **{c: getattr(d, c) for c in DutyOut.model_fields if hasattr(d, c)},
            "winner_name": name,
            "provisional": d.calendar_revision is None,
        }
    )


@router.get(
    "/aftercare/duties",
    operation_id="list_award_duties",
    response_model=Page[DutyOut],
    responses=problem_responses(401, 403, 422),
)
async def list_award_duties(
    session: Session,
    paging: Paging,
    principal: SignedIn,
    programme: ProgrammeFilter = None,
    round_id: uuid.UUID | None = None,
    application_id: uuid.UUID | None = None,
    status: DutyStatus | None = None,
    kind: Literal["report", "follow_up"] | None = None,
    year: Annotated[int | None, Query(ge=2000, le=2200)] = None,
) -> Page[DutyOut]:
    """获奖后义务: the winners' scheduled reports and the office's scheduled follow-ups, by due day
    (jinshan-24b, hangzhou-6.4a, changning-36a, jinshan-28a, linyi-25a). The office and supervision team
    of a programme see its duties, a winner's account its own."""
    rows, total = await duties.list_duties(
        session,
        principal,
        {
            "programme": programme,
            "round_id": round_id,
            "application_id": application_id,
            "status": status,
            "kind": kind,
            "year": year,
        },
        paging.offset,
        paging.size,
    )
    return Page[DutyOut](
        items=[_duty_out(d, name) for d, name in rows], page=paging.page, size=paging.size, total=total
    )


class DutySummaryOut(BaseModel):
    counts: dict[str, dict[str, int]] = Field(
        description="per duty id (and `all`), how many are due, overdue, received and cancelled"
    )


@router.get(
    "/aftercare/duties/summary",
    operation_id="get_award_duty_summary",
    response_model=DutySummaryOut,
    responses=problem_responses(401, 403, 422),
)
async def get_award_duty_summary(
    session: Session,
    principal: SignedIn,
    programme: ProgrammeFilter = None,
    round_id: uuid.UUID | None = None,
    application_id: uuid.UUID | None = None,
    kind: Literal["report", "follow_up"] | None = None,
    year: Annotated[int | None, Query(ge=2000, le=2200)] = None,
) -> DutySummaryOut:
    """What is due, overdue and received, per duty, of a programme or a round (as the list shows them to the caller)."""
    filters = {
        "programme": programme,
        "round_id": round_id,
        "application_id": application_id,
        "kind": kind,
        "year": year,
    }
    return DutySummaryOut(counts=await duties.summary(session, principal, filters))


class DutyReportOut(BaseModel):
    duty: DutyOut
    material_id: uuid.UUID
    filename: str
    content_type: str
    size: int
    sha256: str


@router.post(
    "/applications/{application_id}/duty-reports",
    operation_id="submit_duty_report",
    status_code=201,
    response_model=DutyReportOut,
    responses=problem_responses(401, 403, 404, 409, 413, 415, 422),
    openapi_extra=material_request_body(
        f"The report, at most {MATERIAL.limit()} bytes, as the raw body (its name in `filename` or in "
        "`Content-Disposition`) or as the `file` part of a `multipart/form-data` body, as a material."
    ),
)
async def submit_duty_report(
    application_id: uuid.UUID,
    request: Request,
    session: Session,
    settings: AppSettings,
    response: Response,
    principal: SignedIn,
    duty_id: Annotated[uuid.UUID, Query(description="the duty the report fulfils (GET /aftercare/duties)")],
    filename: Annotated[str | None, Query(max_length=255, description="the file's name")] = None,
) -> DutyReportOut:
    """A winner's report against its duty (质量绩效报告 jinshan-24b, 自我评价报告 hangzhou-6.4a), through the one
    file intake as a material of kind `duty_report`: the duty becomes `received` (`received_late` after its
    last day). The winner's account or the programme's office (a report handed in on paper)."""
    name, chunks, length = await uploaded_file(request, settings, filename)
    duty, material = await duties.submit_report(
        session, settings, principal, request.state.after_rollback, application_id, duty_id, name, length, chunks
    )
    response.headers["Location"] = f"/api/v1/applications/{application_id}/materials/{material.id}/content"
    return DutyReportOut(
        duty=_duty_out(duty, await duties.winner_name(session, duty.application_id)),
        material_id=material.id,
        filename=material.filename,
        content_type=material.content_type,
        size=material.size,
        sha256=material.sha256,
    )


class FollowUpIn(BaseModel):
    model_config = {"extra": "forbid"}

    visited_on: date
    result: FollowUpResult = Field(
        description="fine | regressed (严重退步) | minor_problem (问题轻微) | no_longer_eligible (不符合条件)"
    )
    findings: str = Field(min_length=1, max_length=4000)
    rectify_by: date | None = Field(default=None, description="where the winner is urged to rectify: by when")


class FollowUpOut(BaseModel):
    id: uuid.UUID
    application_id: uuid.UUID
    round_id: uuid.UUID
    programme: str
    winner_name: str
    visited_on: date
    result: str
    outcome: str = Field(description="none | rectify (督促整改) | summons_talk (约谈) | revocation_recommended")
    clause: str | None
    stated: bool | None = Field(default=None, description="false: the text names no consequence of this result")
    findings: str
    rectify_by: date | None
    revocation_case_id: uuid.UUID | None
    fulfils_duty_id: uuid.UUID | None = None
    recorded_by: str
    recorded_at: datetime


def _follow_up_out(v, name: str, **extra) -> FollowUpOut:
    return FollowUpOut.model_validate(
        {**{c: getattr(v, c) for c in FollowUpOut.model_fields if hasattr(v, c)}, "winner_name": name, **extra}
    )


@router.post(
    "/applications/{application_id}/follow-ups",
    operation_id="record_follow_up",
    status_code=201,
    response_model=FollowUpOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def record_follow_up(
    application_id: uuid.UUID, body: FollowUpIn, session: Session, response: Response, principal: OfficeOnly
) -> FollowUpOut:
    """跟踪管理 / 回访 / 定期评估: the office records a visit of a winner and its result. A serious regression
    urges it to rectify (changning-36b, jinshan-28b), a minor problem calls a summons talk (约谈, linyi-25b),
    a winner no longer meeting the conditions is referred for revocation (changning-36c, jinshan-28c,
    linyi-25b). The visit fulfils the winner's earliest open follow-up duty."""
    visit, duty, stated = await aftercare.record_follow_up(
        session, principal, application_id, body.visited_on, body.result, body.findings, body.rectify_by
    )
    response.headers["Location"] = f"/api/v1/aftercare/follow-ups?application_id={application_id}"
    name = await duties.winner_name(session, visit.application_id)
    return _follow_up_out(visit, name, stated=stated, fulfils_duty_id=duty.id if duty else None)


@router.get(
    "/aftercare/follow-ups",
    operation_id="list_follow_ups",
    response_model=Page[FollowUpOut],
    responses=problem_responses(401, 403, 422),
)
async def list_follow_ups(
    session: Session,
    paging: Paging,
    principal: SignedIn,
    programme: ProgrammeFilter = None,
    round_id: uuid.UUID | None = None,
    application_id: uuid.UUID | None = None,
    result: FollowUpResult | None = None,
    outcome: Literal["none", "rectify", "summons_talk", "revocation_recommended"] | None = None,
) -> Page[FollowUpOut]:
    """The follow-up visits of a programme's winners, newest first (its office and supervision team)."""
    rows, total = await follow_ups.list_follow_ups(
        session,
        principal,
        {
            "programme": programme,
            "round_id": round_id,
            "application_id": application_id,
            "result": result,
            "outcome": outcome,
        },
        paging.offset,
        paging.size,
    )
    return Page[FollowUpOut](
        items=[_follow_up_out(v, name) for v, name in rows], page=paging.page, size=paging.size, total=total
    )


class ActivityIn(BaseModel):
    model_config = {"extra": "forbid"}

    held_on: date
    kind: ActivityKind = Field(description=", ".join(f"{k} ({v})" for k, v in activities.KINDS.items()))
    audience: str = Field(min_length=1, max_length=200, examples=["区内制造业企业质量负责人"])
    audience_size: int | None = Field(default=None, ge=0, le=1_000_000)
    description: str = Field(min_length=1, max_length=4000)


class ActivityOut(BaseModel):
    id: uuid.UUID
    application_id: uuid.UUID
    programme: str
    winner_name: str
    held_on: date
    kind: str
    audience: str
    audience_size: int | None
    description: str
    clause: str | None
    recorded_by: str
    recorded_at: datetime


def _activity_out(a, name: str) -> ActivityOut:
    return ActivityOut.model_validate(
        {**{c: getattr(a, c) for c in ActivityOut.model_fields if hasattr(a, c)}, "winner_name": name}
    )


@router.post(
    "/applications/{application_id}/role-model-activities",
    operation_id="record_role_model_activity",
    status_code=201,
    response_model=ActivityOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def record_role_model_activity(
    application_id: uuid.UUID, body: ActivityIn, session: Session, response: Response, principal: SignedIn
) -> ActivityOut:
    """示范引领: a winner's sharing of its experience (changning-7a, 32; jinshan-24a; hangzhou-5.1; linyi-18b;
    tianning-17), recorded by the winner's account or the programme's office."""
    row = await activities.record(
        session,
        principal,
        application_id,
        body.held_on,
        body.kind,
        body.audience,
        body.audience_size,
        body.description,
    )
    response.headers["Location"] = (
        f"/api/v1/aftercare/role-model-activities/report?programme={row.programme}&year={row.held_on.year}"
    )
    return _activity_out(row, await duties.winner_name(session, row.application_id))


class WinnerActivitiesOut(BaseModel):
    application_id: uuid.UUID
    winner_name: str
    activities: int
    audience_size: int
    by_kind: dict[str, int]


class ActivityReportOut(BaseModel):
    programme: str
    year: int
    clause: str | None = Field(description="the programme's duty to share experience")
    total: int
    audience_size: int
    by_kind: dict[str, int]
    winners: list[WinnerActivitiesOut]
    activities: list[ActivityOut]


@router.get(
    "/aftercare/role-model-activities/report",
    operation_id="get_role_model_report",
    response_model=ActivityReportOut,
    responses=problem_responses(401, 403, 422),
)
async def get_role_model_report(
    session: Session,
    principal: SignedIn,
    programme: ProgrammeFilter,
    year: Annotated[int, Query(ge=2000, le=2200)],
) -> ActivityReportOut:
    """A programme's role-model activities in a year: totals by kind, per winner, and each activity (its
    office, its supervision team, the admins)."""
    r = await activities.report(session, principal, programme, year)
    return ActivityReportOut(
        programme=r.programme,
        year=r.year,
        clause=r.clause,
        total=r.total,
        audience_size=r.audience_size,
        by_kind=r.by_kind,
        winners=[
            WinnerActivitiesOut(
                application_id=w.application_id,
                winner_name=w.name,
                activities=w.activities,
                audience_size=w.audience_size,
                by_kind=dict(sorted(w.kinds.items())),
            )
            for w in r.winners
        ],
        activities=[_activity_out(a, name) for a, name in r.activities],
    )
