"""Review reports as PDF in Chinese (评审报告、反馈报告).

The text is set in reportlab's built-in CID font ``STSong-Light``: the PDF names the font and
the reader supplies the glyphs, so no font file ships with the service and the text extracts as
Unicode. Output is byte-for-byte reproducible (``invariant``): the same report gives the same
bytes, so its stored hash identifies its content.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.domain.review.reports.documents import KIND_ZH, EvaluationReport, FeedbackReport, ItemComments
from app.domain.review.schema import Scorebook
from app.domain.review.scoring import SheetScore

FONT = "STSong-Light"
SCORE_COLOUR = colors.HexColor("#2f5597")
MAX_COLOUR = colors.HexColor("#d9d9d9")


@cache
def _font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


@cache
def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    # CJK wrapping breaks lines between any two characters, as Chinese text is set
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=body, fontSize=18, leading=26, alignment=1, spaceAfter=4 * mm),
        "h2": ParagraphStyle("h2", parent=body, fontSize=13, leading=20, spaceBefore=4 * mm, spaceAfter=2 * mm),
        "h3": ParagraphStyle("h3", parent=body, fontSize=11, leading=17, spaceBefore=2 * mm),
        "body": body,
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=6 * mm, firstLineIndent=-3 * mm),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9.5, leading=13),
    }


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(text), _styles()[style])


def _percent(score: Decimal, points: int) -> str:
    return f"{(score * 100 / Decimal(points)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def _table(rows: list[list[str]], widths: list[float], header: bool = True) -> Table:
    cells = [[_p(c, "cell") for c in row] for row in rows]
    # a row may split across pages: no text, however long, makes a report impossible to lay out
    table = Table(cells, colWidths=widths, repeatRows=1 if header else 0, splitInRow=1)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")))
    table.setStyle(TableStyle(style))
    return table


def _category_table(sheet: SheetScore) -> Table:
    rows = [["类目", "满分", "得分", "得分率"]]
    rows += [
        [f"{c.category_id} {c.name_zh}", str(c.points), str(c.score), _percent(c.score, c.points)]
        for c in sheet.categories
    ]
    rows.append(["总分", str(sheet.max_total), str(sheet.total), _percent(sheet.total, sheet.max_total)])
    return _table(rows, [70 * mm, 30 * mm, 30 * mm, 30 * mm])


def _item_sections(book: Scorebook, sheet: SheetScore, comments: dict[str, ItemComments]) -> Iterable[Flowable]:
    for category in book.categories:
        yield _p(f"{category.id} {category.name_zh}（{category.points}分）", "h2")
        for item in category.items:
            scored = next((s for s in sheet.items if s.item_id == item.id), None)
            got = f"得分 {scored.score}（{scored.band}%）" if scored else "未评分"
            yield _p(f"{item.id} {item.name_zh}（{item.points}分，{KIND_ZH[item.kind]}）  {got}", "h3")
            said = comments.get(item.id, ItemComments())
            for label, lines in (("优势", said.strengths), ("改进机会", said.opportunities)):
                if lines:
                    yield _p(f"{label}：", "body")
                    yield from (_p(f"• {line}", "bullet") for line in lines)
            if said.rationale:
                yield _p(f"共识理由：{said.rationale}", "body")


def _render(title: str, story: list[Flowable]) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        creator="qaward",
        lang="zh-CN",
        invariant=True,
    )
    doc.build(story)
    return buf.getvalue()


def render_evaluation_report(report: EvaluationReport) -> bytes:
    """A material-review, on-site, defence or comprehensive evaluation report as PDF."""
    leader = [m.name for m in report.panel if m.role_zh == "组长"]
    members = [m.name for m in report.panel if m.role_zh != "组长"]
    facts = [
        ["申报者", report.applicant_name],
        ["奖项类别", f"{report.tier_zh} · {report.category_zh}"],
        ["评审届次", report.round_zh],
        ["评审阶段", report.stage.title_zh.removesuffix("报告").removesuffix("记录")],
        ["评分依据", report.book.title_zh],
        ["评审组", f"组长：{'、'.join(leader) or '—'}；成员：{'、'.join(members) or '—'}"],
    ]
    if report.visited_on:
        facts.append(["现场评审日期", report.visited_on.isoformat()])
    facts.append(["报告日期", report.issued_on.isoformat()])
    story: list[Flowable] = [
        _p(f"{report.programme_zh}{report.title}", "title"),
        _table(facts, [35 * mm, 125 * mm], header=False),
        _p("一、评分结果", "h2"),
        _category_table(report.sheet),
        _p("二、各评分项的优势与改进机会", "h2"),
        *_item_sections(report.book, report.sheet, dict(report.comments)),
    ]
    if report.summary_zh:
        story += [_p("三、综合意见", "h2"), _p(report.summary_zh)]
    return _render(f"{report.programme_zh}{report.title}", story)


def category_chart(sheet: SheetScore, width: float = 160 * mm) -> Drawing:
    """The category scores against each category's maximum, as horizontal bars."""
    font = _font()
    names = [c.name_zh for c in sheet.categories]
    height = 22 * mm + 11 * mm * len(names)
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 42 * mm, 14 * mm
    chart.width, chart.height = width - 56 * mm, height - 22 * mm
    # listed top down in book order: the category axis runs bottom up
    chart.data = [
        [float(c.points) for c in reversed(sheet.categories)],
        [float(c.score) for c in reversed(sheet.categories)],
    ]
    chart.categoryAxis.categoryNames = list(reversed(names))
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 9
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(c.points for c in sheet.categories) * 1.1
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 8
    chart.bars[0].fillColor = MAX_COLOUR
    chart.bars[1].fillColor = SCORE_COLOUR
    chart.barLabelFormat = "%.1f"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 42 * mm, height - 2 * mm
    legend.fontName = font
    legend.fontSize = 9
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.colorNamePairs = [(MAX_COLOUR, "满分"), (SCORE_COLOUR, "得分")]
    drawing.add(legend)
    drawing.add(String(0, 2 * mm, f"总分 {sheet.total} / {sheet.max_total}", fontName=font, fontSize=10))
    return drawing


def render_feedback_report(report: FeedbackReport) -> bytes:
    """The applicant's feedback report: the scores against the maximum as a chart, then per item."""
    facts = [
        ["申报者", report.applicant_name],
        ["评审届次", report.round_zh],
        ["评分依据", report.book.title_zh],
    ]
    if report.outcome_zh:
        facts.append(["评审结果", report.outcome_zh])
    facts.append(["报告日期", report.issued_on.isoformat()])
    story: list[Flowable] = [
        _p(f"{report.programme_zh}反馈报告", "title"),
        _table(facts, [35 * mm, 125 * mm], header=False),
        _p("一、各类目得分与满分", "h2"),
        category_chart(report.sheet),
        Spacer(1, 3 * mm),
        _category_table(report.sheet),
        _p("二、优势与改进机会", "h2"),
        *_item_sections(report.book, report.sheet, dict(report.comments)),
    ]
    return _render(f"{report.programme_zh}反馈报告", story)
