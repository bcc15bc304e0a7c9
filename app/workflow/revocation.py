"""Revocation cases (撤销案件): opened against an award, carried through its text's procedure, ended revoked
(``revoke`` fired through the machine) or dismissed.

- A case opens from a report (举报: changning-36c, jinshan-28c), a credit-platform record or the office's own
  finding, on an application in ``awarded``, naming a ground of its programme for its kind of winner
  (linyi-23b-k units, linyi-24b-j individuals), within the ground's time limit (hangzhou-6.5: two years).
- Its steps follow the programme's ``revocation_procedure`` in order (jinshan-27b, linyi-23a/24a,
  tianning-15b/16a: verification, the committee or leading group, the government's approval with its
  document number). Any step may dismiss the case; the last one, proceeding, revokes.
- Revoking fires ``revoke`` through the machine (``app/workflow/service.fire``): its hooks write the
  re-application bans, mark the certificate revoked and queue the credit platform's ``credit.revocation``
  in the same transaction. The case records the items to recover (奖牌, 证书) and its public notice.

The case row is locked and its version checked (``If-Match``) before anything is decided, and the event is
fired before the case writes anything: a refusal of ``revoke`` is committed alone (its history entry), never
with half a step.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import revocation as access
from app.config import Settings
from app.db.models.outbox import CreditRecord
from app.db.models.revocation import RevocationCase, RevocationCaseStep, RevocationItem
from app.db.models.workflow import Application
from app.db.repositories import awards as awards_repo
from app.db.repositories import commendation as commendation_repo
from app.db.repositories import materials as materials_repo
from app.db.repositories import revocation as repo
from app.db.repositories import workflow as workflow_repo
from app.domain import clock, outbox
from app.domain.eligibility import bans
from app.domain.errors import DomainError, conflict, invalid, not_found
from app.domain.files import intake
from app.domain.files.policy import MATERIAL
from app.domain.materials.records import material_of
from app.domain.preconditions import check_if_match
from app.domain.programmes.effective import effective_programme
from app.domain.programmes.schema import RevocationProcedure, RevocationStep
from app.domain.review import confidentiality
from app.domain.revocation import rules
from app.domain.revocation.notice import BanLine, PublicNotice
from app.domain.states import ApplicationState as S
from app.identity import Principal
from app.workflow.service import EventContext, fire


@dataclass
class CaseView:
    case: RevocationCase
    steps: list[RevocationCaseStep]
    items: list[RevocationItem]
    procedure: RevocationProcedure

    @property
    def next_step(self) -> RevocationStep | None:
        if self.case.status != rules.OPEN or self.case.steps_done >= len(self.procedure.steps):
            return None
        return self.procedure.steps[self.case.steps_done]


@dataclass
class CaseOpening:
    application_id: uuid.UUID
    source: str
    ground: str
    evidence: str
    received_on: date | None = None
    occurred_on: date | None = None
    credit_record_id: uuid.UUID | None = None


def _forbidden() -> DomainError:
    return DomainError(
        "forbidden",
        403,
        "只有本项目的评审办公室可以办理撤销案件",
        "Only the programme's office handles revocation cases",
        title="Forbidden",
    )


def _case_not_found(case_id: uuid.UUID) -> DomainError:
    return not_found("撤销案件", "Revocation case", case_id)


def _programme(case_or_round):
    return effective_programme(case_or_round.programme, case_or_round.programme_version, case_or_round.overrides)


async def _view(session: AsyncSession, case: RevocationCase) -> CaseView:
    return CaseView(
        case,
        await repo.steps_of(session, case.id),
        await repo.items_of(session, case.id),
        RevocationProcedure.model_validate(case.procedure),
    )


async def _awarded_on(session: AsyncSession, app: Application) -> date | None:
    """The award's day: the government's approval (the day the bans after an award count from)."""
    docs = await commendation_repo.documents_of_round(session, app.round_id)
    approval = docs.get("approval")
    return approval.issued_on if approval is not None else None


async def _credit_record(session: AsyncSession, app: Application, record_id: uuid.UUID | None) -> CreditRecord:
    if record_id is None:
        raise invalid(
            "credit_record_id", "来源为信用记录时必填", "required when the source is a credit record", "missing"
        )
    record = await session.get(CreditRecord, record_id)
    same_subject = record is not None and (
        (record.credit_code is not None and record.credit_code == app.credit_code)
        or (record.id_number_hash is not None and record.id_number_hash == app.id_number_hash)
    )
    if record is None or not same_subject:
        raise invalid(
            "credit_record_id",
            "信用记录不存在或不是该获奖者的记录",
            "no such credit record of this winner",
            "not_found",
        )
    return record


async def open_case(session: AsyncSession, principal: Principal, opening: CaseOpening) -> CaseView:
    """立案: a case against an award in force, on a ground of its programme (422 ``ground``), within the ground's time
    limit (422 ``occurred_on``); an application not ``awarded`` is 409 ``/not-awarded``; one open case at a time."""
    app = await workflow_repo.get_application(session, opening.application_id)
    if app is None or not await confidentiality.may_view(session, principal, app):
        raise not_found("申报", "Application", opening.application_id)
    if not access.handles_cases(principal, app.programme):
        raise _forbidden()
    if app.state != S.AWARDED:
        raise rules.not_awarded(app.id, app.state)
    rnd = await workflow_repo.get_round(session, app.round_id)
    assert rnd is not None
    prog = _programme(rnd)
    ground = rules.ground_of(prog, opening.ground, app.applicant_kind)
    today = clock.today()
    received_on = opening.received_on or today
    if received_on > today:
        raise invalid("received_on", "不能晚于今天", "must not be in the future", "date_in_future")
    if opening.occurred_on is not None and opening.occurred_on > today:
        raise invalid("occurred_on", "不能晚于今天", "must not be in the future", "date_in_future")
    rules.check_within_period(ground, await _awarded_on(session, app), opening.occurred_on)
    record = None
    if opening.source == "credit_record":
        record = await _credit_record(session, app, opening.credit_record_id)
    elif opening.credit_record_id is not None:
        raise invalid("credit_record_id", "仅来源为信用记录时填写", "only with the source credit_record", "not_allowed")
    now = clock.now()
    procedure = rules.procedure_of(prog)
    case = RevocationCase(
        id=uuid.uuid4(),
        programme=app.programme,
        application_id=app.id,
        round_id=app.round_id,
        source=opening.source,
        credit_record_id=record.id if record is not None else None,
        received_on=received_on,
        ground=ground.id,
        ground_clause=ground.clause,
        occurred_on=opening.occurred_on,
        evidence=opening.evidence,
        procedure=procedure.model_dump(mode="json"),
        status=rules.OPEN,
        steps_done=0,
        version=1,
        opened_by=principal.sub or "anonymous",
        opened_at=now,
        updated_at=now,
    )
    if not await repo.insert_case(session, case):
        existing = await repo.open_case_of(session, app.id)
        raise conflict(
            "revocation-case-open",
            "该获奖者已有办理中的撤销案件",
            "This award already has an open revocation case",
            case_id=str(existing.id) if existing else None,
        )
    await repo.add_step(
        session,
        RevocationCaseStep(
            case_id=case.id,
            seq=0,
            step="opened",
            result="opened",
            body_zh=procedure.steps[0].body_zh,
            clause=ground.clause,
            decided_on=received_on,
            note=f"来源：{opening.source}",
            recorded_by=principal.sub or "anonymous",
            recorded_role="office",
            recorded_at=now,
        ),
    )
    await outbox.emit(
        session,
        "revocation.opened",
        {
            "case_id": str(case.id),
            "application_id": str(app.id),
            "programme": app.programme,
            "source": case.source,
            "ground": ground.id,
            "clause": ground.clause,
            "received_on": received_on.isoformat(),
        },
    )
    return await _view(session, case)


async def _readable_case(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, *, for_update: bool = False
) -> RevocationCase:
    case = await repo.get_case(session, case_id, for_update=for_update)
    if case is None or not access.reads_cases(principal, case.programme):
        raise _case_not_found(case_id)
    return case


async def get_case(session: AsyncSession, principal: Principal, case_id: uuid.UUID) -> CaseView:
    return await _view(session, await _readable_case(session, principal, case_id))


async def list_cases(
    session: AsyncSession,
    principal: Principal,
    status: str | None,
    application_id: uuid.UUID | None,
    offset: int,
    limit: int,
) -> tuple[list[RevocationCase], int]:
    readable, programme = access.readable_programme(principal)
    if not readable:
        raise _forbidden()
    return await repo.page(session, programme, status, application_id, offset, limit)


@dataclass
class StepInput:
    step: str
    result: str
    decided_on: date
    document_no: str | None = None
    note: str | None = None


async def _check_document_no(session: AsyncSession, programme: str, document_no: str) -> None:
    """A document number (文号) names one document of a programme: an approval, a decision, a revocation."""
    if await commendation_repo.find_document(session, programme, document_no) is not None or (
        await repo.document_no_taken(session, programme, document_no)
    ):
        raise rules.document_no_taken(document_no)


async def record_step(
    session: AsyncSession, ctx: EventContext, case_id: uuid.UUID, if_match: str | None, given: StepInput
) -> CaseView:
    """One step of the procedure, in its order; dismissing ends the case, the last step proceeding revokes."""
    principal = ctx.principal
    case = await _readable_case(session, principal, case_id, for_update=True)
    if not access.handles_cases(principal, case.programme):
        raise _forbidden()
    check_if_match(if_match, case.version)
    if case.status != rules.OPEN:
        raise rules.case_closed(case.status)
    view = await _view(session, case)
    expected = view.next_step
    assert expected is not None
    if given.step != expected.step:
        raise rules.step_out_of_order(given.step, expected.step)
    previous = view.steps[-1].decided_on if view.steps else case.received_on
    today = clock.today()
    rules.check_step_date(given.decided_on, previous, today)
    document_no = (given.document_no or "").strip() or None
    proceed = given.result == rules.PROCEED
    if proceed and expected.document_no and document_no is None:
        raise rules.document_no_required(expected.step, expected.clause)
    if not proceed and not (given.note or "").strip():
        raise invalid("note", "不予撤销须说明理由", "a dismissal states its reason", "missing")
    final = proceed and case.steps_done + 1 == len(view.procedure.steps)
    if proceed:
        # the award may have been revoked meanwhile by a bare ``revoke``: the case can only be dismissed then
        app = await workflow_repo.get_application(session, case.application_id)
        assert app is not None
        if app.state != S.AWARDED:
            raise rules.not_awarded(app.id, app.state)
    if final:
        assert document_no is not None
        await _check_document_no(session, case.programme, document_no)
        # through the machine: bans, the certificate and the credit platform follow in the event's hooks
        await fire(
            session,
            ctx,
            case.application_id,
            "revoke",
            given.note or f"撤销案件 {case.id}",
            {
                "ground": case.ground,
                "evidence": case.evidence,
                "document_no": document_no,
                "revoked_on": given.decided_on.isoformat(),
                "revocation_case_id": str(case.id),
            },
            None,
            check_etag=False,
        )
    now = clock.now()
    await repo.add_step(
        session,
        RevocationCaseStep(
            case_id=case.id,
            seq=case.steps_done + 1,
            step=expected.step,
            result=given.result,
            body_zh=expected.body_zh,
            clause=expected.clause,
            decided_on=given.decided_on,
            document_no=document_no,
            note=given.note,
            recorded_by=principal.sub or "anonymous",
            recorded_role="office",
            recorded_at=now,
        ),
    )
    case.steps_done += 1
    case.version += 1
    case.updated_at = now
    if not proceed or final:
        case.status = rules.REVOKED if final else rules.DISMISSED
        case.decided_on = given.decided_on
        case.closed_at = now
        if final:
            case.document_no = document_no
            await repo.add_items(
                session,
                [
                    RevocationItem(
                        case_id=case.id,
                        item=item,
                        clause=view.procedure.recovery.clause,
                        status="to_recover",
                        updated_at=now,
                    )
                    for item in view.procedure.recovery.items
                ],
            )
        await outbox.emit(
            session,
            "revocation.decided",
            {
                "case_id": str(case.id),
                "application_id": str(case.application_id),
                "programme": case.programme,
                "outcome": case.status,
                "ground": case.ground,
                "clause": case.ground_clause,
                "document_no": case.document_no,
                "decided_on": given.decided_on.isoformat(),
            },
        )
    await repo.flush(session)
    return await _view(session, case)


async def recover_item(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    item: str,
    recovered_on: date,
    note: str | None,
    if_match: str | None,
) -> CaseView:
    """收回: an item to recover recorded as recovered on a day (not before the revocation, not in the future)."""
    case = await _readable_case(session, principal, case_id, for_update=True)
    if not access.handles_cases(principal, case.programme):
        raise _forbidden()
    check_if_match(if_match, case.version)
    items = await repo.items_of(session, case.id)
    found = next((i for i in items if i.item == item), None)
    if found is None:
        raise rules.item_unknown(item, [i.item for i in items])
    if found.status == "recovered":
        raise conflict(
            "item-already-recovered",
            f"“{rules.ITEM_NAMES_ZH.get(item, item)}”已于 {found.recovered_on} 收回",
            f"'{item}' was already recovered on {found.recovered_on}",
            recovered_on=str(found.recovered_on),
        )
    assert case.decided_on is not None
    rules.check_step_date(recovered_on, case.decided_on, clock.today(), "recovered_on")
    now = clock.now()
    found.status, found.recovered_on, found.note = "recovered", recovered_on, note
    found.recorded_by, found.updated_at = principal.sub, now
    case.version += 1
    case.updated_at = now
    await repo.flush(session)
    return await _view(session, case)


EVIDENCE_MATERIAL = "revocation_evidence"


async def attach_evidence(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    after_rollback: list[Callable],
    case_id: uuid.UUID,
    filename: str | None,
    content_length: int | None,
    chunks: AsyncIterator[bytes],
) -> CaseView:
    """An evidence file of an open case (the report, a credit-platform extract, the verification's findings):
    through the one file intake, kept as a material of the awarded application and named on the case."""
    case = await _readable_case(session, principal, case_id)
    if not access.handles_cases(principal, case.programme):
        raise _forbidden()
    if case.status != rules.OPEN:
        raise rules.case_closed(case.status)
    # the file streams before the case is locked: a slow upload holds no lock
    stored = await intake.store(
        settings, after_rollback, await intake.receive(settings, MATERIAL, filename, chunks, content_length)
    )
    case = await _readable_case(session, principal, case_id, for_update=True)
    if case.status != rules.OPEN:  # closed while the file came in: the evidence of a decided case stays as it was
        raise rules.case_closed(case.status)
    now = clock.now()
    material = await materials_repo.add_material(
        session, material_of(case.application_id, EVIDENCE_MATERIAL, stored, principal.sub, now)
    )
    line = {
        "material_id": str(material.id),
        "filename": material.filename,
        "content_type": material.content_type,
        "size": material.size,
        "sha256": material.sha256,
        "added_by": principal.sub,
        "added_at": now.isoformat(),
    }
    # under the case's row lock: two uploads at once are both kept, one after the other
    case.attachments = [*case.attachments, line]
    case.version += 1
    case.updated_at = now
    await repo.flush(session)
    return await _view(session, case)


# --- the public notice (撤销公告) -----------------------------------------------------------------


async def public_notice(session: AsyncSession, case_id: uuid.UUID) -> PublicNotice:
    """The notice of a case that ended revoked; any other case (open, dismissed, none) is 404 to the public."""
    case = await repo.get_case(session, case_id)
    if case is None or case.status != rules.REVOKED:
        raise not_found("撤销公告", "Revocation notice", case_id)
    return await _notice_of(session, case)


async def _notice_of(session: AsyncSession, case: RevocationCase) -> PublicNotice:
    app = await workflow_repo.get_application(session, case.application_id)
    rnd = await workflow_repo.get_round(session, case.round_id)
    assert app is not None and rnd is not None
    prog = _programme(rnd)
    procedure = RevocationProcedure.model_validate(case.procedure)
    cert = await awards_repo.of_application(session, app.id)
    ground = next((g for g in prog.revocation_grounds if g.id == case.ground), None)
    tier = next((t.name_zh for t in prog.tiers if t.code == app.tier), app.tier or "")
    category = next((c.name_zh for c in prog.categories if c.code == app.category), app.category)
    year = cert.award_year if cert is not None else rnd.call_published_on.year
    award_zh = f"{year}年度{prog.name_zh}（{tier}，{category}）"
    assert case.document_no is not None and case.decided_on is not None
    return PublicNotice(
        case_id=case.id,
        programme=case.programme,
        programme_name_zh=prog.name_zh,
        title_zh=f"关于撤销{cert.holder_name if cert else app.applicant_name}{prog.name_zh}的公告",
        holder_name=cert.holder_name if cert is not None else app.applicant_name,
        applicant_kind=app.applicant_kind,
        # organisations by their (public) credit code; individuals by their employer, never an ID number
        credit_code=app.credit_code if app.applicant_kind == "organisation" else None,
        employer=cert.employer if cert is not None else None,
        award_year=year,
        award_zh=award_zh,
        certificate_no=cert.number if cert is not None else None,
        ground_zh=ground.text_zh if ground is not None else case.ground,
        ground_clause=case.ground_clause,
        decided_by_zh=procedure.steps[-1].body_zh,
        document_no=case.document_no,
        revoked_on=case.decided_on,
        recover_zh=[rules.ITEM_NAMES_ZH[i] for i in procedure.recovery.items],
        bans=[BanLine(r.years, r.scope, r.clause) for r in bans.rules_for_revocation(prog, case.ground)],
        clause=procedure.public_notice.clause,
        stated=procedure.public_notice.stated,
    )


async def public_notices(
    session: AsyncSession, programme: str | None, offset: int, limit: int
) -> tuple[list[PublicNotice], int]:
    cases, total = await repo.published_notices(session, programme, offset, limit)
    return [await _notice_of(session, c) for c in cases], total
