"""Registering, reading and correcting applicants (申报主体登记).

Who sees what:

- an applicant principal sees and edits only its own record: the one whose id, or whose
  ``principal_ref``, is the principal's ``applicant`` scope; any other record is "not found";
- an admin reads the registry; an office the records it handles (it registered the applicant,
  or the applicant has an application in its programme), which it may correct;
- a recommender reads the applicants of the applications its unit recommends;
- the full ID number is shown only to the person themself (an owning account whose token
  verifies the number) and to the handling office; every other answer, every list included,
  carries the masked form.

Real names (实名, issue 13): an applicant account registers only the identity its token verifies
(``identity_proof``), otherwise 403 ``/identity-not-verified``; an office or admin registers on
someone's behalf, with a reason when it binds the record to an applicant account. Each record
keeps its own history (registered, reassigned), and an office or admin reassigns a record to the
right account, both accounts notified (``account_notifications``, the outbox's rows).

Duplicate identifiers are one applicant: registering a credit code or ID number already in the
registry is ``409 /duplicate-applicant`` with ``existing_id`` (to callers allowed to read it), and
nothing is overwritten. A create that silently returned the existing record would drop the
caller's data without saying so; retries of the same create are what ``Idempotency-Key`` is for.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import applicants as access
from app.access.roles import office_programme as roles_office
from app.config import Settings
from app.db.models.intake import Applicant
from app.db.repositories import applicants as repo
from app.domain import clock, outbox, personal_data, read_audit
from app.domain.applicants.encryption import decrypt_id_number, encrypt_id_number
from app.domain.applicants.identity_proof import proves
from app.domain.errors import DomainError, FieldError, not_found
from app.domain.identifiers import IdentifierError, validate_credit_code, validate_id_number
from app.identity import Principal

ORGANISATION_FIELDS = (
    "name",
    "legal_form",
    "industry",
    "nonprofit",
    "size",
    "registered_jurisdiction",
    "locality",
    "competent_department",
    "registered_on",
    "operating_since",
    "legal_person",
    "sector",
    "four_new_field",
    "certified_since",
    "excellence_model_since",
    "has_chief_quality_officer",
    "above_size_manufacturer",
    "mu_efficiency_grade",
    "mu_efficiency_year",
    "frontier_industry",
    "civil_service_managed",
    "exporter",
    "credit_status",
    "records",
    "other_level_applications",
)
INDIVIDUAL_FIELDS = (
    "name",
    "employer_id",
    "work_jurisdiction",
    "locality",
    "quality_work_since",
    "quality_work_in_jurisdiction_since",
    "jurisdiction_work_since",
    "is_top_manager",
    "records",
    "other_level_applications",
)


@dataclass
class ApplicantView:
    """A record and what this caller may see of it."""

    applicant: Applicant
    id_number: str | None  # the full number, only for the person and the handling office


def _forbidden(zh: str, en: str) -> DomainError:
    return DomainError("forbidden", 403, zh, en, title="Forbidden")


async def _view(session: AsyncSession, settings: Settings, principal: Principal, applicant: Applicant) -> ApplicantView:
    number = None
    if applicant.id_number_ciphertext is not None:
        proven = proves(settings, principal, id_number_hash=applicant.id_number_hash)
        if await access.sees_id_number(session, principal, applicant, proven):
            number = decrypt_id_number(settings, applicant.id, applicant.id_number_ciphertext)
            await read_audit.record(session, principal, read_audit.ID_NUMBER, applicant.id)  # GB/T 22239 audit
    return ApplicantView(applicant, number)


def _not_verified(what_zh: str, what_en: str) -> DomainError:
    return DomainError(
        "identity-not-verified",
        403,
        f"申报账号只能登记其实名认证的身份：令牌未认证该{what_zh}",
        f"An applicant account registers only the identity its token verifies; the token does not verify this {what_en}",
        title="Forbidden",
    )


def _reason_required() -> DomainError:
    return DomainError(
        "validation-error",
        422,
        "代为登记并绑定申报账号须说明理由",
        "Registering on behalf of an applicant account needs a reason",
        title="Unprocessable Content",
        errors=[FieldError("reason", "必填", "required", "missing")],
    )


@dataclass(frozen=True)
class Registration:
    """Who registers a record, for whom, and why: what ``_insert`` records in the record's history."""

    principal_ref: str | None
    programme: str | None
    how: str  # verified_token | office | admin
    reason: str | None


def _creator_scope(
    settings: Settings,
    principal: Principal,
    principal_ref: str | None,
    reason: str | None,
    *,
    credit_code: str | None = None,
    id_number_hash: str | None = None,
) -> Registration:
    """The registration a caller may make, or 403 (403 ``/identity-not-verified`` for an account
    registering an identity its token does not verify: the squatting of issue 13)."""
    scope = access.registers_as(principal, principal_ref)
    if scope is None:
        raise _forbidden(
            "只有申报单位（个人）本人或评审办公室可以登记申报主体",
            "Only the applicant itself or an office may register an applicant",
        )
    ref, programme = scope
    how = access.registers_on_behalf(principal) or "verified_token"
    reason = (reason or "").strip() or None
    if how == "verified_token":
        if not proves(settings, principal, credit_code=credit_code, id_number_hash=id_number_hash):
            raise (
                _not_verified("统一社会信用代码", "credit code")
                if credit_code
                else _not_verified("身份证件号码", "ID number")
            )
    elif ref is not None and reason is None:
        # binding an identity to an account without the account's own proof: the office answers for it
        raise _reason_required()
    return Registration(ref, programme, how, reason)


async def _employer(session: AsyncSession, employer_id: uuid.UUID | None) -> None:
    if employer_id is None:
        return
    employer = await repo.get(session, employer_id)
    if employer is None or employer.kind != "organisation":
        raise DomainError(
            "validation-error",
            422,
            "工作单位须为已登记的组织申报主体",
            "employer_id must be a registered organisation applicant",
            title="Unprocessable Content",
            errors=[FieldError("employer_id", "须为已登记的组织", "must be a registered organisation", "not_found")],
        )


def _clean_name(fields: dict[str, Any]) -> None:
    """Every record has a name (名称/姓名): stored without surrounding spaces, never blank or null."""
    if "name" not in fields:
        return
    name = fields["name"].strip() if isinstance(fields["name"], str) else ""
    if not name:
        raise DomainError(
            "validation-error",
            422,
            "名称（姓名）不能为空",
            "name cannot be blank",
            title="Unprocessable Content",
            errors=[FieldError("name", "不能为空", "cannot be blank", "missing")],
        )
    fields["name"] = name


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready values for the JSONB columns (dates as ISO strings)."""
    out = dict(values)
    if out.get("records") is not None:
        out["records"] = {
            k: [{a: x.isoformat() if hasattr(x, "isoformat") else x for a, x in r.items()} for r in v]
            for k, v in out["records"].items()
        }
    if out.get("other_level_applications") is None and "other_level_applications" in out:
        out["other_level_applications"] = []
    if out.get("records") is None and "records" in out:
        out["records"] = {}
    return out


async def _insert(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    registration: Registration,
    values: dict[str, Any],
    conflict_zh: str,
    conflict_en: str,
    request_id: str | None,
) -> Applicant:
    now = clock.now()
    values = {**_plain(values), "version": 1, "created_by": principal.sub, "created_at": now, "updated_at": now}
    values.setdefault("records", {})
    values.setdefault("other_level_applications", [])
    new_id = await repo.insert_new(session, values)
    if new_id is None:
        existing = await repo.find_conflict(
            session, values.get("credit_code"), values.get("id_number_hash"), values.get("principal_ref")
        )
        extra: dict[str, Any] = {}
        if existing is not None and await access.may_read(session, principal, existing):
            extra["existing_id"] = str(existing.id)
        if (
            existing is not None
            and existing.principal_ref
            and existing.principal_ref == values.get("principal_ref")
            and existing.credit_code != values.get("credit_code")
        ):
            raise DomainError(
                "duplicate-applicant",
                409,
                "该申报账号已登记过申报主体",
                "This applicant account already has a registered applicant",
                title="Conflict",
                extra=extra,
            )
        if registration.how == "verified_token" and existing is not None and "existing_id" not in extra:
            # the person proved this identity, yet another account holds it: the way out is the office
            conflict_zh += "；如非本人或本单位所登记，请联系评审办公室核实后变更归属账号"
            conflict_en += "; if you did not register it, ask the office to verify and reassign it to your account"
        raise DomainError("duplicate-applicant", 409, conflict_zh, conflict_en, title="Conflict", extra=extra)
    applicant = await repo.get(session, new_id)
    assert applicant is not None
    await repo.add_event(
        session,
        applicant_id=applicant.id,
        kind="registered",
        how=registration.how,
        from_ref=None,
        to_ref=registration.principal_ref,
        reason=registration.reason,
        actor=principal.sub,
        programme=registration.programme,
        request_id=request_id,
        at=now,
    )
    return applicant


async def register_organisation(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    credit_code: str,
    fields: dict[str, Any],
    principal_ref: str | None,
    reason: str | None = None,
    request_id: str | None = None,
) -> ApplicantView:
    try:
        code = validate_credit_code(credit_code)
    except IdentifierError as e:
        raise e.for_field("credit_code") from None
    reg = _creator_scope(settings, principal, principal_ref, reason, credit_code=code)
    values = {k: v for k, v in fields.items() if k in ORGANISATION_FIELDS}
    _clean_name(values)
    values.update(
        id=uuid.uuid4(),
        kind="organisation",
        credit_code=code,
        principal_ref=reg.principal_ref,
        registered_by_programme=reg.programme,
    )
    applicant = await _insert(
        session,
        settings,
        principal,
        reg,
        values,
        f"统一社会信用代码“{code}”已登记，同一代码只是一个申报主体",
        f"The credit code {code} is already registered; one code is one applicant",
        request_id,
    )
    return await _view(session, settings, principal, applicant)


async def register_individual(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    id_number: str,
    fields: dict[str, Any],
    principal_ref: str | None,
    reason: str | None = None,
    request_id: str | None = None,
) -> ApplicantView:
    try:
        checked = validate_id_number(id_number)
    except IdentifierError as e:
        raise e.for_field("id_number") from None
    number_hash = personal_data.id_number_hash(settings, checked.number)
    reg = _creator_scope(settings, principal, principal_ref, reason, id_number_hash=number_hash)
    await _employer(session, fields.get("employer_id"))
    record_id = uuid.uuid4()
    values = {k: v for k, v in fields.items() if k in INDIVIDUAL_FIELDS}
    _clean_name(values)
    values.update(
        id=record_id,
        kind="individual",
        principal_ref=reg.principal_ref,
        registered_by_programme=reg.programme,
        id_number_hash=number_hash,
        id_number_ciphertext=encrypt_id_number(settings, record_id, checked.number),
        id_number_masked=checked.masked,
        id_kind=checked.kind,
    )
    applicant = await _insert(
        session,
        settings,
        principal,
        reg,
        values,
        "该身份证件号码已登记，同一证件号码只是一个申报主体",
        "This ID number is already registered; one number is one applicant",
        request_id,
    )
    return await _view(session, settings, principal, applicant)


async def get_applicant(
    session: AsyncSession, settings: Settings, principal: Principal, applicant_id: uuid.UUID
) -> ApplicantView:
    applicant = await repo.get(session, applicant_id)
    if applicant is None or not await access.may_read(session, principal, applicant):
        # not revealing whether a record exists to those who may not see it
        raise not_found("申报主体", "Applicant", applicant_id)
    return await _view(session, settings, principal, applicant)


async def lock_for_update(session: AsyncSession, principal: Principal, applicant_id: uuid.UUID) -> Applicant:
    applicant = await repo.get(session, applicant_id, for_update=True)
    if applicant is None or not await access.may_read(session, principal, applicant):
        raise not_found("申报主体", "Applicant", applicant_id)
    if not await access.may_change(session, principal, applicant):
        raise _forbidden(
            "只有申报主体本人或经办的评审办公室可以修改",
            "Only the applicant itself or the office handling it may change this record",
        )
    return applicant


async def update_applicant(
    session: AsyncSession, settings: Settings, principal: Principal, applicant: Applicant, changes: dict[str, Any]
) -> ApplicantView:
    allowed = ORGANISATION_FIELDS if applicant.kind == "organisation" else INDIVIDUAL_FIELDS
    unknown = sorted(k for k in changes if k not in allowed)
    if unknown:
        raise DomainError(
            "validation-error",
            422,
            f"{'组织' if applicant.kind == 'organisation' else '个人'}申报主体没有这些字段：{'、'.join(unknown)}",
            f"An {applicant.kind} applicant has no fields: {', '.join(unknown)}",
            title="Unprocessable Content",
            errors=[
                FieldError(k, "不适用于此类申报主体", f"not a field of an {applicant.kind}", "extra_forbidden")
                for k in unknown
            ],
        )
    changes = dict(changes)
    _clean_name(changes)
    if "employer_id" in changes:
        if changes["employer_id"] == applicant.id:
            raise DomainError(
                "validation-error",
                422,
                "工作单位不能是本人",
                "employer_id cannot be the record itself",
                title="Unprocessable Content",
                errors=[FieldError("employer_id", "不能是本人", "cannot be itself")],
            )
        await _employer(session, changes["employer_id"])
    for name, value in _plain(changes).items():
        setattr(applicant, name, value)
    applicant.version += 1
    applicant.updated_at = clock.now()
    await session.flush()
    return await _view(session, settings, principal, applicant)


async def list_applicants(
    session: AsyncSession,
    principal: Principal,
    kind: str | None,
    credit_code: str | None,
    name: str | None,
    offset: int,
    limit: int,
) -> tuple[list[Applicant], int]:
    readable = access.readable(principal)
    if readable is None:
        raise _forbidden("只有评审办公室可以查询申报主体名录", "Only offices may list the applicant registry")
    return await repo.page(session, readable, kind, credit_code, name, offset, limit)


async def find_for_application(
    session: AsyncSession, credit_code: str | None, id_number_hash: str | None
) -> Applicant | None:
    """The registry record an application's identifier names (used to link applications)."""
    return await repo.find_by_identity(session, credit_code, id_number_hash)


# --- the record's owner and history ---------------------------------------------------------


async def history(session: AsyncSession, principal: Principal, applicant_id: uuid.UUID) -> list[Any]:
    """登记记录: how the record was registered and every reassignment (whoever may read the record)."""
    applicant = await repo.get(session, applicant_id)
    if applicant is None or not await access.may_read(session, principal, applicant):
        raise not_found("申报主体", "Applicant", applicant_id)
    return await repo.events_of(session, applicant.id)


async def lock_for_reassignment(session: AsyncSession, principal: Principal, applicant_id: uuid.UUID) -> Applicant:
    applicant = await repo.get(session, applicant_id, for_update=True)
    # an office that does not handle the record does not learn that it exists
    if applicant is None or not await access.may_reassign(session, principal, applicant):
        if applicant is not None and await access.may_read(session, principal, applicant):
            raise _forbidden(
                "只有经办的评审办公室或系统管理员可以变更申报主体的归属账号",
                "Only the office handling the record or an admin may reassign it",
            )
        raise not_found("申报主体", "Applicant", applicant_id)
    return applicant


async def reassign(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    applicant: Applicant,
    principal_ref: str | None,
    reason: str,
    request_id: str | None,
) -> ApplicantView:
    """Bind the record to the right applicant account (issue 13: a record registered to the wrong
    account, or squatted before registrations were checked): recorded with its reason, both accounts
    notified. The applications already started keep their account: the office withdraws or moves them."""
    reason = reason.strip()
    if not reason:
        raise _reason_required()
    new_ref = (principal_ref or "").strip() or None
    old_ref = applicant.principal_ref
    if new_ref is not None and await repo.owner_taken(session, new_ref, applicant.id):
        raise DomainError(
            "account-has-applicant",
            409,
            "该申报账号已绑定其他申报主体",
            "That applicant account already holds another registry record",
            title="Conflict",
        )
    now = clock.now()
    applicant.principal_ref = new_ref
    applicant.version += 1
    applicant.updated_at = now
    await session.flush()
    await repo.add_event(
        session,
        applicant_id=applicant.id,
        kind="reassigned",
        how="office" if roles_office(principal) is not None else "admin",
        from_ref=old_ref,
        to_ref=new_ref,
        reason=reason,
        actor=principal.sub,
        programme=roles_office(principal),
        request_id=request_id,
        at=now,
    )
    await notify_reassignment(session, applicant, old_ref, new_ref, now)
    return await _view(session, settings, principal, applicant)


async def notify_reassignment(
    session: AsyncSession, applicant: Applicant, old_ref: str | None, new_ref: str | None, at
) -> None:
    """A row per account in ``account_notifications`` (what the account reads), each also an outbox
    event ``account.notification`` that the portals' subscriptions and the feed carry; the
    publisher marks the row ``sent_at`` once it is published."""
    text = f"申报主体“{applicant.name}”的归属账号已由评审办公室变更。如有疑问，请联系评审办公室。"
    rows = [
        {
            "account_ref": ref,
            "kind": "applicant_reassigned",
            "subject_id": applicant.id,
            "text_zh": text,
            "created_at": at,
        }
        for ref in dict.fromkeys(r for r in (old_ref, new_ref) if r)
    ]
    if rows:
        for row in await repo.add_notifications(session, rows):
            await outbox.emit(
                session,
                "account.notification",
                {
                    "notification_id": row.id,
                    "account_ref": row.account_ref,
                    "kind": row.kind,
                    "subject_id": str(row.subject_id),
                    "text_zh": row.text_zh,
                },
                subject=f"account:{row.account_ref}",
                programme=applicant.registered_by_programme,
            )
