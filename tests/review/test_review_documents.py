"""Review documents, read back: the PDFs' text (pypdf), the workbooks (openpyxl), the CSVs (csv)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.domain.errors import DomainError
from app.domain.review.registry import ReviewRegistry
from app.domain.review.reports.documents import (
    EvaluationReport,
    FeedbackReport,
    ItemComments,
    PanelMember,
    ReportStage,
    report_data,
)
from app.domain.review.reports.office import ranking_csv, ranking_xlsx, scoresheets_csv, scoresheets_xlsx
from app.domain.review.reports.pdf import render_evaluation_report, render_feedback_report
from app.domain.review.schema import OutlierSpread, Scorebook
from app.domain.review.scoring import Candidate, SheetScore, outliers, panel_medians, rank, score_sheet

D = Decimal
COMMENTS = {
    "4.1.2": ItemComments(
        strengths=("高层领导亲自推动质量战略，使命、愿景和价值观清晰",),
        opportunities=("绩效评审的频次与闭环有待加强", "对供方的质量责任传递不足"),
        rationale="三位专家评分在50%至60%之间，取55%",
    ),
    "4.7.4": ItemComments(strengths=("近三年营业收入年均增长12.5%",), opportunities=("与行业标杆的对比数据不足",)),
}


@pytest.fixture
def book(review: ReviewRegistry) -> Scorebook:
    return review.book("gbt19580", "2012")


@pytest.fixture
def sheet(book: Scorebook) -> SheetScore:
    return score_sheet(book, dict.fromkeys(book.items, 55) | {"4.4.3": 5, "4.7.4": 70})


def _evaluation(book: Scorebook, sheet: SheetScore, stage: ReportStage = ReportStage.ONSITE_REVIEW) -> EvaluationReport:
    return EvaluationReport(
        programme_zh="长宁区政府质量奖",
        round_zh="第三届（2026年）",
        stage=stage,
        applicant_name="上海长宁精密仪器有限公司",
        tier_zh="长宁区区长质量奖",
        category_zh="先进质量管理模式",
        book=book,
        sheet=sheet,
        panel=(PanelMember("王建国", "组长"), PanelMember("李晓梅"), PanelMember("陈志远")),
        issued_on=date(2026, 12, 6),
        comments=COMMENTS,
        summary_zh="该组织卓越绩效管理体系运行有效，结果指标处于行业前列。",
        visited_on=date(2026, 11, 20),
    )


def _text(pdf: bytes) -> str:
    """The PDF's text with all whitespace removed (line breaks fall anywhere in Chinese)."""
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def _fonts(pdf: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(pdf))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


# --- PDF reports ---------------------------------------------------------------------------------


def test_the_evaluation_report_holds_the_chinese_scores_and_comments(book: Scorebook, sheet: SheetScore) -> None:
    """changning-23: an on-site review report with strengths and improvement suggestions."""
    pdf = render_evaluation_report(_evaluation(book, sheet))
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    for expected in [
        "长宁区政府质量奖现场评审报告",
        "上海长宁精密仪器有限公司",
        "长宁区区长质量奖·先进质量管理模式",
        "组长：王建国；成员：李晓梅、陈志远",
        "2026-11-20",
        "GB/T19580-2012《卓越绩效评价准则》",
        "4.1领导",
        "60.5",  # 领导: 27.5 + 16.5 + 16.5
        "4.4资源",
        "64.1",  # 资源: 33 + 0.8 + 11 + 8.3 + 5.5 + 5.5
        "4.7.4财务结果（80分，结果）得分56.0（70%）",
        "优势：",
        "高层领导亲自推动质量战略，使命、愿景和价值观清晰",
        "改进机会：",
        "绩效评审的频次与闭环有待加强",
        "对供方的质量责任传递不足",
        "共识理由：三位专家评分在50%至60%之间，取55%",
        "近三年营业收入年均增长12.5%",
        "三、综合意见",
        "结果指标处于行业前列",
    ]:
        assert expected in text, expected
    assert f"总分1000{sheet.total}" in text and sheet.total == D("554.6")


def test_the_pdf_uses_the_builtin_cid_font_and_embeds_no_font_file(book: Scorebook, sheet: SheetScore) -> None:
    pdf = render_evaluation_report(_evaluation(book, sheet))
    assert any("STSong-Light" in name for name in _fonts(pdf))
    assert b"/FontFile" not in pdf


def test_the_same_report_renders_to_the_same_bytes(book: Scorebook, sheet: SheetScore) -> None:
    """A stored report is identified by its hash: rendering must be reproducible."""
    report = _evaluation(book, sheet)
    assert render_evaluation_report(report) == render_evaluation_report(report)


@pytest.mark.parametrize(
    ("stage", "title"),
    [
        (ReportStage.MATERIAL_REVIEW, "资料评审报告"),  # changning-22a, jinshan-18e
        (ReportStage.ONSITE_REVIEW, "现场评审报告"),  # changning-23, jinshan-18h
        (ReportStage.DEFENCE, "陈述答辩记录"),  # tianning-12f
        (ReportStage.COMPREHENSIVE_EVALUATION, "综合评价报告"),  # changning-24, jinshan-18i
    ],
)
def test_each_stage_titles_its_report(book: Scorebook, sheet: SheetScore, stage: ReportStage, title: str) -> None:
    assert f"长宁区政府质量奖{title}" in _text(render_evaluation_report(_evaluation(book, sheet, stage)))


def test_a_programmes_own_report_name_and_markup_characters_print_as_written(
    book: Scorebook, sheet: SheetScore
) -> None:
    """hangzhou-3.3.3 calls it 材料评审报告; text with <, > and & is text, not markup."""
    report = _evaluation(book, sheet, ReportStage.MATERIAL_REVIEW)
    report = EvaluationReport(
        **{
            **report.__dict__,
            "title_zh": "材料评审报告",
            "comments": {"4.2.2": ItemComments(("R&D投入<5%的问题已整改>",))},
        }
    )
    text = _text(render_evaluation_report(report))
    assert "长宁区政府质量奖材料评审报告" in text
    assert "R&D投入<5%的问题已整改>" in text


def test_many_comments_run_over_pages_and_all_extract(book: Scorebook, sheet: SheetScore) -> None:
    long = {i: ItemComments((f"第{i}项优势说明" * 6,), (f"第{i}项改进机会说明" * 6,)) for i in book.items}
    report = EvaluationReport(**{**_evaluation(book, sheet).__dict__, "comments": long})
    pdf = render_evaluation_report(report)
    assert len(PdfReader(io.BytesIO(pdf)).pages) > 2
    text = _text(pdf)
    assert all(f"第{i}项改进机会说明" * 6 in text for i in book.items)


def test_the_feedback_report_charts_category_scores_against_the_maximum(book: Scorebook, sheet: SheetScore) -> None:
    """jinshan-18e: the applicant is told its scores and improvement suggestions, shortlisted or not."""
    report = FeedbackReport(
        programme_zh="金山区政府质量奖",
        round_zh="第二届（2026年）",
        applicant_name="上海金山新材料股份有限公司",
        book=book,
        sheet=sheet,
        issued_on=date(2026, 12, 6),
        comments=COMMENTS,
        outcome_zh="未进入现场评审",
    )
    pdf = render_feedback_report(report)
    text = _text(pdf)
    assert "金山区政府质量奖反馈报告" in text and "未进入现场评审" in text
    # the chart: its legend, every category's score and maximum as bar labels, the total
    assert "满分得分" in text
    for category in sheet.categories:
        assert category.name_zh in text
        assert f"{category.score:.1f}" in text and f"{category.points:.1f}" in text
    assert f"总分{sheet.total}/1000" in text
    assert "对供方的质量责任传递不足" in text
    reader = PdfReader(io.BytesIO(pdf))
    # the bars are filled in the two series' colours: #d9d9d9 the maximum, #2f5597 the score
    content = reader.pages[0].get_contents().get_data()
    assert b".85098 .85098 .85098 rg" in content and b".184314 .333333 .592157 rg" in content


def test_report_data_is_the_same_content_as_json(book: Scorebook, sheet: SheetScore) -> None:
    data = json.loads(json.dumps(report_data(_evaluation(book, sheet))))
    assert data["total"] == str(sheet.total) == "554.6"
    assert data["title"] == "现场评审报告" and data["panel"][0] == {"name": "王建国", "role": "组长"}
    item = next(i for i in data["items"] if i["id"] == "4.1.2")
    assert item["score"] == "27.5" and item["opportunities"] == list(COMMENTS["4.1.2"].opportunities)
    assert item["rationale"] == COMMENTS["4.1.2"].rationale
    assert sum(D(c["score"]) for c in data["categories"]) == sheet.total


# --- score sheets and rankings -------------------------------------------------------------------


def _member_sheets(book: Scorebook) -> list[tuple[str, SheetScore]]:
    return [
        ("专家A", score_sheet(book, dict.fromkeys(book.items, 50))),
        ("专家B", score_sheet(book, dict.fromkeys(book.items, 60) | {"4.4.5": 15})),
        ("共识", score_sheet(book, dict.fromkeys(book.items, 55) | {"4.4.3": 5, "4.7.4": 70})),
    ]


def test_the_score_sheet_workbook_holds_numbers_equal_to_the_scoring_modules(book: Scorebook) -> None:
    sheets = _member_sheets(book)
    wb = load_workbook(io.BytesIO(scoresheets_xlsx(book, sheets)))
    ws = wb.active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:5] == ("类目", "评分项", "名称", "类型", "分值")
    assert rows[0][5:] == (
        "专家A 百分比(%)",
        "专家A 得分",
        "专家B 百分比(%)",
        "专家B 得分",
        "共识 百分比(%)",
        "共识 得分",
    )
    total = rows[-1]
    assert total[2] == "总分" and total[4] == 1000
    for n, (_, sheet) in enumerate(sheets):
        assert D(str(total[6 + 2 * n])) == sheet.total
    # the totals are values, never formulas only
    assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)
    by_item = {r[1]: r for r in rows[1:] if r[1]}
    assert by_item["4.4.3"][9:11] == (5, 0.8)
    assert D(str(by_item["4.4.5"][8])) == sheets[1][1].item("4.4.5").score == D("2.3")
    subtotal = next(r for r in rows if r[2] == "资源 小计")
    assert D(str(subtotal[10])) == sheets[2][1].category("4.4").score


def test_the_score_sheet_csv_has_a_bom_and_parses_to_the_same_rows(book: Scorebook) -> None:
    sheets = _member_sheets(book)
    data = scoresheets_csv(book, sheets)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][2] == "名称" and rows[1][2] == "高层领导的作用"
    assert rows[-1][2] == "总分"
    assert [D(rows[-1][6 + 2 * n]) for n in range(3)] == [s.total for _, s in sheets]
    wb_rows = list(load_workbook(io.BytesIO(scoresheets_xlsx(book, sheets))).active.iter_rows(values_only=True))
    assert len(rows) == len(wb_rows)


def test_the_panel_workbook_shows_the_median_and_fills_the_outliers(book: Scorebook) -> None:
    """Scores further from the panel median than the spread are flagged for the consensus discussion."""
    bands = {
        "专家A": dict.fromkeys(book.items, 50),
        "专家B": dict.fromkeys(book.items, 55),
        "专家C": dict.fromkeys(book.items, 55) | {"4.2.3": 80},
    }
    spread = OutlierSpread(value=Decimal(15), unit="percent", stated=False, reason="test")
    flagged = {(o.member, o.item_id) for o in outliers(book, bands, spread)}
    assert flagged == {("专家C", "4.2.3")}
    sheets = [(label, score_sheet(book, b)) for label, b in bands.items()]
    medians = panel_medians(book, bands)
    ws = load_workbook(io.BytesIO(scoresheets_xlsx(book, sheets, medians=medians, flagged=flagged))).active
    rows = list(ws.iter_rows())
    header = [c.value for c in rows[0]]
    assert header[-2:] == ["中位数(%)", "偏离中位数"]
    row = next(r for r in rows if r[1].value == "4.2.3")
    assert (row[-2].value, row[-1].value) == (55, "专家C")
    fills = {header[c.column - 1]: c.fill.fgColor.rgb for c in row if c.fill.fill_type == "solid"}
    assert set(fills) == {"专家C 百分比(%)", "专家C 得分"}
    other = next(r for r in rows if r[1].value == "4.2.2")
    assert other[-1].value is None and not any(c.fill.fill_type == "solid" for c in other)
    text = scoresheets_csv(book, sheets, medians=medians, flagged=flagged).decode("utf-8-sig")
    csv_row = next(r for r in csv.reader(io.StringIO(text)) if r[1] == "4.2.3")
    assert csv_row[-2:] == ["55", "专家C"]


def _ranking() -> dict:
    return rank(
        [
            Candidate("app-1", "mayor", "model", D("812.0"), D("320.0"), "甲公司"),
            Candidate("app-2", "mayor", "model", D("790.5"), D("300.0"), "乙公司"),
            Candidate("app-3", "mayor", "model", D("760.0"), D("290.0"), "丙公司"),
            Candidate("app-4", "gold", "model", D("700.0"), D("250.0"), "丁公司"),
        ]
    )


def test_the_ranking_workbook_and_csv_show_rank_choice_and_the_departures_reason() -> None:
    """changning-22b: the on-site list with the ranking beside it, each departure with its reason."""
    groups = _ranking()
    chosen = ["app-1", "app-3", "app-4"]
    reasons = {"app-3": "乙公司近一年发生质量投诉，暂缓"}
    labels = {"mayor": "区长质量奖", "gold": "质量金奖", "model": "先进质量管理模式"}
    rows = list(
        load_workbook(io.BytesIO(ranking_xlsx(groups, chosen, reasons, labels))).active.iter_rows(values_only=True)
    )
    assert rows[0] == (
        "奖项",
        "类别",
        "名次",
        "序号",
        "申报编号",
        "申报者",
        "总分",
        "结果类得分",
        "入选",
        "越过的更高名次",
        "理由",
    )
    by_id = {r[4]: r for r in rows[1:]}
    assert by_id["app-1"][:3] == ("区长质量奖", "先进质量管理模式", 1)
    assert D(str(by_id["app-2"][6])) == D("790.5") and by_id["app-2"][8] == "否"
    assert by_id["app-3"][8:] == ("是", "app-2", "乙公司近一年发生质量投诉，暂缓")
    assert by_id["app-1"][9] is None and by_id["app-4"][0] == "质量金奖"
    text = ranking_csv(groups, chosen, reasons, labels).decode("utf-8-sig")
    csv_rows = list(csv.reader(io.StringIO(text)))
    assert [r[4] for r in csv_rows[1:]] == [r[4] for r in rows[1:]]
    assert csv_rows[[r[4] for r in csv_rows].index("app-3")][10] == reasons["app-3"]


def test_a_chosen_application_not_in_the_ranking_is_refused_naming_it() -> None:
    with pytest.raises(DomainError) as err:
        ranking_csv(_ranking(), ["app-1", "app-9"])
    assert err.value.status == 422 and [e.field for e in err.value.errors] == ["chosen.app-9"]


def test_text_that_looks_like_a_formula_stays_text_in_the_workbook_and_the_csv() -> None:
    """An applicant's name or a reason is data: a spreadsheet must never run it (CSV injection)."""
    groups = rank([Candidate("app-1", "mayor", "model", D("700"), D("300"), '=HYPERLINK("http://x.example","点我")')])
    ws = load_workbook(io.BytesIO(ranking_xlsx(groups))).active
    cell = ws["F2"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x.example","点我")'
    rows = list(csv.reader(io.StringIO(ranking_csv(groups).decode("utf-8-sig"))))
    assert rows[1][5] == '\'=HYPERLINK("http://x.example","点我")'
    assert rows[1][6] == "700"  # numbers are not touched


def test_control_characters_in_text_do_not_break_a_document(book: Scorebook, sheet: SheetScore) -> None:
    """A pasted comment may carry a vertical tab or other control characters openpyxl refuses."""
    name = "甲\x0b公司\x1f"
    groups = rank([Candidate("app-1", "mayor", "model", D("700"), D("300"), name)])
    ws = load_workbook(io.BytesIO(ranking_xlsx(groups))).active
    assert ws["F2"].value == "甲 公司 "
    assert list(csv.reader(io.StringIO(ranking_csv(groups).decode("utf-8-sig"))))[1][5] == name
    report = EvaluationReport(**{**_evaluation(book, sheet).__dict__, "applicant_name": name})
    assert "甲公司" in _text(render_evaluation_report(report))


def test_text_longer_than_a_page_still_lays_out(book: Scorebook, sheet: SheetScore) -> None:
    """A table row taller than a page used to stop reportlab (LayoutError): rows now split."""
    name = "超长名称" * 800
    report = EvaluationReport(
        **{
            **_evaluation(book, sheet).__dict__,
            "applicant_name": name,
            "comments": {"4.1.2": ItemComments(("优势" * 6000,))},
        }
    )
    text = _text(render_evaluation_report(report))
    assert "超长名称" * 50 in text and "优势" * 500 in text


def test_a_comment_on_an_item_not_in_the_book_is_refused_naming_it(book: Scorebook, sheet: SheetScore) -> None:
    with pytest.raises(DomainError) as err:
        EvaluationReport(**{**_evaluation(book, sheet).__dict__, "comments": {"9.9": ItemComments(("x",))}})
    assert err.value.status == 422 and [e.field for e in err.value.errors] == ["comments.9.9"]


def test_a_sheet_scored_against_another_book_cannot_be_reported(review: ReviewRegistry, sheet: SheetScore) -> None:
    other = review.book("db31_598")
    with pytest.raises(ValueError, match="scored against gbt19580@2012, not db31_598@2023"):
        FeedbackReport("p", "r", "a", other, sheet, date(2026, 12, 6))
