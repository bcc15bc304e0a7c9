"""载入年度节假日安排的校验: checks on a year an administrator loads from the State Council notice.

Every problem names the date and the field it came from (``holidays[3].date``,
``makeup_workdays[0]``), in Chinese and in English, so the office can correct the notice's
transcription line by line.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.domain.errors import DomainError, FieldError

_WEEKDAYS_ZH = "一二三四五六日"


def validate_year(
    year: int,
    holidays: Sequence[tuple[date, str]],
    makeup_workdays: Sequence[date],
) -> list[FieldError]:
    """Problems with a year's arrangement; an empty list when it may be loaded.

    Rules: every date lies inside ``year``; no holiday is listed twice; no date is both a holiday
    and a make-up working day; a make-up working day (调休上班) is a Saturday or Sunday, since a
    weekday is a working day already; a holiday has a name.
    """
    errors: list[FieldError] = []
    seen_holidays: dict[date, int] = {}
    for i, (d, name) in enumerate(holidays):
        where = f"holidays[{i}].date"
        if d.year != year:
            errors.append(_outside(where, d, year))
        if d in seen_holidays:
            errors.append(
                FieldError(
                    where,
                    f"{d.isoformat()} 重复列为节假日（已见于第 {seen_holidays[d] + 1} 项）",
                    f"{d.isoformat()} is listed as a holiday twice (first at holidays[{seen_holidays[d]}])",
                    code="duplicate-holiday",
                )
            )
        else:
            seen_holidays[d] = i
        if not name or not name.strip():
            errors.append(
                FieldError(
                    f"holidays[{i}].name",
                    f"{d.isoformat()} 的节日名称不能为空",
                    f"the holiday on {d.isoformat()} needs a name",
                    code="missing-name",
                )
            )
    seen_makeup: dict[date, int] = {}
    for i, d in enumerate(makeup_workdays):
        where = f"makeup_workdays[{i}]"
        if d.year != year:
            errors.append(_outside(where, d, year))
        if d in seen_holidays:
            errors.append(
                FieldError(
                    where,
                    f"{d.isoformat()} 同时列为节假日（holidays[{seen_holidays[d]}]）和调休上班日",
                    f"{d.isoformat()} is both a holiday (holidays[{seen_holidays[d]}]) and a make-up working day",
                    code="holiday-and-makeup-workday",
                )
            )
        if d.weekday() < 5:
            errors.append(
                FieldError(
                    where,
                    f"{d.isoformat()} 是星期{_WEEKDAYS_ZH[d.weekday()]}，调休上班日只能是星期六或星期日",
                    f"{d.isoformat()} is a {d.strftime('%A')}; a make-up working day must be a Saturday or Sunday",
                    code="makeup-workday-not-weekend",
                )
            )
        if d in seen_makeup:
            errors.append(
                FieldError(
                    where,
                    f"{d.isoformat()} 重复列为调休上班日",
                    f"{d.isoformat()} is listed as a make-up working day twice",
                    code="duplicate-makeup-workday",
                )
            )
        else:
            seen_makeup[d] = i
    return errors


def invalid_year(year: int, errors: list[FieldError]) -> DomainError:
    """The refusal for a year load that failed ``validate_year``."""
    listed = "; ".join(e.en for e in errors[:3]) + ("; ..." if len(errors) > 3 else "")
    return DomainError(
        slug="calendar-year-invalid",
        status=422,
        title="Invalid Calendar Year",
        zh=f"{year}年节假日安排有 {len(errors)} 处错误：" + "；".join(e.zh for e in errors[:3]),
        en=f"The {year} holiday arrangement has {len(errors)} error(s): {listed}",
        errors=errors,
        extra={"year": year},
    )


def _outside(where: str, d: date, year: int) -> FieldError:
    return FieldError(
        where,
        f"{d.isoformat()} 不在 {year} 年内",
        f"{d.isoformat()} is not in {year}",
        code="date-outside-year",
    )
