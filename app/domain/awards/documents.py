"""A certificate as people read it: the PDF the winner prints, and the page a citizen opens from its QR code.

The PDF is set in reportlab's built-in CID font ``STSong-Light`` (no font file; the text extracts as
Unicode) and carries the verification URL twice: as a QR code (reportlab's own encoder) and printed
beneath it, so a certificate read without a phone still verifies. The page loads nothing from
elsewhere (the service's CSP allows nothing) and escapes every value; personal data never appears:
an individual is shown with the employer the winners' notice named, never an ID number.
"""

from __future__ import annotations

import io
from datetime import date
from functools import cache
from html import escape

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from app.domain.awards.certificates import REVOKED, STATUS_ZH, UNKNOWN, VALID, Verification

FONT = "STSong-Light"


def date_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def holder_line(v: Verification) -> str:
    if v.applicant_kind == "individual":
        return f"{v.holder_name}（{v.employer}）" if v.employer else str(v.holder_name)
    return f"{v.holder_name}（统一社会信用代码：{v.credit_code}）" if v.credit_code else str(v.holder_name)


def certificate_lines(v: Verification) -> list[str]:
    """The certificate's wording: holder, the honour with its year and category, the decision that gave it."""
    return [
        holder_line(v),
        f"荣获{v.award_zh}。",
        f"依据{v.issued_by_zh}表彰决定（{v.commendation_no}）。",
    ]


@cache
def _font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def render_pdf(v: Verification, code: str, url: str) -> bytes:
    """The certificate (A4 landscape): its wording, the issuer and date, the number, the code and the QR code."""
    font = _font()
    buf = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buf, pagesize=(width, height), invariant=True, lang="zh-CN")
    pdf.setTitle(f"荣誉证书 {v.number}")
    pdf.setCreator("qaward")
    pdf.setFont(font, 36)
    pdf.drawCentredString(width / 2, height - 45 * mm, "荣誉证书")
    y = height - 75 * mm
    for i, line in enumerate(certificate_lines(v)):
        pdf.setFont(font, 18 if i < 2 else 13)
        pdf.drawCentredString(width / 2, y, line)
        y -= 14 * mm
    pdf.setFont(font, 14)
    assert v.issued_on is not None
    pdf.drawRightString(width - 30 * mm, 52 * mm, str(v.issued_by_zh))
    pdf.drawRightString(width - 30 * mm, 44 * mm, date_zh(v.issued_on))
    pdf.setFont(font, 11)
    pdf.drawString(30 * mm, 52 * mm, f"证书编号：{v.number}")
    pdf.drawString(30 * mm, 45 * mm, f"验证码：{code}")
    size = 34 * mm
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, 30 * mm, 8 * mm)
    pdf.setFont(font, 7)
    pdf.drawString(70 * mm, 12 * mm, f"扫码或访问以下网址核验真伪：{url}")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _row(label: str, value: str) -> str:
    return f'<tr><th scope="row">{escape(label)}</th><td>{escape(value)}</td></tr>'


def render_page(v: Verification) -> str:
    """The verification page (证书核验) in Chinese, stating valid, revoked (with date and document) or unknown."""
    status = STATUS_ZH[v.status]
    title = "证书核验"
    rows: list[str] = [_row("证书编号", v.number), _row("核验结果", status)]
    if v.status in (VALID, REVOKED):
        rows += [
            _row("获奖者", holder_line(v)),
            _row("奖项", str(v.award_zh)),
            _row("表彰决定", f"{v.issued_by_zh}（{v.commendation_no}）"),
            _row("发证日期", date_zh(v.issued_on) if v.issued_on else ""),
        ]
    if v.status == REVOKED:
        rows += [
            _row("撤销日期", date_zh(v.revoked_on) if v.revoked_on else ""),
            _row("撤销文号", v.revocation_document_no or ""),
        ]
    if v.status == VALID:
        verdict = "该证书真实有效。"
    elif v.status == REVOKED:
        verdict = "该奖项已被撤销，证书不再有效，不得继续使用该荣誉。"
    else:
        verdict = "未能核验该证书：编号或验证码不正确，或证书不存在。请核对证书上的编号和验证码。"
    assert v.status in (VALID, REVOKED, UNKNOWN)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n</head>\n<body>\n"
        f"<h1>{escape(title)}</h1>\n"
        f'<p id="status" data-status="{escape(v.status)}"><strong>{escape(status)}</strong></p>\n'
        f"<p>{escape(verdict)}</p>\n"
        f'<table border="1">\n{"".join(rows)}\n</table>\n'
        "</body>\n</html>\n"
    )
