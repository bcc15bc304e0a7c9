"""A stage report is a generated PDF stored as a material with its hash, its data as JSON (changning-23)."""

from __future__ import annotations

import hashlib
import io

from pypdf import PdfReader

from tests.notices.driver import credit_code
from tests.review_flow.world import Review, items
from tests.workflow.flow import Flow

P = "changning"


async def test_the_onsite_report_is_a_stored_pdf_holding_the_chinese_scores_and_comments_changning_23(client, token):
    flow = Flow(client, token, P)
    rnd = await flow.september_round()
    app = (await flow.apply(rnd["id"], "model", name="上海报告测试有限公司", credit_code=credit_code(61)))["id"]
    review = Review(client, token, P)
    await review.expert("组长")
    material = await review.panel(rnd["id"], "material", "组长", [])
    await review.pledge(material["id"], "组长")
    await review.assign(material["id"], app, ["组长"])
    book = items(P, "model")
    sheet = review.sheet(book, 65)
    comments = {book[0]: {"strengths": "高层领导重视质量文化", "improvements": "战略目标分解不够细"}}
    assert (await review.score("组长", await review.assignment_of("组长", app), sheet, comments)).status_code == 201
    r = await client.post(
        f"/api/v1/review/panels/{material['id']}/applications/{app}/consensus",
        json={"scores": sheet, "rationale": dict.fromkeys(book, "组内讨论一致"), "comments": comments},
        headers=review.headers["组长"],
    )
    assert r.status_code == 201, r.text
    total = r.json()["total"]
    onsite = await review.panel(rnd["id"], "onsite", "组长", [])
    await review.pledge(onsite["id"], "组长")
    await review.assign(onsite["id"], app, ["组长"])
    r = await review.report("组长", onsite["id"], app, summary="现场评审意见：管理体系运行有效", held_on="2026-10-20")
    assert r.status_code == 201, r.text
    document = r.json()["content"]["document"]
    assert document["data"]["total"] == total, document["data"]
    mats = (await client.get(f"/api/v1/applications/{app}/materials", headers=review.office)).json()
    (pdf_row,) = [m for m in mats if m["kind"] == "review_report"]
    assert pdf_row["sha256"] == document["sha256"] and pdf_row["id"] == document["material_id"]
    got = await client.get(f"/api/v1/applications/{app}/materials/{pdf_row['id']}/content", headers=review.office)
    assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == document["sha256"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(got.content)).pages)
    for expected in ("现场评审报告", "上海报告测试有限公司", "高层领导重视质量文化", "战略目标分解不够细", total):
        assert expected in text, expected


async def test_the_applicant_gets_its_feedback_report_with_its_scores_against_the_maximum_jinshan_18e(client, token):
    flow = Flow(client, token, "jinshan")
    rnd = await flow.september_round()
    app = (await flow.apply(rnd["id"], "model", name="金山反馈测试有限公司", credit_code=credit_code(62)))["id"]
    review = Review(client, token, "jinshan")
    await review.expert("组长")
    panel = await review.panel(rnd["id"], "material", "组长", [])
    await review.pledge(panel["id"], "组长")
    await review.assign(panel["id"], app, ["组长"])
    book = items("jinshan", "model")
    sheet = review.sheet(book, 40)
    url = f"/api/v1/review/panels/{panel['id']}/applications/{app}/feedback"
    r = await client.post(url, json={"outcome_zh": "未进入现场评审"}, headers=review.office)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "consensus"
    comments = {book[-1]: {"strengths": "顾客满意度逐年提升", "improvements": "缺少同行对比数据"}}
    assert (await review.score("组长", await review.assignment_of("组长", app), sheet)).status_code == 201
    r = await client.post(
        f"/api/v1/review/panels/{panel['id']}/applications/{app}/consensus",
        json={"scores": sheet, "rationale": dict.fromkeys(book, "一致"), "comments": comments},
        headers=review.headers["组长"],
    )
    assert r.status_code == 201, r.text
    r = await client.post(url, json={"outcome_zh": "未进入现场评审"}, headers=review.office)
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["data"]["outcome"] == "未进入现场评审"
    # the applicant reads it among its materials
    got = await client.get(
        f"/api/v1/applications/{app}/materials/{doc['material_id']}/content", headers=flow.headers["applicant"]
    )
    assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == doc["sha256"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(got.content)).pages)
    for expected in ("反馈报告", "金山反馈测试有限公司", "顾客满意度逐年提升", "缺少同行对比数据", "400.0"):
        assert expected in text, expected
