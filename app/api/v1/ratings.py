"""Two-way supervision (双向监督, changning-29, jinshan-22) and the experts' record (信誉档案) with its
sanctions (changning-28b, jinshan-21b, linyi-22b). The rated party never learns who rated it."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from app.api.deps import AppSettings, OfficeOnly, Session, SignedIn, require_roles
from app.api.pagination import Page, Paging
from app.api.problems import problem_responses
from app.api.v1.experts import ExpertOut
from app.api.v1.routing import v1_router
from app.domain import personal_data
from app.domain.ratings import service
from app.identity import Principal, Role

router = v1_router(tags=["supervision"])

# the two parties that met in the review: the applicant account and the expert
Raters = Annotated[Principal, require_roles(Role.applicant, Role.expert)]


class RatingIn(BaseModel):
    model_config = {"extra": "forbid"}

    application_id: uuid.UUID
    expert_id: uuid.UUID | None = Field(
        default=None, description="the expert rated (an applicant account); an expert rates as itself and may omit it"
    )
    score: int = Field(ge=1, le=5, description="observance of review discipline: 1 (serious breaches) to 5 (exemplary)")
    comment: str | None = Field(default=None, max_length=2000)


class RatingOut(BaseModel):
    direction: str = Field(description="applicant_rates_expert | expert_rates_applicant")
    application_id: uuid.UUID
    expert_id: uuid.UUID
    score: int
    comment: str | None
    clause: str


class PendingOut(BaseModel):
    direction: str
    application_id: uuid.UUID
    expert_id: uuid.UUID
    party_name: str = Field(description="whom the caller rates: the expert's name, or the applicant's")
    rated: bool
    open: bool = Field(description="the application's expert review is over: the rating may be given")


class RaterOut(BaseModel):
    direction: str
    application_id: uuid.UUID
    expert_id: uuid.UUID


class RoundRatingOut(BaseModel):
    id: uuid.UUID
    rated_expert_id: uuid.UUID | None
    rated_application_id: uuid.UUID | None
    score: int
    comment: str | None
    rater: RaterOut | None = Field(description="who rated: to the programme's supervision team only, else null")


class AggregateOut(BaseModel):
    shown: bool = Field(description=f"false to the expert itself below {service.MIN_SHOWN} ratings")
    count: int | None
    mean: Decimal | None
    distribution: dict[str, int] | None = Field(description="ratings per score; not to the expert itself")


class SanctionOut(BaseModel):
    id: uuid.UUID
    kind: str = Field(description="criticism (批评) | warning (警告) | disqualification (取消评审资格)")
    breach: str
    decided_on: date
    clause: str | None
    decided_at: datetime


class CommentOut(BaseModel):
    score: int
    comment: str


class ExpertRecordOut(BaseModel):
    expert: ExpertOut
    ratings: AggregateOut
    comments: list[CommentOut] | None = Field(description="the ratings' comments, without raters; not to the expert")
    sanctions: list[SanctionOut]


class SanctionIn(BaseModel):
    model_config = {"extra": "forbid"}

    kind: Literal["criticism", "warning", "disqualification"]
    breach: str = Field(min_length=1, max_length=2000, description="the breach of review discipline")
    decided_on: date


def _record(r: service.ExpertRecord) -> ExpertRecordOut:
    return ExpertRecordOut(
        expert=ExpertOut.model_validate(r.expert, from_attributes=True),
        ratings=AggregateOut.model_validate(r.ratings, from_attributes=True),
        comments=None if r.comments is None else [CommentOut(**c) for c in r.comments],
        sanctions=[SanctionOut.model_validate(s, from_attributes=True) for s in r.sanctions],
    )


@router.post(
    "/supervision-ratings",
    operation_id="rate_supervision",
    status_code=201,
    response_model=RatingOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def rate_supervision(body: RatingIn, session: Session, principal: Raters, settings: AppSettings) -> RatingOut:
    """Rate the other party of a review once it is over (changning-29, jinshan-22): an applicant
    account each expert who reviewed its application, an expert each applicant it reviewed; once per
    pair. The rated party is never told who rated it."""
    rated = await service.rate(session, principal, personal_data.key(settings), body.model_dump())
    return RatingOut.model_validate(rated, from_attributes=True)


@router.get(
    "/supervision-ratings/pending",
    operation_id="list_pending_supervision_ratings",
    response_model=list[PendingOut],
    responses=problem_responses(401, 403),
)
async def list_pending_supervision_ratings(session: Session, principal: Raters) -> list[PendingOut]:
    """Whom the caller rates (its reviews' other parties), each with whether it has and whether it may now."""
    return [PendingOut.model_validate(p, from_attributes=True) for p in await service.pending(session, principal)]


@router.get(
    "/rounds/{round_id}/supervision-ratings",
    operation_id="list_round_supervision_ratings",
    response_model=Page[RoundRatingOut],
    responses=problem_responses(401, 404),
)
async def list_round_supervision_ratings(
    round_id: uuid.UUID, session: Session, paging: Paging, principal: SignedIn, settings: AppSettings
) -> Page[RoundRatingOut]:
    """A round's ratings: the office and an admin without raters, the programme's supervision team
    (评审监督小组) with who rated whom."""
    rows, total = await service.round_ratings(
        session, principal, personal_data.key(settings), round_id, paging.offset, paging.size
    )
    items = [
        RoundRatingOut(
            id=r.rating.id,
            rated_expert_id=r.rating.rated_expert_id,
            rated_application_id=r.rating.rated_application_id,
            score=r.rating.score,
            comment=r.rating.comment,
            rater=None if r.rater is None else RaterOut(**r.rater),
        )
        for r in rows
    ]
    return Page[RoundRatingOut](items=items, page=paging.page, size=paging.size, total=total)


@router.get(
    "/review/experts/{expert_id}/record",
    operation_id="get_expert_record",
    response_model=ExpertRecordOut,
    responses=problem_responses(401, 404),
)
async def get_expert_record(expert_id: uuid.UUID, session: Session, principal: SignedIn) -> ExpertRecordOut:
    """信誉档案: status and its changes, ratings and sanctions. The expert itself sees its aggregate only
    over enough ratings, never a comment and never a rater."""
    return _record(await service.expert_record(session, principal, expert_id))


@router.post(
    "/review/experts/{expert_id}/sanctions",
    operation_id="record_expert_sanction",
    status_code=201,
    response_model=ExpertRecordOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def record_expert_sanction(
    expert_id: uuid.UUID, body: SanctionIn, session: Session, principal: OfficeOnly
) -> ExpertRecordOut:
    """A sanction for a breach of review discipline (changning-28b, jinshan-21b, linyi-22b):
    disqualification makes the expert disqualified, out of every future assignment."""
    return _record(await service.sanction(session, principal, expert_id, body.model_dump()))
