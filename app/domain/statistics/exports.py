"""Exports (导出) of a round's applications with their state, scores and decisions: ``.xlsx`` and CSV.

The workbook is written in openpyxl's write-only mode (rows streamed, not held as cells) with a
sheet per view: the applications, the statistics (with a bar chart of the counts by state) and
the days in each stage. CSV is UTF-8 with a BOM, so a spreadsheet on a Chinese Windows desktop
opens it without garbling. Identifiers: an organisation's credit code is public (it is on the
notices); an individual shows only the masked ID number.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from app.domain import clock
from app.domain.states import STATE_NAMES_ZH
from app.domain.statistics.service import Gathered, summary

COLUMNS = (
    ("序号", "no"),
    ("申报编号", "id"),
    ("申报主体", "applicant"),
    ("统一社会信用代码/证件号码", "identifier"),
    ("申报类别", "category"),
    ("申报等级", "tier_sought"),
    ("授予等级", "tier"),
    ("状态", "state"),
    ("状态名称", "state_name_zh"),
    ("推荐单位", "recommending_unit"),
    ("所在街镇/园区", "locality"),
    ("最新共识得分", "score"),
    ("各阶段共识得分", "scores_by_stage"),
    ("决定", "decision"),
    ("决定详情", "decision_data"),
    ("创建时间", "created_at"),
    ("更新时间", "updated_at"),
)


def rows(g: Gathered) -> list[dict[str, Any]]:
    by_app: dict[Any, list[str]] = {}
    for app_id, stage, total in g.consensus:
        by_app.setdefault(app_id, []).append(f"{stage}: {total}")
    out = []
    for i, (a, locality, _reg, _work, score) in enumerate(g.rows, start=1):
        outcome = dict(a.outcome or {})
        decision = outcome.pop("decision", None)
        out.append(
            {
                "no": i,
                "id": str(a.id),
                "applicant": a.applicant_name,
                "identifier": a.credit_code or a.id_number_masked or "",
                "category": a.category,
                "tier_sought": a.tier_sought or "",
                "tier": a.tier or "",
                "state": a.state,
                "state_name_zh": STATE_NAMES_ZH.get(a.state, a.state),
                "recommending_unit": a.recommending_unit or "",
                "locality": locality or "",
                # a number, not text: the office sums and sorts it in the spreadsheet
                "score": float(score) if score is not None else None,
                "scores_by_stage": "; ".join(by_app.get(a.id, [])),
                "decision": decision or "",
                "decision_data": json.dumps(outcome, ensure_ascii=False, sort_keys=True) if outcome else "",
                "created_at": a.created_at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M"),
                "updated_at": a.updated_at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M"),
            }
        )
    return out


def csv_bytes(g: Gathered) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([zh for zh, _ in COLUMNS])
    for r in rows(g):
        w.writerow(["" if r[key] is None else r[key] for _, key in COLUMNS])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def xlsx_bytes(g: Gathered) -> bytes:
    s = summary(g)
    wb = Workbook(write_only=True)
    apps = wb.create_sheet("申报")
    apps.append([zh for zh, _ in COLUMNS])
    for r in rows(g):
        apps.append([r[key] for _, key in COLUMNS])

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
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
