"""Exports (导出) of a round's applications with their state, scores and decisions: ``.xlsx`` and CSV.

The workbook is written in openpyxl's write-only mode (rows streamed to a temporary file, not held
as cells) with a sheet per view: the applications, the statistics (with a bar chart of the counts
by state) and the days in each stage. The applications pass once, a chunk at a time, from the
database into the sheet (or the CSV) while the statistics are counted (``service.summarise``):
memory stays flat whatever the round's size (issue 21). The export goes to a file the caller
gives, not to memory. CSV is UTF-8 with a BOM, so a spreadsheet on a Chinese Windows desktop
opens it without garbling. Identifiers: an organisation's credit code is public (it is on the
notices); an individual shows only the masked ID number.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import os
from collections.abc import Sequence
from itertools import count
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain import clock
from app.domain.states import STATE_NAMES_ZH
from app.domain.statistics.service import Scope, summarise

HEADINGS = (
    "序号",
    "申报编号",
    "申报主体",
    "统一社会信用代码/证件号码",
    "申报类别",
    "申报等级",
    "授予等级",
    "状态",
    "状态名称",
    "推荐单位",
    "所在街镇/园区",
    "最新共识得分",
    "各阶段共识得分",
    "决定",
    "决定详情",
    "创建时间",
    "更新时间",
)


def _minute(at) -> str:
    return at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")


def row_values(no: int, r: Any) -> list[Any]:
    """One application's cells, in the order of ``HEADINGS``."""
    outcome = dict(r.outcome or {})
    decision = outcome.pop("decision", None)
    totals = r.totals or ()
    return [
        no,
        str(r.id),
        r.applicant_name,
        r.credit_code or r.id_number_masked or "",
        r.category,
        r.tier_sought or "",
        r.tier or "",
        r.state,
        STATE_NAMES_ZH.get(r.state, r.state),
        r.recommending_unit or "",
        r.locality or "",
        # a number, not text: the office sums and sorts it in the spreadsheet
        float(totals[-1]) if totals else None,
        "; ".join(f"{stage}: {total}" for stage, total in zip(r.stages or (), totals, strict=True)),
        decision or "",
        json.dumps(outcome, ensure_ascii=False, sort_keys=True) if outcome else "",
        _minute(r.created_at),
        _minute(r.updated_at),
    ]


async def write_csv(session: AsyncSession, scope: Scope, out: IO[bytes]) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    w = csv.writer(text, lineterminator="\r\n")
    text.write("\ufeff")
    w.writerow(HEADINGS)
    numbered = count(1)

    def sink(rows: Sequence[Any]) -> None:
        w.writerows(["" if v is None else v for v in row_values(next(numbered), r)] for r in rows)

    await summarise(session, scope, sink)
    text.flush()
    text.detach()  # ``out`` stays open for the answer


async def write_xlsx(session: AsyncSession, scope: Scope, out: IO[bytes]) -> None:
    wb = Workbook(write_only=True)
    try:
        await _fill(session, scope, wb)
        # compressing the sheets is the one long step without a query: off the event loop
        await asyncio.to_thread(wb.save, out)
    finally:
        _discard_sheet_files(wb)


def _discard_sheet_files(wb: Workbook) -> None:
    """Removes the temporary files of sheets not saved (an export that failed half-way): openpyxl
    removes a sheet's file once it is in the workbook, otherwise only when the process exits."""
    for sheet in wb.worksheets:
        writer = getattr(sheet, "_writer", None)
        if writer is None or not os.path.exists(writer.out):
            continue
        for stream in (getattr(sheet, "_rows", None), writer):
            with contextlib.suppress(Exception):
                if stream is not None:
                    stream.close()
        writer.cleanup()


async def _fill(session: AsyncSession, scope: Scope, wb: Workbook) -> None:
    apps = wb.create_sheet("申报")
    apps.append(list(HEADINGS))
    numbered = count(1)

    def sink(rows: Sequence[Any]) -> None:
        for r in rows:
            apps.append(row_values(next(numbered), r))

    s = await summarise(session, scope, sink)

    sheet = wb.create_sheet("统计")
    title = f"{s['programme'] or '全部项目'} {s['round_label'] or ''}".strip()
    sheet.append([f"统计：{title}", "合计", s["total"]])
    sheet.append([])
    sheet.append(["按状态", "名称", "数量"])
    for item in s["by_state"]:
        sheet.append([item["code"], item["name_zh"], item["count"]])
    state_rows = len(s["by_state"])
    for heading, key in (
        ("按授予等级", "by_tier"),
        ("按申报等级", "by_tier_sought"),
        ("按类别", "by_category"),
        ("按区县/登记地", "by_district"),
        ("按街镇/园区", "by_locality"),
        ("按推荐单位", "by_recommending_unit"),
    ):
        sheet.append([])
        sheet.append([heading, "名称", "数量"])
        for item in s[key]:
            sheet.append([item["code"] or "", item["name_zh"], item["count"]])
    if state_rows:
        chart = BarChart()
        chart.title = "按状态统计"
        chart.y_axis.title = "数量"
        # the by-state block is rows 4.. (a title row, a blank row and its heading first)
        chart.add_data(Reference(sheet, min_col=3, min_row=3, max_row=3 + state_rows), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=2, min_row=4, max_row=3 + state_rows))
        sheet.add_chart(chart, "E3")

    timing = wb.create_sheet("阶段用时")
    timing.append(["状态", "名称", "已离开", "当前在此", "平均天数", "中位天数", "最长天数"])
    for t in s["stage_days"]:
        timing.append(
            [
                t["state"],
                t["name_zh"],
                t["left"],
                t["in_it_now"],
                *(float(t[k]) if t[k] is not None else None for k in ("mean_days", "median_days", "max_days")),
            ]
        )
