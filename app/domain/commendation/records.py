"""Reading the government's acts: a round's record for its people, one application's commendation,
and the winners' list announced to society (获奖名单向社会公布: linyi-14i, linyi-15a, tianning-12k)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import office
from app.db.models.commendation import (
    ApprovalSubmission,
    ApprovalSubmissionEntry,
    CommendationAward,
    GovernmentDocument,
)
from app.db.repositories import commendation as repo
from app.db.repositories import workflow as workflow_repo
from app.domain.commendation import rules
from app.domain.errors import not_found
from app.domain.programmes.effective import effective_programme
from app.domain.review import confidentiality
from app.domain.states import ApplicationState as S
from app.domain.states import RoundState
from app.identity import Principal


@dataclass
class RoundRecord:
    """What the office recorded of a round's government acts (nothing yet: all None)."""

    round_id: uuid.UUID
    submission: ApprovalSubmission | None = None
    entries: list[ApprovalSubmissionEntry] = field(default_factory=list)
    approval: GovernmentDocument | None = None
    commendation: GovernmentDocument | None = None
    awards: list[CommendationAward] = field(default_factory=list)


async def round_record(session: AsyncSession, principal: Principal, round_id: uuid.UUID) -> RoundRecord:
    rnd = await workflow_repo.get_round(session, round_id)
    if rnd is None or not office.reads_round(principal, rnd.programme, rnd.state):
        raise not_found("届次", "Round", round_id)
    return await _record(session, rnd.id)


async def _record(session: AsyncSession, round_id: uuid.UUID) -> RoundRecord:
    record = RoundRecord(round_id)
    record.submission = await repo.get_submission(session, round_id)
    if record.submission is not None:
        record.entries = await repo.submission_entries(session, record.submission.id)
    docs = await repo.documents_of_round(session, round_id)
    record.approval, record.commendation = docs.get("approval"), docs.get("commendation")
    if record.commendation is not None:
        record.awards = await repo.awards_of(session, record.commendation.id)
    return record


async def application_commendation(
    session: AsyncSession, principal: Principal, app_id: uuid.UUID
) -> tuple[CommendationAward, GovernmentDocument] | None:
    """The commendation naming the application, to whoever may see the application (None: not commended)."""
    app = await workflow_repo.get_application(session, app_id)
    if app is None or not await confidentiality.may_view(session, principal, app):
        raise not_found("申报", "Application", app_id)
    return await repo.commendation_of(session, app_id)


@dataclass(frozen=True)
class Winner:
    position: int
    applicant_kind: str
    name: str
    credit_code: str | None
    employer: str | None
    tier: str
    tier_name_zh: str
    category: str
    category_name_zh: str
    # a winner whose award was later revoked stays on the decision's list, marked (撤销)
    revoked: bool


@dataclass(frozen=True)
class Document:
    document_no: str
    issued_on: date
    issued_by_zh: str
    title_zh: str
    clause: str | None


@dataclass(frozen=True)
class WinnersList:
    """获奖名单: a round's winners as announced, with the documents behind them."""

    programme: str
    programme_name_zh: str
    round_id: uuid.UUID
    round_label: str
    government_zh: str
    announced: bool
    clause: str | None
    approval: Document | None
    commendation: Document | None
    winners: tuple[Winner, ...]

    @property
    def title_zh(self) -> str:
        return f"{self.programme_name_zh}（{self.round_label}）获奖名单"


def _document(doc: GovernmentDocument | None) -> Document | None:
    if doc is None:
        return None
    return Document(doc.document_no, doc.issued_on, doc.issued_by_zh, doc.title_zh, doc.clause)


async def public_winners(session: AsyncSession, round_id: uuid.UUID) -> WinnersList:
    """The list once the commendation decision is recorded; before it, ``announced`` false and no one.

    A round not yet published is not the public's (404). Only what the notices already showed is
    listed: names, organisations' credit codes, individuals' employers; never an ID number.
    """
    rnd = await workflow_repo.get_round(session, round_id)
    if rnd is None or rnd.state == RoundState.DRAFT:
        raise not_found("届次", "Round", round_id)
    prog = effective_programme(rnd.programme, rnd.programme_version, rnd.overrides)
    record = await _record(session, rnd.id)
    states = await repo.application_states(session, [a.application_id for a in record.awards])
    winners = tuple(
        Winner(
            a.position,
            a.applicant_kind,
            a.name,
            a.credit_code,
            a.employer,
            a.tier,
            a.tier_name_zh,
            a.category,
            a.category_name_zh,
            states.get(a.application_id) == S.REVOKED,
        )
        for a in record.awards
    )
    announced = record.commendation is not None
    return WinnersList(
        programme=rnd.programme,
        programme_name_zh=prog.name_zh,
        round_id=rnd.id,
        round_label=rnd.label,
        government_zh=rules.government_of(prog).name_zh,
        announced=announced,
        clause=rules.announcement_clause(prog),
        approval=_document(record.approval) if announced else None,
        commendation=_document(record.commendation),
        winners=winners,
    )
