"""Finding, exporting and counting a round's applications (issue 19)."""

from __future__ import annotations

import csv
import io
import zipfile

from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.notices.driver import RECOMMENDED, NoticeFlow, credit_code


async def _round_with_applications(client, token) -> tuple[NoticeFlow, list[str]]:
    flow = NoticeFlow(client, token, "changning")
    await flow.start()
    ids = await flow.applications(4)
    # two go on to the qualification review, one is withdrawn, one stays a draft
    await flow.act(ids[:2], RECOMMENDED[:2])
    withdrawn = await flow.fire(ids[2], "withdraw", role="office")
    assert withdrawn.status_code == 200, withdrawn.text
    return flow, ids


async def _list(client, flow, query: str) -> dict:
    r = await client.get(f"/api/v1/applications?{query}", headers=flow.headers["office"])
    assert r.status_code == 200, r.text
    return r.json()


async def test_applications_are_found_by_name_and_credit_code_and_sorted(client, token):
    flow, ids = await _round_with_applications(client, token)
    by_name = await _list(client, flow, "name=质量管理有限公司1")
    assert [a["id"] for a in by_name["items"]] == [ids[1]] and by_name["total"] == 1
    # a LIKE wildcard in the search is a literal, not "anything"
    assert (await _list(client, flow, "name=%25"))["total"] == 0
    code = credit_code(3)
    by_code = await _list(client, flow, f"credit_code={code[:17].lower()}")
    assert [a["id"] for a in by_code["items"]] == [ids[3]]
    oldest = await _list(client, flow, f"round_id={flow.round['id']}&sort=created_at")
    newest = await _list(client, flow, f"round_id={flow.round['id']}&sort=-created_at")
    assert [a["id"] for a in newest["items"]] == list(reversed([a["id"] for a in oldest["items"]]))
    by_state = await _list(client, flow, f"round_id={flow.round['id']}&sort=state")
    assert [a["state"] for a in by_state["items"]] == sorted(a["state"] for a in by_state["items"])
    updated = await _list(client, flow, f"round_id={flow.round['id']}&sort=-updated_at")
    stamps = [a["updated_at"] for a in updated["items"]]
    assert stamps == sorted(stamps, reverse=True)
    # no score yet: every application sorts, none is lost
    assert (await _list(client, flow, "sort=-score"))["total"] == 4
    bad = await client.get("/api/v1/applications?sort=name", headers=flow.headers["office"])
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "sort"
    # a page boundary never repeats or drops a row
    pages = [await _list(client, flow, f"sort=state&size=1&page={p}") for p in (1, 2, 3, 4)]
    assert sorted(p["items"][0]["id"] for p in pages) == sorted(ids)


async def test_statistics_count_by_state_category_unit_and_days_in_stage(client, token):
    flow, _ = await _round_with_applications(client, token)
    r = await client.get(f"/api/v1/statistics?round_id={flow.round['id']}", headers=flow.headers["office"])
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["total"] == 4 and s["programme"] == "changning" and s["round_label"] == "2026"
    assert {x["code"]: x["count"] for x in s["by_state"]} == {
        "draft": 1,
        "qualification_review": 2,
        "withdrawn": 1,
    }
    assert {x["code"]: (x["name_zh"], x["count"]) for x in s["by_category"]} == {"model": ("先进质量管理模式", 4)}
    assert s["by_recommending_unit"] == [{"code": "unit-1", "name_zh": "unit-1", "count": 4}]
    stages = {x["state"]: x for x in s["stage_days"]}
    # two left the draft by submit, one by withdrawal; one is still a draft
    assert stages["draft"]["left"] == 3 and stages["draft"]["in_it_now"] == 1
    assert stages["awaiting_recommendation"]["left"] == 2 and stages["qualification_review"]["in_it_now"] == 2
    # the programme's view equals the round's here; another office sees nothing of it
    whole = await client.get("/api/v1/statistics", headers=flow.headers["office"])
    assert whole.json()["total"] == 4 and whole.json()["round_id"] is None
    other = token("office", programme="jinshan", sub="jinshan-clerk")
    assert (await client.get(f"/api/v1/statistics?round_id={flow.round['id']}", headers=other)).status_code == 404
    assert (await client.get("/api/v1/statistics?programme=changning", headers=other)).status_code == 403
    assert (await client.get("/api/v1/statistics", headers=flow.headers["applicant"])).status_code == 403


async def test_the_export_opens_and_has_the_apis_totals(client, token):
    flow, ids = await _round_with_applications(client, token)
    listed = await _list(client, flow, f"round_id={flow.round['id']}&size=100")
    stats = (await client.get(f"/api/v1/statistics?round_id={flow.round['id']}", headers=flow.headers["office"])).json()
    r = await client.get(f"/api/v1/rounds/{flow.round['id']}/export?format=xlsx", headers=flow.headers["office"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["申报", "统计", "阶段用时"]
    rows = list(wb["申报"].iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert len(data) == listed["total"] == 4
    col = {name: i for i, name in enumerate(header)}
    assert sorted(row[col["申报编号"]] for row in data) == sorted(a["id"] for a in listed["items"])
    assert {row[col["申报编号"]]: row[col["状态"]] for row in data} == {a["id"]: a["state"] for a in listed["items"]}
    sheet = list(wb["统计"].iter_rows(values_only=True))
    assert sheet[0][1:] == ("合计", stats["total"])
    by_state = {row[0]: row[2] for row in sheet[3 : 3 + len(stats["by_state"])]}
    assert by_state == {x["code"]: x["count"] for x in stats["by_state"]}
    # the chart of the counts by state is in the workbook
    assert any(n.startswith("xl/charts/chart") for n in zipfile.ZipFile(io.BytesIO(r.content)).namelist())
    text = await client.get(f"/api/v1/rounds/{flow.round['id']}/export?format=csv", headers=flow.headers["office"])
    assert text.status_code == 200 and text.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert lines[0][0] == "序号" and len(lines) - 1 == listed["total"]
    assert sorted(line[1] for line in lines[1:]) == sorted(ids)
    # only the programme's office (or an admin) exports
    assert (
        await client.get(f"/api/v1/rounds/{flow.round['id']}/export", headers=token("office", programme="jinshan"))
    ).status_code == 404
    assert (
        await client.get(f"/api/v1/rounds/{flow.round['id']}/export", headers=flow.headers["expert"])
    ).status_code == 403


async def test_the_public_notice_is_ready_to_post_as_html_and_docx__changning_21c(client, token):
    flow = NoticeFlow(client, token, "changning")
    _, notice = await flow.qualification_notice(2)
    public = (await client.get(f"/api/v1/public/notices/{notice['id']}")).json()
    html = await client.get(f"/api/v1/public/notices/{notice['id']}/document?format=html")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    fragment = html.text
    assert fragment.startswith('<section class="qaward-notice">') and "<script" not in fragment
    assert public["title_zh"] in fragment and public["period"]["text_zh"] in fragment
    for entry in public["entries"]:
        assert entry["name"] in fragment and entry["credit_code"] in fragment
    doc = await client.get(f"/api/v1/public/notices/{notice['id']}/document?format=docx")
    assert doc.status_code == 200
    document = Document(io.BytesIO(doc.content))
    texts = [p.text for p in document.paragraphs]
    assert public["title_zh"] in texts and public["period"]["text_zh"] in texts
    table = document.tables[0]
    assert len(table.rows) == 1 + len(public["entries"])
    assert sorted(row.cells[1].text for row in table.rows[1:]) == sorted(e["name"] for e in public["entries"])
    # the same notice, the same bytes
    again = await client.get(f"/api/v1/public/notices/{notice['id']}/document?format=docx")
    assert again.content == doc.content


async def test_the_round_report_is_a_pdf_with_the_counts_and_a_chart(client, token):
    flow, _ = await _round_with_applications(client, token)
    r = await client.get(f"/api/v1/rounds/{flow.round['id']}/report", headers=flow.headers["office"])
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    assert "长宁区政府质量奖2026届统计报告" in text and "申报总数：4" in text
    # the chart's own title and bar labels are drawn on the page
    assert "按状态统计" in text and "资格审查" in text
    assert (
        await client.get(f"/api/v1/rounds/{flow.round['id']}/report", headers=flow.headers["office"])
    ).content == r.content
