"""Bans checked against the award actually given, at select and approve (issue 20 point 1).

The applicant names a tier on its form, but no text lets it choose one: the committee gives the
tier. A ban is checked at submit and at qualification review against the tier named, and again
by the machine's ``not_banned`` guard at ``select`` (the tier given) and ``approve``.
"""

from __future__ import annotations

from tests.fidelity.drive import apply_for
from tests.intake.drive import open_round, to_awarded, to_stage
from tests.intake.registry import CHANGNING_ORG, LINYI_ORG, register_org
from tests.workflow.flow import Flow


def _guard_failed(r, clause: str) -> None:
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["type"].endswith("/guard-failed") and body["condition"] == "not_banned", body
    assert body["clause"] == clause, body


async def test_a_2024_gold_winner_naming_mayor_cannot_be_given_gold_again_in_2026__changning_18b(client, token):
    flow = Flow(client, token, "changning")
    await register_org(client, flow.headers["office"], "changning")
    rnd24 = await open_round(flow, 2024)
    first = await flow.apply(rnd24["id"], "model", credit_code=CHANGNING_ORG)
    await to_awarded(flow, first["id"], "2024-09-01T09:00:00+08:00", "gold", "2024-12-01")
    rnd26 = await open_round(flow, 2026)
    again = await apply_for(flow, rnd26["id"], "model", "mayor", CHANGNING_ORG)
    # naming the mayor's award, it passes submit and qualification review ...
    await to_stage(flow, again["id"], "2026-09-01T09:00:00+08:00", "committee_review")
    # ... but the committee cannot give it the gold award it is banned from
    _guard_failed(await flow.fire(again["id"], "select", {"tier": "gold"}), "changning-18b")
    url = f"/api/v1/applications/{again['id']}/history?size=100"
    history = (await client.get(url, headers=flow.headers["office"])).json()["items"]
    assert history[-1]["event"] == "select" and history[-1]["accepted"] is False
    r = await flow.fire(again["id"], "select", {"tier": "mayor"})
    assert r.status_code == 200 and r.json()["tier"] == "mayor", r.text


async def test_a_ban_recorded_after_selection_refuses_approval__changning_18b(client, token):
    flow = Flow(client, token, "changning")
    org = await register_org(client, flow.headers["office"], "changning")
    rnd = await open_round(flow, 2026)
    app = await flow.apply(rnd["id"], "model", credit_code=CHANGNING_ORG)
    await to_stage(flow, app["id"], "2026-09-01T09:00:00+08:00", "government_approval", tier="gold")
    # a gold award of 2023 comes to light before the government approves
    r = await client.post(
        "/api/v1/bans",
        json={
            "rule": "five_years_after_award",
            "applicant_id": org["id"],
            "tier": "gold",
            "category": "model",
            "starts_on": "2023-12-01",
            "reason": "2023年度长宁区质量金奖",
        },
        headers=flow.headers["office"],
    )
    assert r.status_code == 201, r.text
    approved_on = "2027-03-01"
    await flow.at("2027-03-01T09:00:00+08:00")
    data = {"document_no": "长府〔2027〕1号", "approved_on": approved_on}
    _guard_failed(await flow.fire(app["id"], "approve", data), "changning-18b")
    assert (await flow.get(app["id"])).json()["state"] == "government_approval"


async def test_a_mayors_award_winner_naming_the_nomination_award_cannot_be_given_the_mayors_award__linyi_13a(
    client, token
):
    """ "已经获得“临沂市市长质量奖”的单位和个人不得重复申报"."""
    flow = Flow(client, token, "linyi")
    org = await register_org(client, flow.headers["office"], "linyi")
    r = await client.post(
        "/api/v1/bans",
        json={
            "rule": "mayor_winner_never_again",
            "applicant_id": org["id"],
            "tier": "mayor",
            "starts_on": "2020-12-01",
            "reason": "2020年度临沂市市长质量奖",
        },
        headers=flow.headers["office"],
    )
    assert r.status_code == 201, r.text
    rnd = await open_round(flow, 2026)
    app = await apply_for(flow, rnd["id"], "organisation", "nomination", LINYI_ORG)
    await to_stage(flow, app["id"], "2026-09-01T09:00:00+08:00", "committee_review")
    _guard_failed(await flow.fire(app["id"], "select", {"tier": "mayor"}), "linyi-13a")
    r = await flow.fire(app["id"], "select", {"tier": "nomination"})
    assert r.status_code == 200, r.text
