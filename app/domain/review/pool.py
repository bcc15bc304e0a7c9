"""The expert pool (专家库) and conflicts of interest (回避).

An expert is a person of a programme's pool, linked to an identity subject with role ``expert``;
the programme's office keeps the pool, appoints and supervises its reviewers (hangzhou-2.3.2). Its status is active, suspended or disqualified for a breach
of review discipline, each change recorded with its reason (changning-28b, jinshan-21b,
hangzhou-6.2b, linyi-22b).

Conflicts: the expert declares its ties (employer, guidance, consulting, shareholding, family,
competitor, other) to an applicant (by credit code) or an application; a guidance filing
(辅导备案, changning-15b, jinshan-14b) is a declaration of kind ``guidance`` and recuses the expert
from that applicant automatically (changning-15c, jinshan-14c). The service derives the others it
can see itself (the expert's employer is the applicant). ``require_unconflicted`` is the one
function that decides; it runs at every assignment and every score submission. An office override
with its reason lets an expert act despite a found conflict, and stays in the record.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import review as access
from app.access import review_bodies as body_access
from app.db.models.review import Assignment, ConflictDeclaration, ConflictOverride, Expert
from app.db.models.workflow import Application
from app.db.repositories import review as repo
from app.db.repositories import review_bodies as bodies_repo
from app.db.repositories import workflow as workflow_repo
from app.domain import clock
from app.domain.errors import DomainError, FieldError, invalid, not_found
from app.domain.identifiers import IdentifierError, validate_credit_code
from app.domain.review import bodies
from app.domain.review.discipline import discipline
from app.identity import Principal

STATUSES = ("active", "suspended", "disqualified")
QUALIFICATIONS = (
    "national_examiner",  # 全国质量奖评审员
    "provincial_examiner",  # 省（市）级质量奖评审员
    "city_examiner",  # 市（区）级质量奖评审员
    "self_assessor",  # 自评师
    "other",
)
CONFLICT_KINDS = ("employer", "guidance", "consulting", "shareholding", "family", "competitor", "other")


def _forbidden() -> DomainError:
    return DomainError(
        "forbidden", 403, "当前身份无权管理评审专家", "Your role may not manage review experts", title="Forbidden"
    )


def credit_code_field(value: str | None, field: str) -> str | None:
    """An optional credit code from a request, checked (None when blank); a bad one names ``field``."""
    if value is None or not value.strip():
        return None
    try:
        return validate_credit_code(value)
    except IdentifierError as err:
        raise err.for_field(field) from None


def declared_tie(body: dict[str, Any]) -> tuple[str, str | None, Any]:
    """A person's declared tie (回避申报, experts and committee members alike): its kind, and the applicant's
    credit code or the application it concerns (one of them at least)."""
    kind = body["kind"]
    if kind not in CONFLICT_KINDS:
        raise invalid("kind", f"可选：{'、'.join(CONFLICT_KINDS)}", f"one of: {', '.join(CONFLICT_KINDS)}", "enum")
    code = credit_code_field(body.get("credit_code"), "credit_code")
    app_id = body.get("application_id")
    if code is None and app_id is None:
        raise invalid(
            "credit_code",
            "须指明申报主体的统一社会信用代码或申报",
            "name the applicant's credit code or the application",
            "missing",
        )
    return kind, code, app_id


# --- the pool -------------------------------------------------------------------------------------


async def create_expert(session: AsyncSession, principal: Principal, body: dict[str, Any]) -> Expert:
    """Add a person to the office's programme pool; a third-party review body engages its own
    experts (linyi-8c "聘请市长质量奖评审专家"), linked to it."""
    programme = principal.programme
    body_id = body.get("body_id")
    if body_access.is_review_body(principal):
        own = await bodies.acting_body(session, principal)
        if body_id is not None and body_id != own.id:
            raise invalid("body_id", "只能聘请本机构的专家", "a body engages experts of its own only", "other_body")
        body_id = own.id
    elif programme is None or not access.manages_review(principal, programme):
        raise _forbidden()
    elif body_id is not None:
        found = await bodies_repo.get_body(session, body_id)
        if found is None or found.programme != programme:
            raise invalid("body_id", "本项目中无此评审机构", "no such review body in the programme", "not_found")
    bad = [q for q in body["qualifications"] if q not in QUALIFICATIONS]
    if bad:
        raise invalid(
            "qualifications", f"可选：{'、'.join(QUALIFICATIONS)}", f"one of: {', '.join(QUALIFICATIONS)}", "enum"
        )
    starts, ends = body["term_starts_on"], body["term_ends_on"]
    if ends < starts:
        raise invalid("term_ends_on", "聘期结束日不能早于开始日", "the term cannot end before it starts", "date_order")
    code = credit_code_field(body.get("employer_credit_code"), "employer_credit_code")
    expert = await repo.insert_expert(
        session,
        dict(
            id=uuid.uuid4(),
            programme=programme,
            subject=body["subject"],
            name=body["name"],
            qualifications=list(dict.fromkeys(body["qualifications"])),
            industries=list(dict.fromkeys(body["industries"])),
            employer_name=body.get("employer_name"),
            employer_credit_code=code,
            body_id=body_id,
            term_starts_on=starts,
            term_ends_on=ends,
            status="active",
            status_log=[],
            version=1,
            created_by=principal.key,
        ),
    )
    if expert is None:
        raise DomainError(
            "duplicate",
            409,
            "该身份已在本项目专家库中",
            "This identity is already in the programme's expert pool",
            title="Conflict",
            errors=[FieldError("subject", "已存在", "already in the pool", "duplicate")],
        )
    return expert


async def readable_expert(session: AsyncSession, principal: Principal, expert_id: uuid.UUID) -> Expert:
    """The record: to the programme's office, an admin and the expert itself; 404 to others."""
    expert = await repo.get_expert(session, expert_id)
    if expert is None or not (
        access.reads_review(principal, expert.programme)
        or access.is_expert(principal, expert)
        or await _of_acting_body(session, principal, expert)
    ):
        raise not_found("评审专家", "Expert", expert_id)
    return expert


async def _of_acting_body(session: AsyncSession, principal: Principal, expert: Expert) -> bool:
    """The caller is the review body the expert belongs to."""
    if expert.body_id is None or not body_access.is_review_body(principal):
        return False
    body = await bodies_repo.get_body(session, expert.body_id)
    return body is not None and body_access.acts_for(principal, body)


async def list_experts(
    session: AsyncSession, principal: Principal, offset: int, limit: int
) -> tuple[list[Expert], int]:
    where = access.readable_experts(principal)
    if where is None and body_access.is_review_body(principal):
        where = body_access.experts_of_body(await bodies.acting_body(session, principal))
    if where is None:
        raise _forbidden()
    return await repo.list_experts(session, where, offset, limit)


async def change_status(
    session: AsyncSession, principal: Principal, expert_id: uuid.UUID, status: str, reason: str
) -> Expert:
    """Suspend, disqualify or reinstate an expert, with the reason recorded (changning-28b, jinshan-21b,
    hangzhou-6.2b, linyi-22b). A disqualified expert's open assignments are voided: its sheets no
    longer count towards a consensus."""
    expert = await repo.get_expert(session, expert_id, for_update=True)
    if expert is None or not access.reads_review(principal, expert.programme):
        raise not_found("评审专家", "Expert", expert_id)
    if not access.manages_review(principal, expert.programme):
        raise _forbidden()
    if status not in STATUSES:
        raise invalid("status", f"可选：{'、'.join(STATUSES)}", f"one of: {', '.join(STATUSES)}", "enum")
    if not reason.strip():
        raise invalid("reason", "须说明理由", "a reason is required", "missing")
    now = clock.now()
    clause = discipline(expert.programme).disqualification_clause if status != "active" else None
    expert.status_log = [
        *expert.status_log,
        {
            "from": expert.status,
            "to": status,
            "reason": reason,
            "clause": clause,
            "by": principal.key,
            "at": now.isoformat(),
        },
    ]
    expert.status = status
    expert.version += 1
    if status == "disqualified":
        # locked: a recusal committed meanwhile stays a recusal
        for a in await repo.open_assignments_of_expert(session, expert.id, for_update=True):
            close(a, principal, f"专家被取消评审资格：{reason}", now, status="voided")
    await session.flush()
    return expert


def require_active(expert: Expert, on: date) -> None:
    """Only an active expert within its term of appointment is assigned or scores."""
    if expert.status != "active" or not (expert.term_starts_on <= on <= expert.term_ends_on):
        raise DomainError(
            "expert-not-active",
            409,
            f"专家“{expert.name}”不在聘期内或已被暂停、取消评审资格",
            f"Expert '{expert.name}' is outside the term of appointment, suspended or disqualified",
            title="Conflict",
            clause=discipline(expert.programme).disqualification_clause,
            extra={"expert_id": str(expert.id), "expert_status": expert.status},
        )


def close(a: Assignment, principal: Principal, reason: str, now, *, status: str) -> None:
    a.status = status
    a.closed_reason = reason
    a.closed_by = principal.key
    a.closed_at = now


# --- conflicts ------------------------------------------------------------------------------------


async def declare_conflict(
    session: AsyncSession, principal: Principal, expert_id: uuid.UUID, body: dict[str, Any]
) -> ConflictDeclaration:
    """The expert's own declaration (回避申报), or its guidance filing (辅导备案) when ``kind`` is guidance."""
    expert = await repo.get_expert(session, expert_id)
    if expert is None or not (access.is_expert(principal, expert) or access.reads_review(principal, expert.programme)):
        raise not_found("评审专家", "Expert", expert_id)
    if not access.is_expert(principal, expert):
        # a declaration is the expert's own statement (changning-28c, jinshan-21c "本人应主动提出回避")
        raise DomainError(
            "forbidden", 403, "回避申报须由专家本人提出", "Only the expert declares its conflicts", title="Forbidden"
        )
    kind, code, app_id = declared_tie(body)
    if app_id is not None:
        app = await repo.get_application(session, app_id)
        if app is None or app.programme != expert.programme:
            raise invalid("application_id", "本项目中无此申报", "no such application in the programme", "not_found")
    rules = discipline(expert.programme)
    row = ConflictDeclaration(
        expert_id=expert.id,
        kind=kind,
        credit_code=code,
        application_id=app_id,
        detail=body["detail"],
        # a guidance filing is the record the expert files (changning-15b, jinshan-14b); any other tie, its recusal duty
        clause=rules.guidance_filing_clause if kind == "guidance" else rules.recusal_clause,
        declared_by=principal.key,
        declared_at=clock.now(),
    )
    await repo.add(session, row)
    return row


@dataclass(frozen=True)
class Conflict:
    """A reason the expert may not review the application."""

    kind: str
    source: str  # declared | derived
    clause: str | None
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "source": self.source, "clause": self.clause, "detail": self.detail}


def person_conflicts(
    *,
    employer_credit_code: str | None,
    declarations: Iterable[Any],
    app: Application,
    recusal_clause: str | None,
    guidance_recusal_clause: str | None,
    employer_detail: str = "专家任职单位即申报组织（统一社会信用代码相同）",
) -> list[Conflict]:
    """The one rule of conflicts (回避) for any person who judges an application (an expert, a
    committee member): derived (its employer is the applicant) and declared (each declaration about
    the applicant or the application, ``kind`` and ``detail``)."""
    found: list[Conflict] = []
    if employer_credit_code and app.credit_code and employer_credit_code == app.credit_code:
        found.append(Conflict("employer", "derived", recusal_clause, employer_detail))
    for d in declarations:
        # a filed guidance recuses the person from the applicant it coached (changning-15c, jinshan-14c)
        clause = guidance_recusal_clause if d.kind == "guidance" else recusal_clause
        found.append(Conflict(d.kind, "declared", clause, d.detail))
    return found


async def conflicts_of(session: AsyncSession, expert: Expert, app: Application) -> list[Conflict]:
    """Every conflict between the expert and the application, declared or derived."""
    rules = discipline(expert.programme)
    found = person_conflicts(
        employer_credit_code=expert.employer_credit_code,
        declarations=await repo.declarations_about(session, expert.id, app.id, app.credit_code),
        app=app,
        recusal_clause=rules.recusal_clause,
        guidance_recusal_clause=rules.guidance_recusal_clause,
    )
    body = None if expert.body_id is None else await bodies_repo.get_body(session, expert.body_id)
    if body is not None and app.credit_code:
        # the body's independence is its experts' (linyi-8a, 20a): the body applying, or tied to the
        # applicant (its guidance, consulting...), recuses every expert it engaged
        if body.credit_code == app.credit_code:
            found.append(
                Conflict("employer", "derived", rules.recusal_clause, f"专家所属评审机构“{body.name}”即申报组织")
            )
        for t in await bodies_repo.ties_about(session, body.id, app.credit_code):
            found.append(
                Conflict(t.kind, "derived", rules.recusal_clause, f"专家所属评审机构“{body.name}”：{t.detail}")
            )
    return found


async def require_unconflicted(session: AsyncSession, expert: Expert, app: Application) -> ConflictOverride | None:
    """409 ``/expert-conflicted`` naming each conflict, unless the office overrode them with a reason."""
    found = await conflicts_of(session, expert, app)
    if not found:
        return None
    override = await repo.override_for(session, expert.id, app.id)
    if override is not None:
        return override
    kinds = "、".join(sorted({c.kind for c in found}))
    raise DomainError(
        "expert-conflicted",
        409,
        f"专家“{expert.name}”与该申报存在利害关系（{kinds}），应当回避",
        f"Expert '{expert.name}' has a conflict of interest with this application ({kinds}) and must recuse",
        title="Conflict",
        clause=found[0].clause,
        extra={"expert_id": str(expert.id), "application_id": str(app.id), "conflicts": [c.as_dict() for c in found]},
    )


async def override_conflict(
    session: AsyncSession, principal: Principal, expert_id: uuid.UUID, application_id: uuid.UUID, reason: str
) -> ConflictOverride:
    expert = await repo.get_expert(session, expert_id)
    if expert is None or not access.reads_review(principal, expert.programme):
        raise not_found("评审专家", "Expert", expert_id)
    if not access.manages_review(principal, expert.programme):
        raise _forbidden()
    app = await repo.get_application(session, application_id)
    if app is None or app.programme != expert.programme:
        raise invalid("application_id", "本项目中无此申报", "no such application in the programme", "not_found")
    if not reason.strip():
        raise invalid("reason", "须说明理由", "a reason is required", "missing")
    row = await repo.insert_override(
        session,
        dict(
            id=uuid.uuid4(),
            expert_id=expert.id,
            application_id=app.id,
            reason=reason,
            decided_by=principal.key,
            decided_at=clock.now(),
        ),
    )
    if row is None:
        raise DomainError(
            "already-recorded",
            409,
            "该专家与该申报的回避决定已记录",
            "An override for this expert and application is already recorded",
            title="Conflict",
        )
    return row


async def round_overrides(session: AsyncSession, principal: Principal, round_id: uuid.UUID) -> list[ConflictOverride]:
    """The office's conflict overrides in a round, each with its reason: visible to the supervision
    team (评审监督小组, hangzhou-6.1) as to the office and an admin; 404 to anyone else."""
    rnd = await workflow_repo.get_round(session, round_id)
    if rnd is None or not access.reads_review(principal, rnd.programme):
        raise not_found("届次", "Round", round_id)
    return await repo.overrides_of_round(session, rnd.id)


async def conflict_record(
    session: AsyncSession, principal: Principal, expert_id: uuid.UUID
) -> tuple[Expert, list[ConflictDeclaration], list[ConflictOverride]]:
    """The expert's declarations and the office's overrides about it: the record a supervisor reads."""
    expert = await readable_expert(session, principal, expert_id)
    return expert, await repo.declarations_of(session, expert.id), await repo.overrides_of(session, expert.id)
