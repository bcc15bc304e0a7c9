"""Two-way supervision's use cases: rate, what the caller may still rate, a round's ratings, an
expert's record (信誉档案) and its sanctions. The design is in the package's docstring."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import ratings as access
from app.access import review as review_access
from app.access import roles
from app.db.models.ratings import ExpertSanction, SupervisionRating
from app.db.models.review import Expert
from app.db.repositories import ratings as repo
from app.db.repositories import review as review_repo
from app.db.repositories import workflow as workflow_repo
from app.domain import clock
from app.domain.errors import DomainError, conflict, invalid, not_found
from app.domain.ratings import sealing
from app.domain.ratings.rules import rules
from app.domain.review import pool
from app.domain.review.discipline import discipline
from app.domain.states import FINAL_STATES, ApplicationState
from app.identity import Principal, Role

APPLICANT_RATES_EXPERT = "applicant_rates_expert"
EXPERT_RATES_APPLICANT = "expert_rates_applicant"
# fewer ratings than this and the rated expert is shown no aggregate: one or two would name their raters
MIN_SHOWN = 3
SANCTIONS = ("criticism", "warning", "disqualification")
_S = ApplicationState
# an application's expert review is over once it reaches the committee, or ends (ratings follow the review)
REVIEW_OVER = frozenset({_S.COMMITTEE_REVIEW, _S.AWARD_NOTICE, _S.GOVERNMENT_APPROVAL, _S.AWARDED}) | FINAL_STATES


@dataclass
class Rated:
    direction: str
    application_id: uuid.UUID
    expert_id: uuid.UUID
    score: int
    comment: str | None
    clause: str


def _two_way_clause(programme: str) -> str:
    clause = rules(programme).two_way_supervision_clause
    if clause is None:
        raise DomainError(
            "two-way-supervision-not-provided",
            409,
            "该项目的办法未规定双向监督评价",
            "The programme's regulation provides no two-way supervision ratings",
            title="Conflict",
        )
    return clause


async def _caller_expert(session: AsyncSession, principal: Principal, programme: str) -> Expert | None:
    if not (principal.has(Role.expert) and principal.programme == programme and principal.sub):
        return None
    return await review_repo.expert_by_subject(session, programme, principal.sub)


async def rate(session: AsyncSession, principal: Principal, secret: bytes, data: dict[str, Any]) -> Rated:
    """An applicant rates an expert who reviewed its application, or an expert the applicant it
    reviewed (changning-29, jinshan-22): once per pair and direction, after the review."""
    app = await workflow_repo.get_application(session, data["application_id"])
    if app is None:
        raise not_found("申报", "Application", data["application_id"])
    if app.applicant_ref is not None and roles.is_applicant(principal, app.applicant_ref):
        direction = APPLICANT_RATES_EXPERT
        if data.get("expert_id") is None:
            raise invalid("expert_id", "须指明所评价的评审专家", "name the expert rated", "missing")
        expert_id = data["expert_id"]
        if not await repo.met(session, expert_id, app.id):
            raise invalid("expert_id", "该专家未评审本申报", "the expert did not review this application", "not_met")
    else:
        expert = await _caller_expert(session, principal, app.programme)
        if expert is None or not await repo.met(session, expert.id, app.id):
            # not a party: the application does not exist for the caller
            raise not_found("申报", "Application", data["application_id"])
        if data.get("expert_id") not in (None, expert.id):
            raise invalid("expert_id", "专家只能以本人名义评价", "an expert rates as itself only", "not_self")
        direction, expert_id = EXPERT_RATES_APPLICANT, expert.id
    clause = _two_way_clause(app.programme)
    if app.state not in REVIEW_OVER:
        raise DomainError(
            "review-not-over",
            409,
            "评审结束后方可进行双向监督评价",
            "Two-way supervision ratings are given once the application's expert review is over",
            title="Conflict",
            clause=clause,
            extra={"state": app.state},
        )
    comment = (data.get("comment") or "").strip() or None
    if not await repo.participate(session, app.round_id, app.id, expert_id, direction):
        raise conflict("already-rated", "已对该对象作过评价", "This party was already rated by you", clause=clause)
    rated = expert_id if direction == APPLICANT_RATES_EXPERT else app.id
    await repo.add_rating(
        session,
        dict(
            programme=app.programme,
            round_id=app.round_id,
            rated_expert_id=expert_id if direction == APPLICANT_RATES_EXPERT else None,
            rated_application_id=app.id if direction == EXPERT_RATES_APPLICANT else None,
            score=data["score"],
            comment=comment,
            rater_sealed=sealing.seal(
                secret,
                app.round_id,
                rated,
                {"direction": direction, "application_id": str(app.id), "expert_id": str(expert_id)},
            ),
        ),
    )
    return Rated(direction, app.id, expert_id, data["score"], comment, clause)


@dataclass
class Pending:
    direction: str
    application_id: uuid.UUID
    expert_id: uuid.UUID
    party_name: str  # the expert's name (to the applicant) or the applicant's (to the expert)
    rated: bool
    open: bool  # the review is over: the rating may be given now


async def pending(session: AsyncSession, principal: Principal) -> list[Pending]:
    """Whom the caller rates: an applicant account the experts of its applications, an expert the
    applicants it reviewed, in programmes providing two-way supervision."""
    out: list[Pending] = []
    own = roles.applicant_of(principal)
    if own is not None:
        apps = [a for a in await repo.applications_of_account(session, own) if _provides(a.programme)]
        done = await repo.rated_pairs(session, application_ids=[a.id for a in apps])
        for app in apps:
            for e in await repo.experts_met(session, app.id):
                rated = (app.id, e.id, APPLICANT_RATES_EXPERT) in done
                out.append(Pending(APPLICANT_RATES_EXPERT, app.id, e.id, e.name, rated, app.state in REVIEW_OVER))
    expert = await _caller_expert(session, principal, principal.programme or "")
    if expert is not None and _provides(expert.programme):
        done = await repo.rated_pairs(session, expert_id=expert.id)
        for app in await repo.applications_met(session, expert.id):
            rated = (app.id, expert.id, EXPERT_RATES_APPLICANT) in done
            out.append(
                Pending(EXPERT_RATES_APPLICANT, app.id, expert.id, app.applicant_name, rated, app.state in REVIEW_OVER)
            )
    return out


def _provides(programme: str) -> bool:
    return rules(programme).two_way_supervision_clause is not None


@dataclass
class RoundRating:
    rating: SupervisionRating
    rater: dict[str, str] | None  # only to the supervision team


async def round_ratings(
    session: AsyncSession, principal: Principal, secret: bytes, round_id: uuid.UUID, offset: int, limit: int
) -> tuple[list[RoundRating], int]:
    """A round's ratings: to the office and an admin without raters; to the programme's supervision
    team with who rated (the one read path that opens a sealed rater)."""
    rnd = await workflow_repo.get_round(session, round_id)
    if rnd is None or not access.reads_ratings(principal, rnd.programme):
        raise not_found("届", "Round", round_id)
    rows, total = await repo.ratings_of_round(session, rnd.id, offset, limit)
    with_raters = access.reads_raters(principal, rnd.programme)
    out = []
    for r in rows:
        rater = None
        if with_raters:
            rater = sealing.open_sealed(secret, r.round_id, r.rated_expert_id or r.rated_application_id, r.rater_sealed)
        out.append(RoundRating(r, rater))
    return out, total


@dataclass
class Aggregate:
    shown: bool
    count: int | None
    mean: Decimal | None
    distribution: dict[str, int] | None


@dataclass
class ExpertRecord:
    expert: Expert
    ratings: Aggregate
    comments: list[dict[str, Any]] | None
    sanctions: list[ExpertSanction] = field(default_factory=list)


def _aggregate(scores: list[int], *, full: bool) -> Aggregate:
    if not full and len(scores) < MIN_SHOWN:
        return Aggregate(False, None, None, None)
    mean = (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.01"), ROUND_HALF_UP) if scores else None
    dist = {str(s): scores.count(s) for s in range(1, 6)} if full else None
    return Aggregate(True, len(scores), mean, dist)


async def expert_record(session: AsyncSession, principal: Principal, expert_id: uuid.UUID) -> ExpertRecord:
    """信誉档案: the expert's status and its changes, its ratings and its sanctions. The office, an admin
    and the supervision team read it whole (the ratings without raters); the expert itself its own
    aggregate only over ``MIN_SHOWN`` ratings or more, and never a comment."""
    expert = await review_repo.get_expert(session, expert_id)
    if expert is None:
        raise not_found("评审专家", "Expert", expert_id)
    full = review_access.reads_review(principal, expert.programme)
    if not full and not review_access.is_expert(principal, expert):
        raise not_found("评审专家", "Expert", expert_id)
    rated = await repo.ratings_of_expert(session, expert.id)
    comments = [{"score": s, "comment": c} for s, c in rated if c] if full else None
    return ExpertRecord(
        expert, _aggregate([s for s, _ in rated], full=full), comments, await repo.sanctions_of(session, expert.id)
    )


async def sanction(
    session: AsyncSession, principal: Principal, expert_id: uuid.UUID, data: dict[str, Any]
) -> ExpertRecord:
    """The office records a sanction for a breach of review discipline: criticism, warning, or
    disqualification, which disqualifies the expert through the pool (changning-28b, jinshan-21b,
    linyi-22b): its open assignments are voided and no assignment may name it again."""
    expert = await review_repo.get_expert(session, expert_id, for_update=True)
    if expert is None or not review_access.reads_review(principal, expert.programme):
        raise not_found("评审专家", "Expert", expert_id)
    if not review_access.manages_review(principal, expert.programme):
        raise DomainError(
            "forbidden", 403, "当前身份无权处理评审专家", "Your role may not sanction experts", title="Forbidden"
        )
    kind = data["kind"]
    if kind not in SANCTIONS:
        raise invalid("kind", f"可选：{'、'.join(SANCTIONS)}", f"one of: {', '.join(SANCTIONS)}", "enum")
    breach = data["breach"].strip()
    if not breach:
        raise invalid("breach", "须写明违反评审纪律的情形", "describe the breach of review discipline", "missing")
    decided_on: date = data["decided_on"]
    if decided_on > clock.today():
        raise invalid("decided_on", "日期不能晚于今天", "the date cannot be in the future", "future")
    if kind == "disqualification":
        if expert.status == "disqualified":
            raise conflict("already-disqualified", "该专家已被取消评审资格", "The expert is already disqualified")
        clause = discipline(expert.programme).disqualification_clause
        await pool.change_status(session, principal, expert.id, "disqualified", breach)
    else:
        clause = rules(expert.programme).lesser_sanctions_clause
    await repo.add_sanction(
        session,
        ExpertSanction(
            id=uuid.uuid4(),
            expert_id=expert.id,
            kind=kind,
            breach=breach,
            decided_on=decided_on,
            clause=clause,
            decided_by=principal.key,
            decided_at=clock.now(),
        ),
    )
    return await expert_record(session, principal, expert.id)
