"""Request and response bodies of notices (公示), objections (异议) and their verification (核查).

Public bodies carry the Chinese texts a portal shows as they are (公示期, 异议渠道, 受理回执) and
never an ID number, a phone number or an address; the objector's identity appears only in the
office's bodies.

Personal data by view:
- the public notice and the applicant's view of an objection: free text (facts, reasons, the
  published result) with the objector's own name, contact person, phone, credit code and ID
  number replaced by "异议人" / "***" and every other ID, mobile or landline number masked
  (``personal_data.without_objector``; hangzhou-3.3.7d);
- the office's lists (``GET /objections``, ``/objections/overdue``): the objector's name, masked
  ID number, credit code and contact person, the phone masked, free text redacted: a list is
  shown on screens and exported, and needs no number in full;
- the office's single objection (``GET /objections/{id}`` and the take / decision answers):
  everything in full but the ID number (stored masked only), for the office to contact the
  objector;
- the objector following with the receipt's secret: the objection as they wrote it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from app.domain import clock, personal_data
from app.domain.calendar.periods import date_zh, unit_words
from app.domain.files.policy import JSON_MAX_BASE64_CHARS, JSON_MAX_BYTES, MB, OBJECTION_EVIDENCE, VERIFICATION_EVIDENCE
from app.domain.identifiers import mask_phone
from app.domain.programmes.registry import get_registry
from app.domain.states import STATE_NAMES_ZH
from app.workflow.notices.objections import STATUS_ZH, is_overdue
from app.workflow.notices.publication import (
    AUDIENCE_NAMES_ZH,
    ENTRY_STATUS_ZH,
    UNIT_POSTING_ZH,
    NoticeView,
    entry_status,
    notice_status,
)

DECISION_ZH = {"upheld": "异议成立", "dismissed": "异议不成立", "moot": "终止核查"}


# --- inputs ---------------------------------------------------------------------------------


class NoticePublishIn(BaseModel):
    model_config = {"extra": "forbid"}

    point: str = Field(
        min_length=1,
        max_length=40,
        examples=["qualification"],
        description="qualification | material_entrants | onsite_entrants | winners",
    )
    # a winners' or qualification notice of a province's round lists up to a thousand (issue 21)
    applications: list[uuid.UUID] = Field(min_length=1, max_length=1000)
    employers: dict[uuid.UUID, str] = Field(
        default_factory=dict, description="个人申报的工作单位 (published for individuals), by application id"
    )
    title_zh: str | None = Field(default=None, max_length=300)
    channel_note_zh: str | None = Field(
        default=None, max_length=2000, description="added to the objection channel text, e.g. a postal address"
    )


class UploadIn(BaseModel):
    model_config = {"extra": "forbid"}

    filename: str = Field(min_length=1, max_length=255)
    content_base64: str = Field(
        min_length=1,
        max_length=JSON_MAX_BASE64_CHARS + 4,
        description=f"the file, base64; PDF, JPEG, PNG, DOCX or XLSX, at most {JSON_MAX_BYTES // MB} MB",
    )


class ObjectorIn(BaseModel):
    """异议人: a person (name, ID number, phone) or an organisation (name, credit code, contact person, phone)."""

    model_config = {"extra": "forbid"}

    kind: str | None = Field(default=None, max_length=20, examples=["person"], description="person | organisation")
    name: str | None = Field(default=None, max_length=200)
    id_number: str | None = Field(
        default=None, max_length=40, description="person: 居民身份证号 (kept as a keyed hash and a masked form)"
    )
    credit_code: str | None = Field(default=None, max_length=40, description="organisation: 统一社会信用代码")
    contact_person: str | None = Field(default=None, max_length=100, description="organisation: 联系人")
    phone: str | None = Field(default=None, max_length=40)


class ObjectionIn(BaseModel):
    model_config = {"extra": "forbid"}

    application_id: uuid.UUID | None = Field(default=None, description="the entry of the notice objected to")
    objector: ObjectorIn | None = None
    facts: str | None = Field(default=None, max_length=20000, description="异议事实")
    reasons: str | None = Field(default=None, max_length=20000, description="异议理由")
    evidence: list[UploadIn] = Field(
        default_factory=list, max_length=OBJECTION_EVIDENCE.max_files, description="佐证材料"
    )


class ObjectionFindingIn(BaseModel):
    model_config = {"extra": "forbid"}

    text: str = Field(min_length=1, max_length=20000, description="核查情况")
    evidence: list[UploadIn] = Field(default_factory=list, max_length=VERIFICATION_EVIDENCE.max_files)


class ObjectionDecisionIn(BaseModel):
    model_config = {"extra": "forbid"}

    decision: Literal["upheld", "dismissed"]
    reasons: str = Field(min_length=1, max_length=20000, description="核查结论的理由 (for the office's record)")
    result_zh: str | None = Field(
        default=None,
        max_length=2000,
        description="the result as published on the notice (default: a standard sentence); the objector's own name, contact person and numbers in it are published as 异议人 / ***, other ID and phone numbers masked",
    )


class ObjectionIdentityIn(BaseModel):
    """How the office confirmed the objector's identity (实名核验, changning-31a)."""

    model_config = {"extra": "forbid"}

    method: Literal["in_person", "phone_call", "video_call", "document", "other"] = Field(
        description="in_person: ID card seen at the office; phone_call: called back and checked; video_call; "
        "document: a certified copy; other (say how in the note)"
    )
    note: str | None = Field(default=None, max_length=2000, description="what was checked")


class ObjectionResultPreviewIn(BaseModel):
    model_config = {"extra": "forbid"}

    decision: Literal["upheld", "dismissed"]
    result_zh: str | None = Field(default=None, max_length=2000, description="the result as the clerk wrote it")


class ObjectionResultPreviewOut(BaseModel):
    """The result exactly as it would be published on the notice."""

    result_zh: str
    masked: bool = Field(description="whether the published text differs from the clerk's (a name or number hidden)")


class UnitPostingIn(UploadIn):
    posted_from_on: date | None = Field(default=None, description="the first day posted inside the unit")
    posted_until_on: date | None = Field(
        default=None,
        description="the last day posted; with posted_from_on, the days posted (the first counted) reach the notice's period, "
        "7 days for jinshan's winners (jinshan-18m), or the proof is refused",
    )
    note: str | None = Field(default=None, max_length=2000)


class UnitPostingReviewIn(BaseModel):
    model_config = {"extra": "forbid"}

    accepted: bool
    note: str | None = Field(default=None, max_length=2000)


# --- notices --------------------------------------------------------------------------------


class NoticePeriodOut(BaseModel):
    published_on: date
    first_day: date
    last_day: date
    ends_at: datetime
    text_zh: str = Field(examples=["公示期：2026年9月30日至2026年10月12日24时"])
    unit: str
    length: int
    minimum: bool
    count_start_day: bool
    stated: bool
    clause: str | None
    calendar_revision: int
    corrections: list[dict[str, Any]] = Field(
        default_factory=list,
        description="calendar corrections announced on the notice: both revisions, the old and new last day, text_zh",
    )


class NoticeAudienceOut(BaseModel):
    code: str
    name_zh: str


class VerificationRuleOut(BaseModel):
    length: int
    unit: str
    stated: bool
    clause: str | None
    text_zh: str


class NoticeEntryOut(BaseModel):
    application_id: uuid.UUID
    position: int
    applicant_kind: str
    name: str
    credit_code: str | None = Field(description="organisations only")
    employer: str | None = Field(description="individuals only: 工作单位")
    category: str
    category_name_zh: str
    tier: str | None
    tier_name_zh: str | None
    status: str
    status_zh: str


class UnitPostingProofOut(BaseModel):
    id: uuid.UUID
    filename: str
    content_type: str
    size: int
    sha256: str
    posted_from_on: date | None
    posted_until_on: date | None
    note: str | None
    uploaded_by: str
    uploaded_at: datetime
    status: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_note: str | None


class UnitPostingOut(BaseModel):
    required: bool
    status: str
    status_zh: str
    proofs: list[UnitPostingProofOut] | None = None


class OfficeNoticeEntryOut(NoticeEntryOut):
    open_objections: int
    unit_posting: UnitPostingOut


class VerificationResultOut(BaseModel):
    """核查结果 (hangzhou-3.3.7d), published without the objector's identity."""

    application_id: uuid.UUID
    name: str
    decision: str
    decision_zh: str
    result_zh: str | None
    decided_on: date | None


class NoticeSummaryOut(BaseModel):
    id: uuid.UUID
    programme: str
    programme_name_zh: str
    round_label: str
    title_zh: str
    name_zh: str
    point: str
    published_on: date
    period_zh: str
    ends_at: datetime
    status: str
    status_zh: str
    objections_accepted: bool
    entries: int


class PublicNoticeOut(BaseModel):
    id: uuid.UUID
    programme: str
    programme_name_zh: str
    round_label: str
    title_zh: str
    name_zh: str
    point: str
    stage: str
    clause: str | None
    published_at: datetime
    period: NoticePeriodOut
    status: str
    status_zh: str
    audiences: list[NoticeAudienceOut]
    objection_channel_zh: str
    objections_accepted: bool
    verification: VerificationRuleOut
    entries: list[NoticeEntryOut]
    verification_results: list[VerificationResultOut]


class OfficeNoticeOut(PublicNoticeOut):
    round_id: uuid.UUID
    published_by: str
    entries: list[OfficeNoticeEntryOut]  # type: ignore[assignment]


def _programme_name(code: str, version: str) -> str:
    return get_registry().get(code, version).name_zh


def verification_text(v: dict) -> str:
    text = f"自收到异议材料之日起{unit_words(v.get('unit')).count(v.get('length'))[0]}内完成核查"
    if v.get("stated"):
        return text + "，核查结果予以公示"  # hangzhou-3.3.7c/d: the only text imposing both
    return text + "（办法未规定核查及其期限，此为本平台的服务目标）"


def _shanghai(t: datetime) -> datetime:
    return t.astimezone(clock.SHANGHAI)


def _period(n) -> NoticePeriodOut:
    r = n.rule or {}
    return NoticePeriodOut(
        published_on=n.published_on,
        first_day=n.first_day_on,
        last_day=n.last_day_on,
        ends_at=_shanghai(n.ends_at),
        text_zh=n.period_zh,
        unit=r.get("unit", ""),
        length=int(r.get("length", 0)),
        minimum=bool(r.get("minimum")),
        count_start_day=bool(r.get("count_start_day")),
        stated=bool(r.get("stated", True)),
        clause=r.get("clause"),
        calendar_revision=n.calendar_revision,
        corrections=[{k: v for k, v in c.items() if k != "by"} for c in r.get("corrections", [])],
    )


def summary_out(n, entries: int, now: datetime) -> NoticeSummaryOut:
    status, status_zh = notice_status(n, now)
    return NoticeSummaryOut(
        id=n.id,
        programme=n.programme,
        programme_name_zh=_programme_name(n.programme, n.programme_version),
        round_label=n.round_label,
        title_zh=n.title_zh,
        name_zh=n.name_zh,
        point=n.point,
        published_on=n.published_on,
        period_zh=n.period_zh,
        ends_at=_shanghai(n.ends_at),
        status=status,
        status_zh=status_zh,
        objections_accepted=n.objections_allowed and now < n.ends_at,
        entries=entries,
    )


def _entry_fields(e, v: NoticeView) -> dict[str, Any]:
    status = entry_status(e, v.notice, v.app_states.get(e.application_id), v.open_by_entry.get(e.id, 0), v.now)
    return {
        "application_id": e.application_id,
        "position": e.position,
        "applicant_kind": e.applicant_kind,
        "name": e.name,
        "credit_code": e.credit_code,
        "employer": e.employer,
        "category": e.category,
        "category_name_zh": e.category_name_zh,
        "tier": e.tier,
        "tier_name_zh": e.tier_name_zh,
        "status": status,
        "status_zh": ENTRY_STATUS_ZH[status],
    }


def _notice_fields(v: NoticeView) -> dict[str, Any]:
    n = v.notice
    status, status_zh = notice_status(n, v.now)
    names = {e.id: e for e in v.entries}
    return {
        "id": n.id,
        "programme": n.programme,
        "programme_name_zh": _programme_name(n.programme, n.programme_version),
        "round_label": n.round_label,
        "title_zh": n.title_zh,
        "name_zh": n.name_zh,
        "point": n.point,
        "stage": n.stage,
        "clause": n.clause,
        "published_at": _shanghai(n.published_at),
        "period": _period(n),
        "status": status,
        "status_zh": status_zh,
        "audiences": [NoticeAudienceOut(code=a, name_zh=AUDIENCE_NAMES_ZH.get(a, a)) for a in n.audiences],
        "objection_channel_zh": n.objection_channel_zh,
        "objections_accepted": n.objections_allowed and v.now < n.ends_at,
        "verification": VerificationRuleOut(
            length=int(n.verification.get("length", 0)),
            unit=n.verification.get("unit", ""),
            stated=bool(n.verification.get("stated")),
            clause=n.verification.get("clause"),
            text_zh=verification_text(n.verification),
        ),
        # hangzhou-3.3.7d: the objector is taken out again here for results stored before decide() did it
        "verification_results": [
            VerificationResultOut(
                application_id=o.application_id,
                name=names[o.entry_id].name if o.entry_id in names else "",
                decision=o.status,
                decision_zh=DECISION_ZH.get(o.status, o.status),
                result_zh=personal_data.without_objector(o.result_zh, o),
                decided_on=_shanghai(o.decided_at).date() if o.decided_at else None,
            )
            for o in v.decided
        ],
    }


def public_notice_out(v: NoticeView) -> PublicNoticeOut:
    return PublicNoticeOut(**_notice_fields(v), entries=[NoticeEntryOut(**_entry_fields(e, v)) for e in v.entries])


def proof_out(p) -> UnitPostingProofOut:
    return UnitPostingProofOut.model_validate(p, from_attributes=True)


def unit_posting_out(e, proofs: list | None) -> UnitPostingOut:
    return UnitPostingOut(
        required=e.unit_posting_required,
        status=e.unit_posting_status,
        status_zh=UNIT_POSTING_ZH[e.unit_posting_status],
        proofs=proofs,
    )


def office_notice_out(v: NoticeView) -> OfficeNoticeOut:
    by_entry: dict[uuid.UUID, list[UnitPostingProofOut]] = {}
    for p in v.proofs:
        by_entry.setdefault(p.entry_id, []).append(proof_out(p))
    entries = [
        OfficeNoticeEntryOut(
            **_entry_fields(e, v),
            open_objections=v.open_by_entry.get(e.id, 0),
            unit_posting=unit_posting_out(e, by_entry.get(e.id, [])),
        )
        for e in v.entries
    ]
    return OfficeNoticeOut(
        **_notice_fields(v), entries=entries, round_id=v.notice.round_id, published_by=v.notice.published_by
    )


# --- objections -----------------------------------------------------------------------------


class ObjectionFileOut(BaseModel):
    id: uuid.UUID
    source: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


def file_out(f) -> ObjectionFileOut:
    return ObjectionFileOut(
        id=f.id,
        source=f.source,
        filename=f.filename,
        content_type=f.content_type,
        size=f.size,
        sha256=f.sha256,
        uploaded_at=_shanghai(f.uploaded_at),
    )


def _due_text(o) -> str:
    rule = o.verification_rule or {}
    d = o.verification_due_on
    if d is None:
        return f"核查期限：自收到之日起{unit_words(rule.get('unit')).count(rule.get('length'))[0]}，待{rule.get('calendar_missing')}年节假日安排公布后确定具体日期"
    return f"核查期限：{date_zh(d)}24时前" + ("" if rule.get("stated") else "（服务目标）")


class ObjectionReceiptOut(BaseModel):
    """受理回执: keep the receipt number and the secret to follow the objection."""

    receipt_no: str
    secret: str = Field(description="shown once; send it as the X-Objection-Secret header to follow the objection")
    follow_url: str
    notice_id: uuid.UUID
    notice_title_zh: str
    application_id: uuid.UUID
    applicant_name: str
    status: str
    status_zh: str
    received_at: datetime
    verification_due_on: date | None
    verification_target_zh: str
    message_zh: str


def receipt_out(o, secret: str, notice, entry) -> ObjectionReceiptOut:
    return ObjectionReceiptOut(
        receipt_no=o.receipt_no,
        secret=secret,
        follow_url=f"/api/v1/public/objections/{o.receipt_no}",
        notice_id=notice.id,
        notice_title_zh=notice.title_zh,
        application_id=o.application_id,
        applicant_name=entry.name,
        status=o.status,
        status_zh=STATUS_ZH[o.status],
        received_at=_shanghai(o.received_at),
        verification_due_on=o.verification_due_on,
        verification_target_zh=_due_text(o),
        message_zh=(
            f"您对“{entry.name}”的异议已收到，受理编号：{o.receipt_no}。"
            "请妥善保存受理编号和查询密码，凭二者查询办理进度和核查结果；查询密码只显示这一次。"
        ),
    )


class ObjectionFollowOut(BaseModel):
    """What the objector sees of the objection: its progress and result (no personal data)."""

    receipt_no: str
    notice_id: uuid.UUID
    notice_title_zh: str
    application_id: uuid.UUID
    applicant_name: str
    status: str
    status_zh: str
    received_at: datetime
    facts: str
    reasons: str
    evidence: list[ObjectionFileOut]
    verification_due_on: date | None
    verification_target_zh: str
    result_zh: str | None
    decided_at: datetime | None


def follow_out(o, notice, entry, evidence) -> ObjectionFollowOut:
    return ObjectionFollowOut(
        receipt_no=o.receipt_no,
        notice_id=notice.id,
        notice_title_zh=notice.title_zh,
        application_id=o.application_id,
        applicant_name=entry.name,
        status=o.status,
        status_zh=STATUS_ZH[o.status],
        received_at=_shanghai(o.received_at),
        facts=o.facts,
        reasons=o.reasons,
        evidence=[file_out(f) for f in evidence],
        verification_due_on=o.verification_due_on,
        verification_target_zh=_due_text(o),
        result_zh=o.result_zh,
        decided_at=_shanghai(o.decided_at) if o.decided_at else None,
    )


class ObjectorOut(BaseModel):
    """异议人 (the office only; in the lists the phone is masked)."""

    kind: str
    name: str
    id_number_masked: str | None
    credit_code: str | None
    contact_person: str | None
    phone: str


class ObjectionFindingOut(BaseModel):
    id: uuid.UUID
    text: str
    recorded_by: str
    recorded_at: datetime
    files: list[ObjectionFileOut]


class ObjectionOfficeOut(BaseModel):
    id: uuid.UUID
    receipt_no: str
    programme: str
    notice_id: uuid.UUID
    application_id: uuid.UUID
    applicant_name: str | None = None
    objector: ObjectorOut
    identity_verified: bool = Field(
        description="实名核验 (changning-31a): the objector's identity verified by a signed-in citizen's identity-platform "
        "token (`token`) or confirmed by the office (`office`); false: lodged on the open form, not yet confirmed"
    )
    identity_verified_via: Literal["token", "office"] | None
    identity_confirmation: str | None = Field(description="how the office confirmed the person")
    identity_verified_by: str | None
    identity_verified_at: datetime | None
    facts: str
    reasons: str
    status: str
    status_zh: str
    received_at: datetime
    verification_due_at: datetime | None
    verification_due_on: date | None
    verification_target_zh: str
    verification_rule: dict[str, Any]
    overdue: bool
    overdue_days: int
    taken_by: str | None
    taken_at: datetime | None
    decision_reasons: str | None
    result_zh: str | None
    decided_by: str | None
    decided_at: datetime | None
    version: int
    evidence: list[ObjectionFileOut] | None = None
    findings: list[ObjectionFindingOut] | None = None


def office_objection_out(
    o,
    now: datetime,
    applicant_name: str | None = None,
    files_: list | None = None,
    findings: list | None = None,
    *,
    listed: bool = False,
) -> ObjectionOfficeOut:
    """The office's objection; ``listed``: as a row of a list, the phone masked and free text redacted."""

    def shown(text: str | None) -> str | None:
        return personal_data.redact(text) if listed and text is not None else text

    overdue = is_overdue(o, now)
    days = (
        (now.astimezone(clock.SHANGHAI).date() - o.verification_due_on).days if overdue and o.verification_due_on else 0
    )
    by_finding: dict[uuid.UUID, list[ObjectionFileOut]] = {}
    for f in files_ or []:
        if f.finding_id is not None:
            by_finding.setdefault(f.finding_id, []).append(file_out(f))
    return ObjectionOfficeOut(
        id=o.id,
        receipt_no=o.receipt_no,
        programme=o.programme,
        notice_id=o.notice_id,
        application_id=o.application_id,
        applicant_name=applicant_name,
        objector=ObjectorOut(
            kind=o.objector_kind,
            name=o.objector_name,
            id_number_masked=o.objector_id_number_masked,
            credit_code=o.objector_credit_code,
            contact_person=o.objector_contact_person,
            phone=mask_phone(o.objector_phone) if listed else o.objector_phone,
        ),
        identity_verified=o.identity_verified_via is not None,
        identity_verified_via=o.identity_verified_via,
        identity_confirmation=o.identity_confirmation,
        identity_verified_by=o.identity_verified_by,
        identity_verified_at=_shanghai(o.identity_verified_at) if o.identity_verified_at else None,
        facts=shown(o.facts),
        reasons=shown(o.reasons),
        status=o.status,
        status_zh=STATUS_ZH[o.status],
        received_at=_shanghai(o.received_at),
        verification_due_at=_shanghai(o.verification_due_at) if o.verification_due_at else None,
        verification_due_on=o.verification_due_on,
        verification_target_zh=_due_text(o),
        verification_rule=o.verification_rule,
        overdue=overdue,
        overdue_days=max(days, 0),
        taken_by=o.taken_by,
        taken_at=_shanghai(o.taken_at) if o.taken_at else None,
        decision_reasons=shown(o.decision_reasons),
        result_zh=shown(o.result_zh),
        decided_by=o.decided_by,
        decided_at=_shanghai(o.decided_at) if o.decided_at else None,
        version=o.version,
        evidence=None if files_ is None else [file_out(f) for f in files_ if f.source == "objector"],
        findings=None
        if findings is None
        else [
            ObjectionFindingOut(
                id=f.id,
                text=f.text,
                recorded_by=f.recorded_by,
                recorded_at=_shanghai(f.recorded_at),
                files=by_finding.get(f.id, []),
            )
            for f in findings
        ],
    )


class ObjectionFactsOut(BaseModel):
    """An objection as the applicant sees it: what is objected to, never who objected."""

    receipt_no: str
    notice_id: uuid.UUID
    received_at: datetime
    facts: str
    reasons: str
    status: str
    status_zh: str
    result_zh: str | None
    decided_at: datetime | None


def facts_out(o) -> ObjectionFactsOut:
    # the applicant reads what is objected to, never who objected (hangzhou-3.3.7d): an objector
    # often names themselves in the facts ("本人李某，电话…")
    return ObjectionFactsOut(
        receipt_no=o.receipt_no,
        notice_id=o.notice_id,
        received_at=_shanghai(o.received_at),
        facts=personal_data.without_objector(o.facts, o),
        reasons=personal_data.without_objector(o.reasons, o),
        status=o.status,
        status_zh=STATUS_ZH[o.status],
        result_zh=personal_data.without_objector(o.result_zh, o),
        decided_at=_shanghai(o.decided_at) if o.decided_at else None,
    )


class ObjectionDecisionOut(BaseModel):
    objection: ObjectionOfficeOut
    application_state: str | None = Field(description="the state the application moved to, when the decision moved it")
    application_state_name_zh: str | None


class UnitPostingReviewOut(BaseModel):
    proof: UnitPostingProofOut
    unit_posting: UnitPostingOut
    notice_closed: bool = Field(
        description="the notice ended for this application at once (its period was over and nothing else held it)"
    )


def state_name(state: str | None) -> str | None:
    return STATE_NAMES_ZH.get(state) if state else None
