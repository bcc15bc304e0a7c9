"""GET /applications/{id}/eligibility and the submit check: every criterion explained, every failure listed."""

from __future__ import annotations

from tests.intake.registry import CHANGNING_ORG, HANGZHOU_ORG, PERSON_2, TIANNING_ORG, register_org
from tests.workflow.flow import Flow


async def _round(flow: Flow) -> dict:
    await flow.at("2026-09-01T09:00:00+08:00")
    return await flow.open_round("2026", "2026-09-01", "2026-09-01T00:00:00+08:00", "2026-09-21T00:00:00+08:00")


async def test_eligible_organisation_passes_every_machine_criterion_and_submits__changning_16a_16f(client, token):
    flow = Flow(client, token, "changning")
    rnd = await _round(flow)
    org = await register_org(client, flow.headers["office"], "changning")
    app = await flow.apply(rnd["id"], "model", credit_code=CHANGNING_ORG)
    r = await client.get(f"/api/v1/applications/{app['id']}/eligibility", headers=flow.headers["applicant"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["applicant_id"] == org["id"] and body["reference_date"] == "2026-09-01"
    by_id = {e["criterion"]: e for e in body["criteria"]}
    # only the model category's criteria, one entry each
    assert "achievement_quality_work_years" not in by_id
    assert (
        by_id["model_operating_years"]["result"] == "pass"
        and by_id["model_operating_years"]["clause"] == "changning-16a"
    )
    assert by_id["model_operating_years"]["facts"] == {"operating_since": "2015-03-01"}
    assert "满11年" in by_id["model_operating_years"]["sentence"]
    assert by_id["model_compliance"]["result"] == "needs_review" and by_id["model_compliance"]["kind"] == "judgement"
    assert body["result"] == "needs_review" and body["failed"] == []
    await flow.step(app["id"], "submit", "awaiting_recommendation")


async def test_ineligible_organisation_is_refused_at_submit_listing_every_failed_criterion__changning_16a_16f(
    client, token, sync_db
):
    flow = Flow(client, token, "changning")
    rnd = await _round(flow)
    await register_org(
        client,
        flow.headers["office"],
        "changning",
        registered_jurisdiction="jinshan",
        operating_since="2024-01-01",
        records={"losses": [{"on": "2025-12-31", "description": "经营性亏损"}]},
    )
    app = await flow.apply(rnd["id"], "model", credit_code=CHANGNING_ORG)
    elig = (
        await client.get(
            f"/api/v1/applications/{app['id']}/eligibility", headers={**flow.headers["office"], "Accept-Language": "en"}
        )
    ).json()
    assert elig["result"] == "fail"
    assert elig["failed"] == [
        {"criterion": "model_registered_in_district", "clause": "changning-16a"},
        {"criterion": "model_operating_years", "clause": "changning-16a"},
        {"criterion": "model_clean_record", "clause": "changning-16f"},
    ]
    clean = next(e for e in elig["criteria"] if e["criterion"] == "model_clean_record")
    assert clean["sentence"].startswith("Records in the 3 years") and "2025-12-31" in clean["sentence"]
    r = await flow.fire(app["id"], "submit", role="applicant")
    assert r.status_code == 422 and r.json()["type"].endswith("/ineligible")
    assert [f["criterion"] for f in r.json()["failed"]] == [
        "model_registered_in_district",
        "model_operating_years",
        "model_clean_record",
    ]
    assert {e["field"] for e in r.json()["errors"]} == {
        "eligibility.model_registered_in_district",
        "eligibility.model_operating_years",
        "eligibility.model_clean_record",
    }
    assert r.json()["clause"] == "changning-16a"
    assert (await flow.get(app["id"])).json()["state"] == "draft"
    with sync_db.cursor() as cur:
        cur.execute("SELECT event, accepted, refusal FROM application_events ORDER BY seq")
        assert cur.fetchall()[-1] == ("submit", False, "ineligible")


async def test_office_override_with_reason_is_recorded_and_lets_the_application_through__changning_16a(
    client, token, sync_db
):
    flow = Flow(client, token, "changning")
    rnd = await _round(flow)
    await register_org(client, flow.headers["office"], "changning", operating_since="2024-01-01")
    app = await flow.apply(rnd["id"], "model", credit_code=CHANGNING_ORG)
    url = f"/api/v1/applications/{app['id']}/eligibility/overrides"
    body = {
        "criterion": "model_operating_years",
        "result": "pass",
        "reason": "前身企业2012年起连续经营，经营主体变更不中断经营年限",
    }
    assert (await client.post(url, json=body, headers=flow.headers["applicant"])).status_code == 403
    assert (await client.post(url, json=body, headers=token("office", programme="jinshan"))).status_code == 404
    bad = await client.post(url, json={**body, "criterion": "no_such"}, headers=flow.headers["office"])
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "criterion"
    r = await client.post(url, json=body, headers=flow.headers["office"])
    assert r.status_code == 200, r.text
    entry = next(e for e in r.json()["criteria"] if e["criterion"] == "model_operating_years")
    assert (
        entry["result"] == "pass"
        and entry["computed_result"] == "fail"
        and entry["override"]["reason"] == body["reason"]
    )
    await flow.step(app["id"], "submit", "awaiting_recommendation")
    history = (await client.get(f"/api/v1/applications/{app['id']}/history", headers=flow.headers["office"])).json()[
        "items"
    ]
    assert [h["event"] for h in history] == ["create", "override_eligibility", "submit"]
    assert history[1]["reason"] == body["reason"]


async def test_application_without_a_registry_record_needs_review_and_is_not_refused(client, token):
    flow = Flow(client, token, "changning")
    rnd = await _round(flow)
    app = await flow.apply(rnd["id"], "model", credit_code=CHANGNING_ORG)
    elig = (await client.get(f"/api/v1/applications/{app['id']}/eligibility", headers=flow.headers["office"])).json()
    assert elig["applicant_id"] is None
    assert {e["result"] for e in elig["criteria"] if e["kind"] != "reapplication"} == {"needs_review"}
    # bans are found by the identifier, registered or not
    assert next(e for e in elig["criteria"] if e["criterion"] == "five_years_after_award")["result"] == "pass"
    await flow.step(app["id"], "submit", "awaiting_recommendation")


async def test_registering_after_applying_links_at_submit_and_the_check_applies__hangzhou_3_2_5(client, token, sync_db):
    flow = Flow(client, token, "hangzhou")
    rnd = await _round(flow)
    app = await flow.apply(rnd["id"], "organisation", credit_code=HANGZHOU_ORG)
    await register_org(client, flow.headers["office"], "hangzhou", civil_service_managed=True)
    r = await flow.fire(app["id"], "submit", role="applicant")
    assert r.status_code == 422 and r.json()["failed"] == [
        {"criterion": "not_civil_service_managed", "kind": "machine", "clause": "hangzhou-3.2.5"}
    ]


async def test_individual_criteria_read_the_employers_record__changning_17d(client, token):
    flow = Flow(client, token, "changning")
    rnd = await _round(flow)
    org = await register_org(
        client,
        flow.headers["office"],
        "changning",
        records={"major_accidents": [{"on": "2025-06-01", "description": "重大安全事故"}]},
    )
    person = await client.post(
        "/api/v1/applicants/individuals",
        json={
            "id_number": PERSON_2,
            "name": "李四",
            "employer_id": org["id"],
            "quality_work_in_jurisdiction_since": "2015-01-01",
        },
        headers=flow.headers["office"],
    )
    assert person.status_code == 201
    app = await flow.apply(rnd["id"], "achievement", name="李四", id_number=PERSON_2)
    elig = (await client.get(f"/api/v1/applications/{app['id']}/eligibility", headers=flow.headers["office"])).json()
    assert elig["applicant_id"] == person.json()["id"]
    assert [f["criterion"] for f in elig["failed"]] == ["achievement_organisation_clean_record"]
    assert next(e for e in elig["criteria"] if e["criterion"] == "achievement_quality_work_years")["result"] == "pass"


async def test_others_cannot_read_an_applications_eligibility(client, token):
    flow = Flow(client, token, "changning")
    rnd = await _round(flow)
    app = await flow.apply(rnd["id"], "model", credit_code=CHANGNING_ORG)
    assert (
        await client.get(
            f"/api/v1/applications/{app['id']}/eligibility", headers=token("applicant", applicant="someone-else")
        )
    ).status_code == 404
    assert (await client.get(f"/api/v1/applications/{app['id']}/eligibility")).status_code == 401


async def test_a_policy_loss_tag_does_not_excuse_an_accident__changning_16f(client, token):
    # "近3年未发生亏损(政策性亏损除外)": the exception belongs to 亏损 alone.
    flow = Flow(client, token, "changning")
    rnd = await _round(flow)
    await register_org(
        client,
        flow.headers["office"],
        "changning",
        records={
            "losses": [{"on": "2025-12-31", "description": "政策性亏损", "excepted": "policy_losses"}],
            "major_accidents": [{"on": "2025-06-01", "description": "重大安全事故", "excepted": "policy_losses"}],
        },
    )
    app = await flow.apply(rnd["id"], "model", credit_code=CHANGNING_ORG)
    r = await flow.fire(app["id"], "submit", role="applicant")
    assert r.status_code == 422, r.text
    assert r.json()["failed"] == [{"criterion": "model_clean_record", "kind": "machine", "clause": "changning-16f"}]


async def test_a_relatively_major_accident_refuses_a_tianning_applicant__tianning_11h(client, token):
    # "近 3 年无较大质量、安全、生态环境、公共卫生、食品、药品安全等方面事故"
    flow = Flow(client, token, "tianning")
    rnd = await _round(flow)
    await register_org(
        client,
        flow.headers["office"],
        "tianning",
        records={"relatively_major_accidents": [{"on": "2025-06-01", "description": "较大生产安全事故"}]},
    )
    app = await flow.apply(rnd["id"], "organisation", credit_code=TIANNING_ORG)
    elig = (await client.get(f"/api/v1/applications/{app['id']}/eligibility", headers=flow.headers["office"])).json()
    assert [(f["criterion"], f["clause"]) for f in elig["failed"]] == [("clean_record", "tianning-11h")]
