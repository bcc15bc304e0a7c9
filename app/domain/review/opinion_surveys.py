"""The public-opinion survey (舆情调查, linyi-14e): one of the third-party review's steps, recorded per
application (and so per round): who did it (the engaged body or the office), the sources checked,
the day, and the finding (``clear``, or ``concerns`` with what was found).

Where a programme's ``review_conditions`` name ``opinion_survey`` (linyi: the defence stage, the last
of 14e's steps), the stage does not pass without it; the comprehensive evaluation report carries it.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import review as access
from app.config import Settings
from app.db.models.review_bodies import OpinionSurvey
from app.db.models.workflow import Application
from app.db.repositories import materials as materials_repo
from app.db.repositories import review as review_repo
from app.db.repositories import review_bodies as repo
from app.db.repositories import workflow as workflow_repo
from app.domain import clock
from app.domain.errors import DomainError, invalid, not_found
from app.domain.files import intake
from app.domain.files.policy import MATERIAL
from app.domain.materials.records import material_of
from app.domain.review import bodies
from app.identity import Principal

EVIDENCE_MATERIAL = "opinion_survey_evidence"


async def _application(session: AsyncSession, principal: Principal, application_id: uuid.UUID):
    app = await review_repo.get_application(session, application_id)
    rnd = None if app is None else await workflow_repo.get_round(session, app.round_id)
    if app is None or rnd is None:
        raise not_found("申报", "Application", application_id)
    return app, rnd, await bodies.round_manager(session, principal, rnd)


async def record(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID, data: dict[str, Any]
) -> OpinionSurvey:
    """The office's or the engaged body's survey of one application, once."""
    app, rnd, manager = await _manager(session, principal, application_id)
    if app.state in ("draft", "withdrawn"):
        raise invalid("application_id", "申报尚未提交或已撤回", "the application is not submitted", "not_submitted")
    if data["conducted_on"] > clock.today():
        raise invalid("conducted_on", "调查日期不能晚于今天", "the survey cannot be dated in the future", "future")
    concerns = (data.get("concerns") or "").strip()
    if data["finding"] == "concerns" and not concerns:
        raise invalid("concerns", "发现问题时须写明问题", "a finding of concerns needs their description", "missing")
    sources = [s.strip() for s in data["sources"]]
    if not all(sources):
        raise invalid("sources", "调查渠道不能为空", "a source cannot be empty", "missing")
    row = await repo.insert_survey(
        session,
        dict(
            id=uuid.uuid4(),
            application_id=app.id,
            round_id=rnd.id,
            conducted_by="office" if manager.body is None else "body",
            body_id=None if manager.body is None else manager.body.id,
            sources=list(dict.fromkeys(sources)),
            conducted_on=data["conducted_on"],
            finding=data["finding"],
            concerns=concerns or None,
            recorded_by=principal.key,
            recorded_at=clock.now(),
        ),
    )
    if row is None:
        raise DomainError(
            "already-recorded",
            409,
            "该申报的舆情调查已记录",
            "The application's public-opinion survey is already recorded",
            title="Conflict",
        )
    return row


async def _manager(session: AsyncSession, principal: Principal, application_id: uuid.UUID):
    """The application, its round and the caller as the survey's recorder: the office or the engaged body."""
    app, rnd, manager = await _application(session, principal, application_id)
    if manager is None:
        if access.reads_review(principal, app.programme):
            raise DomainError(
                "forbidden",
                403,
                "舆情调查由评审办公室或受委托的第三方评审机构记录",
                "The office or the engaged review body records the public-opinion survey",
                title="Forbidden",
            )
        raise not_found("申报", "Application", application_id)
    return app, rnd, manager


async def attach(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    after_rollback: list[Callable],
    application_id: uuid.UUID,
    filename: str | None,
    content_length: int | None,
    chunks: AsyncIterator[bytes],
) -> OpinionSurvey:
    """An evidence file of the recorded survey (a screenshot, the survey's report: linyi-14e), through
    the one file intake, kept as a material of the application and named on the survey."""
    app, _, _ = await _manager(session, principal, application_id)
    if await repo.survey_of(session, app.id) is None:
        raise _not_recorded()
    # the file streams before any row is locked: a slow upload holds no lock
    stored = await intake.store(
        settings, after_rollback, await intake.receive(settings, MATERIAL, filename, chunks, content_length)
    )
    survey = await repo.survey_of(session, app.id, for_update=True)
    if survey is None:
        raise _not_recorded()
    material = await materials_repo.add_material(
        session,
        material_of(app.id, EVIDENCE_MATERIAL, stored, principal.sub, clock.now()),
    )
    entry = {"material_id": str(material.id), "filename": material.filename, "sha256": material.sha256}
    survey.attachments = [*survey.attachments, {**entry, "size": material.size}]
    await session.flush()
    return survey


def _not_recorded() -> DomainError:
    return DomainError(
        "survey-not-recorded",
        409,
        "该申报的舆情调查尚未记录，须先记录调查再上传附件",
        "The application's public-opinion survey is not recorded yet: record it before attaching files",
        title="Conflict",
        clause="linyi-14e",
    )


async def read(session: AsyncSession, principal: Principal, application_id: uuid.UUID) -> OpinionSurvey | None:
    """The survey (None before it is recorded): to the admin, the office and the engaged body."""
    app, _, manager = await _application(session, principal, application_id)
    if manager is None and not access.reads_review(principal, app.programme):
        raise not_found("申报", "Application", application_id)
    return await repo.survey_of(session, app.id)


def as_report_data(survey: OpinionSurvey) -> dict[str, Any]:
    """What the comprehensive evaluation report carries of the survey (linyi-8d, 14f)."""
    return {
        "conducted_by": survey.conducted_by,
        "sources": survey.sources,
        "conducted_on": survey.conducted_on.isoformat(),
        "finding": survey.finding,
        "concerns": survey.concerns,
    }


async def survey_of(session: AsyncSession, app: Application) -> OpinionSurvey | None:
    return await repo.survey_of(session, app.id)


async def survey_of_id(session: AsyncSession, application_id: uuid.UUID) -> OpinionSurvey | None:
    return await repo.survey_of(session, application_id)
