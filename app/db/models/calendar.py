"""法定节假日安排 as tables: loaded years, their special days, and the revisions that changed them.

Only statutory holidays and make-up working days (调休上班) are stored; every other day follows
from its weekday. A year is replaced whole; every replacement is a new row in
``calendar_revisions`` (INTERPRETATIONS §4-5), and ``calendar_years.revision`` names the revision
each year is at.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class CalendarRevision(Base):
    """One change of the calendar. ``year`` is NULL for the initial seed of 2004-2026."""

    __tablename__ = "calendar_revisions"

    revision: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    actor: Mapped[str] = mapped_column(String(200))


class CalendarYearRow(Base):
    """A loaded year, with the notice (or package) it was loaded from."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(server_default=func.now())
    revision: Mapped[int] = mapped_column(ForeignKey("calendar_revisions.revision"))


class CalendarDay(Base):
    """A statutory holiday (named) or a make-up working day of a loaded year."""

    __tablename__ = "calendar_days"
    __table_args__ = (
        CheckConstraint("kind IN ('holiday', 'makeup_workday')", name="kind"),
        CheckConstraint("kind <> 'holiday' OR name IS NOT NULL", name="holiday_named"),
        CheckConstraint("year = EXTRACT(YEAR FROM date)", name="date_in_year"),
    )

    date: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("calendar_years.year", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(Text)
