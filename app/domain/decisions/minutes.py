"""The meeting's minutes (会议纪要) as a PDF: the body, the date, the chair, who attended and who
was recused, the reports heard, each candidate's method and result (a secret ballot's counts only,
a show of hands by name), the chair's resolutions and the conclusion. Set in ``STSong-Light`` as
the review's reports are, so the Chinese text extracts."""

from __future__ import annotations

import io
import uuid
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.repositories import decisions as repo
from app.db.repositories import workflow as workflow_repo
from app.domain.decisions.meetings import readable_meeting
from app.domain.decisions.procedures import body_of, procedure
from app.domain.errors import DomainError
from app.domain.programmes.registry import get_registry
from app.domain.review.reports.pdf import _font
from app.identity import Principal

METHOD_ZH = {"secret_ballot": "无记名投票", "show_of_hands": "举手表决", "deliberation": "审议"}
CHOICE_ZH = {"for": "赞成", "against": "反对", "abstain": "弃权"}


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    body = ParagraphStyle("m-body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    return {
        "title": ParagraphStyle("m-title", parent=body, fontSize=18, leading=26, alignment=1, spaceAfter=4 * mm),
        "h2": ParagraphStyle("m-h2", parent=body, fontSize=13, leading=20, spaceBefore=4 * mm, spaceAfter=2 * mm),
        "body": body,
        "cell": ParagraphStyle("m-cell", parent=body, fontSize=9.5, leading=13),
    }


def render(data: dict[str, Any]) -> bytes:
    s = _styles()

    def p(text: str, style: str = "body") -> Paragraph:
        return Paragraph(escape(text), s[style])

    story: list[Any] = [p(f"{data['body_zh']}会议纪要", "title")]
    story.append(p(f"项目：{data['programme_zh']}　届次：{data['round_zh']}　会议日期：{data['held_on']}"))
    story.append(p(f"主持人：{data['chair']}"))
    story.append(
        p(f"出席委员（{len(data['present'])} 人，全体委员 {data['members']} 人）：{'、'.join(data['present'])}")
    )
    for name_zh, text in data["reports"]:
        story.append(p(f"听取{name_zh}", "h2"))
        story.append(p(text))
    story.append(p("审议与表决", "h2"))
    rows = [["候选", "奖项", "方式", "应表决", "赞成", "反对", "弃权", "回避", "结果"]]
    for c in data["candidates"]:
        counts = c["counts"]
        result = {True: "通过", False: "未通过", None: "未决"}[c["passed"]]
        rows.append(
            [
                c["name"],
                data["tiers_zh"].get(c["tier"], c["tier"]),
                METHOD_ZH[c["method"]],
                str(c["eligible"]),
                *(
                    ("—", "—", "—")
                    if c["method"] == "deliberation"
                    else (str(counts[k]) for k in ("for", "against", "abstain"))
                ),
                "、".join(data["names"].get(r, r) for r in c["recused"]) or "无",
                result,
            ]
        )
    table = Table([[Paragraph(escape(x), s["cell"]) for x in r] for r in rows], repeatRows=1, splitInRow=1)
    table.setStyle(
        TableStyle(
            [("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))]
        )
    )
    story.append(table)
    named = [c for c in data["candidates"] if c["named_votes"]]
    if named:
        story.append(p("举手表决记名情况", "h2"))
        for c in named:
            votes = "；".join(f"{v['name']}：{CHOICE_ZH.get(v['choice'], v['choice'])}" for v in c["named_votes"])
            story.append(p(f"{c['name']}——{votes}"))
    if data["resolutions"]:
        story.append(p("主持人裁定", "h2"))
        for r in data["resolutions"]:
            chosen = "、".join(data["candidate_names"].get(a, a) for a in r["selected"]) or "无"
            story.append(
                p(
                    f"{data['tiers_zh'].get(r['tier'], r['tier'])}：由{r['by_name']}裁定入选 {chosen}。理由：{r['reason']}"
                )
            )
    story.append(p("会议结论", "h2"))
    for g in data["groups"]:
        chosen = "、".join(data["candidate_names"].get(a, a) for a in g["selected"]) or "无"
        story.append(p(f"{data['tiers_zh'].get(g['tier'], g['tier'])}拟入选：{chosen}"))
    story.append(Spacer(1, 4 * mm))
    story.append(p(f"依据：{data['decision_clause']}"))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=f"{data['body_zh']}会议纪要", invariant=1)
    doc.build(story)
    return buf.getvalue()


async def minutes_pdf(session: AsyncSession, principal: Principal, meeting_id: uuid.UUID) -> tuple[str, bytes]:
    meeting = await readable_meeting(session, principal, meeting_id)
    if meeting.status != "closed":
        raise DomainError(
            "meeting-open",
            409,
            "会议结束后方可生成会议纪要",
            "The minutes exist once the meeting is closed",
            title="Conflict",
        )
    rnd = await workflow_repo.get_round(session, meeting.round_id)
    assert rnd is not None
    prog = get_registry().get(rnd.programme, rnd.programme_version)
    everyone = await repo.members_of(session, meeting.programme)
    names = {str(m.id): m.name for m in everyone}
    candidates = meeting.outcome.get("candidates", [])
    body = body_of(rnd.programme, rnd.programme_version)
    data = {
        "body_zh": body["name_zh"] or "评审委员会",
        "programme_zh": prog.name_zh,
        "round_zh": rnd.label,
        "held_on": meeting.held_on.isoformat(),
        "chair": names.get(str(meeting.chair_id), ""),
        "present": [names.get(m, m) for m in meeting.attendance],
        "members": len(everyone),
        "reports": [
            (r.name_zh, meeting.reports[r.kind]["text"])
            for r in procedure(meeting.programme).reports_heard
            if r.kind in meeting.reports
        ],
        "candidates": candidates,
        "groups": meeting.outcome.get("groups", []),
        "resolutions": meeting.resolutions,
        "names": names,
        "candidate_names": {c["application_id"]: c["name"] for c in candidates},
        "tiers_zh": {t.code: t.name_zh for t in prog.tiers},
        "decision_clause": procedure(meeting.programme).decision_clause,
    }
    return f"{data['body_zh']}会议纪要.pdf", render(data)
