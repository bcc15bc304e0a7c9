"""Revocation cases (撤销案件): the procedure that ends an award revoked or leaves it standing."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class RevocationCase(Base):
    """撤销案件: one awarded application, one ground of its programme, the steps of its procedure.

    At most one case of an application is open at a time (a partial unique index). ``version`` is the
    case's ETag: every step raises it, so two clerks recording the same step race on ``If-Match``.
    """

    __tablename__ = "revocation_cases"
    __table_args__ = (
        Index(
            "uq_revocation_cases_application_id_open",
            "application_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_revocation_cases_programme_opened_at", "programme", "opened_at"),
        Index(
            "uq_revocation_cases_programme_document_no",
            "programme",
            "document_no",
            unique=True,
            postgresql_where=text("document_no IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    programme: Mapped[str] = mapped_column(String(40))
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"))
    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rounds.id"))
    source: Mapped[str] = mapped_column(String(20))  # report | credit_record | office_finding
    credit_record_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("credit_records.id"))
    received_on: Mapped[date] = mapped_column(Date)  # the day the report, the record or the finding came in
    ground: Mapped[str] = mapped_column(String(60))
    ground_clause: Mapped[str | None] = mapped_column(String(40))
    occurred_on: Mapped[date | None] = mapped_column(Date)  # the accident or the conduct, where the ground dates it
    evidence: Mapped[str] = mapped_column(Text)
    # the evidence files: [{material_id, filename, sha256, size, added_by, added_at}], each a material of the application
    attachments: Mapped[list] = mapped_column(JSONB, default=list, server_default=text("'[]'::jsonb"))
    # the programme's procedure as the case opened (a later version of the text does not change a running case)
    procedure: Mapped[dict] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(String(12))  # open | revoked | dismissed
    steps_done: Mapped[int] = mapped_column(Integer, default=0)
    document_no: Mapped[str | None] = mapped_column(String(100))
    decided_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    opened_by: Mapped[str] = mapped_column(String(200))
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class RevocationCaseStep(Base):
    """One recorded step of a case (核实, 决定, 批准): who recorded it, when, its result and document."""

    __tablename__ = "revocation_case_steps"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_revocation_case_steps_case_id_seq"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("revocation_cases.id"))
    seq: Mapped[int] = mapped_column(Integer)
    step: Mapped[str] = mapped_column(String(30))  # opened | verification | decision | government_approval
    result: Mapped[str] = mapped_column(String(12))  # opened | proceed | dismiss
    body_zh: Mapped[str] = mapped_column(String(200))
    clause: Mapped[str | None] = mapped_column(String(40))
    decided_on: Mapped[date] = mapped_column(Date)
    document_no: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_role: Mapped[str | None] = mapped_column(String(40))
    recorded_at: Mapped[datetime]


class RevocationItem(Base):
    """An item a revoked winner gives back (收回奖牌、证书): to recover, then recovered on a day."""

    __tablename__ = "revocation_items"
    __table_args__ = (UniqueConstraint("case_id", "item", name="uq_revocation_items_case_id_item"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("revocation_cases.id"))
    item: Mapped[str] = mapped_column(String(20))  # plaque | certificate
    clause: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12))  # to_recover | recovered
    recovered_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime]
