"""What a review report says: plain data the renderers read (no database rows, no I/O).

The review service fills these from its records; ``pdf`` and ``office`` turn them into bytes,
and ``report_data`` gives the same content as JSON for the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from app.domain.errors import FieldError
from app.domain.review.schema import ItemKind, Scorebook
from app.domain.review.scoring import SheetScore, refuse_fields


class ReportStage(StrEnum):
    """The review stage a report closes, and its title as the regulations name it."""

    MATERIAL_REVIEW = "material_review"  # 资料评审 (changning-22a, jinshan-18e; 材料评审 hangzhou-3.3.3)
    ONSITE_REVIEW = "onsite_review"  # 现场评审 (changning-23, jinshan-18h, hangzhou-3.3.4)
    DEFENCE = "defence"  # 陈述答辩 (tianning-12f, linyi-14e)
    COMPREHENSIVE_EVALUATION = "comprehensive_evaluation"  # 综合评价 (changning-24, jinshan-18i)

    @property
    def title_zh(self) -> str:
        return _TITLES[self]


_TITLES = {
    ReportStage.MATERIAL_REVIEW: "资料评审报告",
    ReportStage.ONSITE_REVIEW: "现场评审报告",
    ReportStage.DEFENCE: "陈述答辩记录",
    ReportStage.COMPREHENSIVE_EVALUATION: "综合评价报告",
}

KIND_ZH = {ItemKind.PROCESS: "过程", ItemKind.RESULTS: "结果"}


@dataclass(frozen=True)
class PanelMember:
    """A member of the review panel (评审组) as the report names them."""

    name: str
    role_zh: str = "成员"  # 组长 / 成员


@dataclass(frozen=True)
class ItemComments:
    """The panel's consensus comments on one item: strengths (优势), improvement opportunities
    (改进机会) and the leader's rationale for the consensus band (共识理由)."""

    strengths: tuple[str, ...] = ()
    opportunities: tuple[str, ...] = ()
    rationale: str = ""


@dataclass(frozen=True)
class EvaluationReport:
    """评审报告: a material-review, on-site, defence or comprehensive evaluation report."""

    programme_zh: str
    round_zh: str
    stage: ReportStage
    applicant_name: str
    tier_zh: str
    category_zh: str
    book: Scorebook
    sheet: SheetScore  # the consensus
    panel: tuple[PanelMember, ...]
    issued_on: date
    comments: Mapping[str, ItemComments] = field(default_factory=dict)  # by item id
    summary_zh: str = ""
    visited_on: date | None = None  # the on-site visit
    title_zh: str | None = None  # a programme's own name for the report (材料评审报告)

    def __post_init__(self) -> None:
        _check_matches(self.book, self.sheet, self.comments)

    @property
    def title(self) -> str:
        return self.title_zh or self.stage.title_zh


@dataclass(frozen=True)
class FeedbackReport:
    """反馈报告: what the applicant is told, its category scores against the maximum (jinshan-18e
    gives improvement suggestions to those not shortlisted too)."""

    programme_zh: str
    round_zh: str
    applicant_name: str
    book: Scorebook
    sheet: SheetScore
    issued_on: date
    comments: Mapping[str, ItemComments] = field(default_factory=dict)
    outcome_zh: str = ""  # 进入现场评审 / 未进入现场评审 ...

    def __post_init__(self) -> None:
        _check_matches(self.book, self.sheet, self.comments)


def _check_matches(book: Scorebook, sheet: SheetScore, comments: Mapping[str, ItemComments]) -> None:
    if sheet.book != book.key:
        raise ValueError(f"the sheet was scored against {sheet.book}, not {book.key}")
    unknown = [i for i in comments if i not in book.items]
    if unknown:
        raise refuse_fields(
            [
                FieldError(
                    f"comments.{i}",
                    f"评分项“{i}”不在评分手册{book.key}中",
                    f"item '{i}' is not in scorebook {book.key}",
                    "unknown_item",
                )
                for i in unknown
            ]
        )


def _number(value: Decimal) -> str:
    return str(value)


def report_data(report: EvaluationReport | FeedbackReport) -> dict[str, Any]:
    """The report's content as JSON-ready data (scores as strings, so no float ever rounds them)."""
    book, sheet = report.book, report.sheet
    data: dict[str, Any] = {
        "programme": report.programme_zh,
        "round": report.round_zh,
        "applicant": report.applicant_name,
        "issued_on": report.issued_on.isoformat(),
        "scorebook": {"code": book.code, "edition": book.edition, "title": book.title_zh},
        "total": _number(sheet.total),
        "max_total": sheet.max_total,
        "categories": [
            {"id": c.category_id, "name": c.name_zh, "points": c.points, "score": _number(c.score)}
            for c in sheet.categories
        ],
        "items": [
            {
                "id": s.item_id,
                "name": book.items[s.item_id].name_zh,
                "kind": s.kind.value,
                "points": s.points,
                "band": s.band,
                "score": _number(s.score),
                "strengths": list(report.comments.get(s.item_id, ItemComments()).strengths),
                "opportunities": list(report.comments.get(s.item_id, ItemComments()).opportunities),
                "rationale": report.comments.get(s.item_id, ItemComments()).rationale,
            }
            for s in sheet.items
        ],
    }
    if isinstance(report, EvaluationReport):
        data |= {
            "kind": "evaluation",
            "stage": report.stage.value,
            "title": report.title,
            "tier": report.tier_zh,
            "category": report.category_zh,
            "panel": [{"name": m.name, "role": m.role_zh} for m in report.panel],
            "visited_on": report.visited_on.isoformat() if report.visited_on else None,
            "summary": report.summary_zh,
        }
    else:
        data |= {"kind": "feedback", "title": "反馈报告", "outcome": report.outcome_zh}
    return data
