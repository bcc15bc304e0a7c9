"""The expert review through the API: pool, conflicts, panels, confidentiality, independent scores, consensus."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook

from tests.notices.driver import credit_code
from tests.review_flow.world import Review, items
from tests.workflow.flow import ORG_CODES, Flow

P = "changning"
OTHER_CODE = credit_code(77)  # a third organisation


async def _setup(client, token, programme: str = P, apps: int = 2):
    flow = Flow(client, token, programme)
    rnd = await flow.september_round()
    ids = [
        (await flow.apply(rnd["id"], "model", name=f"上海某某公司{i}", credit_code=ORG_CODES[i]))["id"]
        for i in range(apps)
    ]
    return flow, rnd, ids, Review(client, token, programme)


async def test_the_pool_is_the_office_s_and_a_disqualification_records_its_reason_changning_28b(client, token):
    _, _, _, review = await _setup(client, token, apps=0)
    bad = await client.post(
        "/api/v1/review/experts",
        json={
            "subject": "x",
            "name": "甲",
            "employer_credit_code": "91350100M000100Y44",
            "term_starts_on": "2025-01-01",
            "term_ends_on": "2027-12-31",
        },
        headers=review.office,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "employer_credit_code", bad.text
    e = await review.expert("甲", employer_credit_code=OTHER_CODE)
    other_office = token("office", programme="jinshan")
    assert (await client.get(f"/api/v1/review/experts/{e['id']}", headers=other_office)).status_code == 404
    assert (await client.get(f"/api/v1/review/experts/{e['id']}", headers=review.headers["甲"])).status_code == 200
    r = await client.post(
        f"/api/v1/review/experts/{e['id']}/status",
        json={"status": "disqualified", "reason": "泄露申报材料"},
        headers=review.office,
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "disqualified"
    log = r.json()["status_log"][-1]
    assert (log["from"], log["to"], log["reason"], log["clause"]) == (
        "active",
        "disqualified",
        "泄露申报材料",
        "changning-28b",
    )
    listed = await client.get("/api/v1/review/experts", headers=review.office)
    assert [x["id"] for x in listed.json()["items"]] == [e["id"]]
    assert (await client.get("/api/v1/review/experts", headers=other_office)).json()["total"] == 0


async def test_conflicts_derived_declared_and_filed_guidance_bar_assignment_unless_overridden_changning_15c(
    client, token, concurrently
):
    _, rnd, (a1, a2), review = await _setup(client, token)
    await review.expert("同单位", employer_credit_code=ORG_CODES[0])  # works for applicant 1
    await review.expert("辅导")
    await review.expert("无关")
    panel = await review.panel(rnd["id"], "material", "无关", ["同单位", "辅导"])
    r = await review.assign(panel["id"], a1, ["同单位"], expect=409)
    body = r.json()
    assert body["type"].endswith("/expert-conflicted") and body["clause"] == "changning-28c", body
    assert body["conflicts"][0]["kind"] == "employer" and body["conflicts"][0]["source"] == "derived"
    # a guidance filing (辅导备案, changning-15b) recuses the expert from that applicant automatically (15c)
    filed = await client.post(
        f"/api/v1/review/experts/{review.id('辅导')}/conflicts",
        json={"kind": "guidance", "credit_code": ORG_CODES[1], "detail": "2025年为该企业开展卓越绩效辅导"},
        headers=review.headers["辅导"],
    )
    assert filed.status_code == 201 and filed.json()["clause"] == "changning-15b", filed.text
    r = await review.assign(panel["id"], a2, ["辅导"], expect=409)
    assert r.json()["clause"] == "changning-15c" and r.json()["conflicts"][0]["kind"] == "guidance"
    # the office may not declare for the expert
    r = await client.post(
        f"/api/v1/review/experts/{review.id('辅导')}/conflicts",
        json={"kind": "family", "application_id": a1, "detail": "x"},
        headers=review.office,
    )
    assert r.status_code == 403
    # automatic assignment skips the conflicted and balances load
    r = await review.assign(panel["id"], a2, None, count=3)
    assert sorted(x["expert_id"] for x in r.json()) == sorted([review.id("同单位"), review.id("无关")])
    r = await review.assign(panel["id"], a1, None, count=1)
    assert [x["expert_id"] for x in r.json()] == [review.id("辅导")]  # the least loaded without a conflict
    # an override with its reason lets the office assign despite the conflict, and it is on record
    body = {"expert_id": review.id("同单位"), "application_id": a1, "reason": "该专家已离职三年，经评审办研究不需回避"}
    got = await concurrently(
        2, lambda i: client.post("/api/v1/review/conflict-overrides", json=body, headers=review.office)
    )
    assert sorted(r.status_code for r in got) == [201, 409], [r.text for r in got]
    await review.assign(panel["id"], a1, ["同单位"])
    record = await client.get(f"/api/v1/review/experts/{review.id('同单位')}/conflicts", headers=review.office)
    assert [o["reason"] for o in record.json()["overrides"]] == ["该专家已离职三年，经评审办研究不需回避"]
    filings = await client.get(f"/api/v1/review/experts/{review.id('辅导')}/conflicts", headers=review.headers["辅导"])
    assert [(d["kind"], d["clause"]) for d in filings.json()["declarations"]] == [("guidance", "changning-15b")]


async def test_an_expert_reads_only_its_open_assignment_after_the_pledge_and_every_read_is_audited_jinshan_21a(
    client, token
):
    _, rnd, (a1, _), review = await _setup(client, token, programme="jinshan")
    for n in ("甲", "乙", "丙"):
        await review.expert(n)
    panel = await review.panel(rnd["id"], "material", "甲", ["乙", "丙"])
    await review.assign(panel["id"], a1, ["甲", "乙"])
    mine = await review.assignment_of("甲", a1)
    url = f"/api/v1/review/assignments/{mine}/application"
    # before the pledge: refused, naming the clause
    r = await client.get(url, headers=review.headers["甲"])
    assert (
        r.status_code == 403 and r.json()["type"].endswith("/pledge-required") and r.json()["clause"] == "jinshan-21a"
    )
    pledge = await review.pledge(panel["id"], "甲")
    assert "保守申报组织的商业和技术秘密" in pledge["pledge_zh"]
    r = await client.get(url, headers=review.headers["甲"])
    assert r.status_code == 200 and r.json()["application_id"] == a1, r.text
    # an unassigned panel member and another expert: 404
    assert (await client.get(url, headers=review.headers["丙"])).status_code == 404
    # recused: 404; the office closing one: 404 as well
    theirs = await review.assignment_of("乙", a1)
    await review.pledge(panel["id"], "乙")
    r = await client.post(
        f"/api/v1/review/assignments/{theirs}/recusal", json={"reason": "曾为其提供咨询"}, headers=review.headers["乙"]
    )
    assert r.status_code == 200 and r.json()["status"] == "recused"
    assert (
        await client.get(f"/api/v1/review/assignments/{theirs}/application", headers=review.headers["乙"])
    ).status_code == 404
    r = await client.post(
        f"/api/v1/review/assignments/{mine}/close", json={"reason": "调整分工"}, headers=review.office
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert (await client.get(url, headers=review.headers["甲"])).status_code == 404
    # the office's record: the panel, and every assignment with how it ended and why
    listed = await client.get(f"/api/v1/review/rounds/{rnd['id']}/panels", headers=review.office)
    assert [p["id"] for p in listed.json()] == [panel["id"]]
    record = await client.get(f"/api/v1/review/panels/{panel['id']}/assignments", headers=review.office)
    assert sorted((a["status"], a["closed_reason"]) for a in record.json()) == [
        ("closed", "调整分工"),
        ("recused", "曾为其提供咨询"),
    ]
    admin = token("admin", sub="auditor")
    audit = await client.get("/api/v1/admin/read-audit", params={"record_kind": "review_application"}, headers=admin)
    assert audit.status_code == 200
    assert [(x["record_id"], x["subject"]) for x in audit.json()["items"]] == [(a1, review.experts["甲"]["subject"])]


async def test_independent_scores_then_the_leader_s_consensus_with_outliers_flagged(client, token):
    _, rnd, (a1, _), review = await _setup(client, token)
    for n in ("组长", "乙", "丙"):
        await review.expert(n)
    panel = await review.panel(rnd["id"], "material", "组长", ["乙", "丙"])
    for n in ("组长", "乙", "丙"):
        await review.pledge(panel["id"], n)
    await review.assign(panel["id"], a1, ["组长", "乙", "丙"])
    book = items(P, "model")
    ids = {n: await review.assignment_of(n, a1) for n in ("组长", "乙", "丙")}
    # bad input: a band off the 5% steps, an item not in the book, a missing item: 422 naming each
    r = await review.score("乙", ids["乙"], {**review.sheet(book), book[0]: 62, "9.9": 50})
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {f"scores.{book[0]}", "scores.9.9"} <= fields, fields
    r = await review.score("乙", ids["乙"], {book[0]: 60})
    assert r.status_code == 422 and f"scores.{book[1]}" in {e["field"] for e in r.json()["errors"]}
    sheet = review.sheet(book)
    r = await review.score("乙", ids["乙"], sheet, {book[0]: {"strengths": "战略清晰", "improvements": "展开不足"}})
    assert r.status_code == 201, r.text
    scores_url = f"/api/v1/review/panels/{panel['id']}/applications/{a1}/scores"
    # the others are hidden from a member who has not scored
    r = await client.get(scores_url, headers=review.headers["丙"])
    assert r.status_code == 403 and r.json()["type"].endswith("/scores-hidden")
    assert (await client.get(scores_url, headers=review.headers["乙"])).status_code == 200
    # a consensus before every member scored: 422 naming the missing members
    r = await review.consensus("组长", panel["id"], a1, sheet)
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {f"members.{review.id('组长')}", f"members.{review.id('丙')}"}
    assert (await review.score("丙", ids["丙"], {**sheet, book[0]: 90})).status_code == 201
    assert (await review.score("组长", ids["组长"], sheet)).status_code == 201
    assert (await review.score("组长", ids["组长"], sheet)).json()["type"].endswith("/already-recorded")
    # only the leader records it, with a rationale per item
    assert (await review.consensus("乙", panel["id"], a1, sheet)).status_code == 403
    r = await review.consensus("组长", panel["id"], a1, sheet, {book[0]: "一致"})
    assert r.status_code == 422 and f"rationale.{book[1]}" in {e["field"] for e in r.json()["errors"]}
    r = await review.consensus("组长", panel["id"], a1, sheet)
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["outliers"] == [
        {"member": review.id("丙"), "item_id": book[0], "band": 90, "median": "60", "difference": "30"}
    ]
    got = (await client.get(scores_url, headers=review.office)).json()
    assert len(got["sheets"]) == 3 and got["consensus"]["total"] == c["total"]
    # the office's workbook: each sheet's total and the consensus's equal the API's, the outlier filled
    r = await client.get(scores_url + "/export", params={"format": "xlsx"}, headers=review.office)
    assert r.status_code == 200, r.text
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    header, total_row = rows[0], next(row for row in rows if row[2] == "总分")
    by_label = {
        header[i].removesuffix(" 得分"): total_row[i] for i in range(len(header)) if str(header[i]).endswith(" 得分")
    }
    assert Decimal(str(by_label["共识"])) == Decimal(c["total"])
    assert {Decimal(str(by_label[n])) for n in ("组长", "乙", "丙")} == {Decimal(s["total"]) for s in got["sheets"]}
    csv_body = await client.get(scores_url + "/export", params={"format": "csv"}, headers=review.office)
    assert csv_body.status_code == 200 and "共识" in csv_body.content.decode("utf-8-sig")
    ranking = await client.get(f"/api/v1/review/rounds/{rnd['id']}/ranking", headers=review.office)
    assert ranking.json()[0]["entries"][0]["application_id"] == a1


async def test_a_disqualified_expert_s_sheet_no_longer_counts_towards_the_consensus_changning_28b(client, token):
    _, rnd, (a1, _), review = await _setup(client, token)
    for n in ("组长", "乙"):
        await review.expert(n)
    panel = await review.panel(rnd["id"], "material", "组长", ["乙"])
    for n in ("组长", "乙"):
        await review.pledge(panel["id"], n)
    await review.assign(panel["id"], a1, ["组长", "乙"])
    sheet = review.sheet(items(P, "model"))
    assert (await review.score("乙", await review.assignment_of("乙", a1), sheet)).status_code == 201
    r = await client.post(
        f"/api/v1/review/experts/{review.id('乙')}/status",
        json={"status": "disqualified", "reason": "违反评审纪律"},
        headers=review.office,
    )
    assert r.status_code == 200
    scores = (
        await client.get(f"/api/v1/review/panels/{panel['id']}/applications/{a1}/scores", headers=review.office)
    ).json()
    assert scores["members"] == [review.id("组长")] and scores["sheets"] == []
    assert (await review.score("组长", await review.assignment_of("组长", a1), sheet)).status_code == 201
    r = await review.consensus("组长", panel["id"], a1, sheet)
    assert r.status_code == 201, r.text


async def test_a_conflict_declared_after_assignment_bars_the_score_changning_28c(client, token):
    _, rnd, (a1, _), review = await _setup(client, token)
    await review.expert("甲")
    panel = await review.panel(rnd["id"], "material", "甲", [])
    await review.pledge(panel["id"], "甲")
    await review.assign(panel["id"], a1, ["甲"])
    mine = await review.assignment_of("甲", a1)
    r = await client.post(
        f"/api/v1/review/experts/{review.id('甲')}/conflicts",
        json={"kind": "shareholding", "application_id": a1, "detail": "持有该企业股份"},
        headers=review.headers["甲"],
    )
    assert r.status_code == 201
    r = await review.score("甲", mine, review.sheet(items(P, "model")))
    assert r.status_code == 409 and r.json()["type"].endswith("/expert-conflicted"), r.text


async def test_concurrent_sheets_consensus_and_reassignment_lose_nothing_and_count_nothing_twice(
    client, token, concurrently
):
    _, rnd, (a1, a2), review = await _setup(client, token)
    names = ("组长", "乙", "丙")
    for n in names:
        await review.expert(n)
    panel = await review.panel(rnd["id"], "material", "组长", ["乙", "丙"])
    for n in names:
        await review.pledge(panel["id"], n)
    await review.assign(panel["id"], a1, list(names))
    sheet = review.sheet(items(P, "model"))
    ids = {n: await review.assignment_of(n, a1) for n in names}
    # two members submitting at once: both land
    got = await concurrently(3, lambda i: review.score(names[i], ids[names[i]], sheet))
    assert [r.status_code for r in got] == [201, 201, 201], [r.text for r in got]
    # the consensus recorded twice at once: once
    got = await concurrently(2, lambda i: review.consensus("组长", panel["id"], a1, sheet))
    assert sorted(r.status_code for r in got) == [201, 409], [r.text for r in got]
    scores = (
        await client.get(f"/api/v1/review/panels/{panel['id']}/applications/{a1}/scores", headers=review.office)
    ).json()
    assert len(scores["sheets"]) == 3
    # the office taking an assignment back while its expert submits: one of them wins, wholly
    await review.assign(panel["id"], a2, ["乙"])
    theirs = await review.assignment_of("乙", a2)

    async def act(i: int):
        if i == 0:
            return await review.score("乙", theirs, sheet)
        return await client.post(
            f"/api/v1/review/assignments/{theirs}/close", json={"reason": "改派"}, headers=review.office
        )

    score, close = await concurrently(2, act)
    assert (score.status_code, close.status_code) in {(201, 409), (404, 200)}, (score.text, close.text)
    after = (
        await client.get(f"/api/v1/review/panels/{panel['id']}/applications/{a2}/scores", headers=review.office)
    ).json()
    assert len(after["sheets"]) == (1 if score.status_code == 201 else 0)


async def test_the_same_person_added_twice_at_once_is_one_expert_and_two_panels_racing_record_one_report(
    client, token, concurrently
):
    _, rnd, (a1, _), review = await _setup(client, token)
    body = {"subject": "changning-twice", "name": "重复", "term_starts_on": "2025-01-01", "term_ends_on": "2028-12-31"}
    got = await concurrently(2, lambda i: client.post("/api/v1/review/experts", json=body, headers=review.office))
    assert sorted(r.status_code for r in got) == [201, 409], [r.text for r in got]
    assert next(r for r in got if r.status_code == 409).json()["errors"][0]["field"] == "subject"
    # two on-site panels' leaders reporting on the same application at once: one report
    await review.expert("甲")
    await review.expert("乙")
    panels = [await review.panel(rnd["id"], "onsite", n, []) for n in ("甲", "乙")]
    for panel, n in zip(panels, ("甲", "乙"), strict=True):
        await review.pledge(panel["id"], n)
        await review.assign(panel["id"], a1, [n])
    got = await concurrently(2, lambda i: review.report(("甲", "乙")[i], panels[i]["id"], a1))
    assert sorted(r.status_code for r in got) == [201, 409], [r.text for r in got]


async def test_automatic_assignment_prefers_the_application_s_industry_then_the_lightest_load(client, token):
    _, rnd, (a1, a2), review = await _setup(client, token)
    await review.expert("制造", industries=["制造业"])
    await review.expert("金融", industries=["金融业"])
    await review.expert("服务", industries=["服务业"])
    panel = await review.panel(rnd["id"], "material", "制造", ["金融", "服务"])
    url = f"/api/v1/review/panels/{panel['id']}/assignments"
    r = await client.post(url, json={"application_id": a1, "count": 1, "industry": "金融业"}, headers=review.office)
    assert [a["expert_id"] for a in r.json()] == [review.id("金融")]
    r = await client.post(url, json={"application_id": a2, "count": 2, "industry": "金融业"}, headers=review.office)
    # the one who knows the industry first, then one of the less loaded others
    first, second = (a["expert_id"] for a in r.json())
    assert first == review.id("金融") and second in {review.id("服务"), review.id("制造")}


async def test_a_member_leaves_with_a_reason_and_its_unscored_assignments_close_with_it(client, token):
    _, rnd, (a1, a2), review = await _setup(client, token)
    for n in ("组长", "乙"):
        await review.expert(n)
    panel = await review.panel(rnd["id"], "material", "组长", ["乙"])
    await review.pledge(panel["id"], "乙")
    await review.assign(panel["id"], a1, ["乙"])
    await review.assign(panel["id"], a2, ["乙"])
    scored = await review.assignment_of("乙", a1)
    open_one = await review.assignment_of("乙", a2)
    assert (await review.score("乙", scored, review.sheet(items(P, "model")))).status_code == 201
    url = f"/api/v1/review/panels/{panel['id']}/members/{review.id('乙')}/removal"
    assert (await client.post(url, json={"reason": " "}, headers=review.office)).status_code == 422
    leader = f"/api/v1/review/panels/{panel['id']}/members/{review.id('组长')}/removal"
    assert (await client.post(leader, json={"reason": "x"}, headers=review.office)).status_code == 422
    r = await client.post(url, json={"reason": "工作调动"}, headers=review.office)
    assert r.status_code == 200, r.text
    assert [m["expert_id"] for m in r.json()["members"]] == [review.id("组长")]
    assert r.json()["change_log"][-1]["reason"] == "工作调动"
    mine = await client.get("/api/v1/review/my-assignments", headers=review.headers["乙"])
    assert [a["id"] for a in mine.json()] == [scored]  # the scored one stays; its sheet counts
    assert (
        await client.get(f"/api/v1/review/assignments/{open_one}/application", headers=review.headers["乙"])
    ).status_code == 404


async def test_an_expert_downloads_materials_only_through_its_open_pledged_assignment_hangzhou_6_2a(client, token):
    flow, rnd, (a1, _), review = await _setup(client, token)
    r = await client.post(
        f"/api/v1/applications/{a1}/materials",
        params={"kind": "evidence", "filename": "证明.pdf"},
        content=b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        headers=flow.headers["applicant"],
    )
    assert r.status_code == 201, r.text
    url = f"/api/v1/applications/{a1}/materials/{r.json()['id']}/content"
    # submitted: a draft is no expert's to read at all (least privilege, issue 13)
    assert (await flow.fire(a1, "submit")).status_code == 200
    await review.expert("甲")
    # an expert of the programme outside the pool, and the pool's expert before any assignment: 404
    assert (await client.get(url, headers=token("expert", programme=P, sub="roaming"))).status_code == 404
    assert (await client.get(url, headers=review.headers["甲"])).status_code == 404
    panel = await review.panel(rnd["id"], "material", "甲", [])
    await review.assign(panel["id"], a1, ["甲"])
    assert (await client.get(url, headers=review.headers["甲"])).status_code == 404  # no pledge yet
    await review.pledge(panel["id"], "甲")
    assert (await client.get(url, headers=review.headers["甲"])).status_code == 200
    assert (await client.get(f"/api/v1/applications/{a1}/materials", headers=review.headers["甲"])).status_code == 200
    mine = await review.assignment_of("甲", a1)
    await client.post(f"/api/v1/review/assignments/{mine}/close", json={"reason": "改派"}, headers=review.office)
    assert (await client.get(url, headers=review.headers["甲"])).status_code == 404
    # the office reads it as before
    assert (await client.get(url, headers=review.office)).status_code == 200
