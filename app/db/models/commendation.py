"""After the winners' notice: the submission to the government (报批), the government's documents
(批准, 表彰决定) and the awards a commendation decision names."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class GovernmentDocument(Base):
    """政府文件: an approval (批准) or a commendation decision (表彰决定), by its document number (文号).

    A document number names one document of a programme, whatever its kind; a round has at most one
    of each kind.
    """

    __tablename__ = "government_documents"
    __table_args__ = (
        UniqueConstraint("programme", "document_no", name="uq_government_documents_programme_document_no"),
        UniqueConstraint("round_id", "kind", name="uq_government_documents_round_id_kind"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    programme: Mapped[str] = mapped_column(String(40))
    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rounds.id"))
    kind: Mapped[str] = mapped_column(String(20))  # approval | commendation
    document_no: Mapped[str] = mapped_column(String(100))
    issued_on: Mapped[date] = mapped_column(Date)
    issued_by_zh: Mapped[str] = mapped_column(String(200))  # the programme's body of role government
    title_zh: Mapped[str] = mapped_column(Text)
    clause: Mapped[str | None] = mapped_column(String(40))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime]


class ApprovalSubmission(Base):
    """报批: the list that passed the winners' notice, submitted to the government once per round."""

    __tablename__ = "approval_submissions"
    __table_args__ = (UniqueConstraint("round_id", name="uq_approval_submissions_round_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rounds.id"))
    programme: Mapped[str] = mapped_column(String(40))
    submitted_on: Mapped[date] = mapped_column(Date)
    submitted_to_zh: Mapped[str] = mapped_column(String(200))
    clause: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    submitted_by: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[datetime]
    approval_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("government_documents.id"))


class ApprovalSubmissionEntry(Base):
    """One application on a submitted list; ``approved`` once the government's approval names it."""

    __tablename__ = "approval_list_entries"
    __table_args__ = (UniqueConstraint("application_id", name="uq_approval_list_entries_application_id"),)

    submission_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("approval_submissions.id"), primary_key=True)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    approved: Mapped[bool] = mapped_column(Boolean, default=False)


class CommendationAward(Base):
    """One winner a commendation decision names, as the decision shows it (tier and category given).

    "The commendation of this application" is one query: this row joined to its document.
    """

    __tablename__ = "commendation_awards"
    __table_args__ = (UniqueConstraint("application_id", name="uq_commendation_awards_application_id"),)

    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("government_documents.id"), primary_key=True)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    applicant_kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    # organisations: the credit code (public in the notices); individuals: the employer, never an ID number
    credit_code: Mapped[str | None] = mapped_column(String(18))
    employer: Mapped[str | None] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(40))
    tier_name_zh: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40))
    category_name_zh: Mapped[str] = mapped_column(String(200))
