"""The public notice (公示) ready to post on a government site: an HTML fragment and a Word document.

Both are made from the notice as the public API shows it (names and credit codes of
organisations, names and employers of individuals; never an ID number, phone or address), so a
document can say nothing the public page does not. The HTML is a fragment (no scripts, no styles,
every text escaped) for the site's own page template; the ``.docx`` is for the office's usual
posting and archiving workflow.
"""

from __future__ import annotations

import html
import io
import zipfile
from datetime import datetime
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

HEADERS = ("序号", "申报主体", "统一社会信用代码/工作单位", "类别", "等级")


def _date_zh(value: Any) -> str:
    d = datetime.fromisoformat(str(value)) if not isinstance(value, datetime) else value
    return f"{d.year}年{d.month}月{d.day}日"


def _lines(n: dict[str, Any]) -> dict[str, Any]:
    entries = [e for e in n["entries"] if e.get("status") != "withdrawn"]
    return {
        "title": n["title_zh"],
        "intro": f"根据{n['programme_name_zh']}评审工作安排，现将{n['round_label']}届{n['name_zh']}名单予以公示"
        + (f"（{n['clause']}）" if n.get("clause") else "")
        + "。",
        "rows": [
            (
                str(i),
                e["name"],
                e.get("credit_code") or e.get("employer") or "",
                e["category_name_zh"],
                e.get("tier_name_zh") or "",
            )
            for i, e in enumerate(entries, start=1)
        ],
        "period": n["period"]["text_zh"],
        "objections": n["objection_channel_zh"],
        "published": f"发布日期：{_date_zh(n['published_at'])}",
    }


def html_fragment(notice: dict[str, Any]) -> str:
    t = _lines(notice)
    e = html.escape
    head = "".join(f"<th>{e(h)}</th>" for h in HEADERS)
    body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in t["rows"])
    return (
        '<section class="qaward-notice">'
        f"<h2>{e(t['title'])}</h2>"
        f"<p>{e(t['intro'])}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        f"<p>{e(t['period'])}</p>"
        f"<p>{e(t['objections'])}</p>"
        f'<p class="published">{e(t["published"])}</p>'
        "</section>"
    )


def docx_bytes(notice: dict[str, Any]) -> bytes:
    t = _lines(notice)
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "SimSun"
    # Word picks the East Asian font from its own attribute: without it Chinese falls back to a default
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(t["title"])
    run.bold = True
    doc.add_paragraph(t["intro"])
    table = doc.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, HEADERS, strict=True):
        cell.text = text
    for row in t["rows"]:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    doc.add_paragraph(t["period"])
    doc.add_paragraph(t["objections"])
    right = doc.add_paragraph(t["published"])
    right.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    # the same notice, the same bytes: no wall-clock time in the document's properties
    published = datetime.fromisoformat(str(notice["published_at"]))
    doc.core_properties.created = published
    doc.core_properties.modified = published
    doc.core_properties.title = t["title"]
    out = io.BytesIO()
    doc.save(out)
    return _pinned(out.getvalue(), published)


def _pinned(docx: bytes, when: datetime) -> bytes:
    """The package re-zipped with every entry dated ``when``: the zip writer stamps each entry with
    the wall clock, so two reads a second apart would differ byte for byte (and in their ETag)."""
    stamp = when.timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=stamp), src.read(info.filename), zipfile.ZIP_DEFLATED)
    return out.getvalue()
