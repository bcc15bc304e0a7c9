"""异议: real-name objections to an entry of a notice, and their verification (核查).

Who may object and with what is the programme's objection rule: a named person (name, ID
number, phone) or a named organisation (name, credit code, contact person, phone), the
application objected to, facts and reasons, and evidence (changning-31a; hangzhou-3.3.7b; the
others have no objection procedure and INTERPRETATIONS §7 applies, ``stated: false``).
Anonymous or incomplete objections are refused with every missing item named; after the
notice's end they are refused as ``/notice-closed``.

Verification: the office takes the objection, records findings and evidence, and decides
``upheld`` or ``dismissed`` with reasons; the target is 5 working days from receipt, counted
like every period (the day of receipt not counted): hangzhou states it (hangzhou-3.3.7c), the
others track it as a service level (``stated: false``). The result is published on the notice
without the objector's identity (hangzhou-3.3.7d): the objector's own name, contact person,
phone, credit code and ID number become "异议人" / "***" in it, and every other ID, mobile or
landline number is masked (``personal_data.without_objector``). Upheld: the application is disqualified and
a freed place is not refilled (tianning-12j; elsewhere the default, INTERPRETATIONS §8).
Dismissed: the application proceeds, at once when the period is already over.

The objector's identity is seen only by the office of the programme; the applicant sees the
facts and reasons, never who objected.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import office, roles
from app.config import Settings
from app.db.models.notices import Notice, NoticeEntry, Objection, ObjectionFile, ObjectionFinding
from app.db.repositories import notices as repo
from app.db.repositories import workflow as workflow_repo
from app.db.repositories.keyset import KeysetPage
from app.domain import clock, outbox, personal_data
from app.domain.applicants.identity_proof import proves
from app.domain.calendar import service as calendar
from app.domain.calendar.holidays import CalendarYearNotLoaded
from app.domain.calendar.periods import Period, date_zh
from app.domain.errors import DomainError, FieldError, not_found
from app.domain.files import intake, refusals
from app.domain.files.policy import OBJECTION_EVIDENCE
from app.domain.identifiers import (
    IdentifierError,
    mask_id_number,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)
from app.domain.notices import rate_limits
from app.domain.preconditions import check_if_match
from app.domain.programmes.registry import get_registry
from app.domain.states import NOTICE_STAGES
from app.domain.states import ApplicationState as S
from app.identity import Principal
from app.workflow import service
from app.workflow.notices import publication  # a module, not its names: publication and the workflow import each other

OPEN = frozenset({"received", "verifying"})
STATUS_ZH = {
    "received": "已受理，待核查",
    "verifying": "核查中",
    "upheld": "异议成立",
    "dismissed": "异议不成立",
    "moot": "终止核查",
}
DECISION_RESULT_ZH = {
    "upheld": "经核查，异议成立，取消其资格。",
    "dismissed": "经核查，异议不成立，评选继续进行。",
}


# --- the objector ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Objector:
    kind: str  # person | organisation
    name: str
    phone: str
    key: str  # keyed hash of the ID number / credit code
    id_number_hash: str | None = None
    id_number_masked: str | None = None
    credit_code: str | None = None
    contact_person: str | None = None


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def objector_key(settings: Settings, kind: str, identifier: str) -> str:
    """The objector's stable key (rate limits, idempotency scope): never the identifier itself."""
    return personal_data.id_number_hash(settings, f"{kind}:{identifier.strip().upper()}")


def objector_scope(settings: Settings, body: dict) -> str | None:
    """The idempotency scope of an anonymous objection request, from the objector it names."""
    objector = body.get("objector") if isinstance(body, dict) else None
    if not isinstance(objector, dict):
        return None
    kind = objector.get("kind")
    ident = (
        objector.get("id_number")
        if kind == "person"
        else objector.get("credit_code")
        if kind == "organisation"
        else None
    )
    if not isinstance(ident, str) or not ident.strip():
        return None
    return "public-objector:" + objector_key(settings, kind, ident)


def _missing(field: str, zh: str, en: str) -> FieldError:
    return FieldError(field, zh, en, "missing")


def check_objector(settings: Settings, raw: dict | None, named_only: bool) -> tuple[Objector | None, list[FieldError]]:
    """The objector named in full, or every missing or invalid item (changning-31a; hangzhou-3.3.7b)."""
    errors: list[FieldError] = []
    raw = raw or {}
    kind = raw.get("kind")
    if kind not in ("person", "organisation"):
        if not named_only:
            return None, []
        errors.append(
            _missing(
                "objector.kind",
                "须注明以个人（person）还是单位（organisation）名义提出；匿名异议不予受理",
                "say whether a person or an organisation objects; anonymous objections are refused",
            )
        )
        if not _text(raw.get("name")):
            errors.append(
                _missing(
                    "objector.name",
                    "须填写真实姓名或单位名称",
                    "the real name of the person or organisation is required",
                )
            )
        if not _text(raw.get("phone")):
            errors.append(_missing("objector.phone", "须填写联系电话", "a phone number is required"))
        return None, errors
    name, phone = _text(raw.get("name")), _text(raw.get("phone"))
    if not name:
        errors.append(
            _missing(
                "objector.name",
                "须填写真实姓名" if kind == "person" else "须填写单位名称",
                "the real name is required" if kind == "person" else "the organisation's name is required",
            )
        )
    if not phone:
        errors.append(_missing("objector.phone", "须填写联系电话", "a phone number is required"))
    else:
        phone = _checked("objector.phone", phone, validate_phone, errors)
    if kind == "person":
        number = _text(raw.get("id_number"))
        checked = None
        if not number:
            errors.append(
                _missing("objector.id_number", "个人提出异议须填写身份证号码", "a person objects with an ID number")
            )
        else:
            checked = _checked("objector.id_number", number, validate_id_number, errors)
        if errors or checked is None:
            return None, errors
        return Objector(
            "person",
            name,
            phone,
            objector_key(settings, "person", checked.number),
            id_number_hash=personal_data.id_number_hash(settings, checked.number),
            id_number_masked=mask_id_number(checked.number),
        ), []
    code, contact = _text(raw.get("credit_code")), _text(raw.get("contact_person"))
    if not code:
        errors.append(
            _missing(
                "objector.credit_code",
                "单位提出异议须填写统一社会信用代码",
                "an organisation objects with its unified social credit code",
            )
        )
    else:
        code = _checked("objector.credit_code", code, validate_credit_code, errors)
    if not contact:
        errors.append(
            _missing("objector.contact_person", "单位提出异议须填写联系人", "an organisation names a contact person")
        )
    if errors:
        return None, errors
    return Objector(
        "organisation",
        name,
        phone,
        objector_key(settings, "organisation", code),
        credit_code=code,
        contact_person=contact,
    ), []


def _checked(field: str, value: str, validate, errors: list[FieldError]):
    """``validate(value)``, or None with the identifier's refusal added to ``errors`` under ``field``."""
    try:
        return validate(value)
    except IdentifierError as e:
        errors.append(FieldError(field, e.zh, e.en, e.code))
        return None


# --- lodging --------------------------------------------------------------------------------


def notice_closed(notice: Notice, *, for_application: bool = False) -> DomainError:
    last = notice.last_day_on
    if for_application:
        zh, en = (
            "该申报的公示已结束，不再受理对其的异议",
            "The notice has ended for this application; objections are no longer accepted",
        )
    else:
        zh = f"公示期已于{date_zh(last)}24时结束，不再受理异议"
        en = f"The notice period ended at 24:00 on {last.isoformat()}; objections are no longer accepted"
    return DomainError(
        "notice-closed",
        422,
        zh,
        en,
        title="Unprocessable Content",
        clause=notice.clause,
        extra={"ends_at": notice.ends_at.astimezone(clock.SHANGHAI).isoformat()},
    )


@dataclass(frozen=True)
class EvidenceFile:
    filename: str
    content_base64: str


@dataclass(frozen=True)
class ObjectionRequest:
    application_id: uuid.UUID | None
    objector: dict | None
    facts: str | None
    reasons: str | None
    evidence: list[EvidenceFile]


async def _verification_target(session: AsyncSession, received_on: date, v: dict) -> tuple[Period | None, dict]:
    """hangzhou-3.3.7c: 5 working days from receipt, the day of receipt not counted (Civil Code art. 201).

    A target reaching a year whose calendar is not loaded is not guessed (INTERPRETATIONS §4): it
    stays open, and the objection is received all the same.
    """
    rule = {
        "unit": v["unit"],
        "length": int(v["length"]),
        "count_start_day": False,
        "stated": bool(v.get("stated")),
        "clause": v.get("clause"),
        "from": "receipt",
    }
    try:
        return await calendar.period(session, received_on, int(v["length"]), v["unit"], False), rule
    except CalendarYearNotLoaded as missing:
        return None, {**rule, "calendar_missing": missing.year}


async def affected_targets(session: AsyncSession) -> list[dict]:
    """Open objections whose verification target was computed before a year it spans was changed."""
    return await repo.affected_verification_targets(session, sorted(OPEN))


async def settle_targets(session: AsyncSession, programme: str | None) -> None:
    """Set the verification targets that waited for a calendar year, now that it may be loaded."""
    for o in await repo.open_without_target(session, programme):
        due, rule = await _verification_target(session, o.received_on, o.verification_rule)
        if due is not None:
            o.verification_due_at, o.verification_due_on, o.verification_calendar_revision, o.verification_rule = (
                due.ends_at,
                due.last_day,
                due.calendar_revision,
                rule,
            )
    await session.flush()


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def receipt_number(received_on, seq: int) -> str:
    return f"YY{received_on:%Y%m%d}{seq:06d}"


async def lodge(
    session: AsyncSession,
    settings: Settings,
    notice_id: uuid.UUID,
    body: ObjectionRequest,
    client_address: str,
    after_rollback: list[Callable],
    principal: Principal | None = None,
) -> tuple[Objection, str, Notice, NoticeEntry]:
    """Receive an objection: refused if anonymous, incomplete, late or too frequent; a receipt and its secret.

    Lodged by a signed-in citizen whose identity-platform token verifies the objector named, it is
    identity-verified at once (changning-31a: a real name); otherwise the office confirms the person.
    """
    await rate_limits.hit(session, after_rollback, rate_limits.ADDRESS_LIMITS, "address:" + client_address)
    notice = await publication.get_notice(session, notice_id)
    now = clock.now()
    if not notice.objections_allowed:
        raise DomainError(
            "objections-not-accepted",
            422,
            "该公示不受理异议",
            "This notice takes no objections",
            title="Unprocessable Content",
        )
    if now >= notice.ends_at:
        raise notice_closed(notice)
    rules = get_registry().get(notice.programme, notice.programme_version).objections
    objector, errors = check_objector(settings, body.objector, rules.named_only)
    if body.application_id is None:
        errors.append(
            _missing(
                "application_id",
                "须指明对公示名单中的哪一项申报提出异议",
                "name the application on the list you object to",
            )
        )
    if not _text(body.facts):
        errors.append(_missing("facts", "须写明异议的事实", "state the facts"))
    if not _text(body.reasons):
        errors.append(_missing("reasons", "须写明异议的理由", "state the reasons"))
    if rules.evidence_required and not body.evidence:
        errors.append(_missing("evidence", "须提供佐证材料", "supporting evidence is required"))
    policy = OBJECTION_EVIDENCE
    if len(body.evidence) > policy.max_files:
        errors.append(refusals.field_error(policy, refusals.Reason.TOO_MANY, "evidence"))
    uploads: list[intake.AcceptedFile] = []
    for i, ev in enumerate(body.evidence[: policy.max_files]):
        try:
            uploads.append(intake.decode(policy, f"evidence[{i}]", ev.filename, ev.content_base64))
        except DomainError as err:
            errors.extend(err.errors)
    if policy.max_total_bytes is not None and sum(u.size for u in uploads) > policy.max_total_bytes:
        errors.append(refusals.total_too_large(policy, "evidence"))
    if errors:
        missing = [e for e in errors if e.code == "missing"]
        items = "、".join(e.field for e in (missing or errors))
        zh = f"异议不予受理：{'缺少' if missing else '以下内容有误：'}{items}。请实名提出，并写明事实、理由，提供佐证材料。"
        en = f"The objection cannot be accepted: {'missing' if missing else 'invalid'}: {', '.join(e.field for e in (missing or errors))}"
        raise DomainError(
            "objection-incomplete", 422, zh, en, title="Unprocessable Content", clause=rules.clause, errors=errors
        )
    assert body.application_id is not None
    entry = await repo.get_entry(session, notice.id, body.application_id)
    if entry is None:
        raise DomainError(
            "validation-error",
            422,
            "所异议的申报不在该公示名单上",
            "The application is not on this notice",
            title="Unprocessable Content",
            errors=[FieldError("application_id", "不在该公示名单上", "is not on this notice", "not_on_notice")],
        )
    # FOR SHARE: objections to one application do not queue behind each other, but the notice
    # closing (FOR UPDATE) waits for them, and they wait for it: an objection received before
    # the end is counted by close_notice, one arriving after the notice closed is refused here
    app = await repo.lock_application_shared(session, entry.application_id)
    if app is None or entry.outcome is not None or app.state != notice.stage:
        raise notice_closed(notice, for_application=True)
    if objector is not None:
        # only an objection that is lodged counts against the one it names (issue 13); every
        # refused attempt above has counted against the sender's address alone
        await rate_limits.count_lodged(session, rate_limits.OBJECTOR_LIMITS, "objector:" + objector.key)
    received_on = now.astimezone(clock.SHANGHAI).date()
    due, rule = await _verification_target(session, received_on, notice.verification)
    secret = secrets.token_urlsafe(24)
    verified = principal is not None and objector is not None and _token_verifies(settings, principal, objector)
    objection = Objection(
        receipt_no=receipt_number(received_on, await repo.next_receipt_number(session)),
        secret_hash=_secret_hash(secret),
        notice_id=notice.id,
        entry_id=entry.id,
        application_id=entry.application_id,
        programme=notice.programme,
        objector_kind=objector.kind if objector else "anonymous",
        objector_name=objector.name if objector else "",
        objector_id_number_hash=objector.id_number_hash if objector else None,
        objector_id_number_masked=objector.id_number_masked if objector else None,
        objector_credit_code=objector.credit_code if objector else None,
        objector_contact_person=objector.contact_person if objector else None,
        objector_phone=objector.phone if objector else "",
        objector_key=objector.key if objector else "",
        facts=_text(body.facts),
        reasons=_text(body.reasons),
        identity_verified_via="token" if verified else None,
        identity_verified_by=principal.sub if verified and principal is not None else None,
        identity_verified_at=now if verified else None,
        status="received",
        received_at=now,
        received_on=received_on,
        verification_due_at=due.ends_at if due else None,
        verification_due_on=due.last_day if due else None,
        verification_rule=rule,
        verification_calendar_revision=due.calendar_revision if due else None,
        version=1,
    )
    await repo.add(session, objection)
    await _store_files(session, settings, after_rollback, uploads, now, objection_id=objection.id, source="objector")
    # partners learn that an objection was lodged, never who lodged it
    await outbox.emit(
        session,
        "objection.lodged",
        {
            "objection_id": str(objection.id),
            "receipt_no": objection.receipt_no,
            "notice_id": str(notice.id),
            "application_id": str(entry.application_id),
            "programme": notice.programme,
            "received_at": now.astimezone(clock.SHANGHAI).isoformat(),
        },
        subject=f"objection:{objection.id}",
    )
    return objection, secret, notice, entry


def _token_verifies(settings: Settings, principal: Principal, objector: Objector) -> bool:
    """Whether the caller's token verifies the person or organisation named as the objector."""
    if objector.kind == "person":
        return proves(settings, principal, id_number_hash=objector.id_number_hash)
    return proves(settings, principal, credit_code=objector.credit_code)


async def _store_files(session, settings, after_rollback, uploads, now, **row) -> list[ObjectionFile]:
    """Each accepted upload stored through the one intake and recorded as a file of the objection (``row``:
    its objection, source and finding)."""
    stored = [
        ObjectionFile(
            **row,
            filename=f.filename,
            content_type=f.content_type,
            size=f.size,
            sha256=f.sha256,
            storage_key=f.storage_key,
            key_version=f.key_version,
            uploaded_at=now,
        )
        for f in [await intake.store(settings, after_rollback, u) for u in uploads]
    ]
    await repo.add(session, *stored)
    return stored


# --- following (the objector, with the receipt's secret) ------------------------------------


async def follow(
    session: AsyncSession, receipt_no: str, secret: str | None
) -> tuple[Objection, Notice, NoticeEntry, list[ObjectionFile]]:
    objection = await repo.objection_by_receipt(session, receipt_no)
    # an unknown receipt and a wrong secret answer alike: neither says the receipt exists
    if objection is None or not secret or not hmac.compare_digest(_secret_hash(secret), objection.secret_hash):
        raise not_found("异议受理编号", "Objection receipt", receipt_no)
    notice = await publication.get_notice(session, objection.notice_id)
    entry = await repo.entry_by_id(session, objection.entry_id)
    assert entry is not None  # a foreign key
    evidence = [f for f in await repo.files_of(session, [objection.id]) if f.source == "objector"]
    return objection, notice, entry, evidence


# --- the office: take, record findings, decide ----------------------------------------------


async def _for_office(
    session: AsyncSession, principal: Principal, objection_id: uuid.UUID, *, for_update: bool = False
) -> Objection:
    objection = await repo.get_objection(session, objection_id)
    if objection is None or not office.handles_objection(principal, objection.programme):
        # another programme's office does not learn that it exists (nor who objected)
        raise not_found("异议", "Objection", objection_id)
    if for_update:
        # the application first, then the objection: the order every event and objection path
        # takes, so two decisions on one application (or a decision and an event) cannot deadlock
        await workflow_repo.get_application(session, objection.application_id, for_update=True)
        objection = await repo.get_objection(session, objection_id, for_update=True)
        assert objection is not None
    return objection


def _closed(objection: Objection) -> DomainError:
    return DomainError(
        "objection-decided",
        409,
        f"该异议已办结（{STATUS_ZH[objection.status]}）",
        f"The objection is already closed ({objection.status})",
        title="Conflict",
        extra={"objection_status": objection.status},
    )


@dataclass
class OfficeView:
    objection: Objection
    notice: Notice
    entry: NoticeEntry
    findings: list[ObjectionFinding]
    files: list[ObjectionFile]


async def office_view(session: AsyncSession, principal: Principal, objection_id: uuid.UUID) -> OfficeView:
    o = await _for_office(session, principal, objection_id)
    if o.verification_due_at is None:
        await settle_targets(session, o.programme)
    notice = await publication.get_notice(session, o.notice_id)
    entry = await repo.entry_by_id(session, o.entry_id)
    assert entry is not None  # a foreign key
    return OfficeView(o, notice, entry, await repo.findings_of(session, o.id), await repo.files_of(session, [o.id]))


async def take(session: AsyncSession, principal: Principal, objection_id: uuid.UUID, if_match: str | None) -> Objection:
    """受理核查: the office starts verifying."""
    o = await _for_office(session, principal, objection_id, for_update=True)
    check_if_match(if_match, o.version)
    if o.status != "received":
        raise (
            _closed(o)
            if o.status not in OPEN
            else DomainError(
                "objection-already-taken",
                409,
                "该异议已在核查中",
                "The objection is already being verified",
                title="Conflict",
                extra={"taken_by": o.taken_by},
            )
        )
    o.status, o.taken_by, o.taken_at, o.version = "verifying", principal.sub, clock.now(), o.version + 1
    await session.flush()
    return o


async def add_finding(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    after_rollback: list[Callable],
    objection_id: uuid.UUID,
    text: str,
    uploads: list[intake.AcceptedFile],
) -> tuple[Objection, ObjectionFinding, list[ObjectionFile]]:
    """核查记录: findings and the evidence the office gathered (taking the objection if nobody has)."""
    o = await _for_office(session, principal, objection_id, for_update=True)
    if o.status not in OPEN:
        raise _closed(o)
    now = clock.now()
    if o.status == "received":
        o.status, o.taken_by, o.taken_at = "verifying", principal.sub, now
    o.version += 1
    finding = ObjectionFinding(objection_id=o.id, text=text.strip(), recorded_by=principal.sub, recorded_at=now)
    await repo.add(session, finding)
    stored = await _store_files(
        session, settings, after_rollback, uploads, now, objection_id=o.id, finding_id=finding.id, source="office"
    )
    return o, finding, stored


CONFIRMATION_ZH = {
    "in_person": "当面核验身份证件",
    "phone_call": "回拨电话核实",
    "video_call": "视频核实",
    "document": "核验证件复印件",
    "other": "其他方式",
}


async def confirm_identity(
    session: AsyncSession,
    principal: Principal,
    objection_id: uuid.UUID,
    if_match: str | None,
    method: str,
    note: str | None,
) -> Objection:
    """实名核验: the office confirms the person behind an objection lodged on the open form
    (changning-31a demands a real name), saying how; recorded with who and when."""
    o = await _for_office(session, principal, objection_id, for_update=True)
    check_if_match(if_match, o.version)
    if o.identity_verified_via is not None:
        raise DomainError(
            "identity-already-verified",
            409,
            "该异议人的身份已核验",
            "The objector's identity is already verified",
            title="Conflict",
            extra={"identity_verified_via": o.identity_verified_via},
        )
    note = (note or "").strip()
    o.identity_verified_via = "office"
    o.identity_confirmation = f"{method}：{note}" if note else method
    o.identity_verified_by, o.identity_verified_at = principal.sub, clock.now()
    o.version += 1
    await session.flush()
    return o


def published_result(o: Objection, decision: str, result_zh: str | None) -> str:
    """The result exactly as the notice publishes it (hangzhou-3.3.7d): no objector named, and no ID
    or phone number in clear, however written (``personal_data.without_objector``)."""
    return personal_data.without_objector((result_zh or "").strip() or DECISION_RESULT_ZH[decision], o) or ""


async def preview_result(
    session: AsyncSession, principal: Principal, objection_id: uuid.UUID, decision: str, result_zh: str | None
) -> tuple[str, bool]:
    """What ``decide`` would publish, for the clerk to read first; nothing is changed."""
    o = await _for_office(session, principal, objection_id)
    shown = published_result(o, decision, result_zh)
    return shown, shown != ((result_zh or "").strip() or DECISION_RESULT_ZH[decision])


async def decide(
    session: AsyncSession,
    ctx: service.EventContext,
    objection_id: uuid.UUID,
    if_match: str | None,
    decision: str,
    reasons: str,
    result_zh: str | None,
) -> tuple[Objection, str | None]:
    """``upheld`` disqualifies the application; ``dismissed`` lets it proceed (at once if its period is over).

    Returns the objection and the state the application moved to, if it moved.
    """
    o = await _for_office(session, ctx.principal, objection_id, for_update=True)
    check_if_match(if_match, o.version)
    if o.status not in OPEN:
        raise _closed(o)
    if decision not in DECISION_RESULT_ZH:
        raise DomainError(
            "validation-error",
            422,
            "核查结论只能是 upheld（成立）或 dismissed（不成立）",
            "decision is upheld or dismissed",
            title="Unprocessable Content",
            errors=[FieldError("decision", "可选：upheld、dismissed", "one of: upheld, dismissed", "enum")],
        )
    if not reasons.strip():
        raise DomainError(
            "validation-error",
            422,
            "核查结论须说明理由",
            "A decision needs its reasons",
            title="Unprocessable Content",
            errors=[FieldError("reasons", "必填", "required", "missing")],
        )
    # the decision and the disqualification it causes are one attempt: a refused disqualification is
    # recorded in the application's history and nothing of the decision is kept
    async with service.recording_refusals(session, ctx):
        now = clock.now()
        # hangzhou-3.3.7d: the result is published, so it names no objector and carries no ID or
        # phone number even when the office quotes the objection ("经核查，李某（电话…）反映…")
        published = published_result(o, decision, result_zh)
        if o.status == "received":
            o.taken_by, o.taken_at = ctx.principal.sub, now
        o.status, o.decision_reasons, o.result_zh, o.decided_by, o.decided_at, o.version = (
            decision,
            reasons.strip(),
            published,
            ctx.principal.sub,
            now,
            o.version + 1,
        )
        await session.flush()
        moved_to: str | None = None
        if decision == "upheld":
            app, rnd = await service.load_for_event(session, o.application_id, "disqualify")
            if app.state in NOTICE_STAGES:
                notice = await publication.get_notice(session, o.notice_id)
                reason = f"异议成立，取消资格（{notice.name_zh}，异议受理编号{o.receipt_no}）：{published}"
                # a place freed at the winners' notice is not refilled (tianning-12j; INTERPRETATIONS §8)
                await service.apply_event(session, ctx, app, rnd, "disqualify", reason, {"objection": o.receipt_no})
                moved_to = app.state
        elif await publication.close_if_ready(session, ctx.request_id, o.application_id):
            app = await workflow_repo.get_application(session, o.application_id)
            moved_to = app.state if app else None
        # the published result only: it names no objector (hangzhou-3.3.7d)
        await outbox.emit(
            session,
            "objection.decided",
            {
                "objection_id": str(o.id),
                "receipt_no": o.receipt_no,
                "notice_id": str(o.notice_id),
                "application_id": str(o.application_id),
                "programme": o.programme,
                "decision": decision,
                "result_zh": published,
                "application_state": moved_to,
                "decided_at": now.astimezone(clock.SHANGHAI).isoformat(),
            },
            subject=f"objection:{o.id}",
        )
    return o, moved_to


async def end_open_objections(session: AsyncSession, application_id: uuid.UUID, state: str) -> None:
    """The application left its notice otherwise (withdrawn, or disqualified on another objection)."""
    why = "被异议的申报已撤回" if state == S.WITHDRAWN else "被异议的申报已被取消资格"
    await repo.close_open_objections(session, application_id, "moot", f"{why}，本异议终止核查。", "system", clock.now())


# --- lists ----------------------------------------------------------------------------------


async def page_for_office(
    session: AsyncSession,
    principal: Principal,
    filters: dict,
    offset: int,
    limit: int,
    *,
    overdue: bool = False,
    cursor: str | None = None,
) -> KeysetPage[Objection]:
    readable = office.readable_by_programme(principal, Objection.programme)
    if readable is None:
        raise DomainError(
            "forbidden",
            403,
            "当前身份不属于任何评奖项目的评审办公室",
            "Your token names no programme whose office you are",
            title="Forbidden",
        )
    # an admin settles the asked programme's targets (every programme's unasked), an office its own
    await settle_targets(
        session, filters.get("programme") if roles.is_admin(principal) else roles.office_programme(principal)
    )
    f = dict(filters)
    if overdue:
        # 核查超期: an open objection past its verification target, flagged to the office's lead
        f |= {"statuses": list(OPEN), "due_before": clock.now()}
    return await repo.page_objections(session, readable, f, offset, limit, cursor)


def is_overdue(o: Objection, now: datetime) -> bool:
    return o.status in OPEN and o.verification_due_at is not None and now >= o.verification_due_at


async def for_application(session: AsyncSession, principal: Principal, application_id: uuid.UUID) -> list[Objection]:
    """What the applicant (and others who may see the application) see: facts and reasons, never who."""
    await service.view(session, principal, application_id)
    return await repo.objections_of_application(session, application_id)


async def open_counts(session: AsyncSession, application_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """The workflow's ``no_open_objection`` reads this (named in ``app/workflow/checks.py``)."""
    return await repo.open_objection_counts(session, application_ids)


# the calendar, below the notices, cannot name them: its list of deadlines a changed year affects
# gains the open objections' verification targets (INTERPRETATIONS §5) when this module is loaded
if affected_targets not in calendar.affected_sources:
    calendar.affected_sources.append(affected_targets)
