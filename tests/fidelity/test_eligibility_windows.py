"""Look-back windows and year counts end on the right day, and the answer says which records counted (issue 20 points 2, 3).

The call is published 2026-09-01 and closes at the end of 2026-09-20.
"""

from __future__ import annotations

from tests.intake.drive import open_round
from tests.intake.registry import CHANGNING_ORG, HANGZHOU_ORG, JINSHAN_ORG, NO_RECORDS, TIANNING_ORG, register_org
from tests.workflow.flow import Flow


async def _eligibility(client, flow: Flow, app_id: str, lang: str | None = None) -> dict:
    headers = {**flow.headers["office"], **({"Accept-Language": lang} if lang else {})}
    r = await client.get(f"/api/v1/applications/{app_id}/eligibility", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def _entry(body: dict, criterion: str) -> dict:
    return next(e for e in body["criteria"] if e["criterion"] == criterion)


async def _add_records(client, flow: Flow, org: dict, records: dict) -> dict:
    got = await client.get(f"/api/v1/applicants/{org['id']}", headers=flow.headers["office"])
    r = await client.patch(
        f"/api/v1/applicants/{org['id']}",
        json={"records": {**got.json()["records"], **records}},
        headers={**flow.headers["office"], "If-Match": got.headers["etag"]},
    )
    assert r.status_code == 200, r.text
    return r.json()


async def test_an_accident_nine_days_after_the_call_fails_at_qualification_review__changning_16f(client, token):
    flow = Flow(client, token, "changning")
    org = await register_org(client, flow.headers["office"], "changning")
    rnd = await open_round(flow, 2026)
    app = await flow.apply(rnd["id"], "model", credit_code=CHANGNING_ORG)
    await flow.step(app["id"], "submit", "awaiting_recommendation")
    await flow.step(app["id"], "recommend", "qualification_review", {"opinion": "同意推荐"})
    # an accident on 2026-09-10, nine days after the call, recorded before the review
    await flow.at("2026-09-12T09:00:00+08:00")
    await _add_records(client, flow, org, {"major_accidents": [{"on": "2026-09-10", "description": "火灾事故"}]})
    r = await flow.fire(app["id"], "pass_qualification")
    assert r.status_code == 422, r.text
    assert r.json()["type"].endswith("/ineligible")
    assert {"criterion": "model_clean_record", "kind": "machine", "clause": "changning-16f"} in r.json()["failed"]
    body = await _eligibility(client, flow, app["id"])
    assert body["checked_on"] == "2026-09-12" and body["call_closes_on"] == "2026-09-20"
    entry = _entry(body, "model_clean_record")
    assert entry["result"] == "fail" and entry["counted_to"] == "2026-09-12"
    assert entry["records"] == [
        {
            "fact": "major_accidents",
            "on": "2026-09-10",
            "description": "火灾事故",
            "counted": True,
            "why": "counted",
            "sentence": "计入",
        }
    ]


async def test_once_qualified_the_answer_stays_as_of_the_review_day__changning_16f(client, token):
    """A record dated after the qualification review is for objections or revocation, not the answer the review relied on."""
    flow = Flow(client, token, "changning")
    org = await register_org(client, flow.headers["office"], "changning")
    rnd = await open_round(flow, 2026)
    app = await flow.apply(rnd["id"], "model", credit_code=CHANGNING_ORG)
    await flow.step(app["id"], "submit", "awaiting_recommendation")
    await flow.step(app["id"], "recommend", "qualification_review", {"opinion": "同意推荐"})
    await flow.at("2026-09-25T09:00:00+08:00")
    await flow.step(app["id"], "pass_qualification", "qualification_review")
    # decided, its notice not yet published: the answer is the review's
    await flow.at("2026-09-28T09:00:00+08:00")
    await _add_records(client, flow, org, {"major_accidents": [{"on": "2026-09-26"}]})
    body = await _eligibility(client, flow, app["id"])
    assert body["checked_on"] == "2026-09-25" and _entry(body, "model_clean_record")["result"] == "pass"
    r = await flow.publish_notice(rnd["id"], [app["id"]])
    assert r.status_code == 201, r.text
    await flow.at("2026-10-20T09:00:00+08:00")
    await _add_records(client, flow, org, {"major_accidents": [{"on": "2026-10-10"}]})
    body = await _eligibility(client, flow, app["id"])
    assert body["checked_on"] == "2026-09-25"
    entry = _entry(body, "model_clean_record")
    assert entry["result"] == "pass" and [r["why"] for r in entry["records"]] == ["after_window"]


async def test_three_years_reached_before_the_close_are_enough__tianning_11a(client, token):
    """ "正常运营3年以上": counted to the call's close, so an applicant reaching three years on 2026-09-15 submits on 09-01."""
    flow = Flow(client, token, "tianning")
    await register_org(client, flow.headers["office"], "tianning", operating_since="2023-09-15")
    rnd = await open_round(flow, 2026)
    app = await flow.apply(rnd["id"], "organisation", credit_code=TIANNING_ORG)
    entry = _entry(await _eligibility(client, flow, app["id"]), "operating_years")
    assert entry["result"] == "pass" and entry["counted_to"] == "2026-09-20", entry
    await flow.step(app["id"], "submit", "awaiting_recommendation")


async def test_records_the_text_does_not_mean_are_listed_as_not_counted_and_why__tianning_11h(client, token):
    flow = Flow(client, token, "tianning")
    records = {
        **NO_RECORDS,
        "legal_violations": [{"on": "2025-05-01", "severity": "ordinary", "description": "警告"}],
        "failed_quality_inspections": [
            {"on": "2025-06-01", "level": "district"},
            {"on": "2022-01-01", "level": "national"},
        ],
    }
    await register_org(client, flow.headers["office"], "tianning", records=records)
    rnd = await open_round(flow, 2026)
    app = await flow.apply(rnd["id"], "organisation", credit_code=TIANNING_ORG)
    entry = _entry(await _eligibility(client, flow, app["id"]), "clean_record")
    assert entry["result"] == "pass", entry
    assert [(r["fact"], r["on"], r["counted"], r["why"]) for r in entry["records"]] == [
        ("failed_quality_inspections", "2025-06-01", False, "level"),
        ("failed_quality_inspections", "2022-01-01", False, "before_window"),
        ("legal_violations", "2025-05-01", False, "severity"),
    ]
    en = _entry(await _eligibility(client, flow, app["id"], "en"), "clean_record")
    assert (
        en["records"][0]["sentence"]
        == "inspection level: district; the criterion counts only national, provincial, city"
    )
    await flow.step(app["id"], "submit", "awaiting_recommendation")


async def test_a_record_stored_without_the_new_attributes_needs_review_not_refusal__tianning_11h(client, token):
    """Records stored before the attributes existed: severity unknown, so the reviewer decides (not a silent pass or fail)."""
    flow = Flow(client, token, "tianning")
    await register_org(
        client, flow.headers["office"], "tianning", records={**NO_RECORDS, "legal_violations": [{"on": "2025-05-01"}]}
    )
    rnd = await open_round(flow, 2026)
    app = await flow.apply(rnd["id"], "organisation", credit_code=TIANNING_ORG)
    entry = _entry(await _eligibility(client, flow, app["id"]), "clean_record")
    assert entry["result"] == "needs_review"
    assert [(r["counted"], r["why"]) for r in entry["records"]] == [(None, "unknown_severity")]
    await flow.step(app["id"], "submit", "awaiting_recommendation")


async def test_a_major_violation_refuses_at_submit__tianning_11h(client, token):
    flow = Flow(client, token, "tianning")
    await register_org(
        client,
        flow.headers["office"],
        "tianning",
        records={"legal_violations": [{"on": "2025-05-01", "severity": "major"}]},
    )
    rnd = await open_round(flow, 2026)
    app = await flow.apply(rnd["id"], "organisation", credit_code=TIANNING_ORG)
    r = await flow.fire(app["id"], "submit")
    assert r.status_code == 422 and r.json()["clause"] == "tianning-11h", r.text


async def test_an_attribute_another_fact_has_is_refused_naming_records(client, token):
    flow = Flow(client, token, "tianning")
    r = await client.post(
        "/api/v1/applicants/organisations",
        json={
            "credit_code": TIANNING_ORG,
            "name": "某公司",
            "records": {"major_accidents": [{"on": "2025-01-01", "severity": "major"}]},
        },
        headers=flow.headers["office"],
    )
    assert r.status_code == 422, r.text
    assert r.json()["type"].endswith("/validation-error")
    assert r.json()["errors"][0]["field"].startswith("records")


async def test_a_preference_cannot_be_overridden_into_a_refusal__jinshan_15h(client, token):
    flow = Flow(client, token, "jinshan")
    await register_org(client, flow.headers["office"], "jinshan", has_chief_quality_officer=False)
    rnd = await open_round(flow, 2026)
    app = await flow.apply(rnd["id"], "model", credit_code=JINSHAN_ORG)
    entry = _entry(await _eligibility(client, flow, app["id"]), "model_cqo_priority")
    assert entry["kind"] == "preference" and entry["result"] == "pass"
    r = await client.post(
        f"/api/v1/applications/{app['id']}/eligibility/overrides",
        json={"criterion": "model_cqo_priority", "result": "fail", "reason": "无首席质量官"},
        headers=flow.headers["office"],
    )
    assert r.status_code == 422 and r.json()["clause"] == "jinshan-15h", r.text
    assert r.json()["errors"][0]["field"] == "result"


async def test_a_listing_ended_before_the_check_passes_and_one_in_force_refuses__hangzhou_3_2_4(client, token):
    """ "未被列入严重失信名单" read on the day of the check; the latest year's 亩均 grade (3.2.2b) read with its year."""
    flow = Flow(client, token, "hangzhou")
    org = await register_org(
        client,
        flow.headers["office"],
        "hangzhou",
        mu_efficiency_year=2025,
        records={**NO_RECORDS, "serious_dishonesty": [{"on": "2025-01-01", "ended_on": "2026-03-01"}]},
    )
    rnd = await open_round(flow, 2026)
    app = await flow.apply(rnd["id"], "organisation", credit_code=HANGZHOU_ORG)
    body = await _eligibility(client, flow, app["id"])
    listed = _entry(body, "not_listed_seriously_dishonest")
    assert listed["result"] == "pass" and listed["records"][0]["why"] == "ended", listed
    assert _entry(body, "mu_efficiency_grade")["result"] == "pass"
    # listed in 2019 and never removed: older than three years, still on the list
    await _add_records(client, flow, org, {"serious_dishonesty": [{"on": "2019-05-01"}]})
    r = await flow.fire(app["id"], "submit")
    assert r.status_code == 422, r.text
    assert {"criterion": "not_listed_seriously_dishonest", "kind": "machine", "clause": "hangzhou-3.2.4"} in r.json()[
        "failed"
    ]
