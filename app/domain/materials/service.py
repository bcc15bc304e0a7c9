"""Uploading materials, filling in the form, and freezing both when the application is submitted.

Who changes what, and when (editing only in ``draft``; ``submit`` freezes a version):

- the applicant (its own application) and the programme's office: the form and every material
  but the recommendation opinion, while the application is a draft;
- the recommending unit named on the application (and the office): the recommendation opinion
  with its seal (推荐意见), while the application awaits recommendation or preliminary review.

An upload is received, checked and stored by the one file intake (``app.domain.files.intake``,
local disk or S3) before any row is locked (a slow upload holds no lock), then locks the
application, checks its state again and inserts the row; if the request's transaction fails the
file is removed (``after_rollback``). Removing a material from a draft keeps the file: a frozen
version may name it, and a file that answered 201 is never lost.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import applications as access
from app.config import Settings
from app.db.models.intake import ApplicationForm, ApplicationMaterial, ApplicationSnapshot
from app.db.models.workflow import Application, Round
from app.db.repositories import materials as repo
from app.db.repositories import workflow as workflow_repo
from app.domain import clock, read_audit
from app.domain.errors import DomainError, invalid, not_found
from app.domain.files import intake
from app.domain.files.policy import MATERIAL
from app.domain.materials import completeness
from app.domain.materials.records import material_of
from app.domain.preconditions import check_if_match
from app.domain.programmes.effective import effective_programme
from app.domain.review import confidentiality
from app.domain.states import ApplicationState as S
from app.identity import Principal

KINDS = {
    "application_form": "申报表（签章扫描件）",
    "self_evaluation_report": "自我评价报告",
    "evidence": "证实性材料",
    "recommendation_opinion": "推荐意见（盖章）",
}
OPINION = "recommendation_opinion"
OPINION_STATES = (S.AWAITING_RECOMMENDATION, S.PRELIMINARY_REVIEW)


def _not_editable(app: Application, states: tuple[str, ...]) -> DomainError:
    if states == OPINION_STATES:
        zh = "推荐意见只能在申报等待推荐或条件初审时上传或撤回"
        en = "The recommendation opinion can be uploaded or withdrawn only while the application is awaiting recommendation or in preliminary review"
    else:
        zh = "申报已提交，申报表和材料不能再修改（退回补正后方可修改）"
        en = "The application has been submitted: its form and materials can no longer change (unless returned for correction)"
    return DomainError(
        "application-not-editable",
        409,
        zh,
        en,
        title="Conflict",
        extra={"state": app.state, "editable_in": list(states)},
    )


def check_may_edit(principal: Principal, app: Application, kind: str | None) -> None:
    """403 for the wrong caller, 409 for the wrong state (``kind`` None: the form)."""
    if kind == OPINION:
        if not access.may_upload_opinion(principal, app):
            raise DomainError(
                "forbidden",
                403,
                "推荐意见由申报所属的推荐单位上传",
                "The recommendation opinion is uploaded by the application's recommending unit",
                title="Forbidden",
            )
        if app.state not in OPINION_STATES:
            raise _not_editable(app, OPINION_STATES)
        return
    if not access.may_edit_materials(principal, app):
        raise DomainError(
            "forbidden",
            403,
            "只有申报单位（个人）或本项目评审办公室可以修改申报材料",
            "Only the applicant or the programme's office may change the application's materials",
            title="Forbidden",
        )
    if app.state != S.DRAFT:
        raise _not_editable(app, (S.DRAFT,))


async def _visible(
    session: AsyncSession, principal: Principal, app_id: uuid.UUID, *, for_update: bool = False, read: bool = False
) -> Application:
    """The application as the caller may see it (an expert: through its own open, pledged assignment,
    jinshan-21a, hangzhou-6.2a, linyi-20a: materials hold business secrets); ``read``: shown to it."""
    app = await workflow_repo.get_application(session, app_id, for_update=for_update)
    if app is None or not await confidentiality.may_view(session, principal, app, read=read):
        raise not_found("申报", "Application", app_id)
    return app


async def upload(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    after_rollback: list[Callable],
    app_id: uuid.UUID,
    kind: str,
    filename: str | None,
    content_length: int | None,
    chunks: AsyncIterator[bytes],
) -> ApplicationMaterial:
    if kind not in KINDS:
        raise invalid("kind", f"可选：{'、'.join(KINDS)}", f"one of: {', '.join(KINDS)}", "enum")
    app = await _visible(session, principal, app_id)
    check_may_edit(principal, app, kind)
    stored = await intake.store(
        settings, after_rollback, await intake.receive(settings, MATERIAL, filename, chunks, content_length)
    )
    app = await _visible(session, principal, app_id, for_update=True)
    check_may_edit(principal, app, kind)  # the state may have changed while the file streamed
    return await repo.add_material(
        session,
        material_of(app.id, kind, stored, principal.sub, clock.now()),
    )


async def list_materials(session: AsyncSession, principal: Principal, app_id: uuid.UUID) -> list[ApplicationMaterial]:
    await _visible(session, principal, app_id, read=True)
    return await repo.current_materials(session, app_id)


async def material_file(
    session: AsyncSession, settings: Settings, principal: Principal, app_id: uuid.UUID, material_id: uuid.UUID
):
    await _visible(session, principal, app_id, read=True)
    row = await repo.get_material(session, app_id, material_id)
    if row is None:
        raise not_found("申报材料", "Material", material_id)
    await read_audit.record(session, principal, read_audit.MATERIAL, row.id)  # GB/T 22239 audit
    return row, intake.blob_key(MATERIAL, row.storage_key)


async def remove_material(
    session: AsyncSession, principal: Principal, app_id: uuid.UUID, material_id: uuid.UUID
) -> None:
    app = await _visible(session, principal, app_id, for_update=True)
    row = await repo.get_material(session, app_id, material_id)
    if row is None or row.removed_at is not None:
        raise not_found("申报材料", "Material", material_id)
    check_may_edit(principal, app, row.kind)
    row.removed_at = clock.now()
    await session.flush()


# --- the form -------------------------------------------------------------------------------------


async def get_form(session: AsyncSession, principal: Principal, app_id: uuid.UUID) -> ApplicationForm | None:
    await _visible(session, principal, app_id, read=True)
    return await repo.get_form(session, app_id)


async def put_form(
    session: AsyncSession,
    principal: Principal,
    app_id: uuid.UUID,
    if_match: str | None,
    fields: dict,
    score: Decimal | None,
    statements: dict,
) -> ApplicationForm:
    """Create or replace the form. Replacing needs ``If-Match`` with the form's ETag."""
    app = await _visible(session, principal, app_id, for_update=True)
    check_may_edit(principal, app, None)
    rnd = await workflow_repo.get_round(session, app.round_id)
    assert rnd is not None
    # each field's type and limits at once, not first at submit (the required ones are checked there)
    completeness.check_form(
        effective_programme(rnd.programme, rnd.programme_version, rnd.overrides), app.category, fields
    )
    form = await repo.get_form(session, app_id, for_update=True)
    now = clock.now()
    if form is None:
        return await repo.add_form(
            session,
            ApplicationForm(
                application_id=app.id,
                fields=fields,
                self_assessment_score=score,
                statements=statements,
                version=1,
                updated_at=now,
            ),
        )
    check_if_match(if_match, form.version)
    form.fields, form.self_assessment_score, form.statements = fields, score, statements
    form.version += 1
    form.updated_at = now
    await session.flush()
    return form


# --- frozen versions --------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _snapshot(app, event: str, form, materials: list, applicant, seq: int) -> ApplicationSnapshot:
    from app.domain.eligibility.service import facts_of

    return ApplicationSnapshot(
        application_id=app.id,
        seq=seq,
        event=event,
        form={}
        if form is None
        else {
            "version": form.version,
            "fields": form.fields,
            "self_assessment_score": _jsonable(form.self_assessment_score),
            "statements": form.statements,
        },
        materials=[
            {
                "id": str(m.id),
                "kind": m.kind,
                "filename": m.filename,
                "content_type": m.content_type,
                "size": m.size,
                "sha256": m.sha256,
            }
            for m in materials
        ],
        facts={
            "applicant_id": str(applicant.id) if applicant else None,
            **{k: _jsonable(v) for k, v in facts_of(applicant).items()},
        },
        frozen_at=clock.now(),
    )


async def freeze(session: AsyncSession, app: Application, event: str) -> ApplicationSnapshot:
    from app.domain.eligibility.service import registry_record

    form = await repo.get_form(session, app.id)
    materials = await repo.current_materials(session, app.id)
    applicant = await registry_record(session, app)
    snapshot = _snapshot(app, event, form, materials, applicant, await repo.snapshot_count(session, app.id) + 1)
    await repo.add_snapshot(session, snapshot)
    return snapshot


async def after_events(session: AsyncSession, apps: list, event: str, from_states: list[str], pre) -> None:
    """``after_event`` for a round action's batch: the frozen versions from the records ``pre`` read for its
    checks (``app.domain.batch_reads``), written in one statement."""
    if event != "submit":
        return
    rows = [
        _snapshot(
            app,
            event,
            pre.forms.get(app.id),
            pre.materials[app.id],
            pre.applicant(app),
            pre.snapshot_counts[app.id] + 1,
        )
        for app, from_state in zip(apps, from_states, strict=True)
        if from_state == S.DRAFT
    ]
    await repo.add_snapshots(session, rows)


async def after_event(
    session: AsyncSession, app: Application, rnd: Round, event: str, from_state: str, data: dict
) -> None:
    """``submit`` freezes the form, the materials and the facts the eligibility check read."""
    if event == "submit" and from_state == S.DRAFT:
        await freeze(session, app, event)


async def versions(session: AsyncSession, principal: Principal, app_id: uuid.UUID) -> list[ApplicationSnapshot]:
    await _visible(session, principal, app_id, read=True)
    return await repo.snapshots(session, app_id)
