"""Awards after the commendation: the certificates (证书) anyone can verify."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class Certificate(Base):
    """证书: the numbered certificate of one award, as the commendation decision gave it.

    Written once at the commendation; only its status changes (``valid`` → ``revoked``), each change
    raising ``version`` so a verifier's ETag changes at once.
    """

    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("number", name="uq_certificates_number"),
        UniqueConstraint("application_id", name="uq_certificates_application_id"),
        UniqueConstraint("programme", "award_year", "sequence", name="uq_certificates_programme_award_year_sequence"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    number: Mapped[str] = mapped_column(String(60))
    programme: Mapped[str] = mapped_column(String(40))
    award_year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"))
    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rounds.id"))
    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("government_documents.id"))
    programme_name_zh: Mapped[str] = mapped_column(String(200))
    holder_name: Mapped[str] = mapped_column(String(200))
    applicant_kind: Mapped[str] = mapped_column(String(20))
    # organisations: the credit code (public); individuals: the employer, never an ID number
    credit_code: Mapped[str | None] = mapped_column(String(18))
    employer: Mapped[str | None] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(40))
    tier_name_zh: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40))
    category_name_zh: Mapped[str] = mapped_column(String(200))
    commendation_no: Mapped[str] = mapped_column(String(100))
    issued_by_zh: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="valid")  # valid | revoked
    revoked_on: Mapped[date | None] = mapped_column(Date)
    revocation_document_no: Mapped[str | None] = mapped_column(String(100))
    revocation_ground: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
