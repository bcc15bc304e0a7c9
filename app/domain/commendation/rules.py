"""What the government's acts require (pure): who the approving body is, the dates, the numbers.

The government approves the list that passed the winners' notice (changning-26a, jinshan-18n,
hangzhou-3.3.8, linyi-14i, tianning-12k) and commends the winners by a numbered document
(changning-26a, jinshan-19a, hangzhou-4.2, tianning-13a).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.errors import DomainError, FieldError, invalid
from app.domain.programmes.version import ProgrammeVersion
from app.domain.states import ApplicationState as S


@dataclass(frozen=True)
class GovernmentBody:
    """The body of role ``government`` the programme's data names (人民政府), with the clause naming it."""

    name_zh: str
    clause: str | None


def government_of(prog: ProgrammeVersion) -> GovernmentBody:
    body = next((b for b in prog.bodies if b.role == "government"), None)
    if body is not None:
        return GovernmentBody(body.name_zh, body.clause)
    # a programme whose data names no government body: its jurisdiction's people's government
    return GovernmentBody(f"{prog.jurisdiction.name_zh}人民政府", None)


def approval_clause(prog: ProgrammeVersion) -> str | None:
    """The clause of the government's approval: the pipeline's ``government_approval`` stage."""
    return next((s.clause for s in prog.pipeline if str(s.stage) == S.GOVERNMENT_APPROVAL), None)


def commendation_clause(prog: ProgrammeVersion) -> str | None:
    if prog.commendation is not None:
        return prog.commendation.decision_clause
    return government_of(prog).clause


def announcement_clause(prog: ProgrammeVersion) -> str | None:
    if prog.commendation is not None:
        return prog.commendation.announcement_clause
    return commendation_clause(prog)


def document_number(value: str, field: str = "document_no") -> str:
    """A document number (文号) as written, its surrounding blanks dropped; a blank one is refused."""
    number = value.strip()
    if not number:
        raise invalid(field, "文号不能为空", "the document number must not be blank", "blank")
    return number


def number_taken(number: str, field: str = "document_no") -> DomainError:
    return DomainError(
        "document-number-taken",
        409,
        f"文号“{number}”已被本项目的另一份文件使用",
        f"Document number '{number}' is already used by another document of this programme",
        title="Conflict",
        errors=[FieldError(field, "文号已被使用", "the document number is already used", "duplicate")],
    )


def not_in_future(day: date, today: date, field: str) -> None:
    if day > today:
        raise invalid(
            field,
            f"日期不能晚于今天（{today.isoformat()}）",
            f"the date must not be after today ({today.isoformat()})",
            "date_in_future",
        )


def not_before(day: date, earliest: date, field: str, what_zh: str, what_en: str, clause: str | None = None) -> None:
    if day < earliest:
        err = invalid(
            field,
            f"日期不能早于{what_zh}（{earliest.isoformat()}）",
            f"the date must not be before {what_en} ({earliest.isoformat()})",
            "date_too_early",
        )
        err.clause = clause
        raise err


def already_recorded(what_zh: str, what_en: str) -> DomainError:
    return DomainError(
        "government-act-recorded",
        409,
        f"本届的{what_zh}已经登记，每届只登记一次",
        f"This round's {what_en} is already recorded (once per round)",
        title="Conflict",
    )


def not_ready(zh: str, en: str, requires: str, clause: str | None = None, **extra) -> DomainError:
    return DomainError(
        "round-not-ready",
        409,
        zh,
        en,
        title="Conflict",
        clause=clause,
        extra={"requires": requires, **extra},
    )
