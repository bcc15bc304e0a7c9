"""Confidentiality under /applications (issue 14; jinshan-21a, hangzhou-6.2a, linyi-20a): an expert
sees an application only while it holds an open assignment of it, after accepting the pledge.

Unassigned, recused, closed, not yet pledged: the application does not exist for the expert (404)
everywhere: its record, history, eligibility, form, versions, materials, objections, its events;
the list shows exactly what single reads show. The assigned expert reads it, fires its events, and
every read is a read-audit record (``review_application``).
"""

from __future__ import annotations

from tests.notices.driver import PDF, RECOMMENDED, NoticeFlow
from tests.review_flow.world import Review, items

P = "jinshan"


async def _world(client, token):
    """Three submitted applications of P in material review; a material and a form on the first."""
    flow = NoticeFlow(client, token, P)
    await flow.start()
    ids = await flow.applications(3)
    r = await client.post(
        f"/api/v1/applications/{ids[0]}/materials",
        params={"kind": "evidence", "filename": "证明.pdf"},
        content=PDF,
        headers=flow.headers["applicant"],
    )
    assert r.status_code == 201, r.text
    material = r.json()["id"]
    r = await client.put(f"/api/v1/applications/{ids[0]}/form", json={"fields": {}}, headers=flow.headers["applicant"])
    assert r.status_code in (200, 201), r.text
    await flow.act(ids, RECOMMENDED)
    await flow.at("2026-09-29T10:00:00+08:00")
    await flow.publish("qualification", ids)
    await flow.at("2026-10-13T00:00:00+08:00")
    await flow.run_deadlines()
    assert {(await flow.get(i)).json()["state"] for i in ids} == {"material_review"}
    return flow, ids, material


def _reads(app_id: str, material: str) -> list[str]:
    base = f"/api/v1/applications/{app_id}"
    return [
        base,
        f"{base}/history",
        f"{base}/eligibility",
        f"{base}/form",
        f"{base}/versions",
        f"{base}/objections",
        f"{base}/materials",
        f"{base}/materials/{material}/content",
    ]


async def _hidden(client, flow: NoticeFlow, headers: dict, app_id: str, material: str) -> None:
    """Every read and the event answer 404, as for an application that does not exist."""
    for url in _reads(app_id, material):
        r = await client.get(url, headers=headers)
        assert r.status_code == 404 and r.json()["type"].endswith("/not-found"), (url, r.status_code)
    etag = (await flow.get(app_id)).headers["etag"]
    r = await client.post(
        f"/api/v1/applications/{app_id}/events",
        json={"event": "shortlist", "data": {}},
        headers={**headers, "If-Match": etag},
    )
    assert r.status_code == 404, r.text
    # nor through a round action: to it, the application is not in the round
    r = await client.post(
        f"/api/v1/rounds/{flow.round['id']}/actions",
        json={"event": "shortlist", "applications": [app_id], "data": {}},
        headers=headers,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "applications[0]", r.text


async def _listed(client, headers: dict) -> list[str]:
    r = await client.get("/api/v1/applications", params={"size": 100}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["total"] == len(r.json()["items"])
    return [a["id"] for a in r.json()["items"]]


async def test_an_unassigned_recused_closed_or_unpledged_expert_gets_404_everywhere_jinshan_21a(client, token):
    flow, (a1, a2, a3), material = await _world(client, token)
    review = Review(client, token, P)
    for name in ("甲", "乙", "丙", "丁", "戊"):
        await review.expert(name)
    panel = await review.panel(flow.round["id"], "material", "甲", ["乙", "丙", "丁"])
    await review.assign(panel["id"], a1, ["甲", "乙"])
    await review.assign(panel["id"], a2, ["丙"])
    for name in ("甲", "乙", "丙", "丁"):
        await review.pledge(panel["id"], name)
    # 戊: assigned in another panel whose pledge it has not accepted
    unpledged = await review.panel(flow.round["id"], "onsite", "戊", [])
    await review.assign(unpledged["id"], a3, ["戊"])
    # 乙 recuses (changning-28c, jinshan-21c); the office takes 丙's assignment back
    r = await client.post(
        f"/api/v1/review/assignments/{await review.assignment_of('乙', a1)}/recusal",
        json={"reason": "曾为其提供咨询"},
        headers=review.headers["乙"],
    )
    assert r.status_code == 200 and r.json()["status"] == "recused", r.text
    r = await client.post(
        f"/api/v1/review/assignments/{await review.assignment_of('丙', a2)}/close",
        json={"reason": "调整分工"},
        headers=review.office,
    )
    assert r.status_code == 200 and r.json()["status"] == "closed", r.text

    outsiders = {
        "recused": (review.headers["乙"], a1),
        "closed": (review.headers["丙"], a2),
        "unassigned member": (review.headers["丁"], a1),
        "not pledged": (review.headers["戊"], a3),
        "outside the pool": (token("expert", programme=P, sub="roaming"), a1),
    }
    for who, (headers, app_id) in outsiders.items():
        await _hidden(client, flow, headers, app_id, material)
        assert await _listed(client, headers) == [], who

    # the assigned, pledged expert: its one application, read whole, nothing else
    mine = review.headers["甲"]
    assert await _listed(client, mine) == [a1]
    for url in _reads(a1, material):
        r = await client.get(url, headers=mine)
        assert r.status_code == 200, (url, r.text)
    for other in (a2, a3):
        assert (await client.get(f"/api/v1/applications/{other}", headers=mine)).status_code == 404

    # it fires its stage's event on it, on the review's own result (the guard's consensus)
    sheet = review.sheet(items(P, "model"))
    r = await review.score("甲", await review.assignment_of("甲", a1), sheet)
    assert r.status_code == 201, r.text
    r = await review.consensus("甲", panel["id"], a1, sheet)
    assert r.status_code == 201, r.text
    got = await client.get(f"/api/v1/applications/{a1}", headers=mine)
    assert "shortlist" in got.json()["allowed_events"], got.json()
    r = await client.post(
        f"/api/v1/applications/{a1}/events",
        json={"event": "shortlist", "data": {}},
        headers={**mine, "If-Match": got.headers["etag"]},
    )
    assert r.status_code == 200, r.text
    history = await client.get(f"/api/v1/applications/{a1}/history", params={"size": 100}, headers=mine)
    last = history.json()["items"][-1]
    assert (last["event"], last["actor"]) == ("shortlist", review.experts["甲"]["subject"]), last
    # the recused expert still cannot, even now the application moved on
    await _hidden(client, flow, review.headers["乙"], a1, material)

    # every read by the expert is in the read audit (jinshan-21a), and none by those refused
    admin = token("admin", sub="auditor")
    audit = await client.get(
        "/api/v1/admin/read-audit", params={"record_kind": "review_application", "size": 100}, headers=admin
    )
    assert audit.status_code == 200, audit.text
    rows = audit.json()["items"]
    subjects = {review.experts[n]["subject"] for n in ("乙", "丙", "丁", "戊")} | {"roaming"}
    assert not [x for x in rows if x["subject"] in subjects]
    by_mine = [x for x in rows if x["subject"] == review.experts["甲"]["subject"]]
    assert {x["record_id"] for x in by_mine} == {a1}
    # the list, each single read (8) and the record read before the event
    assert len(by_mine) >= 1 + len(_reads(a1, material)) + 1, len(by_mine)


async def test_an_expert_lists_exactly_what_it_reads_one_by_one_hangzhou_6_2a(client, token):
    """List = single reads: after its assignment closes, the application leaves its list too."""
    flow, ids, _ = await _world(client, token)
    review = Review(client, token, P)
    await review.expert("甲")
    panel = await review.panel(flow.round["id"], "material", "甲", [])
    await review.pledge(panel["id"], "甲")
    mine = review.headers["甲"]
    for app_id in ids[:2]:
        await review.assign(panel["id"], app_id, ["甲"])

    async def single() -> set[str]:
        return {i for i in ids if (await client.get(f"/api/v1/applications/{i}", headers=mine)).status_code == 200}

    assert set(await _listed(client, mine)) == await single() == set(ids[:2])
    r = await client.post(
        f"/api/v1/review/assignments/{await review.assignment_of('甲', ids[0])}/close",
        json={"reason": "调整分工"},
        headers=review.office,
    )
    assert r.status_code == 200, r.text
    assert set(await _listed(client, mine)) == await single() == {ids[1]}
    # filters apply within what it may see
    r = await client.get("/api/v1/applications", params={"state": "material_review"}, headers=mine)
    assert [a["id"] for a in r.json()["items"]] == [ids[1]]


async def test_a_suspended_expert_reads_nothing_until_reinstated_jinshan_21b(client, token):
    """An expert the office suspends (jinshan-21b) keeps its open assignment on record but reads nothing through
    it (404 everywhere) until reinstated; then it reads again."""
    flow, (a1, _a2, _a3), material = await _world(client, token)
    review = Review(client, token, P)
    await review.expert("甲")
    panel = await review.panel(flow.round["id"], "material", "甲", [])
    await review.assign(panel["id"], a1, ["甲"])
    await review.pledge(panel["id"], "甲")
    assert (await client.get(f"/api/v1/applications/{a1}", headers=review.headers["甲"])).status_code == 200
    expert_id = review.experts["甲"]["id"]
    for status, seen in (("suspended", 404), ("active", 200)):
        r = await client.post(
            f"/api/v1/review/experts/{expert_id}/status",
            json={"status": status, "reason": "违反评审纪律，暂停评审" if status == "suspended" else "核查后恢复"},
            headers=review.office,
        )
        assert r.status_code == 200 and r.json()["status"] == status, r.text
        if seen == 404:
            await _hidden(client, flow, review.headers["甲"], a1, material)
        else:
            assert (await client.get(f"/api/v1/applications/{a1}", headers=review.headers["甲"])).status_code == 200
