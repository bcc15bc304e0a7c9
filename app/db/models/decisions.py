"""Committee decisions (评审会审议与表决): members, their conflicts, candidate lists, meetings, votes.

A secret ballot (无记名投票, hangzhou-3.3.6b) is two tables with nothing joining them: who took
part (``committee_vote_participation``, choice empty) and the ballots (``committee_secret_ballots``:
the candidate and the choice under a random key, no voter, no time, no sequence).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class CommitteeMember(Base):
    """委员: a member of a programme's committee body, linked to an identity subject (role ``committee``)."""

    __tablename__ = "committee_members"
    __table_args__ = (UniqueConstraint("programme", "subject", name="uq_committee_members_programme_subject"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    programme: Mapped[str] = mapped_column(String(40), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(20))  # chair | member
    employer_name: Mapped[str | None] = mapped_column(String(200))
    employer_credit_code: Mapped[str | None] = mapped_column(String(18))
    term_starts_on: Mapped[date] = mapped_column(Date)
    term_ends_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class CommitteeConflict(Base):
    """回避申报: a member's declared tie to an applicant (by credit code) or an application."""

    __tablename__ = "committee_conflicts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("committee_members.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    application_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("applications.id"))
    detail: Mapped[str] = mapped_column(Text)
    clause: Mapped[str | None] = mapped_column(String(40))
    declared_by: Mapped[str] = mapped_column(String(200))
    declared_at: Mapped[datetime]


class CommitteeConflictOverride(Base):
    """The office's decision that a found conflict does not bar a member from one candidate, with its
    reason; the supervision team reads every one (hangzhou-6.1)."""

    __tablename__ = "committee_conflict_overrides"
    __table_args__ = (
        UniqueConstraint("member_id", "application_id", name="uq_committee_conflict_overrides_member_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("committee_members.id"))
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime]


class CandidateList(Base):
    """候选名单: the office's ranked proposal for a round, per tier and category, versioned until its meeting."""

    __tablename__ = "committee_candidate_lists"
    __table_args__ = (UniqueConstraint("round_id", name="uq_committee_candidate_lists_round_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rounds.id"))
    programme: Mapped[str] = mapped_column(String(40))
    groups: Mapped[list] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(String(20))  # proposed | on_agenda
    version: Mapped[int] = mapped_column(Integer)
    proposed_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime]


class Meeting(Base):
    """评审会议: convened with the list as its agenda; attendance, reports heard, resolutions, outcome."""

    __tablename__ = "committee_meetings"
    __table_args__ = (UniqueConstraint("list_id", name="uq_committee_meetings_list_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rounds.id"), index=True)
    list_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("committee_candidate_lists.id"))
    programme: Mapped[str] = mapped_column(String(40))
    chair_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("committee_members.id"))
    held_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))  # convened | closed
    agenda: Mapped[list] = mapped_column(JSONB)
    attendance: Mapped[list] = mapped_column(JSONB)
    reports: Mapped[dict] = mapped_column(JSONB)  # kind → the report heard (汇报) and when
    deliberations: Mapped[dict] = mapped_column(JSONB)
    resolutions: Mapped[list] = mapped_column(JSONB)
    outcome: Mapped[dict] = mapped_column(JSONB)
    version: Mapped[int] = mapped_column(Integer)
    convened_by: Mapped[str] = mapped_column(String(200))
    convened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class VoteParticipation(Base):
    """Who voted on which candidate: one row per member and candidate, however requests race. Its
    choice is the named vote of a show of hands (举手表决, hangzhou-3.3.6c) and empty for a secret ballot."""

    __tablename__ = "committee_vote_participation"
    __table_args__ = (CheckConstraint("(method = 'secret_ballot') = (choice IS NULL)", name="secret_no_choice"),)

    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("committee_meetings.id"), primary_key=True)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("committee_members.id"), primary_key=True)
    method: Mapped[str] = mapped_column(String(20))
    choice: Mapped[str | None] = mapped_column(String(10))


class SecretBallot(Base):
    """无记名选票 (hangzhou-3.3.6b): the candidate and the choice, under a random key; nothing names
    or orders the voter (no member, no time, no sequence)."""

    __tablename__ = "committee_secret_ballots"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("committee_meetings.id"), index=True)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"))
    choice: Mapped[str] = mapped_column(String(10))


class CommitteeDecision(Base):
    """The body's decision on a candidate at a closed meeting: what ``select`` / ``not_select`` rests on."""

    __tablename__ = "committee_decisions"
    __table_args__ = (UniqueConstraint("application_id", "meeting_id", name="uq_committee_decisions_application_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("committee_meetings.id"))
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applications.id"), index=True)
    result: Mapped[str] = mapped_column(String(20))  # select | not_select
    tier: Mapped[str | None] = mapped_column(String(40))
    decided_at: Mapped[datetime]
