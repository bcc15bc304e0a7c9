"""Request and response bodies of the applicant registry."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator

from app.domain.programmes.facts import FACTS, RECORD_ATTRIBUTES

_REASON = (
    "why an office or admin registers on someone's behalf: required when it binds the record to an applicant "
    "account (`principal_ref`), recorded in the record's history; an applicant account registers only the "
    "identity its token verifies (`verified_id_number` / `verified_credit_code`) and needs none"
)
RECORD_FACTS = sorted(f for f, t in FACTS.items() if t == "records")
_ATTRIBUTES = sorted({a for attrs in RECORD_ATTRIBUTES.values() for a in attrs})
Jurisdiction = Annotated[
    str, Field(min_length=2, max_length=40, pattern=r"^[a-z0-9_]+$", examples=["changning", "310105"])
]
AreaCode = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.-]+$")]


class FactRecord(BaseModel):
    """One dated record of a look-back fact (a loss year, an accident, a listing)."""

    model_config = {"extra": "forbid"}

    on: date = Field(description="the record's date (a loss: the last day of the loss year)")
    description: str = Field(default="", max_length=2000)
    excepted: str | None = Field(
        default=None,
        max_length=60,
        description="why it does not count, as a criterion names it: policy_losses, credit_repaired_before_deadline",
    )
    excepted_on: date | None = Field(default=None, description="the day the exception took effect (信用修复完成日)")
    ended_on: date | None = Field(default=None, description="a listing: the day it ended (移出名单日)")
    # what the texts distinguish (issue 20); unset: unknown, and a criterion depending on it needs review
    severity: Literal["ordinary", "serious", "major"] | None = Field(
        default=None, description="legal_violations: 一般 / 严重 / 重大"
    )
    level: Literal["national", "provincial", "city", "district", "other"] | None = Field(
        default=None, description="failed_quality_inspections: the inspecting level"
    )
    fault: bool | None = Field(default=None, description="major_quality_complaints: caused by the organisation")
    complainant: (
        Literal["customer", "employee", "supplier", "partner", "social_organisation", "public", "other"] | None
    ) = Field(default=None, description="major_quality_complaints: who complained")
    major: bool | None = Field(default=None, description="major_quality_complaints: 重大")
    valid: bool | None = Field(default=None, description="major_quality_complaints: 有效 (upheld)")


class OtherLevelApplication(BaseModel):
    """An application to another level's government quality award, declared by the applicant (changning-18a, jinshan-17a)."""

    model_config = {"extra": "forbid"}

    year: int = Field(ge=2000, le=2100)
    jurisdiction: Jurisdiction = Field(description="the other award's jurisdiction, e.g. shanghai for 上海市政府质量奖")
    award_zh: str = Field(min_length=1, max_length=200, examples=["上海市政府质量奖"])


def _check_records(value: dict | None) -> dict | None:
    if value is None:
        return value
    unknown = sorted(k for k in value if k not in RECORD_FACTS)
    if unknown:
        raise ValueError(f"unknown record facts: {', '.join(unknown)} (known: {', '.join(RECORD_FACTS)})")
    for fact, records in value.items():
        allowed = RECORD_ATTRIBUTES.get(fact, {})
        for i, r in enumerate(records):
            stray = [a for a in _ATTRIBUTES if getattr(r, a) is not None and a not in allowed]
            if stray:
                raise ValueError(f"{fact}.{i}: {', '.join(stray)} is not an attribute of {fact}")
    return value


class _Common(BaseModel):
    model_config = {"extra": "forbid"}

    records: dict[str, list[FactRecord]] | None = Field(
        default=None, description=f"look-back records by fact: {', '.join(RECORD_FACTS)}"
    )
    other_level_applications: list[OtherLevelApplication] | None = Field(default=None, max_length=50)

    _records = field_validator("records")(_check_records)


class OrganisationFacts(_Common):
    legal_form: str | None = Field(default=None, max_length=60, description="组织形式")
    industry: str | None = Field(default=None, max_length=100, description="行业")
    nonprofit: bool | None = None
    size: Literal["large", "medium", "small", "micro"] | None = None
    registered_jurisdiction: Jurisdiction | None = Field(default=None, description="登记注册地 (registration district)")
    locality: AreaCode | None = Field(default=None, description="街镇/园区 of the registered address")
    competent_department: AreaCode | None = Field(default=None, description="主管部门")
    registered_on: date | None = None
    operating_since: date | None = None
    legal_person: bool | None = None
    sector: Literal["manufacturing", "construction", "services", "environment", "other"] | None = None
    four_new_field: bool | None = Field(default=None, description="四新 (新技术、新产业、新业态、新模式)")
    certified_since: date | None = Field(
        default=None, description="ISO 9001 or other management-system certification since"
    )
    excellence_model_since: date | None = Field(default=None, description="卓越绩效 practised since")
    has_chief_quality_officer: bool | None = None
    above_size_manufacturer: bool | None = None
    mu_efficiency_grade: Literal["A", "B", "C", "D"] | None = Field(default=None, description="亩均效益 grade")
    mu_efficiency_year: int | None = Field(default=None, ge=2000, le=2100)
    frontier_industry: bool | None = None
    civil_service_managed: bool | None = Field(default=None, description="按照(参照)公务员法管理的单位")
    exporter: bool | None = None
    credit_status: str | None = Field(default=None, max_length=40)


class OrganisationIn(OrganisationFacts):
    credit_code: str = Field(min_length=1, max_length=40, description="统一社会信用代码 (GB 32100-2015)")
    name: str = Field(min_length=1, max_length=200)
    principal_ref: str | None = Field(
        default=None,
        max_length=200,
        description="the applicant principal's scope owning the record (offices registering for an applicant)",
    )
    reason: str | None = Field(default=None, max_length=2000, description=_REASON)


class IndividualFacts(_Common):
    employer_id: uuid.UUID | None = Field(default=None, description="the employer: an organisation applicant")
    work_jurisdiction: Jurisdiction | None = None
    locality: AreaCode | None = None
    quality_work_since: date | None = None
    quality_work_in_jurisdiction_since: date | None = None
    jurisdiction_work_since: date | None = None
    is_top_manager: bool | None = None


class IndividualIn(IndividualFacts):
    id_number: str = Field(
        min_length=1,
        max_length=40,
        description="居民身份证号 / 港澳台居民居住证 / 外国人永久居留身份证; never shown unmasked to others",
    )
    name: str = Field(min_length=1, max_length=200)
    principal_ref: str | None = Field(default=None, max_length=200)
    reason: str | None = Field(default=None, max_length=2000, description=_REASON)


class ApplicantPatch(OrganisationFacts, IndividualFacts):
    """Any fact of the record's kind; identifiers (credit code, ID number) do not change."""

    name: str | None = Field(default=None, min_length=1, max_length=200)


class ApplicantRecordOut(BaseModel):
    id: uuid.UUID
    kind: Literal["organisation", "individual"]
    name: str
    credit_code: str | None
    id_number_masked: str | None
    id_number: str | None = Field(
        description="the full number: only to the person themself and the office handling them"
    )
    id_kind: str | None
    principal_ref: str | None
    employer_id: uuid.UUID | None
    legal_form: str | None
    industry: str | None
    nonprofit: bool | None
    size: str | None
    registered_jurisdiction: str | None
    work_jurisdiction: str | None
    locality: str | None
    competent_department: str | None
    registered_on: date | None
    operating_since: date | None
    legal_person: bool | None
    sector: str | None
    four_new_field: bool | None
    quality_work_since: date | None
    quality_work_in_jurisdiction_since: date | None
    jurisdiction_work_since: date | None
    is_top_manager: bool | None
    certified_since: date | None
    excellence_model_since: date | None
    has_chief_quality_officer: bool | None
    above_size_manufacturer: bool | None
    mu_efficiency_grade: str | None
    mu_efficiency_year: int | None
    frontier_industry: bool | None
    civil_service_managed: bool | None
    exporter: bool | None
    credit_status: str | None
    records: dict[str, list[FactRecord]]
    other_level_applications: list[OtherLevelApplication]
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, a, id_number: str | None = None) -> ApplicantRecordOut:
        data = {name: getattr(a, name) for name in cls.model_fields if name != "id_number"}
        return cls(**data, id_number=id_number)


class ApplicantOwnerIn(BaseModel):
    """The applicant account a record belongs to, set by the handling office or an admin."""

    model_config = {"extra": "forbid"}

    principal_ref: str | None = Field(
        max_length=200, description="the applicant account (its `applicant` scope); null: no account"
    )
    reason: str = Field(min_length=1, max_length=2000, description="why (recorded in the record's history)")


class ApplicantEventOut(BaseModel):
    """登记记录: one entry of a registry record's own history."""

    kind: Literal["registered", "reassigned"]
    how: Literal["verified_token", "office", "admin"] = Field(
        description="verified_token: the account's identity-platform token proved the identity; office / admin: on someone's behalf"
    )
    from_ref: str | None
    to_ref: str | None
    reason: str | None
    actor: str
    programme: str | None
    request_id: str | None
    at: datetime
