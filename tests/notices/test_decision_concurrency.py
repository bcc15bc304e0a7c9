"""Two offices deciding two objections against one application at once: one decision, never a deadlock."""

from __future__ import annotations

import asyncio

import httpx

from tests.notices.driver import credit_code, objection, person
from tests.workflow.flow import Flow


async def test_two_upheld_objections_decided_at_once_never_deadlock__changning_31a(live_server, token):
    async with httpx.AsyncClient(base_url=live_server, timeout=60) as client:
        flow = Flow(client, token, "changning")
        rnd = await flow.september_round("deadlock")
        ids = [
            (await flow.apply(rnd["id"], "model", name=f"公司{i}", credit_code=credit_code(7000 + i)))["id"]
            for i in range(4)
        ]
        await flow.complete(*ids)  # the form and materials submit requires (issue 19)
        for event, role, data in (
            ("submit", "applicant", {}),
            ("recommend", "recommender", {"opinion": "同意"}),
            ("pass_qualification", "office", {}),
        ):
            r = await client.post(
                f"/api/v1/rounds/{rnd['id']}/actions",
                json={"event": event, "applications": ids, "data": data},
                headers=flow.headers[role],
            )
            assert r.status_code == 200, r.text
        await flow.at("2026-09-29T10:00:00+08:00")
        notice = (await flow.publish_notice(rnd["id"], ids)).json()
        receipts: dict[str, list[str]] = {}
        for k, app in enumerate(ids):
            for j in range(2):
                o = await client.post(
                    f"/api/v1/public/notices/{notice['id']}/objections",
                    json=objection(app, person(700 + 2 * k + j)),
                    headers={"X-Forwarded-For": f"10.9.{k}.{j}"},
                )
                assert o.status_code == 201, o.text
                receipts.setdefault(app, []).append(o.json()["receipt_no"])
        listed = (await client.get("/api/v1/objections?size=100", headers=flow.headers["office"])).json()["items"]
        by_receipt = {o["receipt_no"]: o["id"] for o in listed}

        async def uphold(receipt: str) -> httpx.Response:
            oid = by_receipt[receipt]
            got = await client.get(f"/api/v1/objections/{oid}", headers=flow.headers["office"])
            return await client.post(
                f"/api/v1/objections/{oid}/decision",
                json={"decision": "upheld", "reasons": "经核查属实"},
                headers={**flow.headers["office"], "If-Match": got.headers["etag"]},
            )

        for app in ids:
            results = await asyncio.gather(*(uphold(r) for r in receipts[app]))
            codes = sorted(r.status_code for r in results)
            assert codes[0] == 200 and codes[1] in (200, 409, 412), [r.text for r in results]
            assert (await flow.get(app)).json()["state"] == "disqualified"


async def test_accepting_a_unit_posting_while_an_objection_is_upheld_never_deadlocks__jinshan_18m(client, token):
    """The office accepts an applicant's proof of posting while another clerk upholds an objection against it: both take the application before its entry."""
    from tests.notices.driver import EVIDENCE, NoticeFlow

    flow = NoticeFlow(client, token, "jinshan")
    ids, notice = await flow.jinshan_winners(["mayor"] * 2 + ["gold"] * 4)  # jinshan-3b/3c: two and four places
    await flow.at("2026-11-05T10:00:00+08:00")
    pending = []
    for k, app in enumerate(ids):
        url = f"/api/v1/notices/{notice['id']}/entries/{app}/unit-posting"
        up = await client.post(
            url,
            json={**EVIDENCE[0], "posted_from_on": "2026-11-04", "posted_until_on": "2026-11-10"},
            headers=flow.headers["applicant"],
        )
        assert up.status_code == 201, up.text
        o = await flow.object(notice["id"], objection(app, person(800 + k)), headers={"X-Forwarded-For": f"10.8.0.{k}"})
        assert o.status_code == 201, o.text
        oid = await flow.objection_id(o.json()["receipt_no"])
        pending.append((app, f"{url}/{up.json()['id']}/review", oid))

    tags = {oid: (await flow.office_objection(oid)).headers["etag"] for _, _, oid in pending}
    for app, review, oid in pending:
        accepted, upheld = await asyncio.gather(
            client.post(review, json={"accepted": True}, headers=flow.headers["office"]),
            client.post(
                f"/api/v1/objections/{oid}/decision",
                json={"decision": "upheld", "reasons": "经核查属实"},
                headers={**flow.headers["office"], "If-Match": tags[oid]},
            ),
        )
        assert upheld.status_code == 200, upheld.text
        assert accepted.status_code in (200, 409) and "concurrent-update" not in accepted.text, accepted.text
        assert (await flow.get(app)).json()["state"] == "disqualified"
