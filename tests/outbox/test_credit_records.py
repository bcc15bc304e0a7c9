"""The credit platform's records: one fact per record, a flag with its clause, a revocation candidate, a repair."""

from __future__ import annotations

from tests.intake.drive import open_round, to_awarded
from tests.intake.registry import CHANGNING_ORG, TIANNING_ORG, register_org
from tests.workflow.flow import Flow

URL = "/api/v1/integrations/credit-records"
# 重大违法违规记录 (tianning-11h "无其他重大违法违规记录")
MAJOR_VIOLATION = {
    "record_id": "SH-CF-2026-000123",
    "credit_code": TIANNING_ORG,
    "kind": "legal_violations",
    "attributes": {"severity": "major"},
    "occurred_on": "2026-05-10",
    "source": "信用中国（常州）",
    "summary": "行政处罚：违反安全生产法",
}


def _platform(token, programme: str = "tianning") -> dict:
    return token("integration", client="credit-platform", programme=programme)


async def _tianning_draft(client, token) -> tuple[Flow, str]:
    flow = Flow(client, token, "tianning")
    await register_org(client, flow.headers["office"], "tianning")
    rnd = await open_round(flow, 2026)
    app = await flow.apply(rnd["id"], "organisation", credit_code=TIANNING_ORG)
    return flow, app["id"]


async def test_the_same_record_twice_is_one_fact(client, token, sync_db):
    platform = _platform(token)
    first = await client.post(URL, json=MAJOR_VIOLATION, headers=platform)
    again = await client.post(URL, json=MAJOR_VIOLATION, headers=platform)
    assert first.status_code == 201, first.text
    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    assert first.json()["id"] == again.json()["id"]
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM credit_records")
        assert cur.fetchone()[0] == 1
        cur.execute("SELECT count(*) FROM outbox_events WHERE type = 'credit.record_applied'")
        assert cur.fetchone()[0] == 1
    # a client that is not an integration client may not send records
    assert (
        await client.post(URL, json=MAJOR_VIOLATION, headers=token("office", programme="tianning"))
    ).status_code == 403


async def test_a_record_against_an_open_application_flags_it_with_the_clause_and_a_repair_clears_it__tianning_11h(
    client, token
):
    flow, app_id = await _tianning_draft(client, token)
    office = flow.headers["office"]
    r = await client.post(URL, json=MAJOR_VIOLATION, headers=_platform(token))
    assert r.status_code == 201, r.text
    assert [(f["application_id"], f["criterion"], f["clause"], f["status"]) for f in r.json()["flags"]] == [
        (app_id, "clean_record", "tianning-11h", "open")
    ]
    flags = (await client.get(f"/api/v1/integrations/credit-flags?application_id={app_id}", headers=office)).json()
    assert [(f["criterion"], f["clause"], f["status"], f["record_id"]) for f in flags] == [
        ("clean_record", "tianning-11h", "open", "SH-CF-2026-000123")
    ]
    # the record is a fact the eligibility answer reads: the criterion fails, naming it
    elig = (await client.get(f"/api/v1/applications/{app_id}/eligibility", headers=office)).json()
    assert [(f["criterion"], f["clause"]) for f in elig["failed"]] == [("clean_record", "tianning-11h")]
    # 信用修复 before the call's close: "已完成信用修复的除外"
    repaired = {**MAJOR_VIOLATION, "withdrawn_on": "2026-09-10"}
    r = await client.post(URL, json=repaired, headers=_platform(token))
    assert r.status_code == 200 and r.json()["status"] == "updated", r.text
    assert [(f["criterion"], f["status"]) for f in r.json()["flags"]] == [("clean_record", "cleared")]
    flags = (await client.get(f"/api/v1/integrations/credit-flags?application_id={app_id}", headers=office)).json()
    assert [(f["status"], f["cleared_why"]) for f in flags] == [("cleared", "信用修复，该项申报条件不再不符合")]
    elig = (await client.get(f"/api/v1/applications/{app_id}/eligibility", headers=office)).json()
    assert elig["failed"] == []
    # another programme's office does not see the application's flags
    other = token("office", programme="changning")
    assert (
        await client.get(f"/api/v1/integrations/credit-flags?application_id={app_id}", headers=other)
    ).status_code == 404


async def test_a_record_against_a_winner_opens_a_revocation_candidate_for_the_office(client, token):
    flow = Flow(client, token, "changning")
    await register_org(client, flow.headers["office"], "changning")
    rnd = await open_round(flow, 2024)
    app = await flow.apply(rnd["id"], "model", credit_code=CHANGNING_ORG)
    await to_awarded(flow, app["id"], "2024-09-01T09:00:00+08:00", "mayor", "2024-12-01")
    record = {**MAJOR_VIOLATION, "record_id": "SH-2025-9", "credit_code": CHANGNING_ORG, "occurred_on": "2025-03-01"}
    r = await client.post(URL, json=record, headers=_platform(token, "changning"))
    assert r.status_code == 201, r.text
    assert [(c["application_id"], c["status"]) for c in r.json()["revocation_candidates"]] == [(app["id"], "open")]
    assert r.json()["flags"] == []
    listed = (await client.get("/api/v1/integrations/revocation-candidates", headers=flow.headers["office"])).json()
    assert listed["total"] == 1
    candidate = listed["items"][0]
    assert candidate["application_id"] == app["id"] and candidate["record_id"] == "SH-2025-9"
    assert {g["ground"] for g in candidate["grounds"]} >= {"fraud", "post_award_incident"}
    # not a revocation: the winner is still a winner
    assert (await flow.get(app["id"])).json()["state"] == "awarded"
    jinshan = token("office", programme="jinshan")
    assert (await client.get("/api/v1/integrations/revocation-candidates", headers=jinshan)).json()["total"] == 0


async def test_a_bad_record_is_refused_naming_its_field(client, token):
    bad = {**MAJOR_VIOLATION, "kind": "gossip", "attributes": {"severity": "huge"}}
    r = await client.post(URL, json=bad, headers=_platform(token))
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} >= {"kind"}
    r = await client.post(URL, json={**MAJOR_VIOLATION, "credit_code": "91320402MA1M000002"}, headers=_platform(token))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "credit_code"
    both = {**MAJOR_VIOLATION, "id_number": "11010519491231002X"}
    assert (await client.post(URL, json=both, headers=_platform(token))).status_code == 422
