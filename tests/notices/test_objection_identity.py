"""Objections and real names (issue 13): a stranger cannot use up a named person's quota; objections
by a signed-in citizen are identity-verified, others until the office confirms the person
(changning-31a); a published result carries no ID or phone number, and the clerk sees it first."""

from __future__ import annotations

import uuid

import httpx

from app.domain.identifiers import looks_like_id_number
from tests.notices.driver import id_number, objection, person
from tests.notices.test_objections import _qualification_notice


def _client(app, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_refused_requests_naming_a_person_do_not_use_up_their_quota_but_the_senders_address(
    app, client, token, concurrently
):
    """Only lodged objections count against the named person; refused ones against the sender's address."""
    _flow, [application], notice = await _qualification_notice(client, token)
    url = f"/api/v1/public/notices/{notice['id']}/objections"
    victim = person(5)
    async with _client(app, "10.9.9.9") as stranger:
        # not on the notice: refused (422), twelve at once, all naming the victim
        refused = await concurrently(12, lambda i: stranger.post(url, json=objection(str(uuid.uuid4()), victim)))
        assert [r.status_code for r in refused] == [422] * 12, [r.text for r in refused if r.status_code != 422]
        # the victim, from home, is heard ten times in the hour, as anyone is
        async with _client(app, "10.1.1.1") as home:
            lodged = await concurrently(10, lambda i: home.post(url, json=objection(application, victim)))
            assert [r.status_code for r in lodged] == [201] * 10, [r.text for r in lodged]
            eleventh = await home.post(url, json=objection(application, victim))
            assert eleventh.status_code == 429 and eleventh.json()["scope"] == "objector"
        # the stranger's address carries its refused attempts: 12 + 18 = 30, then 429
        more = await concurrently(18, lambda i: stranger.post(url, json=objection(str(uuid.uuid4()), person(100 + i))))
        assert {r.status_code for r in more} == {422}
        over = await stranger.post(url, json=objection(str(uuid.uuid4()), person(200)))
        assert over.status_code == 429 and over.json()["scope"] == "address"


async def test_an_objection_by_a_signed_in_citizen_is_identity_verified__changning_31a(client, token):
    flow, [application], notice = await _qualification_notice(client, token)
    who = person(3)
    citizen = token("applicant", sub="citizen-3", verified_id_number=who["id_number"])
    signed = await flow.object(notice["id"], objection(application, who), headers=citizen)
    assert signed.status_code == 201, signed.text
    # a token proving someone else does not verify the person named
    other = token("applicant", sub="citizen-4", verified_id_number=id_number(4))
    claimed = await flow.object(notice["id"], objection(application, person(6)), headers=other)
    open_form = await flow.object(notice["id"], objection(application, person(7)))
    assert claimed.status_code == open_form.status_code == 201
    listed = (await client.get("/api/v1/objections", headers=flow.headers["office"])).json()["items"]
    verified = {o["receipt_no"]: (o["identity_verified"], o["identity_verified_via"]) for o in listed}
    assert verified == {
        signed.json()["receipt_no"]: (True, "token"),
        claimed.json()["receipt_no"]: (False, None),
        open_form.json()["receipt_no"]: (False, None),
    }


async def test_the_office_confirms_the_person_of_an_open_form_objection__changning_31a(client, token):
    flow, [application], notice = await _qualification_notice(client, token)
    receipt = (await flow.object(notice["id"], objection(application, person(8)))).json()
    oid = await flow.objection_id(receipt["receipt_no"])
    got = await flow.office_objection(oid)
    assert got.json()["identity_verified"] is False
    url = f"/api/v1/objections/{oid}/identity"
    body = {"method": "phone_call", "note": "回拨预留电话，核对身份证号后四位"}
    assert (await client.post(url, json=body, headers=flow.headers["office"])).status_code == 428
    other_office = token("office", programme="hangzhou")
    r = await client.post(url, json=body, headers={**other_office, "If-Match": got.headers["etag"]})
    assert r.status_code == 404
    r = await client.post(
        url, json={"method": "telepathy"}, headers={**flow.headers["office"], "If-Match": got.headers["etag"]}
    )
    assert r.status_code == 422
    r = await client.post(url, json=body, headers={**flow.headers["office"], "If-Match": got.headers["etag"]})
    assert r.status_code == 200, r.text
    o = r.json()
    assert o["identity_verified"] is True and o["identity_verified_via"] == "office"
    assert o["identity_confirmation"] == "phone_call：回拨预留电话，核对身份证号后四位"
    assert o["identity_verified_by"] == "changning-clerk" and r.headers["etag"] != got.headers["etag"]
    again = await client.post(url, json=body, headers={**flow.headers["office"], "If-Match": r.headers["etag"]})
    assert again.status_code == 409 and again.json()["type"].endswith("/identity-already-verified")
    listed = (await client.get("/api/v1/objections", headers=flow.headers["office"])).json()["items"]
    assert [o["identity_verified"] for o in listed] == [True]


LEAKY = (
    "经核查，王五（tel13812345678，ID310105198503154121）、"
    "赵六（身份证 3101 0519 8503 1541 21，手机１３８１２３４５６７８）、"
    "钱七（旧证号110105491231002，电话1\u200b3812345678）反映的情况不属实。"
)


async def test_a_published_result_masks_every_id_and_phone_number_and_the_clerk_previews_it(client, token):
    """The office's result text as published: no ID or phone number in clear, however it is written."""
    flow, [application], notice = await _qualification_notice(client, token, "hangzhou")
    receipt = (await flow.object(notice["id"], objection(application, person(2)))).json()
    oid = await flow.objection_id(receipt["receipt_no"])
    preview = await client.post(
        f"/api/v1/objections/{oid}/decision/preview",
        json={"decision": "dismissed", "result_zh": LEAKY},
        headers=flow.headers["office"],
    )
    assert preview.status_code == 200, preview.text
    shown = preview.json()["result_zh"]
    assert preview.json()["masked"] is True
    for leak in (
        "13812345678",
        "310105198503154121",
        "3101 0519 8503 1541 21",
        "１３８１２３４５６７８",
        "110105491231002",
    ):
        assert leak not in shown, leak
    assert not looks_like_id_number(shown) and "3812345678" not in shown.replace("\u200b", "")
    # nothing was decided by previewing
    assert (await flow.office_objection(oid)).json()["status"] == "received"
    other_office = token("office", programme="changning")
    r = await client.post(
        f"/api/v1/objections/{oid}/decision/preview", json={"decision": "dismissed"}, headers=other_office
    )
    assert r.status_code == 404
    decided = await flow.decide(receipt["receipt_no"], "dismissed", "不属实", LEAKY)
    assert decided.status_code == 200, decided.text
    [published] = (await flow.public_notice(notice["id"]))["verification_results"]
    assert published["result_zh"] == shown
    default = await client.post(
        f"/api/v1/objections/{oid}/decision/preview", json={"decision": "upheld"}, headers=flow.headers["office"]
    )
    assert default.status_code == 200 and default.json()["result_zh"].startswith("经核查，异议成立")
