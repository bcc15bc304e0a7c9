"""Revocation cases (撤销案件): opened and carried through each text's procedure by the programme's office, read by
its supervision team; the public revocation notice (撤销公告) once a case ends revoked."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import Path, Query, Request, Response
from pydantic import BaseModel, Field

from app.api.conditional import revalidated
from app.api.deps import PUBLIC, AppSettings, Session, SignedIn
from app.api.pagination import Page, Paging
from app.api.preconditions import etag
from app.api.problems import problem_responses
from app.api.v1.materials import material_request_body, uploaded_file
from app.api.v1.routing import v1_router
from app.domain import personal_data
from app.domain.files.policy import MATERIAL
from app.domain.revocation import notice as notices
from app.domain.revocation import rules
from app.workflow import revocation
from app.workflow.service import EventContext

router = v1_router(tags=["revocation"])

# a notice changes only if the case is reopened, which never happens: a minute, then revalidated by its ETag
PUBLIC_CACHE = "public, max-age=60"
Text = Annotated[str, Field(min_length=1, max_length=20000)]
DocumentNo = Annotated[str, Field(min_length=1, max_length=100, examples=["天政〔2027〕5号"])]
StepKind = Literal["verification", "decision", "government_approval"]
STATUS_ZH = {rules.OPEN: "办理中", rules.REVOKED: "已撤销", rules.DISMISSED: "不予撤销"}


class CaseIn(BaseModel):
    model_config = {"extra": "forbid"}

    application_id: uuid.UUID = Field(description="the awarded application (`awarded`; otherwise 409 `/not-awarded`)")
    source: Literal["report", "credit_record", "office_finding"] = Field(
        description="举报 (changning-36c, jinshan-28c), a credit-platform record, or the office's own finding"
    )
    credit_record_id: uuid.UUID | None = Field(
        default=None,
        description="the credit record (`POST /integrations/credit-records` answer's `id`); source credit_record only",
    )
    ground: str = Field(
        min_length=1, max_length=60, description="a revocation ground of the programme for this kind of winner"
    )
    evidence: Text = Field(description="what was found and where it is documented (证据)")
    received_on: date | None = Field(
        default=None, description="the day the report, record or finding came in (default today)"
    )
    occurred_on: date | None = Field(
        default=None,
        description="the day of the accident or conduct; required where the ground has a time limit (hangzhou-6.5)",
    )


class StepIn(BaseModel):
    model_config = {"extra": "forbid"}

    step: StepKind = Field(description="the procedure's next step (the case's `next_step`)")
    result: Literal["proceed", "dismiss"] = Field(
        description="proceed to the next step (the last one revokes), or dismiss"
    )
    decided_on: date = Field(description="the step's day: not before the previous step, not in the future")
    document_no: DocumentNo | None = Field(
        default=None, description="the step's document number (文号), required where the procedure says so"
    )
    note: str | None = Field(default=None, max_length=20000, description="the reason; required to dismiss")


class RecoveredIn(BaseModel):
    model_config = {"extra": "forbid"}

    recovered_on: date = Field(description="the day it was handed back: not before the revocation, not in the future")
    note: str | None = Field(default=None, max_length=2000)


class ProcedureStepOut(BaseModel):
    step: str
    step_zh: str
    body_zh: str
    document_no_required: bool
    clause: str | None
    stated: bool
    done: bool


class RecordedStepOut(BaseModel):
    seq: int
    step: str
    step_zh: str
    result: str
    body_zh: str
    clause: str | None
    decided_on: date
    document_no: str | None
    note: str | None
    recorded_by: str
    recorded_at: datetime


class ItemOut(BaseModel):
    item: Literal["plaque", "certificate"]
    item_zh: str
    status: Literal["to_recover", "recovered"]
    recovered_on: date | None
    clause: str | None
    note: str | None


class CaseListOut(BaseModel):
    id: uuid.UUID
    programme: str
    application_id: uuid.UUID
    source: str
    ground: str
    ground_clause: str | None
    status: Literal["open", "revoked", "dismissed"]
    status_zh: str
    next_step: str | None
    received_on: date
    decided_on: date | None
    document_no: str | None
    opened_at: datetime
    closed_at: datetime | None
    version: int


class EvidenceFileOut(BaseModel):
    material_id: uuid.UUID
    filename: str
    content_type: str
    size: int
    sha256: str
    added_by: str
    added_at: datetime
    content_url: str = Field(description="where the office reads the file back")


class CaseOut(CaseListOut):
    round_id: uuid.UUID
    credit_record_id: uuid.UUID | None
    occurred_on: date | None
    evidence: str = Field(description="as recorded, ID and phone numbers masked")
    opened_by: str
    procedure: list[ProcedureStepOut]
    steps: list[RecordedStepOut]
    items: list[ItemOut] = Field(description="the items to recover (收回奖牌、证书), once revoked")
    public_notice_url: str | None = Field(description="the public notice's path once revoked")
    attachments: list[EvidenceFileOut] = Field(
        description="the evidence files, in the order added: each a material of the application (`revocation_evidence`)"
    )


def _list_out(view_case, next_step: str | None) -> CaseListOut:
    c = view_case
    return CaseListOut(
        id=c.id,
        programme=c.programme,
        application_id=c.application_id,
        source=c.source,
        ground=c.ground,
        ground_clause=c.ground_clause,
        status=c.status,
        status_zh=STATUS_ZH[c.status],
        next_step=next_step,
        received_on=c.received_on,
        decided_on=c.decided_on,
        document_no=c.document_no,
        opened_at=c.opened_at,
        closed_at=c.closed_at,
        version=c.version,
    )


def _next_of(c) -> str | None:
    steps = c.procedure.get("steps", [])
    return steps[c.steps_done]["step"] if c.status == rules.OPEN and c.steps_done < len(steps) else None


def _out(view: revocation.CaseView, response: Response | None = None) -> CaseOut:
    c = view.case
    if response is not None:
        response.headers["ETag"] = etag(c.version)
    base = _list_out(c, view.next_step.step if view.next_step else None)
    return CaseOut(
        **base.model_dump(),
        round_id=c.round_id,
        credit_record_id=c.credit_record_id,
        occurred_on=c.occurred_on,
        evidence=personal_data.redact(c.evidence),
        opened_by=c.opened_by,
        procedure=[
            ProcedureStepOut(
                step=s.step,
                step_zh=rules.STEP_NAMES_ZH[s.step],
                body_zh=s.body_zh,
                document_no_required=s.document_no,
                clause=s.clause,
                stated=s.stated,
                done=i < c.steps_done,
            )
            for i, s in enumerate(view.procedure.steps)
        ],
        steps=[
            RecordedStepOut(
                seq=s.seq,
                step=s.step,
                step_zh=rules.STEP_NAMES_ZH.get(s.step, s.step),
                result=s.result,
                body_zh=s.body_zh,
                clause=s.clause,
                decided_on=s.decided_on,
                document_no=s.document_no,
                note=personal_data.redact(s.note) if s.note else None,
                recorded_by=s.recorded_by,
                recorded_at=s.recorded_at,
            )
            for s in view.steps
        ],
        items=[
            ItemOut(
                item=i.item,
                item_zh=rules.ITEM_NAMES_ZH.get(i.item, i.item),
                status=i.status,
                recovered_on=i.recovered_on,
                clause=i.clause,
                note=i.note,
            )
            for i in view.items
        ],
        public_notice_url=f"/api/v1/public/revocation-notices/{c.id}" if c.status == rules.REVOKED else None,
        attachments=[
            EvidenceFileOut(
                **a, content_url=f"/api/v1/applications/{c.application_id}/materials/{a['material_id']}/content"
            )
            for a in c.attachments
        ],
    )


CaseId = Annotated[uuid.UUID, Path(description="the revocation case")]


@router.post(
    "/revocation-cases",
    operation_id="open_revocation_case",
    status_code=201,
    response_model=CaseOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def open_revocation_case(body: CaseIn, session: Session, response: Response, principal: SignedIn) -> CaseOut:
    """立案 (the programme's office): a case against an award in force, from a report, a credit record or the office's
    own finding, naming a ground of the programme for this kind of winner (linyi-23b-k units, 24b-j individuals;
    422 `ground`), within the ground's time limit (hangzhou-6.5: two years, 422 `occurred_on`). Not `awarded`: 409
    `/not-awarded`; an open case already: 409 `/revocation-case-open`."""
    view = await revocation.open_case(session, principal, revocation.CaseOpening(**body.model_dump()))
    response.headers["Location"] = f"/api/v1/revocation-cases/{view.case.id}"
    return _out(view, response)


@router.get(
    "/revocation-cases",
    operation_id="list_revocation_cases",
    response_model=Page[CaseListOut],
    responses=problem_responses(401, 403),
)
async def list_revocation_cases(
    session: Session,
    principal: SignedIn,
    paging: Paging,
    status: Annotated[Literal["open", "revoked", "dismissed"] | None, Query()] = None,
    application_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Page[CaseListOut]:
    """The programme's cases, newest first (its office and supervision team; an admin: every programme's)."""
    rows, total = await revocation.list_cases(session, principal, status, application_id, paging.offset, paging.size)
    return Page[CaseListOut](
        items=[_list_out(c, _next_of(c)) for c in rows], page=paging.page, size=paging.size, total=total
    )


@router.get(
    "/revocation-cases/{case_id}",
    operation_id="get_revocation_case",
    response_model=CaseOut,
    responses=problem_responses(401, 404),
)
async def get_revocation_case(case_id: CaseId, session: Session, response: Response, principal: SignedIn) -> CaseOut:
    """The case: its ground, evidence (ID and phone numbers masked), the procedure with the steps done, the items to
    recover and, once revoked, its public notice. `ETag` for the next step's `If-Match`."""
    return _out(await revocation.get_case(session, principal, case_id), response)


@router.post(
    "/revocation-cases/{case_id}/steps",
    operation_id="record_revocation_step",
    response_model=CaseOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def record_revocation_step(
    case_id: CaseId, body: StepIn, request: Request, session: Session, response: Response, principal: SignedIn
) -> CaseOut:
    """The procedure's next step (needs `If-Match`): verification (核实), the committee's or leading group's decision,
    the government's approval with its document number (jinshan-27b, linyi-23a/24a, tianning-15b/16a; 422
    `document_no` without it). `dismiss` ends the case and changes nothing else; the last step proceeding fires
    `revoke` through the machine (bans, the certificate revoked, the credit platform), records the plaque and
    certificate to recover and publishes the notice. Out of order: 409 `/revocation-step-out-of-order`; closed: 409
    `/revocation-case-closed`; a stale `If-Match` (another clerk was first): 412."""
    ctx = EventContext(principal, request.state.request_id, request.state.after_rollback)
    view = await revocation.record_step(
        session,
        ctx,
        case_id,
        request.headers.get("if-match"),
        revocation.StepInput(body.step, body.result, body.decided_on, body.document_no, body.note),
    )
    return _out(view, response)


@router.post(
    "/revocation-cases/{case_id}/evidence",
    operation_id="attach_revocation_evidence",
    status_code=201,
    response_model=CaseOut,
    responses=problem_responses(401, 403, 404, 409, 413, 415, 422),
    openapi_extra=material_request_body(
        f"An evidence file, at most {MATERIAL.limit()} bytes (PDF, JPEG, PNG, docx, xlsx), as the raw body (its name "
        "in `filename` or in `Content-Disposition`) or as the `file` part of a `multipart/form-data` body."
    ),
)
async def attach_revocation_evidence(
    case_id: CaseId,
    request: Request,
    session: Session,
    settings: AppSettings,
    response: Response,
    principal: SignedIn,
    filename: Annotated[str | None, Query(max_length=255, description="the file's name")] = None,
) -> CaseOut:
    """证据材料 of an open case (the programme's office): the report, a credit-platform extract, the verification's
    findings, through the one file intake (type and size checked, 415 / 413) as a material of the awarded
    application (`revocation_evidence`), named on the case with its SHA-256. A closed case: 409
    `/revocation-case-closed`. No `If-Match`: two files sent at once are both kept; the case's ETag moves."""
    name, chunks, length = await uploaded_file(request, settings, filename)
    view = await revocation.attach_evidence(
        session, settings, principal, request.state.after_rollback, case_id, name, length, chunks
    )
    return _out(view, response)


@router.post(
    "/revocation-cases/{case_id}/items/{item}/recovered",
    operation_id="record_item_recovered",
    response_model=CaseOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def record_item_recovered(
    case_id: CaseId,
    item: Annotated[Literal["plaque", "certificate"], Path(description="奖牌 or 证书")],
    body: RecoveredIn,
    request: Request,
    session: Session,
    response: Response,
    principal: SignedIn,
) -> CaseOut:
    """收回 (needs `If-Match`): the plaque or certificate of a revoked award handed back, with the day."""
    view = await revocation.recover_item(
        session, principal, case_id, item, body.recovered_on, body.note, request.headers.get("if-match")
    )
    return _out(view, response)


# --- the public notice -----------------------------------------------------------------------------


class BanOut(BaseModel):
    years: int | None
    scope: str
    text_zh: str
    clause: str | None


class PublicRevocationNoticeOut(BaseModel):
    """撤销公告: never an ID number, nor the case's evidence."""

    case_id: uuid.UUID
    programme: str
    programme_name_zh: str
    title_zh: str
    body_zh: str
    holder_name: str
    applicant_kind: str
    credit_code: str | None
    employer: str | None
    award_year: int | None
    award_zh: str
    certificate_no: str | None
    ground_zh: str
    ground_clause: str | None
    decided_by_zh: str
    document_no: str
    revoked_on: date
    recover_zh: list[str]
    bans: list[BanOut]
    clause: str | None
    stated: bool

    @classmethod
    def of(cls, n: notices.PublicNotice) -> PublicRevocationNoticeOut:
        return cls(
            case_id=n.case_id,
            programme=n.programme,
            programme_name_zh=n.programme_name_zh,
            title_zh=n.title_zh,
            body_zh=n.body_zh,
            holder_name=n.holder_name,
            applicant_kind=n.applicant_kind,
            credit_code=n.credit_code,
            employer=n.employer,
            award_year=n.award_year,
            award_zh=n.award_zh,
            certificate_no=n.certificate_no,
            ground_zh=n.ground_zh,
            ground_clause=n.ground_clause,
            decided_by_zh=n.decided_by_zh,
            document_no=n.document_no,
            revoked_on=n.revoked_on,
            recover_zh=n.recover_zh,
            bans=[BanOut(years=b.years, scope=b.scope, text_zh=b.text_zh, clause=b.clause) for b in n.bans],
            clause=n.clause,
            stated=n.stated,
        )


_NOT_MODIFIED = {304: {"description": "unchanged since the ETag sent in `If-None-Match`"}}


@router.get(
    "/public/revocation-notices",
    operation_id="list_public_revocation_notices",
    dependencies=[PUBLIC],
    response_model=Page[PublicRevocationNoticeOut],
    responses=problem_responses(422),
)
async def list_public_revocation_notices(
    session: Session,
    paging: Paging,
    programme: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z][a-z0-9_]*$")] = None,
) -> Page[PublicRevocationNoticeOut]:
    """撤销公告 (no login): every award revoked, newest first."""
    rows, total = await revocation.public_notices(session, programme, paging.offset, paging.size)
    return Page[PublicRevocationNoticeOut](
        items=[PublicRevocationNoticeOut.of(n) for n in rows], page=paging.page, size=paging.size, total=total
    )


@router.get(
    "/public/revocation-notices/{case_id}",
    operation_id="get_public_revocation_notice",
    dependencies=[PUBLIC],
    response_model=PublicRevocationNoticeOut,
    responses={**_NOT_MODIFIED, **problem_responses(404)},
)
async def get_public_revocation_notice(case_id: CaseId, request: Request, session: Session) -> Response:
    """撤销公告 (no login; jinshan-26b/27b, hangzhou-6.5, linyi-23a/24a, tianning-15b/16a "并向社会公告"): published when a
    case ends revoked; 404 before (open, dismissed). The holder as the certificate names it; never an ID number.
    `ETag` (`If-None-Match` → 304)."""
    out = PublicRevocationNoticeOut.of(await revocation.public_notice(session, case_id))
    return revalidated(request, out.model_dump_json().encode(), "application/json", PUBLIC_CACHE)


@router.get(
    "/public/revocation-notices/{case_id}/page",
    operation_id="get_public_revocation_notice_page",
    dependencies=[PUBLIC],
    response_class=Response,
    responses={
        200: {"content": {"text/html": {}}, "description": "the notice as a plain page in Chinese"},
        **_NOT_MODIFIED,
        **problem_responses(404),
    },
)
async def get_public_revocation_notice_page(case_id: CaseId, request: Request, session: Session) -> Response:
    """The notice as a plain HTML page in Chinese (nothing loaded from elsewhere, every value escaped)."""
    page = notices.render_html(await revocation.public_notice(session, case_id))
    return revalidated(request, page.encode(), "text/html; charset=utf-8", PUBLIC_CACHE, {"Content-Language": "zh-CN"})
