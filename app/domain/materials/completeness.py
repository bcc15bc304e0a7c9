"""A complete application (完整的申报): the form (申报表) filled in as its schema asks, and the required materials.

What an application holds is programme data (``application`` in a definition: the form's typed
fields and the materials each category must carry, each with its clause: changning-20a,
jinshan-18a, hangzhou-3.3.1, linyi-14b, tianning-12b). The form is checked field by field when it
is saved (types and limits, so a clerk learns of a mistake at once) and for the required fields at
``submit``, which is refused with 422 ``/application-incomplete`` naming every missing piece and
its clause: the same refusal kind as ``/ineligible``, which also lists every failure at once.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.repositories import materials as repo
from app.db.repositories import workflow as workflow_repo
from app.domain.errors import DomainError, FieldError, not_found
from app.domain.lookups import service as lookups
from app.domain.programmes.effective import effective_programme
from app.domain.programmes.schema import FormField
from app.domain.review import confidentiality
from app.identity import Principal

# a mainland mobile number, or a landline with its area code and an optional extension
_PHONE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def fields_for(prog, category: str) -> list[FormField]:
    if prog.application is None:
        return []
    return [f for f in prog.application.form.fields if f.categories is None or category in f.categories]


def materials_for(prog, category: str) -> list:
    if prog.application is None:
        return []
    return [m for m in prog.application.materials if m.categories is None or category in m.categories]


def _allowed(f: FormField, programme: str) -> list[str]:
    if f.choices:
        return list(f.choices)
    per_programme = f.lookup in ("localities", "tiers", "categories")
    return [v["code"] for v in lookups.values(f.lookup or "", programme if per_programme else None)]


def _range_words(f: FormField) -> tuple[str, str]:
    lo, hi = f.min, f.max
    if lo is not None and hi is not None:
        return f"{lo} 至 {hi}", f"between {lo} and {hi}"
    if lo is not None:
        return f"不小于 {lo}", f"at least {lo}"
    if hi is not None:
        return f"不大于 {hi}", f"at most {hi}"
    return "", ""


def _check_value(f: FormField, value: Any, programme: str) -> FieldError | None:
    """Why ``value`` does not fit field ``f`` (naming the limit), or None."""
    where = f"fields.{f.key}"
    label = f.label_zh
    match f.type:
        case "text":
            if not isinstance(value, str):
                return FieldError(where, f"“{label}”应为文字", f"'{f.label_en}' must be text", "string_type")
            if f.max_length is not None and len(value) > f.max_length:
                return FieldError(
                    where,
                    f"“{label}”最多 {f.max_length} 个字，现有 {len(value)} 个",
                    f"'{f.label_en}' holds at most {f.max_length} characters, got {len(value)}",
                    "string_too_long",
                )
        case "integer" | "decimal":
            number: Decimal | None = None
            if f.type == "integer":
                if isinstance(value, int) and not isinstance(value, bool):
                    number = Decimal(value)
            elif not isinstance(value, bool) and isinstance(value, (int, float, str)):
                try:
                    number = Decimal(str(value))
                except InvalidOperation:
                    number = None
                if number is not None and not number.is_finite():
                    number = None
            zh_range, en_range = _range_words(f)
            if number is None:
                kind_zh, kind_en = ("整数", "an integer") if f.type == "integer" else ("数值", "a number")
                return FieldError(
                    where,
                    f"“{label}”应为{kind_zh}" + (f"（{zh_range}）" if zh_range else ""),
                    f"'{f.label_en}' must be {kind_en}" + (f" ({en_range})" if en_range else ""),
                    "number_type",
                )
            if (f.min is not None and number < f.min) or (f.max is not None and number > f.max):
                return FieldError(
                    where,
                    f"“{label}”应为 {zh_range}，现为 {value}",
                    f"'{f.label_en}' must be {en_range}, got {value}",
                    "out_of_range",
                )
        case "date":
            ok = isinstance(value, str) and _DATE.match(value)
            if ok:
                try:
                    date.fromisoformat(value)
                except ValueError:
                    ok = False
            if not ok:
                return FieldError(
                    where,
                    f"“{label}”应为 YYYY-MM-DD 格式的日期，如 2026-01-31",
                    f"'{f.label_en}' must be a date YYYY-MM-DD, e.g. 2026-01-31",
                    "date_parsing",
                )
        case "phone":
            if not isinstance(value, str) or not _PHONE.match(value.strip()):
                return FieldError(
                    where,
                    f"“{label}”应为手机号（11 位，如 13800000000）或带区号的固话（如 021-12345678）",
                    f"'{f.label_en}' must be a mobile number (11 digits) or a landline with its area code (021-12345678)",
                    "phone",
                )
        case "boolean":
            if not isinstance(value, bool):
                return FieldError(
                    where, f"“{label}”应为 true 或 false", f"'{f.label_en}' must be true or false", "bool_type"
                )
        case "choice":
            allowed = _allowed(f, programme)
            if not isinstance(value, str) or value not in allowed:
                shown = "、".join(allowed[:5])
                href = f" ；全部取值见 {lookups.LOOKUPS_PATH}/{f.lookup}" if f.lookup else ""
                return FieldError(
                    where,
                    f"“{label}”应为代码，如 {shown}{href}",
                    f"'{f.label_en}' must be a code, e.g. {', '.join(allowed[:5])}"
                    + (f"; every value: {lookups.LOOKUPS_PATH}/{f.lookup}" if f.lookup else ""),
                    "enum",
                )
    return None


def field_errors(prog, category: str, fields: dict, *, required: bool) -> list[FieldError]:
    """The form's invalid fields (and, with ``required``, the required ones left empty)."""
    errors: list[FieldError] = []
    for f in fields_for(prog, category):
        value = fields.get(f.key)
        if value is None or value == "":
            if required and f.required:
                errors.append(
                    FieldError(
                        f"form.fields.{f.key}",
                        f"申报表“{f.label_zh}”未填写",
                        f"The form's '{f.label_en}' is not filled in",
                        "missing",
                    )
                )
            continue
        err = _check_value(f, value, prog.code)
        if err is not None:
            if required:
                err.field = f"form.{err.field}"
            errors.append(err)
    return errors


def check_form(prog, category: str, fields: dict) -> None:
    """On saving the form: 422 naming each field whose value does not fit its type or limits."""
    errors = field_errors(prog, category, fields, required=False)
    if errors:
        raise DomainError(
            "validation-error",
            422,
            "申报表填写有误：" + "；".join(e.zh for e in errors),
            "The form has invalid fields: " + "; ".join(e.en for e in errors),
            title="Unprocessable Content",
            errors=errors,
        )


def missing_pieces(prog, category: str, form, materials: list) -> list[dict]:
    """Each piece a submission still lacks: the form, a required field, a required material; with its clause."""
    if prog.application is None:
        return []
    contents = prog.application
    out: list[dict] = []
    form_clause = contents.form.clause or prog.application_clause
    if form is None:
        out.append(
            {
                "piece": "form",
                "name_zh": f"《{contents.form.name_zh}》",
                "name_en": "the application form",
                "clause": form_clause,
            }
        )
    else:
        for e in field_errors(prog, category, form.fields or {}, required=True):
            out.append({"piece": e.field, "name_zh": e.zh, "name_en": e.en, "clause": form_clause})
    present = {m.kind for m in materials}
    for m in materials_for(prog, category):
        if m.kind not in present:
            out.append(
                {
                    "piece": f"materials.{m.kind}",
                    "name_zh": f"《{m.name_zh}》" if not m.name_zh.startswith("《") else m.name_zh,
                    "name_en": lookups.MATERIAL_KIND_NAMES.get(m.kind, (m.kind, m.kind))[1],
                    "clause": m.clause or prog.application_clause,
                }
            )
    return out


async def _missing(session: AsyncSession, app, rnd, pre=None) -> tuple[Any, list[dict]]:
    prog = effective_programme(rnd.programme, rnd.programme_version, rnd.overrides)
    if pre is not None and app.id in pre.materials:
        form, materials = pre.forms.get(app.id), pre.materials[app.id]
    else:
        form = await repo.get_form(session, app.id)
        materials = await repo.current_materials(session, app.id)
    return prog, missing_pieces(prog, app.category, form, materials)


def _refusal(missing: list[dict], clause: str | None) -> DomainError:
    return DomainError(
        "application-incomplete",
        422,
        "申报材料不完整，缺少：" + "；".join(f"{m['name_zh']}（{m['clause']}）" for m in missing),
        "The application is incomplete; missing: " + "; ".join(f"{m['name_en']} ({m['clause']})" for m in missing),
        title="Unprocessable Content",
        clause=clause,
        errors=[
            FieldError(m["piece"], f"{m['name_zh']}（{m['clause']}）", f"{m['name_en']} ({m['clause']})", "missing")
            for m in missing
        ],
        extra={"missing": missing},
    )


async def check_submit(session: AsyncSession, app, rnd, event: str, data: dict, pre=None) -> None:
    """``submit``: refuse an incomplete application, naming each missing piece with its clause (``pre``: the
    forms and materials read for a round action's batch, ``app.domain.batch_reads``)."""
    prog, missing = await _missing(session, app, rnd, pre)
    if missing:
        raise _refusal(missing, prog.application_clause)


async def for_caller(session: AsyncSession, principal: Principal, app_id: uuid.UUID) -> dict:
    """What the application holds against what its programme requires (for the applicant and the office)."""
    app = await workflow_repo.get_application(session, app_id)
    if app is None or not await confidentiality.may_view(session, principal, app):
        raise not_found("申报", "Application", app_id)
    rnd = await workflow_repo.get_round(session, app.round_id)
    assert rnd is not None
    prog, missing = await _missing(session, app, rnd)
    contents = prog.application
    return {
        "application_id": app.id,
        "complete": not missing,
        "clause": prog.application_clause,
        "form": None
        if contents is None
        else {
            "name_zh": contents.form.name_zh,
            "clause": contents.form.clause,
            "fields": [f.model_dump(mode="json") for f in fields_for(prog, app.category)],
        },
        "materials": [m.model_dump(mode="json") for m in materials_for(prog, app.category)],
        "missing": missing,
    }
