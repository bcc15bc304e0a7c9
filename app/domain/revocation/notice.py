"""The public revocation notice (撤销公告): what the public learns when a case ends revoked.

jinshan-26b/27b, hangzhou-6.5, linyi-23a/24a, tianning-15b/16a "并向社会公告"; changning's text names no
announcement (its notice is the service's reading, ``stated: false`` in the programme's data). The
holder as the certificate names it (organisations with their credit code, individuals with their
employer), never an ID number nor the case's evidence (a report may name people).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from html import escape

from app.domain.awards.documents import date_zh

SCOPE_ZH = {
    "programme": "本奖项",
    "same_award": "同一奖项",
    "same_tier": "同一等级奖项",
    "same_or_higher_level": "同级及以上奖项",
    "other_level": "其他层级奖项",
}


@dataclass(frozen=True)
class BanLine:
    years: int | None
    scope: str
    clause: str | None

    @property
    def text_zh(self) -> str:
        what = SCOPE_ZH.get(self.scope, self.scope)
        return f"自撤销之日起{self.years}年内不得申报{what}" if self.years else f"不得再申报{what}"


@dataclass(frozen=True)
class PublicNotice:
    """撤销公告."""

    case_id: uuid.UUID
    programme: str
    programme_name_zh: str
    title_zh: str
    holder_name: str
    applicant_kind: str
    credit_code: str | None
    employer: str | None
    award_year: int | None
    award_zh: str
    certificate_no: str | None
    ground_zh: str
    ground_clause: str | None
    decided_by_zh: str
    document_no: str
    revoked_on: date
    recover_zh: list[str]
    bans: list[BanLine] = field(default_factory=list)
    clause: str | None = None
    stated: bool = True

    @property
    def holder_line(self) -> str:
        if self.credit_code:
            return f"{self.holder_name}（统一社会信用代码：{self.credit_code}）"
        if self.employer:
            return f"{self.holder_name}（{self.employer}）"
        return self.holder_name

    @property
    def body_zh(self) -> str:
        parts = [
            f"经核实，{self.holder_line}存在“{self.ground_zh}”的情形。",
            f"根据{self.decided_by_zh}《{self.document_no}》，撤销其所获{self.award_zh}。",
        ]
        if self.recover_zh:
            parts.append(f"收回{'、'.join(self.recover_zh)}。")
        for ban in self.bans:
            parts.append(f"{ban.text_zh}。")
        parts.append("被撤销奖项的，不得再使用该荣誉称号。")
        return "".join(parts)


def _row(label: str, value: str) -> str:
    return f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>\n"


def render_html(n: PublicNotice) -> str:
    """A plain page in Chinese, nothing loaded from elsewhere, every value escaped."""
    rows = [
        _row("获奖者", n.holder_line),
        _row("所获奖项", n.award_zh),
        _row("证书编号", n.certificate_no or ""),
        _row("撤销情形", n.ground_zh),
        _row("撤销决定", f"{n.decided_by_zh}（{n.document_no}）"),
        _row("撤销日期", date_zh(n.revoked_on)),
    ]
    if n.recover_zh:
        rows.append(_row("收回", "、".join(n.recover_zh)))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(n.title_zh)}</title>\n</head>\n<body>\n"
        f'<h1 id="title" data-status="revoked">{escape(n.title_zh)}</h1>\n'
        f"<p>{escape(n.body_zh)}</p>\n"
        f'<table border="1">\n{"".join(rows)}</table>\n'
        f"<p>{escape(n.decided_by_zh)}　{escape(date_zh(n.revoked_on))}</p>\n"
        "</body>\n</html>\n"
    )
