"""Each programme's winners' notice with real dates: no objection closes on the computed day; an
objection holds its application until decided; dismissed it proceeds at once, upheld it is disqualified."""

from __future__ import annotations

import pytest

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

# programme: (category, tier, published at, period text, the instant it ends, clause)
WINNERS = {
    "changning": (
        "model",
        "gold",
        "2026-11-02T10:00:00+08:00",
        "公示期：2026年11月3日至2026年11月9日24时",
        "2026-11-10T00:00:00+08:00",
        "changning-25c",
    ),
    "jinshan": (
        "model",
        "gold",
        "2026-11-03T10:00:00+08:00",
        "公示期：2026年11月4日至2026年11月10日24时",
        "2026-11-11T00:00:00+08:00",
        "jinshan-18m",
    ),
    "hangzhou": (
        "organisation",
        "quality",
        "2026-11-16T10:00:00+08:00",
        "公示期：2026年11月17日至2026年11月25日24时",
        "2026-11-26T00:00:00+08:00",
        "hangzhou-3.3.7a",
    ),
    "linyi": (
        "organisation",
        "mayor",
        "2026-11-02T10:00:00+08:00",
        "公示期：2026年11月3日至2026年11月9日24时",
        "2026-11-10T00:00:00+08:00",
        "linyi-14h",
    ),
    "tianning": (
        "organisation",
        "mayor",
        "2026-11-02T10:00:00+08:00",
        "公示期：2026年11月3日至2026年11月9日24时",
        "2026-11-10T00:00:00+08:00",
        "tianning-12i",
    ),
}


async def _to_committee(flow: NoticeFlow, ids: list[str]) -> None:
    p = flow.programme
    if p in ("changning", "jinshan"):
        await flow.act(ids, RECOMMENDED)
        await flow.at("2026-09-29T10:00:00+08:00")
        await flow.publish("qualification", ids)
        await flow.at("2026-10-13T00:00:00+08:00")
        await flow.run_deadlines()
        await flow.act(ids, TO_COMMITTEE[p])
    elif p == "hangzhou":
        await flow.act(ids, DIRECT)
        await flow.at("2026-09-29T10:00:00+08:00")
        await flow.publish("material_entrants", ids)
        await flow.at("2026-10-15T00:00:00+08:00")
        await flow.run_deadlines()
        await flow.act(ids, [("shortlist", "expert", {})])
        await flow.at("2026-10-19T10:00:00+08:00")
        await flow.publish("onsite_entrants", ids)
        await flow.at("2026-10-29T00:00:00+08:00")
        await flow.run_deadlines()
        await flow.act(ids, [("complete_onsite", "expert", {}), ("complete_evaluation", "expert", {})])
    else:
        await flow.act(ids, (LINYI if p == "linyi" else RECOMMENDED) + TO_COMMITTEE[p])
    assert {await flow.state(i) for i in ids} == {"committee_review"}


@pytest.mark.parametrize("programme", list(WINNERS))
async def test_winners_notice_waits_for_objections_then_dismissed_proceeds_and_upheld_is_disqualified(
    client, token, programme
):
    category, tier, published, period, ends_at, clause = WINNERS[programme]
    flow = NoticeFlow(client, token, programme)
    await flow.start()
    ids = await flow.applications(3, category)
    await _to_committee(flow, ids)
    await flow.act(ids, [("select", "committee", {"tier": tier})])
    await flow.at(published)
    notice = await flow.publish("winners", ids)
    assert (
        notice["period"]["text_zh"] == period and notice["period"]["ends_at"] == ends_at and notice["clause"] == clause
    )
    if "applicant_unit" in [a["code"] for a in notice["audiences"]]:
        # jinshan-18m: each applicant's proof of posting inside its own unit, accepted by the office
        for app in ids:
            url = f"/api/v1/notices/{notice['id']}/entries/{app}/unit-posting"
            proof = (await client.post(url, json=EVIDENCE[0], headers=flow.headers["applicant"])).json()
            assert (
                await client.post(
                    f"{url}/{proof['id']}/review", json={"accepted": True}, headers=flow.headers["office"]
                )
            ).status_code == 200

    upheld = (await flow.object(notice["id"], objection(ids[0], person(1)))).json()
    dismissed = (await flow.object(notice["id"], objection(ids[1], organisation(2)))).json()
    await flow.at(ends_at)
    await flow.run_deadlines()
    assert [await flow.state(i) for i in ids] == ["award_notice", "award_notice", "government_approval"]

    r = await flow.decide(dismissed["receipt_no"], "dismissed", "反映的问题与申报组织无关")
    assert r.status_code == 200 and r.json()["application_state"] == "government_approval"
    r = await flow.decide(upheld["receipt_no"], "upheld", "经核实确有重大质量事故")
    assert r.status_code == 200 and r.json()["application_state"] == "disqualified"
    assert [await flow.state(i) for i in ids] == ["disqualified", "government_approval", "government_approval"]

    public = await flow.public_notice(notice["id"])
    assert [e["status_zh"] for e in public["entries"]] == ["取消资格", "公示通过", "公示通过"]
    assert sorted(v["decision_zh"] for v in public["verification_results"]) == ["异议不成立", "异议成立"]
