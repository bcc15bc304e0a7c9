"""Linyi's third-party review body (第三方评审机构, linyi-8a-d) and its scoped role ``review_body``.

The office records the body and engages it for a round; the body engages its own experts (8c),
forms panels of them, assigns and takes back, reads the scores and the ranking, and writes the
stage reports (8d). Its ties recuse every expert it engaged (20a). Never another programme, another
body's panel, a round it is not engaged for, or anything outside the review.
"""

from __future__ import annotations

import uuid

from tests.notices.driver import LINYI, NoticeFlow, credit_code
from tests.review_flow.world import Review, items

BODY_CODE = credit_code(900)


async def _linyi_at_material(client, token, n: int = 2) -> tuple[NoticeFlow, list[str]]:
    flow = NoticeFlow(client, token, "linyi")
    await flow.start()
    ids = await flow.applications(n, "organisation")
    await flow.act(ids, LINYI)
    return flow, ids


async def _body(client, office: dict, flow: NoticeFlow, code: str = "B1", credit: str = BODY_CODE) -> dict:
    r = await client.post(
        "/api/v1/review/bodies",
        json={"code": code, "name": f"某某质量评价中心{code}", "credit_code": credit},
        headers=office,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    r = await client.post(
        f"/api/v1/review/bodies/{body['id']}/engagements",
        json={
            "round_id": flow.round["id"],
            "contract_no": "LYZL-2026-001",
            "engaged_on": "2026-08-25",
            "term_starts_on": "2026-08-25",
            "term_ends_on": "2027-06-30",
        },
        headers=office,
    )
    assert r.status_code == 201, r.text
    return body


async def _body_expert(client, token, headers: dict, name: str) -> tuple[dict, dict]:
    subject = f"linyi-body-{name}-{uuid.uuid4().hex[:8]}"
    r = await client.post(
        "/api/v1/review/experts",
        json={
            "subject": subject,
            "name": name,
            "qualifications": ["provincial_examiner"],
            "industries": ["制造业"],
            "term_starts_on": "2025-01-01",
            "term_ends_on": "2028-12-31",
        },
        headers=headers,
    )
    assert r.status_code == 201, r.text
    return r.json(), token("expert", programme="linyi", sub=subject)


async def _fire(client, app_id: str, event: str, headers: dict):
    got = await client.get(f"/api/v1/applications/{app_id}", headers=headers)
    assert got.status_code == 200, got.text
    return await client.post(
        f"/api/v1/applications/{app_id}/events",
        json={"event": event, "data": {}},
        headers={**headers, "If-Match": got.headers["etag"]},
    )


async def test_linyi_round_reviewed_by_its_engaged_body_and_three_of_its_experts_linyi_8a_8c_8d_20a(client, token):
    flow, (app_a, app_b) = await _linyi_at_material(client, token)
    review = Review(client, token, "linyi")
    office = review.office
    body = await _body(client, office, flow)
    as_body = token("review_body", programme="linyi", body="B1", sub="linyi-body-b1")

    # the body engages its own experts (linyi-8c): linked to it whatever the request says
    experts, heads = {}, {}
    for name in ("王组长", "李专家", "赵专家"):
        experts[name], heads[name] = await _body_expert(client, token, as_body, name)
        assert experts[name]["body_id"] == body["id"]
    listed = await client.get("/api/v1/review/experts", headers=as_body)
    assert listed.status_code == 200 and {e["id"] for e in listed.json()["items"]} == {
        e["id"] for e in experts.values()
    }
    outsider = await review.expert("办公室专家")

    # a panel of its own experts only (422 naming the outsider)
    panel_body = {
        "round_id": flow.round["id"],
        "stage": "material",
        "name": "第三方材料评审组",
        "leader_id": experts["王组长"]["id"],
        "member_ids": [experts["李专家"]["id"], experts["赵专家"]["id"]],
    }
    r = await client.post(
        "/api/v1/review/panels",
        json={**panel_body, "member_ids": [*panel_body["member_ids"], outsider["id"]]},
        headers=as_body,
    )
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == [f"member_ids.{outsider['id']}"]
    r = await client.post("/api/v1/review/panels", json=panel_body, headers=as_body)
    assert r.status_code == 201, r.text
    panel = r.json()
    assert panel["body_id"] == body["id"]

    # the body coached applicant B (辅导): every expert it engaged is conflicted with B, derived (linyi-20a)
    app_b_code = credit_code(1)  # the flow's applications hold credit_code(0), credit_code(1)
    r = await client.post(
        f"/api/v1/review/bodies/{body['id']}/ties",
        json={"kind": "guidance", "credit_code": app_b_code, "detail": "2025年为该企业提供卓越绩效辅导"},
        headers=as_body,
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        f"/api/v1/review/panels/{panel['id']}/assignments",
        json={"application_id": app_b, "expert_ids": [experts["李专家"]["id"]]},
        headers=as_body,
    )
    assert r.status_code == 409 and r.json()["type"].endswith("/expert-conflicted"), r.text
    (conflict,) = r.json()["conflicts"]
    assert (conflict["kind"], conflict["source"], conflict["clause"]) == ("guidance", "derived", "linyi-20a")
    # automatic assignment skips them all: nobody of the body is left for B
    r = await client.post(
        f"/api/v1/review/panels/{panel['id']}/assignments",
        json={"application_id": app_b, "count": 3},
        headers=as_body,
    )
    assert r.status_code == 201 and r.json() == [], r.text

    # A to all three; one taken back with its reason, then given again
    r = await client.post(
        f"/api/v1/review/panels/{panel['id']}/assignments",
        json={"application_id": app_a, "count": 3},
        headers=as_body,
    )
    assert r.status_code == 201 and len(r.json()) == 3, r.text
    taken = next(a for a in r.json() if a["expert_id"] == experts["赵专家"]["id"])
    r = await client.post(
        f"/api/v1/review/assignments/{taken['id']}/close", json={"reason": "调整分工"}, headers=as_body
    )
    assert r.status_code == 200 and r.json()["status"] == "closed", r.text
    r = await client.post(
        f"/api/v1/review/panels/{panel['id']}/assignments",
        json={"application_id": app_a, "expert_ids": [experts["赵专家"]["id"]], "reason": "恢复分工"},
        headers=as_body,
    )
    assert r.status_code == 201, r.text

    # the experts score independently, the leader records the consensus
    sheet = review.sheet(items("linyi", "organisation"))
    for name in experts:
        assert (
            await client.post(f"/api/v1/review/panels/{panel['id']}/pledge", headers=heads[name])
        ).status_code == 200
        mine = await client.get("/api/v1/review/my-assignments", headers=heads[name])
        assignment = next(a["id"] for a in mine.json() if a["application_id"] == app_a)
        r = await client.post(
            f"/api/v1/review/assignments/{assignment}/score", json={"scores": sheet}, headers=heads[name]
        )
        assert r.status_code == 201, r.text
    r = await client.post(
        f"/api/v1/review/panels/{panel['id']}/applications/{app_a}/consensus",
        json={"scores": sheet, "rationale": dict.fromkeys(sheet, "组内讨论一致")},
        headers=heads["王组长"],
    )
    assert r.status_code == 201, r.text

    # the body reads the sheets and the ranking of its round
    r = await client.get(f"/api/v1/review/panels/{panel['id']}/applications/{app_a}/scores", headers=as_body)
    assert r.status_code == 200 and len(r.json()["sheets"]) == 3, r.text
    r = await client.get(f"/api/v1/review/rounds/{flow.round['id']}/ranking", headers=as_body)
    assert r.status_code == 200, r.text
    assert [e["application_id"] for g in r.json() for e in g["entries"]] == [app_a]
    r = await client.get(f"/api/v1/review/rounds/{flow.round['id']}/panels", headers=as_body)
    assert [p["id"] for p in r.json()] == [panel["id"]]

    # the material stage passes on the consensus; the body writes the on-site report as the body (linyi-8d)
    assert (await _fire(client, app_a, "shortlist", heads["王组长"])).status_code == 200
    r = await client.post(
        "/api/v1/review/panels", json={**panel_body, "stage": "onsite", "name": "现场评审组"}, headers=as_body
    )
    assert r.status_code == 201, r.text
    onsite = r.json()
    r = await client.post(
        f"/api/v1/review/panels/{onsite['id']}/assignments",
        json={"application_id": app_a, "count": 3},
        headers=as_body,
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        f"/api/v1/review/panels/{onsite['id']}/applications/{app_a}/report",
        json={"summary": "现场评审意见：达到要求", "strengths": ["领导重视"], "improvements": ["数据分析"]},
        headers=as_body,
    )
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "onsite_report"
    assert (await _fire(client, app_a, "complete_onsite", heads["王组长"])).status_code == 200


async def test_a_body_derived_conflict_when_the_body_is_the_applicant_linyi_20a(client, token):
    flow, (app_a,) = await _linyi_at_material(client, token, 1)
    review = Review(client, token, "linyi")
    body = await _body(client, review.office, flow, code="B2", credit=credit_code(0))
    # the office links an expert of its pool to the body
    expert = await review.expert("机构专家", body_id=body["id"])
    assert expert["body_id"] == body["id"]
    panel = await review.panel(flow.round["id"], "material", "机构专家", [])
    r = await review.assign(panel["id"], app_a, ["机构专家"], expect=409)
    (conflict,) = r.json()["conflicts"]
    assert (conflict["kind"], conflict["source"], conflict["clause"]) == ("employer", "derived", "linyi-20a")


async def test_the_body_role_acts_in_its_own_programme_round_and_review_only(client, token):
    flow, (app_a,) = await _linyi_at_material(client, token, 1)
    review = Review(client, token, "linyi")
    body = await _body(client, review.office, flow)
    as_body = token("review_body", programme="linyi", body="B1", sub="linyi-body-b1")
    mine, _ = await _body_expert(client, token, as_body, "王组长")

    # changning's review is not run by a body: no body there, and a body token is refused (403)
    changning = NoticeFlow(client, token, "changning")
    await changning.start()
    r = await client.post(
        "/api/v1/review/bodies",
        json={"code": "B1", "name": "某机构", "credit_code": BODY_CODE},
        headers=token("office", programme="changning"),
    )
    assert r.status_code == 409 and r.json()["type"].endswith("/review-body-not-provided"), r.text
    panel = {"round_id": changning.round["id"], "stage": "material", "name": "组", "leader_id": mine["id"]}
    for headers in (as_body, token("review_body", programme="changning", body="B1")):
        r = await client.post("/api/v1/review/panels", json=panel, headers=headers)
        assert r.status_code == 403, r.text
        r = await client.get(f"/api/v1/review/rounds/{changning.round['id']}/ranking", headers=headers)
        assert r.status_code == 403, r.text
    assert (
        await client.get("/api/v1/review/experts", headers=token("review_body", programme="changning", body="B1"))
    ).status_code == 403

    # nothing outside the review: rounds, round actions, the application's events
    call = {
        "title": "2028年度申报通知",
        "published_on": "2028-09-01",
        "opens_at": "2028-09-01T00:00:00+08:00",
        "closes_at": "2028-09-21T00:00:00+08:00",
    }
    r = await client.post(
        "/api/v1/rounds", json={"programme": "linyi", "label": "2028", "call": call, "overrides": []}, headers=as_body
    )
    assert r.status_code == 403, r.text
    # the applications themselves are not the body's to see or move (hidden: 404)
    assert (await client.get(f"/api/v1/applications/{app_a}", headers=as_body)).status_code == 404
    r = await client.post(
        f"/api/v1/applications/{app_a}/events",
        json={"event": "shortlist", "data": {}},
        headers={**as_body, "If-Match": '"1"'},
    )
    assert r.status_code == 404, r.text
    assert (
        await client.post(f"/api/v1/review/bodies/{body['id']}/engagements", json={}, headers=as_body)
    ).status_code == 403

    # another body's panel is hidden (404); the office's own panel too
    await _body(client, review.office, flow, code="B3", credit=credit_code(903))
    other = token("review_body", programme="linyi", body="B3", sub="linyi-body-b3")
    theirs, _ = await _body_expert(client, token, other, "另一机构专家")
    r = await client.post(
        "/api/v1/review/panels",
        json={"round_id": flow.round["id"], "stage": "material", "name": "B3组", "leader_id": theirs["id"]},
        headers=other,
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        f"/api/v1/review/panels/{r.json()['id']}/assignments", json={"application_id": app_a}, headers=as_body
    )
    assert r.status_code == 404, r.text
    # ... and it never forms a panel with another body's expert
    r = await client.post(
        "/api/v1/review/panels",
        json={"round_id": flow.round["id"], "stage": "material", "name": "组", "leader_id": theirs["id"]},
        headers=as_body,
    )
    assert r.status_code == 422, r.text

    # a body not engaged for the round, or suspended, acts no more (403)
    r = await client.post(
        "/api/v1/review/bodies",
        json={"code": "B4", "name": "未受委托机构", "credit_code": credit_code(904)},
        headers=review.office,
    )
    assert r.status_code == 201, r.text
    unengaged = token("review_body", programme="linyi", body="B4")
    r = await client.get(f"/api/v1/review/rounds/{flow.round['id']}/panels", headers=unengaged)
    assert r.status_code == 403, r.text
    bodies = (await client.get("/api/v1/review/bodies", headers=review.office)).json()
    b4 = next(b["id"] for b in bodies if b["code"] == "B4")
    r = await client.post(
        f"/api/v1/review/bodies/{b4}/engagements",
        json={
            "round_id": flow.round["id"],
            "engaged_on": "2026-01-05",
            "term_starts_on": "2026-01-05",
            "term_ends_on": "2026-06-30",
        },
        headers=review.office,
    )
    assert r.status_code == 201, r.text
    r = await client.get(f"/api/v1/review/rounds/{flow.round['id']}/panels", headers=unengaged)
    assert r.status_code == 403, r.text
    record = (await client.get(f"/api/v1/review/bodies/{b4}", headers=unengaged)).json()
    assert [e["term_ends_on"] for e in record["engagements"]] == ["2026-06-30"]
    r = await client.post(
        f"/api/v1/review/bodies/{body['id']}/status",
        json={"status": "suspended", "reason": "评审人员违反评审纪律（linyi-22a）"},
        headers=review.office,
    )
    assert r.status_code == 200 and r.json()["status"] == "suspended", r.text
    r = await client.get(f"/api/v1/review/rounds/{flow.round['id']}/panels", headers=as_body)
    assert r.status_code == 403, r.text
