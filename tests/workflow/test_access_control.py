"""Access to another's objects: those who may not see an application learn nothing of it and leave no trace on it."""

from __future__ import annotations

from tests.intake.drive import open_round
from tests.intake.registry import CHANGNING_ORG, changning_draft, register_org
from tests.intake.test_recommending_units import _apply, _unit
from tests.notices.driver import NoticeFlow, objection, person
from tests.workflow.flow import Flow


async def _history(client, app_id: str, office: dict) -> list[dict]:
    r = await client.get(f"/api/v1/applications/{app_id}/history", params={"size": 100}, headers=office)
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def test_an_event_on_an_application_the_caller_may_not_see_is_404_and_not_written_to_its_history(client, token):
    flow, app_id = await changning_draft(client, token)
    etag = (await flow.get(app_id)).headers["etag"]
    before = await _history(client, app_id, flow.headers["office"])
    strangers = {
        "another applicant": token("applicant", applicant="org-2", sub="org-2-user"),
        "another programme's office": token("office", programme="hangzhou", sub="hangzhou-clerk"),
        "another unit's recommender": token("recommender", unit="unit-2", sub="unit-2-recommender"),
        "an expert of no programme": token("expert", sub="loose-expert"),
    }
    for who, headers in strangers.items():
        assert (await client.get(f"/api/v1/applications/{app_id}", headers=headers)).status_code == 404, who
        for event, if_match in (
            ("submit", etag),
            ("withdraw", etag),
            ("recommend", etag),
            ("submit", '"999"'),
            ("submit", None),
        ):
            h = {**headers, **({"If-Match": if_match} if if_match else {})}
            r = await client.post(f"/api/v1/applications/{app_id}/events", json={"event": event}, headers=h)
            # neither its state (409 allowed_events), nor its version (412), nor that it exists (403)
            assert r.status_code == 404, (who, event, r.status_code, r.text)
            assert "allowed_events" not in r.json() and "state" not in r.json(), r.text
    assert await _history(client, app_id, flow.headers["office"]) == before
    assert (await flow.get(app_id)).json()["state"] == "draft"


async def test_a_round_action_naming_applications_the_caller_may_not_see_treats_them_as_not_in_the_round(client, token):
    flow, app_id = await changning_draft(client, token)
    round_id = (await flow.get(app_id)).json()["round_id"]
    before = await _history(client, app_id, flow.headers["office"])
    for headers in (
        token("office", programme="hangzhou"),
        token("applicant", applicant="org-2"),
        token("recommender", unit="unit-2"),
    ):
        for event in ("withdraw", "recommend", "pass_qualification"):
            r = await client.post(
                f"/api/v1/rounds/{round_id}/actions", json={"event": event, "applications": [app_id]}, headers=headers
            )
            assert r.status_code == 422 and r.json()["errors"][0]["code"] == "not_in_round", r.text
            assert "allowed_events" not in r.text
    assert await _history(client, app_id, flow.headers["office"]) == before
    assert (await flow.get(app_id)).json()["state"] == "draft"


async def test_a_recommender_reads_only_the_applicants_whose_applications_name_its_unit(client, token):
    """The registry holds people's and organisations' personal data (masked ID numbers, phones, addresses,
    records): a unit reads an applicant when the applicant has chosen it to recommend an application,
    not every organisation or person registered in the area it covers."""
    flow = Flow(client, token, "changning", unit="XJH")
    await _unit(client, flow.headers["office"], "changning", "XJH", "新泾镇", "street", ["xinjing"])
    org = await register_org(client, flow.headers["office"], "changning", locality="xinjing")
    url = f"/api/v1/applicants/{org['id']}"
    # covered by the unit's area, but no application names the unit: not for it to read
    assert (await client.get(url, headers=flow.headers["recommender"])).status_code == 404
    # nor to correct
    assert (
        await client.patch(url, json={"name": "改名"}, headers={**flow.headers["recommender"], "If-Match": '"1"'})
    ).status_code == 404
    rnd = await open_round(flow, 2026)
    await _apply(client, flow, rnd["id"], "model", CHANGNING_ORG, "XJH")
    # the applicant chose the unit: now it reads the record
    assert (await client.get(url, headers=flow.headers["recommender"])).status_code == 200


async def test_an_office_token_scoped_to_no_programme_lists_no_objections_nor_notices(client, token):
    flow = NoticeFlow(client, token, "changning")
    ids, notice = await flow.qualification_notice()
    r = await flow.object(notice["id"], objection(ids[0], person(1)))
    assert r.status_code == 201, r.text
    assert (await client.get("/api/v1/objections", headers=flow.headers["office"])).json()["total"] == 1
    loose = token("office", sub="office-of-nothing")
    for url in (
        "/api/v1/objections",
        "/api/v1/objections/overdue",
        "/api/v1/objections?programme=changning",
        "/api/v1/notices",
        "/api/v1/notices?programme=changning",
    ):
        got = await client.get(url, headers=loose)
        assert got.status_code == 403, (url, got.status_code, got.text)
    # another programme's office: its own (empty) lists, whatever ?programme= says
    other = token("office", programme="hangzhou")
    for url in (
        "/api/v1/objections?programme=changning",
        "/api/v1/objections/overdue?programme=changning",
        "/api/v1/notices?programme=changning",
        "/api/v1/notices",
    ):
        got = await client.get(url, headers=other)
        assert got.status_code == 200 and got.json()["total"] == 0, (url, got.text)


async def test_an_office_token_scoped_to_no_programme_does_not_read_the_applicant_registry(client, token):
    office = token("office", programme="changning")
    org = await register_org(client, office, "changning")
    loose = token("office", sub="office-of-nothing")
    assert (await client.get("/api/v1/applicants", headers=loose)).status_code == 403
    assert (await client.get(f"/api/v1/applicants/{org['id']}", headers=loose)).status_code == 404
    assert (await client.get(f"/api/v1/applicants/{org['id']}", headers=office)).status_code == 200


async def test_an_applicant_may_not_apply_as_an_applicant_registered_by_another_account_nor_learn_its_application(
    client, token
):
    """The registry record is linked by identifier: applying with another account's credit code would let
    the caller read that organisation's registry facts (eligibility, frozen versions) as its own."""
    flow = Flow(client, token, "changning")
    rnd = await open_round(flow, 2026)
    # the account registers the credit code its identity-platform token verifies (issue 13)
    owner = token("applicant", applicant="org-1", sub="org-1-user", verified_credit_code=CHANGNING_ORG)
    org = await register_org(client, owner, "changning")
    assert org["principal_ref"] == "org-1"
    body = {"round_id": rnd["id"], "category": "model", "applicant": {"name": "某公司", "credit_code": CHANGNING_ORG}}
    impostor = token("applicant", applicant="org-2", sub="org-2-user")
    r = await client.post("/api/v1/applications", json=body, headers=impostor)
    assert r.status_code == 403, r.text
    mine = await client.post("/api/v1/applications", json=body, headers=owner)
    assert mine.status_code == 201, mine.text
    r = await client.post("/api/v1/applications", json=body, headers=impostor)
    assert r.status_code == 403 and mine.json()["id"] not in r.text, r.text
    # a duplicate names the existing application to those who may see it
    for headers in (owner, token("office", programme="changning")):
        r = await client.post("/api/v1/applications", json=body, headers=headers)
        assert r.status_code == 409 and r.json()["application_id"] == mine.json()["id"], r.text
    assert (await client.get("/api/v1/applications", headers=impostor)).json()["total"] == 0


async def test_a_duplicate_application_names_the_existing_one_only_to_who_may_see_it(client, token):
    flow, app_id = await changning_draft(client, token)
    rnd = (await flow.get(app_id)).json()["round_id"]
    # the office registered the organisation for nobody's account: another account whose token verifies
    # the code may apply with it, but the application already made is not that account's to learn of
    r = await client.post(
        "/api/v1/applications",
        json={"round_id": rnd, "category": "model", "applicant": {"name": "某公司", "credit_code": CHANGNING_ORG}},
        headers=token("applicant", applicant="org-2", verified_credit_code=CHANGNING_ORG),
    )
    assert r.status_code == 409 and "application_id" not in r.json() and app_id not in r.text, r.text
