"""Office exports: score sheets and rankings as .xlsx (openpyxl) and CSV.

Both formats are written from the same rows (``scoresheet_rows``, ``ranking_rows``), so a
spreadsheet and its CSV never disagree. Scores are numbers in the workbook, not formulas: a
reader that does not recalculate (a preview, a script) sees the totals the scoring module gave.
CSV is UTF-8 with a byte-order mark, which Excel needs to read Chinese correctly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from app.domain.errors import FieldError
from app.domain.review.reports.documents import KIND_ZH
from app.domain.review.schema import Scorebook
from app.domain.review.scoring import Ranked, SheetScore, departures, refuse_fields

Cell = str | int | Decimal | None
SUBTOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
FLAG_FILL = PatternFill("solid", fgColor="F8CBAD")  # an outlier's band and score


def scoresheet_rows(
    book: Scorebook,
    sheets: Sequence[tuple[str, SheetScore]],
    medians: Mapping[str, Decimal] | None = None,
    flagged: Collection[tuple[str, str]] = (),
) -> list[list[Cell]]:
    """Header, then each category's items and its subtotal, then the total; per sheet a band and a
    score column. With the panel's ``medians`` (item -> band) a median column follows; ``flagged``
    (sheet label, item id) pairs, the outliers, are listed per item for the consensus discussion."""
    header: list[Cell] = ["类目", "评分项", "名称", "类型", "分值"]
    for label, _ in sheets:
        header += [f"{label} 百分比(%)", f"{label} 得分"]
    extra = (["中位数(%)"] if medians is not None else []) + (["偏离中位数"] if flagged else [])
    rows: list[list[Cell]] = [header + extra]
    blank = [None] * len(extra)
    for category in book.categories:
        for item in category.items:
            row: list[Cell] = [category.id, item.id, item.name_zh, KIND_ZH[item.kind], item.points]
            for _, sheet in sheets:
                scored = next((s for s in sheet.items if s.item_id == item.id), None)
                row += [scored.band, scored.score] if scored else [None, None]
            if medians is not None:
                row.append(medians.get(item.id))
            if flagged:
                row.append("、".join(label for label, _ in sheets if (label, item.id) in flagged) or None)
            rows.append(row)
        subtotal: list[Cell] = [category.id, None, f"{category.name_zh} 小计", None, category.points]
        for _, sheet in sheets:
            subtotal += [None, sheet.category(category.id).score]
        rows.append(subtotal + blank)
    total: list[Cell] = [None, None, "总分", None, book.total]
    for _, sheet in sheets:
        total += [None, sheet.total]
    rows.append(total + blank)
    return rows


def ranking_rows(
    groups: Mapping[tuple[str, str], Sequence[Ranked]],
    chosen: Collection[str] = (),
    reasons: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> list[list[Cell]]:
    """One row per ranked application, with whether it was chosen and, for a departure from rank
    order, whom it passed over and the reason (changning-22b, jinshan-18f)."""
    reasons = reasons or {}
    labels = labels or {}
    ranked_ids = {str(r.application_id) for group in groups.values() for r in group}
    unknown = [c for c in chosen if str(c) not in ranked_ids]
    if unknown:
        raise refuse_fields(
            [
                FieldError(f"chosen.{c}", f"申报“{c}”不在排名中", f"application '{c}' is not ranked", "not_ranked")
                for c in unknown
            ]
        )
    picked = {str(c) for c in chosen}
    rows: list[list[Cell]] = [
        ["奖项", "类别", "名次", "序号", "申报编号", "申报者", "总分", "结果类得分", "入选", "越过的更高名次", "理由"]
    ]
    for (tier, category), group in groups.items():
        passed = {
            str(d.chosen.application_id): "、".join(str(p.application_id) for p in d.passed_over)
            for d in departures(group, [str(r.application_id) for r in group if str(r.application_id) in picked])
        }
        for r in group:
            app_id = str(r.application_id)
            rows.append(
                [
                    labels.get(tier, tier),
                    labels.get(category, category),
                    r.rank,
                    r.position,
                    app_id,
                    r.candidate.name,
                    r.candidate.total,
                    r.candidate.results_score,
                    "是" if app_id in picked else "否",
                    passed.get(app_id),
                    reasons.get(app_id) if app_id in passed else None,
                ]
            )
    return rows


def _xlsx(title: str, rows: list[list[Cell]], bold_rows: set[int], marked: Collection[tuple[int, int]] = ()) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if isinstance(value, str):
                # control characters a pasted text may carry are not allowed in a worksheet
                value = ILLEGAL_CHARACTERS_RE.sub(" ", value)
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str) and cell.data_type == "f":
                # names and reasons are data: a leading "=" must not become a formula
                cell.data_type = "s"
            if isinstance(value, Decimal):
                cell.number_format = "0.0"
            if r == 1 or r in bold_rows:
                cell.font = Font(bold=True)
            if r in bold_rows:
                cell.fill = SUBTOTAL_FILL
            if (r, c) in marked:
                cell.fill = FLAG_FILL
    for c in range(1, len(rows[0]) + 1):
        width = max(len(str(row[c - 1])) if c - 1 < len(row) and row[c - 1] is not None else 0 for row in rows)
        ws.column_dimensions[get_column_letter(c)].width = min(max(8, width * 1.8), 40)
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        # a spreadsheet opening the CSV would run it: the apostrophe keeps it text (OWASP CSV injection)
        return "'" + value
    return str(value)


def _csv(rows: list[list[Cell]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return text.getvalue().encode("utf-8-sig")


def _subtotal_rows(rows: list[list[Cell]]) -> set[int]:
    return {i for i, row in enumerate(rows, start=1) if i > 1 and row[1] is None}


def scoresheets_xlsx(
    book: Scorebook,
    sheets: Sequence[tuple[str, SheetScore]],
    title: str = "评分表",
    medians: Mapping[str, Decimal] | None = None,
    flagged: Collection[tuple[str, str]] = (),
) -> bytes:
    """Score sheets side by side (members' and the consensus) as one worksheet; an outlier's band
    and score cells are filled."""
    rows = scoresheet_rows(book, sheets, medians, flagged)
    labels = [label for label, _ in sheets]
    marked = {
        (r, 6 + 2 * labels.index(label) + offset)
        for r, row in enumerate(rows, start=1)
        for label, item_id in flagged
        if label in labels and row[1] == item_id
        for offset in (0, 1)
    }
    return _xlsx(title, rows, _subtotal_rows(rows), marked)


def scoresheets_csv(
    book: Scorebook,
    sheets: Sequence[tuple[str, SheetScore]],
    medians: Mapping[str, Decimal] | None = None,
    flagged: Collection[tuple[str, str]] = (),
) -> bytes:
    return _csv(scoresheet_rows(book, sheets, medians, flagged))


def ranking_xlsx(
    groups: Mapping[tuple[str, str], Sequence[Ranked]],
    chosen: Collection[str] = (),
    reasons: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    title: str = "排名",
) -> bytes:
    return _xlsx(title, ranking_rows(groups, chosen, reasons, labels), set())


def ranking_csv(
    groups: Mapping[tuple[str, str], Sequence[Ranked]],
    chosen: Collection[str] = (),
    reasons: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> bytes:
    return _csv(ranking_rows(groups, chosen, reasons, labels))
