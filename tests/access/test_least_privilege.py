"""Least privilege, decided (issue 13): each caller reads what its work needs, in lists as in single reads.

- an office reads the applicants it registered or that applied (apply) in its programme, not the registry;
- a programme's experts and committee do not see draft applications;
- a draft round is its office's and the admins' alone.
"""

from __future__ import annotations

from tests.intake.registry import CHANGNING_ORG, JINSHAN_ORG, register_org
from tests.workflow.flow import Flow

ORGS = "/api/v1/applicants/organisations"


async def test_an_office_reads_only_the_applicants_it_registered_or_that_applied_in_its_programme(client, token):
    changning, jinshan = token("office", programme="changning"), token("office", programme="jinshan")
    mine = await register_org(client, changning, "changning")
    theirs = await register_org(client, jinshan, "jinshan")
    listed = (await client.get("/api/v1/applicants", headers=changning)).json()
    assert [a["id"] for a in listed["items"]] == [mine["id"]] and listed["total"] == 1
    assert (await client.get(f"/api/v1/applicants/{theirs['id']}", headers=changning)).status_code == 404
    assert (await client.get(f"/api/v1/applicants/{theirs['id']}/history", headers=changning)).status_code == 404
    # the admin reads the whole registry
    assert (await client.get("/api/v1/applicants", headers=token("admin"))).json()["total"] == 2
    # once jinshan's applicant applies in changning, changning's office handles it
    flow = Flow(client, token, "changning")
    await flow.at("2026-09-01T09:00:00+08:00")
    rnd = await flow.open_round("2026", "2026-09-01", "2026-09-01T00:00:00+08:00", "2026-09-21T00:00:00+08:00")
    await flow.apply(rnd["id"], "model", credit_code=JINSHAN_ORG)
    listed = (await client.get("/api/v1/applicants", headers=changning)).json()
    assert {a["id"] for a in listed["items"]} == {mine["id"], theirs["id"]}
    assert (await client.get(f"/api/v1/applicants/{theirs['id']}", headers=changning)).status_code == 200
    assert CHANGNING_ORG in {a["credit_code"] for a in listed["items"]}


async def test_experts_and_the_committee_do_not_see_draft_applications(client, token):
    flow = Flow(client, token, "changning")
    await flow.at("2026-09-01T09:00:00+08:00")
    rnd = await flow.open_round("2026", "2026-09-01", "2026-09-01T00:00:00+08:00", "2026-09-21T00:00:00+08:00")
    draft = await flow.apply(rnd["id"], "model", credit_code=CHANGNING_ORG)
    submitted = await flow.apply(rnd["id"], "model", credit_code=JINSHAN_ORG)
    r = await flow.fire(submitted["id"], "submit", role="applicant")
    assert r.status_code == 200, r.text
    # the expert assigned both (it sees only what is assigned to it, issue 14): the draft stays hidden
    await flow.seat_expert([draft["id"], submitted["id"]])
    for who in ("expert", "committee"):
        h = flow.headers[who]
        assert (await client.get(f"/api/v1/applications/{draft['id']}", headers=h)).status_code == 404, who
        assert (await client.get(f"/api/v1/applications/{draft['id']}/materials", headers=h)).status_code == 404
        assert (await client.get(f"/api/v1/applications/{submitted['id']}", headers=h)).status_code == 200
        listed = (await client.get("/api/v1/applications", headers=h)).json()
        assert [a["id"] for a in listed["items"]] == [submitted["id"]] and listed["total"] == 1, who
    # the office, the applicant and the admin still see the draft
    for who in ("office", "applicant", "admin"):
        assert (await client.get(f"/api/v1/applications/{draft['id']}", headers=flow.headers[who])).status_code == 200


async def test_a_draft_round_is_its_offices_and_the_admins_alone(client, token):
    flow = Flow(client, token, "changning")
    await flow.at("2026-09-01T09:00:00+08:00")
    body = {
        "programme": "changning",
        "label": "2026",
        "call": {
            "title": "2026年度申报通知",
            "published_on": "2026-09-01",
            "opens_at": "2026-09-01T00:00:00+08:00",
            "closes_at": "2026-09-21T00:00:00+08:00",
        },
        "overrides": [],
    }
    r = await client.post("/api/v1/rounds", json=body, headers=flow.headers["office"])
    assert r.status_code == 201, r.text
    url = f"/api/v1/rounds/{r.json()['id']}"
    outsiders = {
        "another office": token("office", programme="jinshan"),
        "its experts": flow.headers["expert"],
        "its committee": flow.headers["committee"],
        "a recommender": flow.headers["recommender"],
    }
    for who, h in outsiders.items():
        assert (await client.get(url, headers=h)).status_code == 404, who
        assert (await client.get("/api/v1/rounds", headers=h)).json()["total"] == 0, who
    refused = await client.post(
        url + "/events",
        json={"event": "publish"},
        headers={**outsiders["another office"], "If-Match": r.headers["etag"]},
    )
    assert refused.status_code == 404
    for h in (flow.headers["office"], flow.headers["admin"]):
        assert (await client.get(url, headers=h)).status_code == 200
        assert (await client.get("/api/v1/rounds", headers=h)).json()["total"] == 1
    published = await client.post(
        url + "/events", json={"event": "publish"}, headers={**flow.headers["office"], "If-Match": r.headers["etag"]}
    )
    assert published.status_code == 200
    for who, h in outsiders.items():
        assert (await client.get(url, headers=h)).status_code == 200, who
