"""The rules a revocation case (撤销案件) follows: its ground, its time limit, its procedure's order.

Each text states its grounds (``revocation_grounds``) and its procedure (``revocation_procedure``) as
the programme's data; what the text leaves silent is a default marked ``stated: false``.
"""

from __future__ import annotations

from datetime import date

from app.domain.errors import DomainError, FieldError, invalid
from app.domain.programmes.schema import RevocationGround, RevocationProcedure

SOURCES = ("report", "credit_record", "office_finding")
OPEN, REVOKED, DISMISSED = "open", "revoked", "dismissed"
PROCEED, DISMISS = "proceed", "dismiss"
ITEM_NAMES_ZH = {"plaque": "奖牌", "certificate": "证书"}
STEP_NAMES_ZH = {
    "opened": "立案",
    "verification": "核实",
    "decision": "审定/领导小组决定",
    "government_approval": "政府批准",
}
APPLIES_TO_ZH = {"organisation": "组织（单位）", "individual": "个人"}

# a programme whose data states no procedure: verify, then a numbered approval (the service's reading)
DEFAULT_PROCEDURE = RevocationProcedure.model_validate(
    {
        "steps": [
            {"step": "verification", "body_zh": "评审办公室", "stated": False},
            {"step": "government_approval", "body_zh": "人民政府", "document_no": True, "stated": False},
        ],
        "recovery": {"items": ["plaque", "certificate"], "stated": False},
        "public_notice": {"stated": False},
    }
)


def procedure_of(prog) -> RevocationProcedure:
    return prog.revocation_procedure or DEFAULT_PROCEDURE


def ground_of(prog, ground_id: str, applicant_kind: str) -> RevocationGround:
    """The programme's ground ``ground_id`` for this kind of winner (linyi-23b-k units, linyi-24b-j individuals);
    422 naming ``ground`` otherwise, listing the grounds that apply."""
    usable = [g for g in prog.revocation_grounds if g.applies_to in ("all", applicant_kind)]
    found = next((g for g in usable if g.id == ground_id), None)
    if found is not None:
        return found
    ids = [g.id for g in usable]
    other_kind = any(g.id == ground_id for g in prog.revocation_grounds)
    if other_kind:
        kind_zh = APPLIES_TO_ZH.get(applicant_kind, applicant_kind)
        zh = f"该撤销情形不适用于获奖{kind_zh}；可选：{'、'.join(ids)}"
        en = f"this ground does not apply to a winning {applicant_kind}; one of: {', '.join(ids)}"
        code = "ground_not_for_applicant"
    else:
        zh, en, code = (
            f"不是本办法规定的撤销情形；可选：{'、'.join(ids)}",
            f"not a ground of this programme; one of: {', '.join(ids)}",
            "enum",
        )
    raise DomainError(
        "validation-error",
        422,
        "撤销理由不是本办法对该获奖者规定的情形",
        "The ground is not a revocation ground of this programme for this winner",
        title="Unprocessable Content",
        errors=[FieldError("ground", zh, en, code)],
        extra={"grounds": ids},
    )


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February: the period ends on the 28th (Civil Code art. 201: no such day, the month's last)
        return day.replace(year=day.year + years, day=28)


def check_within_period(ground: RevocationGround, awarded_on: date | None, occurred_on: date | None) -> None:
    """hangzhou-6.5: the post-award accident ground holds only for what happened within two years of the award;
    a ground with such a limit needs the day it happened, on or after the award and inside the period."""
    years = ground.within_years_after_award
    if years is None:
        return
    if occurred_on is None:
        raise DomainError(
            "validation-error",
            422,
            f"该撤销情形限于获奖后{years}年内发生，须填写发生日期",
            f"This ground holds only within {years} years of the award: occurred_on is required",
            title="Unprocessable Content",
            clause=ground.clause,
            errors=[FieldError("occurred_on", "必填", "required", "missing")],
        )
    if awarded_on is None:
        return
    ends = _add_years(awarded_on, years)
    if not awarded_on <= occurred_on <= ends:
        raise DomainError(
            "validation-error",
            422,
            f"该撤销情形限于获奖（{awarded_on.isoformat()}）后{years}年内（至 {ends.isoformat()}）发生的事项",
            f"This ground holds only for what happened within {years} years of the award "
            f"({awarded_on.isoformat()} to {ends.isoformat()})",
            title="Unprocessable Content",
            clause=ground.clause,
            errors=[
                FieldError(
                    "occurred_on",
                    f"须在 {awarded_on.isoformat()} 至 {ends.isoformat()} 之间",
                    f"must be between {awarded_on.isoformat()} and {ends.isoformat()}",
                    "outside_period",
                )
            ],
        )


def not_awarded(application_id: object, state: str) -> DomainError:
    """Only an award in force can be revoked (``revoked`` is reachable only from ``awarded``)."""
    return DomainError(
        "not-awarded",
        409,
        f"申报“{application_id}”未获奖（当前状态：{state}），不能立案撤销",
        f"Application '{application_id}' holds no award (state: {state}); no revocation case can be opened",
        title="Conflict",
        errors=[FieldError("application_id", "未获奖", "not awarded", "not_awarded")],
        extra={"state": state},
    )


def case_closed(status: str) -> DomainError:
    return DomainError(
        "revocation-case-closed",
        409,
        f"撤销案件已办结（{'已撤销' if status == REVOKED else '不予撤销'}），不能再记录",
        f"The revocation case is closed ({status}); nothing more can be recorded",
        title="Conflict",
        extra={"case_status": status},
    )


def step_out_of_order(given: str, expected: str) -> DomainError:
    return DomainError(
        "revocation-step-out-of-order",
        409,
        f"本案下一步应为“{STEP_NAMES_ZH.get(expected, expected)}”，不是“{STEP_NAMES_ZH.get(given, given)}”",
        f"The case's next step is '{expected}', not '{given}'",
        title="Conflict",
        errors=[FieldError("step", f"应为 {expected}", f"must be {expected}", "out_of_order")],
        extra={"expected_step": expected},
    )


def check_step_date(decided_on: date, not_before: date, today: date, field: str = "decided_on") -> None:
    if decided_on > today:
        raise invalid(field, "不能晚于今天", "must not be in the future", "date_in_future")
    if decided_on < not_before:
        raise invalid(
            field,
            f"不能早于上一步（{not_before.isoformat()}）",
            f"must not be before the previous step ({not_before.isoformat()})",
            "date_before_previous_step",
        )


def document_no_required(step: str, clause: str | None) -> DomainError:
    return DomainError(
        "validation-error",
        422,
        f"“{STEP_NAMES_ZH.get(step, step)}”须填写文号",
        f"The step '{step}' needs its document number",
        title="Unprocessable Content",
        clause=clause,
        errors=[FieldError("document_no", "必填", "required", "missing")],
    )


def document_no_taken(document_no: str) -> DomainError:
    return DomainError(
        "document-number-taken",
        409,
        f"文号“{document_no}”已被本项目的其他文件使用",
        f"The document number '{document_no}' already names another document of this programme",
        title="Conflict",
        errors=[FieldError("document_no", "文号已被使用", "already used", "taken")],
    )


def item_unknown(item: str, items: list[str]) -> DomainError:
    return DomainError(
        "not-found",
        404,
        f"本案没有需收回的“{item}”",
        f"The case has no item '{item}' to recover",
        title="Not Found",
        extra={"items": items},
    )
