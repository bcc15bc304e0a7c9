"""Per programme, one round from the ranked candidate list to the commendation (issue 15): the body decides by
its own procedure, its decision fires ``select``, the winners' notice runs, the government approves by a numbered
document, commends by another, the list is announced to society and the winner holds a certificate (issue 16)."""

from __future__ import annotations

import pytest

from tests.awards.drive import PREFIX
from tests.commendation.drive import Approval, Winner, _to_approval
from tests.decisions.drive import select_by_committee, to_committee
from tests.notices.driver import NoticeFlow

# programme: (category, tier, the decision's clause, the body's method for the tier, the commendation's clause)
PROGRAMMES = {
    "changning": ("model", "gold", "changning-25b", "deliberation", "changning-26a"),
    "jinshan": ("model", "gold", "jinshan-18l", "deliberation", "jinshan-19a"),
    # hangzhou's Quality Award by secret ballot (hangzhou-3.3.6b)
    "hangzhou": ("organisation", "quality", "hangzhou-2.2.3", "secret_ballot", "hangzhou-4.2"),
    "linyi": ("organisation", "mayor", "linyi-14g", "deliberation", "linyi-14i"),
    "tianning": ("organisation", "mayor", "tianning-12h", "deliberation", "tianning-13a"),
}


@pytest.mark.parametrize("programme", list(PROGRAMMES))
async def test_from_the_ranked_list_to_the_commendation_by_each_bodys_procedure__changning_25b_26a_jinshan_18l_19a_hangzhou_2_2_3_3_3_6b_4_2_linyi_14g_14i_tianning_12h_13a(
    client, token, programme
):
    """The committee's recorded decision (its own method: deliberation, or hangzhou's secret ballot) selects the
    candidate; after the winners' notice the office submits the list, records the approval and the commendation
    decision; the public list names the winner with tier and category, and its certificate verifies."""
    category, tier, decision_clause, method, commendation_clause = PROGRAMMES[programme]
    flow = NoticeFlow(client, token, programme)
    await flow.start()
    (app_id,) = await flow.applications(1, category, first=60)
    await to_committee(flow, [app_id])
    round_id = flow.round["id"]

    c = await select_by_committee(client, token, programme, round_id, [app_id], tier, category)
    proc = (await client.get(f"/api/v1/committees/rounds/{round_id}/procedure", headers=c.office)).json()
    assert (proc["decision_clause"], proc["methods"][tier]["kind"]) == (decision_clause, method), proc
    app = (await flow.get(app_id)).json()
    # the decision is recorded at committee review; publishing the winners' notice moves it on
    assert (app["state"], app["outcome"].get("decision"), app["outcome"].get("tier")) == (
        "committee_review",
        "select",
        tier,
    ), app
    r = await client.get(f"/api/v1/committees/meetings/{c.meeting['id']}", headers=c.office)
    assert r.status_code == 200 and r.json()["status"] == "closed", r.text
    history = (await client.get(f"/api/v1/applications/{app_id}/history?size=100", headers=c.office)).json()["items"]
    select = next(h for h in history if h["event"] == "select" and h["accepted"])
    assert select["role"] == "committee", select

    now = (await client.get("/api/v1/testing/clock", headers=flow.headers["admin"])).json()["now"]
    await _to_approval(flow, app_id, now, Winner(category, tier, app["applicant"]["name"]))
    a = Approval(flow, round_id, [app_id], {})
    today = await a.today()
    for act in (
        a.submit(today),
        a.approve(f"{PREFIX[programme]}〔2026〕91号", today),
        a.commend(f"{PREFIX[programme]}〔2026〕92号", today),
    ):
        r = await act
        assert r.status_code == 201, r.text
    assert r.json()["commendation"]["clause"] == commendation_clause

    pub = (await client.get(f"/api/v1/public/rounds/{round_id}/winners")).json()
    assert pub["announced"] is True
    assert [(w["name"], w["tier"]) for w in pub["winners"]] == [(app["applicant"]["name"], tier)]
    cert = (await client.get(f"/api/v1/applications/{app_id}/certificate", headers=c.office)).json()
    v = await client.get(f"/api/v1/public/certificates/{cert['number']}", params={"code": cert["verification_code"]})
    assert v.json()["status"] == "valid" and v.json()["commendation_no"] == f"{PREFIX[programme]}〔2026〕92号"
