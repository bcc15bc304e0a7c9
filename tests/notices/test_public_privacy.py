"""No public response carries an ID number or a phone number; the portal's texts are Chinese JSON."""

from __future__ import annotations

import re

from app.domain.identifiers import PHONE_PATTERN, looks_like_id_number
from tests.notices.driver import RECOMMENDED, NoticeFlow, objection, organisation, person

# identifiers the service makes (UUIDs, hex digests, request ids) can by chance contain 11 digits
# in a row; they are not personal data, so they are taken out before the scan
_OWN_IDS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{32,64}\b")


def _leaks(text: str) -> list[str]:
    text = _OWN_IDS.sub("<id>", text)
    found = []
    if looks_like_id_number(text):
        found.append("ID number")
    if PHONE_PATTERN.search(text):
        found.append("phone: " + PHONE_PATTERN.search(text).group())
    return found


async def test_no_public_response_contains_an_id_number_or_a_phone_number(client, token):
    flow = NoticeFlow(client, token, "changning")
    await flow.start()
    orgs = await flow.applications(2)
    [person_app] = await flow.applications(1, "achievement")
    ids = [*orgs, person_app]
    await flow.act(ids, RECOMMENDED)
    await flow.at("2026-09-29T10:00:00+08:00")
    notice = await flow.publish("qualification", ids, employers={person_app: "上海某某精密机械有限公司"})

    responses = []
    # objections from people and organisations, each followed with its secret, some decided
    receipts = []
    for i, who in enumerate([person(1), organisation(2), person(3), organisation(4)]):
        r = await flow.object(notice["id"], objection(ids[i % 3], who))
        assert r.status_code == 201, r.text
        responses.append(r)
        receipts.append(r.json())
    await flow.decide(
        receipts[0]["receipt_no"],
        "dismissed",
        "联系人13912345678反映的情况不属实",
        "经核查，异议人（电话13912345678）反映的情况不属实。",
    )
    await flow.decide(receipts[1]["receipt_no"], "upheld", "属实")
    for receipt in receipts:
        responses.append(await client.get(receipt["follow_url"], headers={"X-Objection-Secret": receipt["secret"]}))
    # refusals: incomplete, invalid, late
    responses.append(
        await flow.object(notice["id"], objection(ids[0], {"kind": "person", "name": "赵六", "phone": "13812345678"}))
    )
    responses.append(await flow.object(notice["id"], objection(ids[0], person(9, id_number="110105198503120030"))))
    responses.append(await flow.object(notice["id"], objection(ids[0], person(9)), {"Idempotency-Key": "k"}))
    responses.append(await flow.object(notice["id"], objection(ids[0], person(9)), {"Idempotency-Key": "k"}))
    responses.append(await client.get("/api/v1/public/notices"))
    responses.append(await client.get(f"/api/v1/public/notices/{notice['id']}"))
    responses.append(await client.get("/api/v1/public/calls"))
    await flow.at("2026-10-13T00:00:00+08:00")
    await flow.run_deadlines()
    responses.append(await flow.object(notice["id"], objection(ids[0], person(10))))
    responses.append(await client.get(f"/api/v1/public/notices/{notice['id']}"))
    responses.append(await client.get("/api/v1/public/notices?status=past"))
    # what the applicant sees of the objections
    responses.append(await client.get(f"/api/v1/applications/{ids[0]}/objections", headers=flow.headers["applicant"]))

    for r in responses:
        assert r.status_code < 500, r.text
        assert not _leaks(r.text), (r.request.url, _leaks(r.text), r.text[:500])
    # the published result had the office's slip redacted
    public = (await client.get(f"/api/v1/public/notices/{notice['id']}")).json()
    assert any("139****5678" in (v["result_zh"] or "") for v in public["verification_results"])


async def test_notice_pages_and_receipts_carry_the_chinese_texts_a_portal_shows(client, token):
    flow = NoticeFlow(client, token, "changning")
    await flow.start()
    ids = await flow.applications(1)
    await flow.act(ids, RECOMMENDED)
    await flow.at("2026-09-29T10:00:00+08:00")
    notice = await flow.publish("qualification", ids)
    page = await client.get(f"/api/v1/public/notices/{notice['id']}")
    raw = page.content.decode("utf-8")
    assert page.headers["content-type"].startswith("application/json")
    for text in (
        "长宁区政府质量奖2026年度资格审查结果公示",
        "公示期：2026年9月30日至2026年10月12日24时",
        "向社会公示",
        "公示中",
        "异议",
    ):
        assert text in raw, text
    assert "\\u" not in raw
    receipt = await flow.object(notice["id"], objection(ids[0], person(1)))
    raw = receipt.content.decode("utf-8")
    for text in ("受理编号", "已受理，待核查", "核查期限："):
        assert text in raw
    refused = await flow.object(notice["id"], objection(ids[0], None))
    assert "异议不予受理" in refused.content.decode("utf-8") and refused.headers["content-type"].startswith(
        "application/problem+json"
    )


async def test_the_offices_objection_lists_mask_the_phone_and_the_numbers_in_the_facts_the_single_objection_keeps_them(
    client, token
):
    """A list is shown and exported; the office contacts the objector from the objection itself."""
    flow = NoticeFlow(client, token, "changning")
    ids, notice = await flow.qualification_notice()
    facts = "本人电话13912345678，身份证11010519491231002X，座机021-61234567。"
    receipt = (
        await flow.object(notice["id"], objection(ids[0], person(1), facts=facts, reasons="可拨打13912345678核实"))
    ).json()
    await flow.object(notice["id"], objection(ids[0], organisation(2)))
    await flow.at("2026-10-13T10:00:00+08:00")  # past the 5-working-day target (10-12): on the overdue list too

    for url in ("/api/v1/objections", "/api/v1/objections/overdue"):
        listed = await client.get(url, headers=flow.headers["office"])
        assert listed.status_code == 200 and listed.json()["total"] == 2, listed.text
        for raw in ("13900000001", "021-60000002", "13912345678", "11010519491231002X", "61234567"):
            assert raw not in listed.text, (url, raw)
        row = next(o for o in listed.json()["items"] if o["receipt_no"] == receipt["receipt_no"])
        assert row["objector"]["phone"] == "139****0001" and row["objector"]["name"] == "张1"
        assert row["facts"] == "本人电话139****5678，身份证1101**********002X，座机021-****4567。"
        assert row["reasons"] == "可拨打139****5678核实"
    full = (await flow.office_objection(await flow.objection_id(receipt["receipt_no"]))).json()
    assert full["objector"]["phone"] == "13900000001" and full["facts"] == facts
