"""Intake: the applicant registry (申报主体), eligibility overrides, reapplication bans, forms and materials."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Computed,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base

# "01 ..." is version 1, "02 vv vv ..." names its version; NULL for organisations
ID_NUMBER_KEY_VERSION_SQL = (
    "CASE get_byte(id_number_ciphertext, 0) WHEN 1 THEN 1"
    " ELSE get_byte(id_number_ciphertext, 1) * 256 + get_byte(id_number_ciphertext, 2) END"
)


class Applicant(Base):
    """申报主体: an organisation (by 统一社会信用代码) or an individual (by 居民身份证号).

    An individual's ID number is never stored in clear: AES-GCM ciphertext to show it to the
    person and the handling office, a keyed hash to find it, a masked form for everyone else.
    The facts the programmes' eligibility criteria read are typed columns; dated look-back
    records (losses, accidents, ...) are JSON lists per fact.
    """

    __tablename__ = "applicants"
    __table_args__ = (
        UniqueConstraint("credit_code", name="uq_applicants_credit_code"),
        UniqueConstraint("id_number_hash", name="uq_applicants_id_number_hash"),
        UniqueConstraint("principal_ref", name="uq_applicants_principal_ref"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(20))  # organisation | individual
    name: Mapped[str] = mapped_column(String(200))
    # the applicant principal's ``applicant`` scope that owns this record (besides the record's id)
    principal_ref: Mapped[str | None] = mapped_column(String(200))
    # the office (programme) that registered it, which handles it
    registered_by_programme: Mapped[str | None] = mapped_column(String(40))
    # organisations
    credit_code: Mapped[str | None] = mapped_column(String(18))
    legal_form: Mapped[str | None] = mapped_column(String(60))
    industry: Mapped[str | None] = mapped_column(String(100))
    nonprofit: Mapped[bool | None] = mapped_column(Boolean)
    size: Mapped[str | None] = mapped_column(String(20))
    # individuals
    id_number_hash: Mapped[str | None] = mapped_column(String(64))
    id_number_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    # the encryption key version, read off the ciphertext's own layout (app/domain/applicants/encryption.py)
    id_number_key_version: Mapped[int | None] = mapped_column(
        Integer, Computed(ID_NUMBER_KEY_VERSION_SQL, persisted=True), index=True
    )
    id_number_masked: Mapped[str | None] = mapped_column(String(32))
    id_kind: Mapped[str | None] = mapped_column(String(40))
    employer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("applicants.id"))
    # the facts criteria read (app/domain/programmes/facts.py), one column each
    registered_jurisdiction: Mapped[str | None] = mapped_column(String(40))
    work_jurisdiction: Mapped[str | None] = mapped_column(String(40))
    # the 街镇/园区 of the registered address and the competent department (主管部门): what recommending units cover
    locality: Mapped[str | None] = mapped_column(String(60))
    competent_department: Mapped[str | None] = mapped_column(String(60))
    registered_on: Mapped[date | None] = mapped_column(Date)
    operating_since: Mapped[date | None] = mapped_column(Date)
    legal_person: Mapped[bool | None] = mapped_column(Boolean)
    sector: Mapped[str | None] = mapped_column(String(40))
    four_new_field: Mapped[bool | None] = mapped_column(Boolean)
    quality_work_since: Mapped[date | None] = mapped_column(Date)
    quality_work_in_jurisdiction_since: Mapped[date | None] = mapped_column(Date)
    jurisdiction_work_since: Mapped[date | None] = mapped_column(Date)
    is_top_manager: Mapped[bool | None] = mapped_column(Boolean)
    certified_since: Mapped[date | None] = mapped_column(Date)
    excellence_model_since: Mapped[date | None] = mapped_column(Date)
    has_chief_quality_officer: Mapped[bool | None] = mapped_column(Boolean)
    above_size_manufacturer: Mapped[bool | None] = mapped_column(Boolean)
    mu_efficiency_grade: Mapped[str | None] = mapped_column(String(1))
    mu_efficiency_year: Mapped[int | None] = mapped_column(Integer)
    frontier_industry: Mapped[bool | None] = mapped_column(Boolean)
    civil_service_managed: Mapped[bool | None] = mapped_column(Boolean)
    exporter: Mapped[bool | None] = mapped_column(Boolean)
    credit_status: Mapped[str | None] = mapped_column(String(40))
    # {fact: [{"on": "YYYY-MM-DD", "description": ..., "excepted": null | "policy_losses" | ...}]}
    records: Mapped[dict] = mapped_column(JSONB, default=dict)
    # applications to awards of other levels the applicant declares: [{"year", "jurisdiction", "award_zh"}]
    other_level_applications: Mapped[list] = mapped_column(JSONB, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ApplicantRecordEvent(Base):
    """申报主体登记记录: how a registry record came to be and to whom it belongs, entry by entry.

    ``registered`` (``how``: ``verified_token`` when the account's token proved the identity,
    ``office`` / ``admin`` when registered on someone's behalf, with the reason) and
    ``reassigned`` (from one applicant account to another, with the reason). Never updated.
    """

    __tablename__ = "applicant_record_events"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    applicant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applicants.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # registered | reassigned
    how: Mapped[str] = mapped_column(String(20))  # verified_token | office | admin
    from_ref: Mapped[str | None] = mapped_column(String(200))
    to_ref: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    programme: Mapped[str | None] = mapped_column(String(40))  # the acting office's programme
    request_id: Mapped[str | None] = mapped_column(String(100))
    at: Mapped[datetime]


class AccountNotification(Base):
    """A notice to an applicant account waiting to be sent (the outbox's first rows, 待发送通知).

    Until an outbox delivers them (issue 13), they are only recorded: ``sent_at`` stays null.
    """

    __tablename__ = "account_notifications"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    account_ref: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[uuid.UUID]
    text_zh: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class EligibilityOverride(Base):
    """An office's recorded override of one criterion's result for one application (with its reason)."""

    __tablename__ = "eligibility_overrides"
    __table_args__ = (Index("ix_eligibility_overrides_application_id_criterion", "application_id", "criterion"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"))
    criterion: Mapped[str] = mapped_column(String(80))
    computed: Mapped[str] = mapped_column(String(20))  # the result the service computed when overridden
    result: Mapped[str] = mapped_column(String(20))  # pass | fail
    reason: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]


class ReapplicationBan(Base):
    """禁止申报: a ban on applying, from a start to an end (null: for life), with its scope and reason.

    Written when an award is approved (re-application after winning) or revoked (after
    revocation), or recorded by an office for an award won before the service ran. The
    applicant is identified by credit code or ID-number hash, so a ban binds whoever applies with
    the same identifier, registered or not.
    """

    __tablename__ = "reapplication_bans"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    applicant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("applicants.id"), index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    id_number_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    applicant_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))  # ban_after_award | lifetime_ban_after_award | ban_after_revocation
    rule: Mapped[str] = mapped_column(String(80))  # the programme's reapplication rule id
    clause: Mapped[str | None] = mapped_column(String(40))
    programme: Mapped[str] = mapped_column(String(40), index=True)
    level: Mapped[str] = mapped_column(String(20))  # district | city | province: the banning programme's level
    scope: Mapped[str] = mapped_column(String(40))  # same_award | same_tier | programme | same_or_higher_level
    tier: Mapped[str | None] = mapped_column(String(40))
    category: Mapped[str | None] = mapped_column(String(40))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)  # last day banned; null: for life
    reason: Mapped[str] = mapped_column(Text)
    source_application_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("applications.id"))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ApplicationForm(Base):
    """申报表: the programme's form fields, the self-assessment score and the criteria statements."""

    __tablename__ = "application_forms"

    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    fields: Mapped[dict] = mapped_column(JSONB, default=dict)
    self_assessment_score: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    statements: Mapped[dict] = mapped_column(JSONB, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ApplicationMaterial(Base):
    """申报材料: one stored file (自我评价报告, 证实性材料, 推荐意见), identified by its SHA-256."""

    __tablename__ = "application_materials"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300))
    # the encryption key version the stored file is sealed under; 0: stored before encryption (app/domain/files/sealing.py)
    key_version: Mapped[int] = mapped_column(Integer, server_default="0")
    uploaded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    # removed from the draft; the file stays (a frozen version may name it)
    removed_at: Mapped[datetime | None]


class ApplicationSnapshot(Base):
    """A version of the form and materials frozen when the application was submitted."""

    __tablename__ = "application_snapshots"
    __table_args__ = (UniqueConstraint("application_id", "seq", name="uq_application_snapshots_application_id_seq"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"))
    seq: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(40))
    form: Mapped[dict] = mapped_column(JSONB)
    materials: Mapped[list] = mapped_column(JSONB)
    facts: Mapped[dict] = mapped_column(JSONB)
    frozen_at: Mapped[datetime]
