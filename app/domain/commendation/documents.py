"""The winners' list as the public reads it: a plain HTML page and a PDF, both in Chinese.

The page loads nothing from outside (no style, script, font or image: the service's CSP allows
none) and every value is escaped. The PDF is set in reportlab's built-in CID font
``STSong-Light`` (the reader supplies the glyphs; the text extracts as Unicode) and is the same
bytes for the same list (``invariant``), so its ETag is stable.
"""

from __future__ import annotations

import io
from datetime import date
from functools import cache
from html import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.domain.commendation.records import Document, Winner, WinnersList

FONT = "STSong-Light"
HEADERS = ("序号", "获奖者", "统一社会信用代码／工作单位", "奖项", "类别")


def date_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _document_zh(doc: Document) -> str:
    return f"{doc.issued_by_zh}《{doc.title_zh}》（{doc.document_no}，{date_zh(doc.issued_on)}）"


def preamble(lst: WinnersList) -> list[str]:
    """The sentences above the table."""
    if not lst.announced or lst.commendation is None:
        return [f"{lst.title_zh}尚未公布。"]
    lines = []
    if lst.approval is not None:
        lines.append(
            f"经{lst.approval.issued_by_zh}批准（{lst.approval.document_no}，{date_zh(lst.approval.issued_on)}），"
        )
    lines.append(f"依据{_document_zh(lst.commendation)}，现将获奖名单向社会公布如下：")
    return ["".join(lines)]


def _row(w: Winner) -> tuple[str, str, str, str, str]:
    name = f"{w.name}（已撤销）" if w.revoked else w.name
    ident = (w.credit_code if w.applicant_kind == "organisation" else w.employer) or ""
    return (str(w.position), name, ident, w.tier_name_zh, w.category_name_zh)


def render_html(lst: WinnersList) -> str:
    rows = "\n".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in _row(w)) + "</tr>" for w in lst.winners)
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in HEADERS)
    table = (
        f'<table border="1">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n'
        if lst.winners
        else ""
    )
    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in preamble(lst))
    footer = f"<p>{escape(lst.government_zh)}</p>" if lst.announced else ""
    if lst.announced and lst.commendation is not None:
        footer += f"<p>{escape(date_zh(lst.commendation.issued_on))}</p>"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(lst.title_zh)}</title>\n</head>\n<body>\n"
        f"<h1>{escape(lst.title_zh)}</h1>\n{paragraphs}\n{table}{footer}\n</body>\n</html>\n"
    )


@cache
def _styles() -> dict[str, ParagraphStyle]:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=18, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=body, fontSize=18, leading=26, alignment=1, spaceAfter=6 * mm),
        "body": body,
        "right": ParagraphStyle("right", parent=body, alignment=2),
        "cell": ParagraphStyle("cell", parent=body, fontSize=10, leading=14),
    }


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(text), _styles()[style])


def render_pdf(lst: WinnersList) -> bytes:
    story: list = [_p(lst.title_zh, "title"), *(_p(p) for p in preamble(lst)), Spacer(1, 4 * mm)]
    if lst.winners:
        cells = [[_p(h, "cell") for h in HEADERS]] + [[_p(c, "cell") for c in _row(w)] for w in lst.winners]
        table = Table(cells, colWidths=[14 * mm, 52 * mm, 48 * mm, 28 * mm, 28 * mm], repeatRows=1, splitInRow=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ]
            )
        )
        story.append(table)
    if lst.announced and lst.commendation is not None:
        story += [Spacer(1, 8 * mm), _p(lst.government_zh, "right"), _p(date_zh(lst.commendation.issued_on), "right")]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=lst.title_zh,
        creator="qaward",
        lang="zh-CN",
        invariant=True,
    )
    doc.build(story)
    return buf.getvalue()
