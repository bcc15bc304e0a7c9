"""Per programme, from the ranked candidate list to select / not_select, by each body's own
procedure (issue 15): changning-25b, jinshan-18l, linyi-14g, tianning-12h deliberate (审议);
hangzhou votes, by secret ballot for the Quality Award (hangzhou-3.3.6b) and by show of hands for
the others (hangzhou-3.3.6c), both in one meeting after hearing the supervision team (hangzhou-3.3.6a)."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests.decisions.drive import Committee, to_committee
from tests.notices.driver import NoticeFlow

# programme: (category, tier, the body's name in the minutes, the decision clause)
DELIBERATING = {
    "changning": ("model", "gold", "评审会", "changning-25b"),
    "jinshan": ("model", "gold", "区审定委", "jinshan-18l"),
    "linyi": ("organisation", "mayor", "领导小组", "linyi-14g"),
    "tianning": ("organisation", "mayor", "质发委", "tianning-12h"),
}


def _pdf_text(body: bytes) -> str:
    """The PDF's text with line breaks (CJK wraps anywhere in a table cell) and spaces removed."""
    return re.sub(r"\s", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages))


@pytest.mark.parametrize("programme", list(DELIBERATING))
async def test_the_body_deliberates_the_ranked_list_and_its_decision_fires_select_and_not_select_changning_25b(
    client, token, programme
):
    category, tier, body_zh, clause = DELIBERATING[programme]
    flow = NoticeFlow(client, token, programme)
    await flow.start()
    ids = await flow.applications(3, category, first=30)
    await to_committee(flow, ids)
    c = Committee(client, token, programme)
    names = await c.body(4)
    proc = (await client.get(f"/api/v1/committees/rounds/{flow.round['id']}/procedure", headers=c.office)).json()
    assert proc["methods"][tier] == {"kind": "deliberation", "clause": proc["methods"][tier]["clause"]}
    assert proc["quorum"]["stated"] is False and proc["threshold"]["stated"] is False
    assert body_zh in proc["body"]["name_zh"]

    listed = (await c.propose(flow.round["id"], [{"tier": tier, "category": category, "chosen": ids}])).json()
    (group,) = listed["groups"]
    assert [e["application_id"] for e in group["entries"]] == ids
    assert all(e["reports"] for e in group["entries"]), group["entries"][0]
    assert group["quota"] is None or group["quota"]["max"] >= 1
    await c.convene(flow.round["id"])
    await c.attend(names[:3])
    # a vote on a deliberated candidate is refused: the body decides together
    assert (await c.vote("委员1", ids[0])).status_code == 409
    # jinshan-18l: 区审定委听取评审工作报告 before it decides; the others hear no report first
    heard = [r["kind"] for r in proc["reports_heard"]]
    assert heard == (["review"] if programme == "jinshan" else [])
    if heard:
        r = await c.deliberate(ids[0], "select")
        assert r.status_code == 409 and r.json()["condition"] == "review_report" and r.json()["clause"] == "jinshan-18l"
        await c.hear_all()
    for app, decision in zip(ids, ("select", "select", "not_select"), strict=True):
        r = await c.deliberate(app, decision)
        assert r.status_code == 200, r.text
    r = await c.close()
    assert r.status_code == 200, r.text
    states = [(await flow.get(i)).json() for i in ids]
    assert [s["state"] for s in states] == ["committee_review", "committee_review", "not_selected"]
    assert [s["outcome"].get("decision") for s in states[:2]] == ["select", "select"]
    history = (await client.get(f"/api/v1/applications/{ids[0]}/history", headers=c.office)).json()
    entries = history if isinstance(history, list) else history["items"]
    last = entries[-1]
    # the committee fired it, as the chair's identity (the body's act, not a clerk's event)
    assert last["event"] == "select" and last["role"] == "committee" and last["actor"] == c.members["主任"]["subject"]

    r = await client.get(f"/api/v1/committees/meetings/{c.meeting['id']}/minutes", headers=c.office)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = _pdf_text(r.content)
    assert "会议纪要" in text and body_zh in text and "审议" in text and clause in text
    assert ("听取区审定办评审工作报告" in text) == (programme == "jinshan")


async def test_hangzhou_votes_by_secret_ballot_and_by_show_of_hands_in_one_meeting_hangzhou_3_3_6b_c(client, token):
    flow = NoticeFlow(client, token, "hangzhou")
    await flow.start()
    ids = await flow.applications(3, "organisation", first=40)
    await to_committee(flow, ids)
    c = Committee(client, token, "hangzhou")
    names = await c.body(5)
    await c.propose(
        flow.round["id"],
        [
            {"tier": "quality", "category": "organisation", "chosen": [ids[0]]},
            {"tier": "innovation", "category": "organisation", "chosen": [ids[1], ids[2]]},
        ],
    )
    meeting = await c.convene(flow.round["id"])
    assert [g["method"] for g in meeting["agenda"]] == ["secret_ballot", "show_of_hands"]
    await c.attend(names)
    # the plenary hears the office and the supervision team before it votes (hangzhou-3.3.6a)
    for kind in ("office", "supervision"):
        r = await c.vote("主任", ids[0])
        assert r.status_code == 409 and r.json()["condition"] == f"{kind}_report"
        assert r.json()["clause"] == "hangzhou-3.3.6a"
        await c.hear(kind, f"{kind}汇报：评审工作监督小组认为评审过程符合程序。")
    for n, choice in zip(names, ("for", "for", "for", "against", "abstain"), strict=True):
        assert (await c.vote(n, ids[0], choice)).status_code == 201
    for n, choice in zip(names, ("for", "for", "for", "for", "against"), strict=True):
        assert (await c.vote(n, ids[1], choice)).status_code == 201
    for n, choice in zip(names, ("for", "against", "against", "against", "abstain"), strict=True):
        assert (await c.vote(n, ids[2], choice)).status_code == 201
    tally = await c.tally()
    by_app = {x["application_id"]: x for x in tally["candidates"]}
    assert by_app[ids[0]]["counts"] == {"for": 3, "against": 1, "abstain": 1}
    assert by_app[ids[0]]["named_votes"] == []  # a secret ballot names no one
    assert {v["name"]: v["choice"] for v in by_app[ids[1]]["named_votes"]}["委员4"] == "against"
    assert [by_app[i]["passed"] for i in ids] == [True, True, False]
    r = await c.close()
    assert r.status_code == 200, r.text
    states = [(await flow.get(i)).json() for i in ids]
    assert [s["state"] for s in states] == ["committee_review", "committee_review", "not_selected"]
    assert [s["outcome"].get("tier") for s in states[:2]] == ["quality", "innovation"]
    r = await client.get(f"/api/v1/committees/meetings/{c.meeting['id']}/minutes", headers=c.office)
    text = _pdf_text(r.content)
    assert "无记名投票" in text and "举手表决" in text and "评审工作监督小组" in text and "委员4：反对" in text
