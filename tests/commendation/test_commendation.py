"""Government approval (批准), the commendation decision (表彰决定) and the winners' list announced to
society (获奖名单公布), per programme and against bad input, races and retries (issue 15)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from html import escape

import pytest
from pypdf import PdfReader

from tests.commendation.drive import Approval, Winner, to_government_approval

# per programme: its winners, the tier/category names shown, and the clauses of approval, commendation, announcement
PROGRAMMES = {
    "changning": (
        [
            Winner("model", "mayor", "上海<长宁>精密制造有限公司&"),
            Winner("achievement", "gold", "王晓明", individual=True),
        ],
        [("长宁区区长质量奖", "先进质量管理模式"), ("长宁区质量金奖", "先进质量管理成果")],
        ("changning-26a", "changning-26a", "changning-26a"),
    ),
    "jinshan": (
        [Winner("model", "gold", "上海金山某某化工有限公司")],
        [("金山区质量金奖", "先进质量管理模式")],
        ("jinshan-18n", "jinshan-19a", "jinshan-19a"),
    ),
    "hangzhou": (
        [
            Winner("organisation", "quality", "杭州某某电子股份有限公司"),
            Winner("organisation", "innovation", "杭州某某科技有限公司"),
        ],
        [("质量奖", "组织"), ("创新奖", "组织")],
        ("hangzhou-3.3.8", "hangzhou-4.2", "hangzhou-4.2"),
    ),
    "linyi": (
        [
            Winner("organisation", "mayor", "临沂某某机械有限公司"),
            Winner("individual", "mayor", "李卫国", individual=True),
        ],
        [("临沂市市长质量奖", "单位"), ("临沂市市长质量奖", "个人")],
        ("linyi-14i", "linyi-14i", "linyi-15a"),
    ),
    "tianning": (
        [Winner("organisation", "mayor", "常州某某纺织有限公司")],
        [("天宁区区长质量奖", "组织")],
        ("tianning-12k", "tianning-13a", "tianning-12k"),
    ),
}
GOVERNMENT = {
    "changning": "上海市长宁区人民政府",
    "jinshan": "上海市金山区人民政府",
    "hangzhou": "杭州市人民政府",
    "linyi": "临沂市人民政府",
    "tianning": "常州市天宁区人民政府",
}


def _next_day(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def _fields(r) -> list[str]:
    return [e["field"] for e in r.json().get("errors") or []]


async def _history(a: Approval, app_id: str) -> list[dict]:
    r = await a.flow.client.get(f"/api/v1/applications/{app_id}/history?size=100", headers=a.flow.headers["office"])
    assert r.status_code == 200, r.text
    return r.json()["items"]


@pytest.mark.parametrize("programme", list(PROGRAMMES))
async def test_from_government_approval_to_the_public_winners_list__changning_26a_jinshan_18n_19a_hangzhou_3_3_8_4_2_linyi_14i_15a_tianning_12k_13a(
    client, token, programme
):
    """Per programme: 报批 once the winners' notice ended, the government's approval by document number firing
    ``approve`` for each winner, the commendation decision with its own number, and the list announced to society
    (JSON, HTML, PDF) with tiers, categories and both document numbers, never an ID number."""
    winners, shown, (approval_clause, decision_clause, announcement_clause) = PROGRAMMES[programme]
    a = await to_government_approval(client, token, programme, winners)
    today = await a.today()
    prefix = {"changning": "长府", "jinshan": "金府", "hangzhou": "杭政", "linyi": "临政", "tianning": "天政"}[
        programme
    ]
    approval_no, decision_no = f"{prefix}〔2026〕81号", f"{prefix}〔2026〕82号"

    # before the submission nothing is public but the round's heading
    r = await client.get(f"/api/v1/public/rounds/{a.round_id}/winners")
    assert r.status_code == 200 and r.json()["announced"] is False and r.json()["winners"] == [], r.text

    r = await a.submit(today, note="呈报")
    assert r.status_code == 201, r.text
    sub = r.json()
    assert sub["submitted_to_zh"] == GOVERNMENT[programme] and sub["clause"] == approval_clause
    assert [e["application_id"] for e in sub["applications"]] == a.ids

    r = await a.approve(approval_no, today)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["approval"]["document_no"] == approval_no and body["approval"]["clause"] == approval_clause
    assert {x["state"] for x in body["applications"]} == {"awarded"}
    # the machine fired approve for each, with the document number in its history entry
    for app_id in a.ids:
        last = (await _history(a, app_id))[-1]
        assert (last["event"], last["accepted"], last["to_state"]) == ("approve", True, "awarded"), last

    r = await a.commend(decision_no, today)
    assert r.status_code == 201, r.text
    acts = r.json()
    assert acts["commendation"]["document_no"] == decision_no and acts["commendation"]["clause"] == decision_clause
    assert [(x["tier_name_zh"], x["category_name_zh"]) for x in acts["awards"]] == shown
    assert all(e["approved"] for e in acts["submission"]["applications"])

    # shown on each awarded application
    for app_id, (tier_zh, category_zh) in zip(a.ids, shown, strict=True):
        r = await client.get(f"/api/v1/applications/{app_id}/commendation", headers=a.flow.headers["applicant"])
        assert r.status_code == 200, r.text
        got = r.json()
        assert got["commendation"]["document_no"] == decision_no
        assert (got["award"]["tier_name_zh"], got["award"]["category_name_zh"]) == (tier_zh, category_zh)

    # the public list: JSON with its ETag and cache rule
    r = await client.get(f"/api/v1/public/rounds/{a.round_id}/winners")
    assert r.status_code == 200, r.text
    pub = r.json()
    assert pub["announced"] is True and pub["clause"] == announcement_clause
    assert (pub["approval"]["document_no"], pub["commendation"]["document_no"]) == (approval_no, decision_no)
    assert [w["name"] for w in pub["winners"]] == [w.name for w in winners]
    assert [(w["tier_name_zh"], w["category_name_zh"]) for w in pub["winners"]] == shown
    assert r.headers["etag"].startswith('"') and "max-age" in r.headers["cache-control"]
    again = await client.get(
        f"/api/v1/public/rounds/{a.round_id}/winners", headers={"If-None-Match": r.headers["etag"]}
    )
    assert again.status_code == 304 and again.headers["etag"] == r.headers["etag"]

    # the page and the PDF read back
    page = await client.get(f"/api/v1/public/rounds/{a.round_id}/winners.html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), page.text
    assert page.headers["etag"] and page.headers["cache-control"]
    html = page.text
    pdf = await client.get(f"/api/v1/public/rounds/{a.round_id}/winners.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    flat = "".join(text.split())
    for needle in (approval_no, decision_no, GOVERNMENT[programme], *(s for pair in shown for s in pair)):
        assert needle in html, needle
        assert needle in flat, (needle, text)
    for w in winners:
        assert escape(w.name) in html, w.name
        assert "".join(w.name.split()) in flat, (w.name, text)
    assert "<script" not in html and "http" not in html.split("<body>")[1] and "<长宁>" not in html
    # personal data: individuals' ID numbers never, in any form
    for number in a.id_numbers.values():
        for out in (r.text, html, text):
            assert number not in out and number[:6] + "*" not in out
