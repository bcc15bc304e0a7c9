"""The round report (届次统计报告) as a PDF: the counts, a bar chart of the applications by state, the stage timings.

Set in reportlab's built-in CID font ``STSong-Light`` like the review reports (no font file ships;
the text extracts as Unicode); the chart is drawn as vector graphics in the page. The same
statistics give the same bytes (``invariant``).
"""

from __future__ import annotations

import io
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"
BAR_COLOUR = colors.HexColor("#2f5597")


@cache
def _font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _style(size: float = 10.5, align: int = 0) -> ParagraphStyle:
    return ParagraphStyle(
        f"s{size}{align}", fontName=_font(), fontSize=size, leading=size * 1.5, alignment=align, wordWrap="CJK"
    )


def _p(text: str, size: float = 10.5, align: int = 0) -> Paragraph:
    return Paragraph(escape(text), _style(size, align))


def _table(rows: list[list[str]], widths: list[float]) -> Table:
    table = Table([[_p(c, 9.5) for c in row] for row in rows], colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ]
        )
    )
    return table


def state_chart(by_state: list[dict[str, Any]]) -> Drawing:
    """Applications by state, one bar each, labelled in Chinese."""
    width, height = 160 * mm, 80 * mm
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 22 * mm, width - 20 * mm, height - 32 * mm
    chart.data = [[item["count"] for item in by_state] or [0]]
    chart.categoryAxis.categoryNames = [item["name_zh"] for item in by_state] or ["—"]
    chart.categoryAxis.labels.fontName = _font()
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = _font()
    chart.bars[0].fillColor = BAR_COLOUR
    drawing.add(chart)
    drawing.add(String(width / 2, height - 6 * mm, "按状态统计", fontName=_font(), fontSize=11, textAnchor="middle"))
    return drawing


def pdf_bytes(s: dict[str, Any], programme_name_zh: str) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, title=f"{programme_name_zh}统计报告", invariant=1, leftMargin=20 * mm, rightMargin=20 * mm
    )
    story: list[Any] = [
        _p(f"{programme_name_zh}{s['round_label'] or ''}届统计报告", 16, 1),
        Spacer(1, 4 * mm),
        _p(f"申报总数：{s['total']}"),
        Spacer(1, 3 * mm),
        state_chart(s["by_state"]),
        Spacer(1, 3 * mm),
    ]
    for heading, key in (
        ("按状态", "by_state"),
        ("按类别", "by_category"),
        ("按授予等级", "by_tier"),
        ("按推荐单位", "by_recommending_unit"),
        ("按区县/登记地", "by_district"),
    ):
        story += [
            _p(heading, 12),
            _table(
                [["代码", "名称", "数量"]] + [[i["code"] or "", i["name_zh"], str(i["count"])] for i in s[key]],
                [40 * mm, 90 * mm, 30 * mm],
            ),
            Spacer(1, 3 * mm),
        ]
    timing = [["状态", "已离开", "当前在此", "平均天数", "中位天数", "最长天数"]]
    for t in s["stage_days"]:
        timing.append(
            [
                t["name_zh"],
                str(t["left"]),
                str(t["in_it_now"]),
                *("" if t[k] is None else str(t[k]) for k in ("mean_days", "median_days", "max_days")),
            ]
        )
    story += [
        _p("各阶段用时（天，取自申报历史）", 12),
        _table(timing, [40 * mm, 22 * mm, 22 * mm, 24 * mm, 24 * mm, 24 * mm]),
    ]
    doc.build(story)
    return out.getvalue()
