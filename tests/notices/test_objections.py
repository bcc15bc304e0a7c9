"""Objections (异议): real names, deadlines, receipts, verification and its effects, per programme."""

from __future__ import annotations

import asyncio

import httpx
import psycopg2

from tests.notices.driver import (
    DIRECT,
    EVIDENCE,
    LINYI,
    RECOMMENDED,
    TO_COMMITTEE,
    NoticeFlow,
    objection,
    organisation,
    person,
)


async def _qualification_notice(
    client, token, programme: str = "changning", count: int = 1, at: str = "2026-09-29T10:00:00+08:00"
) -> tuple[NoticeFlow, list[str], dict]:
    flow = NoticeFlow(client, token, programme)
    await flow.start()
    ids = await flow.applications(count, "organisation" if programme == "hangzhou" else "model")
    await flow.act(ids, DIRECT if programme == "hangzhou" else RECOMMENDED)
    await flow.at(at)
    notice = await flow.publish("material_entrants" if programme == "hangzhou" else "qualification", ids)
    return flow, ids, notice


# --- who may object, and with what ---------------------------------------------------------


async def test_anonymous_objection_is_refused_naming_what_is_missing__changning_31a(client, token):
    flow, [app], notice = await _qualification_notice(client, token)
    r = await flow.object(notice["id"], objection(app, None))
    body = r.json()
    assert r.status_code == 422 and body["type"].endswith("/objection-incomplete") and body["clause"] == "changning-31a"
    assert {e["field"] for e in body["errors"]} == {"objector.kind", "objector.name", "objector.phone"}
    assert "匿名异议不予受理" in str(body["errors"]) and body["detail"].startswith("异议不予受理：缺少")


async def test_incomplete_person_and_organisation_are_refused_with_every_missing_item__hangzhou_3_3_7b(client, token):
    flow, [app], notice = await _qualification_notice(client, token, "hangzhou")
    r = await flow.object(notice["id"], objection(app, {"kind": "person", "name": "张三"}, facts="", evidence=[]))
    body = r.json()
    assert r.status_code == 422 and body["clause"] == "hangzhou-3.3.7b"
    assert {e["field"] for e in body["errors"]} == {"objector.phone", "objector.id_number", "facts", "evidence"}
    assert all(e["code"] == "missing" for e in body["errors"])
    r = await flow.object(
        notice["id"], objection(app, {"kind": "organisation", "name": "某公司", "phone": "13900000001"}, reasons=None)
    )
    assert {e["field"] for e in r.json()["errors"]} == {"objector.credit_code", "objector.contact_person", "reasons"}
    r = await flow.object(notice["id"], {"objector": person(1), "facts": "x", "reasons": "y", "evidence": EVIDENCE})
    assert [e["field"] for e in r.json()["errors"]] == ["application_id"]


async def test_invalid_identifiers_and_files_are_named(client, token):
    flow, [app], notice = await _qualification_notice(client, token)
    bad = person(1, id_number="110105198503120030", phone="12345")
    r = await flow.object(
        notice["id"], objection(app, bad, evidence=[{"filename": "a.pdf", "content_base64": "TVqQAAMAAAAEAAAA"}])
    )
    errors = {e["field"]: e["code"] for e in r.json()["errors"]}
    assert r.status_code == 422 and errors == {
        "objector.phone": "phone",
        "objector.id_number": "check_digit",
        "evidence[0]": "executable",
    }
    assert r.json()["detail"].startswith("异议不予受理：以下内容有误")
    r = await flow.object(notice["id"], objection(app, organisation(1, credit_code="91310000000000000X")))
    assert [e["field"] for e in r.json()["errors"]] == ["objector.credit_code"]


async def test_an_application_not_on_the_notice_cannot_be_objected_to(client, token):
    flow = NoticeFlow(client, token, "changning")
    await flow.start()
    ids = await flow.applications(2)
    await flow.act(ids, RECOMMENDED)
    notice = await flow.publish("qualification", ids[:1])
    other = ids[1]
    r = await flow.object(notice["id"], objection(other, person(1)))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "application_id"
    r = await flow.object("00000000-0000-0000-0000-000000000000", objection(ids[0], person(1)))
    assert r.status_code == 404


async def test_objection_one_second_before_the_end_is_received_one_after_is_notice_closed(client, token):
    flow, [app], notice = await _qualification_notice(client, token)
    await flow.at("2026-10-12T23:59:59+08:00")
    ok = await flow.object(notice["id"], objection(app, person(1)))
    assert ok.status_code == 201, ok.text
    await flow.at("2026-10-13T00:00:01+08:00")
    late = await flow.object(notice["id"], objection(app, person(2)))
    body = late.json()
    assert late.status_code == 422 and body["type"].endswith("/notice-closed") and body["clause"] == "changning-21c"
    assert body["detail"] == "公示期已于2026年10月12日24时结束，不再受理异议"


async def test_receipt_number_and_secret_follow_the_objection_in_chinese(client, token):
    flow, [app], notice = await _qualification_notice(client, token)
    await flow.at("2026-10-09T15:00:00+08:00")
    r = await flow.object(notice["id"], objection(app, person(7)))
    assert r.status_code == 201
    receipt = r.json()
    assert receipt["receipt_no"].startswith("YY20261009") and len(receipt["secret"]) >= 32
    assert receipt["status_zh"] == "已受理，待核查" and receipt["applicant_name"] == "上海某某质量管理有限公司0"
    assert f"受理编号：{receipt['receipt_no']}" in receipt["message_zh"]
    # changning states no verification period: the 5-working-day target is tracked (INTERPRETATIONS §7)
    # received Friday 2026-10-09: Saturday 10-10 is a make-up working day, so the fifth is Thursday 10-15
    assert (
        receipt["verification_due_on"] == "2026-10-15"
        and receipt["verification_target_zh"] == "核查期限：2026年10月15日24时前（服务目标）"
    )
    assert r.headers["location"] == f"/api/v1/public/objections/{receipt['receipt_no']}"
    assert "受理编号" in r.content.decode("utf-8")  # Chinese as text, not \\u escapes

    url = receipt["follow_url"]
    assert (await client.get(url)).status_code == 404
    assert (await client.get(url, headers={"X-Objection-Secret": "wrong"})).status_code == 404
    assert (
        await client.get(
            "/api/v1/public/objections/YY20261009999999", headers={"X-Objection-Secret": receipt["secret"]}
        )
    ).status_code == 404
    got = await client.get(url, headers={"X-Objection-Secret": receipt["secret"]})
    assert (
        got.status_code == 200
        and got.json()["status_zh"] == "已受理，待核查"
        and got.json()["facts"].startswith("该企业")
    )
    assert got.json()["evidence"][0]["filename"] == "证据.pdf"


# --- idempotency ----------------------------------------------------------------------------


async def test_a_retried_objection_with_the_same_idempotency_key_is_lodged_once(client, token, sync_db, concurrently):
    flow, [app], notice = await _qualification_notice(client, token)
    body = objection(app, person(3))
    first = await flow.object(notice["id"], body, {"Idempotency-Key": "retry-1"})
    again = await flow.object(notice["id"], body, {"Idempotency-Key": "retry-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    results = await concurrently(
        10, lambda i: flow.object(notice["id"], objection(app, person(4)), {"Idempotency-Key": "retry-2"})
    )
    assert {r.status_code for r in results} <= {201, 409} and len(
        {r.json()["receipt_no"] for r in results if r.status_code == 201}
    ) == 1
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM objections")
        assert cur.fetchone()[0] == 2


async def test_idempotency_keys_of_the_anonymous_public_are_scoped_to_the_objector(client, token):
    """Two strangers choosing the same key each lodge their own objection; neither is served the other's receipt."""
    flow, [app], notice = await _qualification_notice(client, token)
    a = await flow.object(notice["id"], objection(app, person(5)), {"Idempotency-Key": "1"})
    b = await flow.object(notice["id"], objection(app, organisation(5)), {"Idempotency-Key": "1"})
    assert a.status_code == b.status_code == 201 and a.json()["receipt_no"] != b.json()["receipt_no"]
    assert "idempotent-replayed" not in b.headers


async def test_an_objection_body_nested_too_deeply_to_parse_is_a_bad_request_not_a_500(client, token):
    """The objector-scoped route and the Idempotency-Key fingerprint both read the body before the framework does."""
    _flow, [_app], notice = await _qualification_notice(client, token)
    deep = b"[" * 100_000 + b"]" * 100_000
    url = f"/api/v1/public/notices/{notice['id']}/objections"
    plain = await client.post(url, content=deep, headers={"Content-Type": "application/json"})
    keyed = await client.post(
        url, content=deep, headers={"Content-Type": "application/json", "Idempotency-Key": "deep-1"}
    )
    assert plain.status_code == 400, plain.text
    assert keyed.status_code == plain.status_code and keyed.json()["type"] == plain.json()["type"], keyed.text
    assert keyed.headers["content-type"].startswith("application/problem+json")


# --- rate limits ----------------------------------------------------------------------------


async def test_one_address_may_lodge_30_objections_an_hour(client, token):
    flow, [app], notice = await _qualification_notice(client, token)
    codes = [(await flow.object(notice["id"], objection(app, person(i)))).status_code for i in range(30)]
    assert codes == [201] * 30
    r = await flow.object(notice["id"], objection(app, person(99)))
    assert r.status_code == 429 and r.json()["type"].endswith("/rate-limited") and int(r.headers["retry-after"]) > 0
    assert r.json()["detail"] == "同一网络地址每小时最多提交30件异议，请稍后再试"
    # the next hour the same address is heard again
    await flow.at("2026-09-29T11:00:00+08:00")
    assert (await flow.object(notice["id"], objection(app, person(100)))).status_code == 201


async def test_one_objector_may_lodge_10_objections_an_hour_from_any_address(app, client, token):
    _flow, [application], notice = await _qualification_notice(client, token)
    codes = []
    for i in range(11):
        transport = httpx.ASGITransport(app=app, client=(f"10.1.0.{i + 1}", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            r = await c.post(
                f"/api/v1/public/notices/{notice['id']}/objections", json=objection(application, organisation(1))
            )
            codes.append(r.status_code)
    assert codes == [201] * 10 + [429]


# --- verification and its effects ----------------------------------------------------------


async def test_upheld_objection_disqualifies_and_the_result_is_published_without_the_objector__hangzhou_3_3_7d(
    client, token
):
    flow, [app], notice = await _qualification_notice(client, token, "hangzhou")
    await flow.at("2026-09-30T09:00:00+08:00")
    receipt = (await flow.object(notice["id"], objection(app, person(8)))).json()
    oid = await flow.objection_id(receipt["receipt_no"])
    got = await flow.office_objection(oid)
    assert got.json()["objector"]["name"] == "张8" and got.json()["objector"]["phone"] == "13900000008"
    masked = got.json()["objector"]["id_number_masked"]
    assert masked.startswith("1101**********") and len(masked) == 18 and "id_number" not in got.json()["objector"]
    taken = await client.post(
        f"/api/v1/objections/{oid}/take", headers={**flow.headers["office"], "If-Match": got.headers["etag"]}
    )
    assert taken.status_code == 200 and taken.json()["status_zh"] == "核查中"
    finding = await client.post(
        f"/api/v1/objections/{oid}/findings",
        json={"text": "调取了行政处罚决定书", "evidence": EVIDENCE},
        headers=flow.headers["office"],
    )
    assert finding.status_code == 201 and finding.json()["files"][0]["source"] == "office"
    stale = await client.post(
        f"/api/v1/objections/{oid}/decision",
        json={"decision": "upheld", "reasons": "x"},
        headers={**flow.headers["office"], "If-Match": taken.headers["etag"]},
    )
    assert stale.status_code == 412
    decided = await flow.decide(
        receipt["receipt_no"],
        "upheld",
        "处罚决定书证实发生较大质量事故",
        "经核查，该组织2025年发生较大质量事故，异议成立，取消其资格。",
    )
    assert decided.status_code == 200, decided.text
    assert (
        decided.json()["application_state"] == "disqualified"
        and decided.json()["application_state_name_zh"] == "取消资格"
    )
    assert await flow.state(app) == "disqualified"

    public = await flow.public_notice(notice["id"])
    assert public["entries"][0]["status_zh"] == "取消资格"
    [result] = public["verification_results"]
    assert (
        result["decision_zh"] == "异议成立"
        and result["result_zh"].startswith("经核查，该组织")
        and result["decided_on"] == "2026-09-30"
    )
    assert "张8" not in str(public) and "13900000008" not in str(public)
    follow = (await client.get(receipt["follow_url"], headers={"X-Objection-Secret": receipt["secret"]})).json()
    assert follow["status_zh"] == "异议成立" and follow["result_zh"] == result["result_zh"]
    # deciding twice is refused
    again = await flow.decide(receipt["receipt_no"], "dismissed")
    assert again.status_code == 409 and again.json()["type"].endswith("/objection-decided")


async def test_the_applicant_sees_the_facts_objected_to_never_who_objected(client, token):
    flow, [app], notice = await _qualification_notice(client, token)
    receipt = (await flow.object(notice["id"], objection(app, organisation(9)))).json()
    seen = await client.get(f"/api/v1/applications/{app}/objections", headers=flow.headers["applicant"])
    assert seen.status_code == 200
    [item] = seen.json()
    assert item["facts"].startswith("该企业") and item["receipt_no"] == receipt["receipt_no"]
    text = seen.text
    assert (
        "某某检测有限公司9" not in text and "李9" not in text and "021-60000009" not in text and "objector" not in text
    )
    stranger = token("applicant", applicant="org-9")
    assert (await client.get(f"/api/v1/applications/{app}/objections", headers=stranger)).status_code == 404
    other_office = token("office", programme="hangzhou")
    oid = await flow.objection_id(receipt["receipt_no"])
    assert (await client.get(f"/api/v1/objections/{oid}", headers=other_office)).status_code == 404
    assert (await client.get("/api/v1/objections", headers=other_office)).json()["total"] == 0
    assert (await client.get(f"/api/v1/objections/{oid}", headers=flow.headers["applicant"])).status_code == 403


async def test_the_objectors_own_name_and_landline_quoted_by_the_office_never_reach_the_public_notice__hangzhou_3_3_7d(
    client, token
):
    """ "核查结果予以公示": published without who objected, even when the office's result text names them.

    The objector's own name, contact person and phone become "异议人" / "***"; another landline is masked.
    """
    flow, [app], notice = await _qualification_notice(client, token, "hangzhou")
    who = organisation(2)  # 某某检测有限公司2, contact 李2, phone 021-60000002
    facts = f"本人李2（{who['name']}联系人），电话（021）6000 0002，反映该企业2025年发生较大质量事故。"
    receipt = (await flow.object(notice["id"], objection(app, who, facts=facts))).json()
    result = f"经核查，{who['contact_person']}（电话{who['phone']}）反映的情况不属实，另经电话0571-87654321核实。"
    decided = await flow.decide(receipt["receipt_no"], "dismissed", "不属实", result)
    assert decided.status_code == 200, decided.text
    # the office still reaches the objector: its own view keeps the phone in full
    assert decided.json()["objection"]["objector"]["phone"] == "021-60000002"

    public = await client.get(f"/api/v1/public/notices/{notice['id']}")
    [shown] = public.json()["verification_results"]
    assert shown["result_zh"] == "经核查，异议人（电话***）反映的情况不属实，另经电话0571-****4321核实。"
    for text in (who["phone"], "60000002", who["contact_person"], who["name"], who["credit_code"], "87654321"):
        assert text not in public.text, text
    # the applicant reads the facts and the result the same way
    seen = await client.get(f"/api/v1/applications/{app}/objections", headers=flow.headers["applicant"])
    [item] = seen.json()
    assert item["facts"] == "本人异议人（异议人联系人），电话***，反映该企业2025年发生较大质量事故。"
    assert item["result_zh"] == shown["result_zh"]
    for text in ("6000", "李2", who["name"]):
        assert text not in seen.text, text


async def test_a_persons_own_id_number_and_mobile_in_the_result_are_hidden_not_only_masked__hangzhou_3_3_7d(
    client, token
):
    flow, [app], notice = await _qualification_notice(client, token, "hangzhou")
    who = person(7)  # 张7, 13900000007
    receipt = (await flow.object(notice["id"], objection(app, who))).json()
    result = f"经核查，{who['name']}（身份证{who['id_number']}，手机139 0000 0007）反映的情况属实。"
    assert (await flow.decide(receipt["receipt_no"], "upheld", "属实", result)).status_code == 200
    [shown] = (await flow.public_notice(notice["id"]))["verification_results"]
    assert shown["result_zh"] == "经核查，异议人（身份证***，手机***）反映的情况属实。"
    # the disqualifying event quotes the published result, not the office's text
    history = (
        await client.get(f"/api/v1/applications/{app}/history?size=100", headers=flow.headers["applicant"])
    ).json()["items"]
    assert (
        history[-1]["event"] == "disqualify"
        and "张7" not in history[-1]["reason"]
        and "13900000007" not in history[-1]["reason"]
    )


async def test_dismissed_after_the_end_the_application_proceeds_at_once__changning_25c(client, token):
    flow = NoticeFlow(client, token, "changning")
    await flow.start()
    ids = await flow.applications(1)
    await flow.act(ids, RECOMMENDED)
    await flow.at("2026-09-29T10:00:00+08:00")
    await flow.publish("qualification", ids)
    await flow.at("2026-10-13T00:00:00+08:00")
    await flow.run_deadlines()
    await flow.act(ids, TO_COMMITTEE["changning"] + [("select", "committee", {"tier": "gold"})])
    await flow.at("2026-11-02T10:00:00+08:00")
    notice = await flow.publish("winners", ids)
    assert (
        notice["period"]["text_zh"] == "公示期：2026年11月3日至2026年11月9日24时"
        and notice["clause"] == "changning-25c"
    )
    await flow.at("2026-11-09T20:00:00+08:00")
    a = (await flow.object(notice["id"], objection(ids[0], person(1)))).json()
    b = (await flow.object(notice["id"], objection(ids[0], organisation(2)))).json()
    await flow.at("2026-11-10T00:00:00+08:00")
    await flow.run_deadlines()
    assert await flow.state(ids[0]) == "award_notice"  # waits while objections are open
    first = await flow.decide(a["receipt_no"], "dismissed", "反映的事故发生在申报组织之外")
    assert first.json()["application_state"] is None and await flow.state(ids[0]) == "award_notice"  # one still open
    second = await flow.decide(b["receipt_no"], "dismissed", "无证据")
    assert second.json()["application_state"] == "government_approval"
    assert await flow.state(ids[0]) == "government_approval"
    assert [e["status"] for e in (await flow.public_notice(notice["id"]))["entries"]] == ["passed"]


async def test_dismissed_during_the_period_the_notice_closes_on_its_day__linyi_14h(client, token):
    flow = NoticeFlow(client, token, "linyi")
    await flow.start()
    ids = await flow.applications(1, "organisation")
    await flow.act(ids, LINYI + TO_COMMITTEE["linyi"] + [("select", "committee", {"tier": "mayor"})])
    await flow.at("2026-11-02T10:00:00+08:00")
    notice = await flow.publish("winners", ids)
    await flow.at("2026-11-04T10:00:00+08:00")
    r = (await flow.object(notice["id"], objection(ids[0], person(1)))).json()
    decided = await flow.decide(r["receipt_no"], "dismissed", "不属实")
    assert decided.json()["application_state"] is None and await flow.state(ids[0]) == "award_notice"
    await flow.at("2026-11-10T00:00:00+08:00")
    await flow.run_deadlines()
    assert await flow.state(ids[0]) == "government_approval"


async def test_upheld_at_the_winners_notice_disqualifies_and_the_place_is_not_refilled__tianning_12j(client, token):
    flow = NoticeFlow(client, token, "tianning")
    await flow.start()
    ids = await flow.applications(2, "organisation")
    await flow.act(ids, RECOMMENDED + TO_COMMITTEE["tianning"] + [("select", "committee", {"tier": "mayor"})])
    await flow.at("2026-11-02T10:00:00+08:00")
    notice = await flow.publish("winners", ids)
    r = (await flow.object(notice["id"], objection(ids[0], person(1)))).json()
    other = (await flow.object(notice["id"], objection(ids[0], person(2)))).json()
    decided = await flow.decide(r["receipt_no"], "upheld", "属实")
    assert decided.json()["application_state"] == "disqualified"
    # the other objection to the same application ends without verification
    follow = (await client.get(other["follow_url"], headers={"X-Objection-Secret": other["secret"]})).json()
    assert follow["status"] == "moot" and follow["status_zh"] == "终止核查"
    await flow.at("2026-11-10T00:00:00+08:00")
    await flow.run_deadlines()
    assert [await flow.state(i) for i in ids] == ["disqualified", "government_approval"]
    history = (
        await client.get(f"/api/v1/applications/{ids[0]}/history?size=100", headers=flow.headers["office"])
    ).json()["items"]
    assert history[-1]["event"] == "disqualify" and history[-1]["reason"].startswith(
        "异议成立，取消资格（获奖候选名单公示"
    )
    public = await flow.public_notice(notice["id"])
    assert [e["status"] for e in public["entries"]] == ["disqualified", "passed"]
    assert len(public["verification_results"]) == 2


async def test_withdrawing_during_the_notice_ends_its_open_objections(client, token):
    flow, [app], notice = await _qualification_notice(client, token)
    r = (await flow.object(notice["id"], objection(app, person(1)))).json()
    w = await flow.fire(app, "withdraw", role="applicant")
    assert w.status_code == 200 and w.json()["state"] == "withdrawn"
    follow = (await client.get(r["follow_url"], headers={"X-Objection-Secret": r["secret"]})).json()
    assert follow["status"] == "moot" and "撤回" in follow["result_zh"]
    public = await flow.public_notice(notice["id"])
    assert public["entries"][0]["status_zh"] == "已撤回申报"
    late = await flow.object(notice["id"], objection(app, person(2)))
    assert late.status_code == 422 and late.json()["detail"] == "该申报的公示已结束，不再受理对其的异议"


async def test_hangzhou_verification_is_due_5_working_days_after_receipt_across_national_day__hangzhou_3_3_7c(
    client, token
):
    """Received Wednesday 2026-09-30; 10-01..10-07 are holidays; 10-10 a make-up working day: due 2026-10-13 24:00."""
    flow, [app], notice = await _qualification_notice(client, token, "hangzhou")
    await flow.at("2026-09-30T16:00:00+08:00")
    receipt = (await flow.object(notice["id"], objection(app, person(1)))).json()
    assert (
        receipt["verification_due_on"] == "2026-10-13"
        and receipt["verification_target_zh"] == "核查期限：2026年10月13日24时前"
    )
    oid = await flow.objection_id(receipt["receipt_no"])
    office = (await flow.office_objection(oid)).json()
    assert office["verification_due_at"] == "2026-10-14T00:00:00+08:00"
    assert office["verification_rule"]["stated"] is True and office["verification_rule"]["clause"] == "hangzhou-3.3.7c"

    await flow.at("2026-10-13T23:59:59+08:00")
    assert (await client.get("/api/v1/objections/overdue", headers=flow.headers["office"])).json()["total"] == 0
    await flow.at("2026-10-15T09:00:00+08:00")
    overdue = (await client.get("/api/v1/objections/overdue", headers=flow.headers["office"])).json()
    assert overdue["total"] == 1 and overdue["items"][0]["overdue"] is True and overdue["items"][0]["overdue_days"] == 2
    assert (await client.get("/api/v1/objections/overdue", headers=token("office", programme="changning"))).json()[
        "total"
    ] == 0
    # decided, it is no longer flagged
    await flow.decide(receipt["receipt_no"], "dismissed", "不属实")
    assert (await client.get("/api/v1/objections/overdue", headers=flow.headers["office"])).json()["total"] == 0
    assert await flow.state(app) == "material_review"


async def test_an_objection_racing_the_notice_closing_waits_for_it_and_is_refused_not_lost(client, token, sync_db):
    """The closing holds the application's row; the objection (FOR SHARE) waits, then sees the notice closed."""
    flow, [app], notice = await _qualification_notice(client, token)
    await flow.at("2026-10-12T23:59:59+08:00")
    closer = psycopg2.connect(sync_db.dsn)
    try:
        cur = closer.cursor()
        cur.execute("SELECT state FROM applications WHERE id = %s FOR UPDATE", (app,))
        pending = asyncio.create_task(flow.object(notice["id"], objection(app, person(1))))
        with sync_db.cursor() as watch:
            for _ in range(200):
                await asyncio.sleep(0.02)
                watch.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%FOR SHARE%'"
                )
                if watch.fetchone()[0]:
                    break
            else:
                raise AssertionError("the objection did not wait for the application's lock")
        cur.execute("UPDATE applications SET state = 'material_review' WHERE id = %s", (app,))
        closer.commit()
    finally:
        closer.close()
    r = await pending
    assert r.status_code == 422 and r.json()["type"].endswith("/notice-closed")
    with sync_db.cursor() as c:
        c.execute("SELECT count(*) FROM objections")
        assert c.fetchone()[0] == 0


YEAR_2027 = {
    "holidays": [{"date": f"2027-01-0{d}", "name": "元旦"} for d in (1, 2, 3)]
    + [{"date": f"2027-02-{d:02d}", "name": "春节"} for d in range(5, 12)],
    "makeup_workdays": ["2027-02-13"],
    "source": "国务院办公厅关于2027年部分节假日安排的通知",
}


async def test_a_target_reaching_an_unloaded_year_is_not_guessed_and_the_objection_is_received_all_the_same(
    client, token
):
    """INTERPRETATIONS §4: received Friday 2026-12-25, the 5 working days reach 2027, not loaded yet."""
    flow = NoticeFlow(client, token, "hangzhou")
    await flow.start()
    ids = await flow.applications(1, "organisation")
    await flow.act(ids, DIRECT)
    await flow.at("2026-12-16T10:00:00+08:00")
    notice = await flow.publish("material_entrants", ids)
    assert notice["period"]["last_day"] == "2026-12-25"
    await flow.at("2026-12-25T10:00:00+08:00")
    r = await flow.object(notice["id"], objection(ids[0], person(1)))
    assert r.status_code == 201, r.text
    assert (
        r.json()["verification_due_on"] is None and "待2027年节假日安排公布后确定" in r.json()["verification_target_zh"]
    )
    oid = await flow.objection_id(r.json()["receipt_no"])
    assert (await flow.office_objection(oid)).json()["verification_due_on"] is None
    loaded = await client.put("/api/v1/calendar/years/2027", json=YEAR_2027, headers=flow.headers["admin"])
    assert loaded.status_code == 200, loaded.text
    # 12-28, 12-29, 12-30, 12-31, then 元旦 01-01..03: the fifth is Monday 2027-01-04
    office = (await flow.office_objection(oid)).json()
    assert (
        office["verification_due_on"] == "2027-01-04"
        and office["verification_target_zh"] == "核查期限：2027年1月4日24时前"
    )


async def test_a_changed_year_lists_the_open_objections_whose_verification_target_spans_it__interpretation_5(
    client, token
):
    """hangzhou-3.3.7c's target is computed with the calendar like any deadline: a reloaded year lists it for the office."""
    from tests.calendar.test_calendar_api import YEAR_2027

    admin, office = token("admin"), token("office", programme="hangzhou")
    assert (await client.put("/api/v1/calendar/years/2027", json=YEAR_2027, headers=admin)).status_code == 200
    flow, [app], notice = await _qualification_notice(client, token, "hangzhou", at="2026-12-28T10:00:00+08:00")
    await flow.at("2026-12-30T10:00:00+08:00")
    receipt = (await flow.object(notice["id"], objection(app, person(1)))).json()
    # Thursday 12-31 is the first working day, 2027-01-01..03 the new year's holiday: the fifth is 01-07
    assert receipt["verification_due_on"] == "2027-01-07"
    oid = await flow.objection_id(receipt["receipt_no"])

    def targets(rows: list[dict]) -> list[dict]:
        return [r for r in rows if r["kind"] == "objection_verification"]

    assert targets((await client.get("/api/v1/calendar/affected-deadlines", headers=office)).json()) == []
    changed = {**YEAR_2027, "makeup_workdays": []}
    assert (await client.put("/api/v1/calendar/years/2027", json=changed, headers=admin)).status_code == 200
    rows = (await client.get("/api/v1/calendar/affected-deadlines", headers=office)).json()
    [target] = targets(rows)
    assert target["id"] == oid and target["application_id"] == app and target["starts_on"] == "2026-12-30"
    assert (
        target["ends_at"] == "2027-01-08T00:00:00+08:00"
        and target["changed_years"] == [2027]
        and target["status"] == "received"
    )
    assert target["rule"]["clause"] == "hangzhou-3.3.7c"
    # the notice's own end no longer waits: the correction was applied to it at once and recorded
    # with both revisions (issue #20 point 15), where before it was listed here too
    assert not any(r["kind"] == "notice_end" and r["application_id"] == app for r in rows)
    end = next(d for d in (await flow.get(app)).json()["deadlines"] if d["kind"] == "notice_end")
    assert end["rule"]["corrections"][-1]["to_revision"] == target["latest_revision"] == end["calendar_revision"]
    # decided, it no longer waits on the calendar
    await flow.decide(receipt["receipt_no"], "dismissed", "不属实")
    assert targets((await client.get("/api/v1/calendar/affected-deadlines", headers=office)).json()) == []


# --- every process that fires events knows about objections ----------------------------------


async def test_the_worker_run_alone_never_closes_a_notice_over_an_open_objection__changning_21c(
    client, token, settings
):
    """`qaward worker` (the deadline worker alone, as the README runs it) counts open objections as the API does (INTERPRETATIONS §8)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    flow, ids, notice = await _qualification_notice(client, token)
    await flow.at("2026-10-09T10:00:00+08:00")
    r = await flow.object(notice["id"], objection(ids[0], person(1)))
    assert r.status_code == 201, r.text
    await flow.at("2026-10-13T00:00:00+08:00")
    env = {
        **os.environ,
        "QAWARD_ENVIRONMENT": "test",
        "QAWARD_DATABASE_URL": settings.database_url,
        "QAWARD_DATA_DIR": str(settings.data_dir),
        "QAWARD_LOG_LEVEL": "WARNING",
    }
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "app.cli", "worker", "--once"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert await flow.state(ids[0]) == "qualification_notice"  # the objection is still open


def test_the_objection_count_and_the_notice_checks_are_named_statically_by_the_workflow():
    """No process has to install anything first (changning-21c, INTERPRETATIONS §8): the checks are in one file."""
    from app.workflow import checks
    from app.workflow.notices import publication

    assert checks.checks_for("close_notice") == (publication.require_unit_posting,)
    assert checks.open_objections_many.__module__ == "app.workflow.checks"
