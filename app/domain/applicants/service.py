"""Registering, reading and correcting applicants (申报主体登记).

Who sees what:

- an applicant principal sees and edits only its own record: the one whose id, or whose
  ``principal_ref``, is the principal's ``applicant`` scope; any other record is "not found";
- offices and admins read the registry; the office handling an applicant (it registered the
  applicant, or the applicant has an application in its programme) may correct it;
- a recommender reads the applicants of the applications its unit recommends;
- the full ID number is shown only to the person themself and to the handling office; every
  other answer, every list included, carries the masked form.

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
from app.config import Settings
from app.db.models.intake import Applicant
from app.db.repositories import applicants as repo
from app.domain import clock, personal_data
from app.domain.applicants.encryption import decrypt_id_number, encrypt_id_number
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
    if applicant.id_number_ciphertext is not None and await access.sees_id_number(session, principal, applicant):
        number = decrypt_id_number(settings, applicant.id, applicant.id_number_ciphertext)
    return ApplicantView(applicant, number)


def _creator_scope(principal: Principal, principal_ref: str | None) -> tuple[str | None, str | None]:
    """(principal_ref, registered_by_programme) for a new record, or 403."""
    scope = access.registers_as(principal, principal_ref)
    if scope is None:
        raise _forbidden(
            "只有申报单位（个人）本人或评审办公室可以登记申报主体",
            "Only the applicant itself or an office may register an applicant",
        )
    return scope


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
    values: dict[str, Any],
    conflict_zh: str,
    conflict_en: str,
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
        raise DomainError("duplicate-applicant", 409, conflict_zh, conflict_en, title="Conflict", extra=extra)
    applicant = await repo.get(session, new_id)
    assert applicant is not None
    return applicant


async def register_organisation(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    credit_code: str,
    fields: dict[str, Any],
    principal_ref: str | None,
) -> ApplicantView:
    try:
        code = validate_credit_code(credit_code)
    except IdentifierError as e:
        raise e.for_field("credit_code") from None
    ref, programme = _creator_scope(principal, principal_ref)
    values = {k: v for k, v in fields.items() if k in ORGANISATION_FIELDS}
    _clean_name(values)
    values.update(
        id=uuid.uuid4(), kind="organisation", credit_code=code, principal_ref=ref, registered_by_programme=programme
    )
    applicant = await _insert(
        session,
        settings,
        principal,
        values,
        f"统一社会信用代码“{code}”已登记，同一代码只是一个申报主体",
        f"The credit code {code} is already registered; one code is one applicant",
    )
    return await _view(session, settings, principal, applicant)


async def register_individual(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    id_number: str,
    fields: dict[str, Any],
    principal_ref: str | None,
) -> ApplicantView:
    try:
        checked = validate_id_number(id_number)
    except IdentifierError as e:
        raise e.for_field("id_number") from None
    ref, programme = _creator_scope(principal, principal_ref)
    await _employer(session, fields.get("employer_id"))
    record_id = uuid.uuid4()
    values = {k: v for k, v in fields.items() if k in INDIVIDUAL_FIELDS}
    _clean_name(values)
    values.update(
        id=record_id,
        kind="individual",
        principal_ref=ref,
        registered_by_programme=programme,
        id_number_hash=personal_data.id_number_hash(settings, checked.number),
        id_number_ciphertext=encrypt_id_number(settings, record_id, checked.number),
        id_number_masked=checked.masked,
        id_kind=checked.kind,
    )
    applicant = await _insert(
        session,
        settings,
        principal,
        values,
        "该身份证件号码已登记，同一证件号码只是一个申报主体",
        "This ID number is already registered; one number is one applicant",
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
