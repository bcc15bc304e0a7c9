"""A closed changning round with real stored files and personal data, for the retention and archive tests.

Three applications of round 2026: A (an organisation, objected to by a person with evidence), B (an
individual: name and ID number) and C (an organisation); each complete (form with a contact's name and
phone, three stored materials), recommended, on the qualification notice, then withdrawn by the office
on 2026-09-30; the round is closed, reviewed, decided and announced. Its retention runs from
2027-01-01 (the year after the round ended) for 10 years (changning-37): past it from 2037-01-01.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.notices.driver import RECOMMENDED, NoticeFlow, id_number, objection, person


@dataclass
class World:
    flow: NoticeFlow
    round_id: str
    a: str  # organisation, objected to
    b: str  # individual
    c: str  # organisation
    notice_id: str
    objection_receipt: str


async def round_event(flow: NoticeFlow, rnd_id: str, event: str) -> None:
    got = await flow.client.get(f"/api/v1/rounds/{rnd_id}", headers=flow.headers["office"])
    r = await flow.client.post(
        f"/api/v1/rounds/{rnd_id}/events",
        json={"event": event},
        headers={**flow.headers["office"], "If-Match": got.headers["etag"]},
    )
    assert r.status_code == 200, (event, r.text)


async def closed_round(client, token) -> World:
    flow = NoticeFlow(client, token, "changning")
    await flow.start()
    a, c = await flow.applications(2)
    # B's registry record first, so her application is linked to it (its ID number is in the record too)
    r = await client.post(
        "/api/v1/applicants/individuals",
        json={"id_number": id_number(107, "19800101"), "name": "王7"},
        headers=flow.headers["office"],
    )
    assert r.status_code == 201, r.text
    (b,) = await flow.applications(1, "achievement", first=7)
    await flow.act([a, b, c], RECOMMENDED)
    await flow.at("2026-09-29T10:00:00+08:00")
    await flow.run_deadlines()  # the call's window closes (09-21)
    notice = await flow.publish("qualification", [a, b, c], employers={b: "某某质量技术研究院"})
    lodged = await flow.object(notice["id"], objection(a, person(41, phone="13912345678")))
    assert lodged.status_code == 201, lodged.text
    await flow.at("2026-09-30T10:00:00+08:00")
    for app_id in (a, b, c):
        r = await flow.fire(app_id, "withdraw", reason="申报单位主动撤回", role="office")
        assert r.status_code == 200, r.text
    for event in ("start_review", "decide", "announce"):
        await round_event(flow, flow.round["id"], event)
    return World(flow, flow.round["id"], a, b, c, notice["id"], lodged.json()["receipt_no"])
