"""Revocation cases (撤销案件, issue 16): each text's procedure, then the award revoked through the machine with its
ban, certificate, credit-platform listing, public notice and items to recover; a dismissed case changes nothing."""

from __future__ import annotations

import json
import re

import pytest

from tests.awards.drive import certificate, commended
from tests.commendation.drive import to_government_approval
from tests.revocation.drive import FRAUD, PROCEDURES, WINNERS, carry_through, open_case, read_case, revocation_no, step

# the ban each text writes after a fraud revocation (hangzhou and linyi state none): rule, scope, clause
BANS = {
    "changning": [("after_revocation_for_fraud", "programme", "changning-34c")],
    "jinshan": [("after_revocation_for_fraud", "programme", "jinshan-26c")],
    "hangzhou": [],
    "linyi": [],
    "tianning": [("after_revocation_for_fraud", "same_or_higher_level", "tianning-15c")],
}
# the clauses of each text's procedure, as the case shows it (None: the text is silent, stated: false)
PROCEDURE_CLAUSES = {
    "changning": [None, "changning-34b"],
    "jinshan": ["jinshan-26b", "jinshan-27b", "jinshan-27b"],
    "hangzhou": [None, "hangzhou-6.5", "hangzhou-6.5"],
    "linyi": ["linyi-23a", "linyi-24a", "linyi-23a"],
    "tianning": ["tianning-15b", "tianning-16a"],
}


def _rows(sync_db, sql: str, *args) -> list[tuple]:
    with sync_db.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall()


def _events(sync_db, type_: str) -> list[dict]:
    return [r[0] for r in _rows(sync_db, "SELECT payload FROM outbox_events WHERE type = %s ORDER BY id", type_)]


@pytest.mark.parametrize("programme", list(WINNERS))
async def test_a_case_follows_its_texts_procedure_and_revokes__changning_34b_36c_jinshan_26b_27b_28c_hangzhou_6_5_linyi_19b_23a_tianning_15b_15c(
    client, token, sync_db, programme
):
    """Opened from a report (changning-36c, jinshan-28c) on a fraud ground, the case walks its text's steps in order
    (verification, committee or leading group, the government's approval with its document number: jinshan-27b,
    linyi-23a, tianning-15b). The last step fires `revoke` through the machine: the application is revoked, the
    certificate shows revoked with the decision's day and number (linyi-19b), the text's ban is written (tianning:
    same or higher level, tianning-15c), the fraud goes to the credit platform (changning-34d), the plaque and
    certificate are to recover, and the public notice is published without any ID number."""
    a = await commended(client, token, programme, [WINNERS[programme]])
    app_id = a.ids[0]
    today = await a.today()
    ground = FRAUD.get(programme, "fraud")

    r = await open_case(a, app_id, ground)
    assert r.status_code == 201, r.text
    case = r.json()
    assert (case["status"], case["ground"], case["source"]) == ("open", ground, "report")
    assert [s["step"] for s in case["procedure"]] == PROCEDURES[programme]
    assert [s["clause"] for s in case["procedure"]] == PROCEDURE_CLAUSES[programme]
    assert [s["stated"] for s in case["procedure"]] == [c is not None for c in PROCEDURE_CLAUSES[programme]]
    assert case["procedure"][-1]["document_no_required"] and case["next_step"] == "verification"
    assert case["items"] == [] and case["public_notice_url"] is None

    number = revocation_no(programme)
    case = await carry_through(a, case, today, number)
    assert (case["status"], case["document_no"], case["decided_on"], case["next_step"]) == (
        "revoked",
        number,
        today,
        None,
    )
    assert [s["step"] for s in case["steps"]] == ["opened", *PROCEDURES[programme]]
    assert all(s["recorded_by"] == f"{programme}-clerk" for s in case["steps"])
    assert [(i["item"], i["status"]) for i in case["items"]] == [
        ("certificate", "to_recover"),
        ("plaque", "to_recover"),
    ]

    # the award, through the machine: revoked, with the event in the application's history
    app = (await a.flow.get(app_id)).json()
    assert app["state"] == "revoked"
    history = (await client.get(f"/api/v1/applications/{app_id}/history", headers=a.flow.headers["office"])).json()
    assert [e["event"] for e in history["items"] if e["accepted"]].count("revoke") == 1
    cert = await certificate(a, app_id)
    assert (cert["status"], cert["revoked_on"], cert["revocation_document_no"]) == ("revoked", today, number)

    bans = _rows(
        sync_db,
        "SELECT rule, scope, clause, starts_on::text FROM reapplication_bans"
        " WHERE source_application_id = %s AND kind = 'ban_after_revocation'",
        app_id,
    )
    assert [b[:3] for b in bans] == BANS[programme]
    assert all(b[3] == today for b in bans)
    [listing] = _events(sync_db, "credit.revocation")
    assert (listing["application_id"], listing["ground_kind"], listing["revoked_on"]) == (app_id, "fraud", today)
    [decided] = _events(sync_db, "revocation.decided")
    assert (decided["case_id"], decided["outcome"], decided["document_no"]) == (case["id"], "revoked", number)

    # the public notice (jinshan-26b, hangzhou-6.5, linyi-23a, tianning-15b 并向社会公告), no login
    assert case["public_notice_url"] == f"/api/v1/public/revocation-notices/{case['id']}"
    r = await client.get(case["public_notice_url"])
    assert r.status_code == 200, r.text
    notice = r.json()
    assert notice["document_no"] == number and notice["revoked_on"] == today
    assert WINNERS[programme].name in notice["title_zh"] and notice["certificate_no"] == cert["number"]
    assert "收回奖牌、证书" in notice["body_zh"]
    page = await client.get(f"{case['public_notice_url']}/page")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert number in page.text and WINNERS[programme].name in page.text
    for body in (r.text, page.text):
        assert not re.search(r"\d{17}[\dXx]", body), body
        for secret in a.id_numbers.values():
            assert secret not in body
        assert "伪造" not in body  # the case's evidence is not published
    again = await client.get(case["public_notice_url"], headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    listed = (await client.get("/api/v1/public/revocation-notices", params={"programme": programme})).json()
    assert [n["case_id"] for n in listed["items"]] == [case["id"]]

    # the items handed back, each on its day
    r = await client.post(
        f"/api/v1/revocation-cases/{case['id']}/items/plaque/recovered",
        json={"recovered_on": today, "note": "获奖单位交回"},
        headers={**a.flow.headers["office"], "If-Match": (await read_case(a, case["id"])).headers["etag"]},
    )
    assert r.status_code == 200, r.text
    recovered = r
    r = await client.post(
        f"/api/v1/revocation-cases/{case['id']}/items/certificate/recovered",
        json={"recovered_on": "2099-01-01"},
        headers={**a.flow.headers["office"], "If-Match": recovered.headers["etag"]},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "recovered_on", r.text
    r = recovered
    assert [(i["item"], i["status"], i["recovered_on"]) for i in r.json()["items"]] == [
        ("certificate", "to_recover", None),
        ("plaque", "recovered", today),
    ]


@pytest.mark.parametrize("programme", ["jinshan", "tianning"])
async def test_a_dismissed_case_changes_nothing__jinshan_26b_tianning_15b(client, token, sync_db, programme):
    """Verification finds the report unfounded: the case ends dismissed with its reason; the award stands, the
    certificate verifies, no ban, no credit listing, no item to recover, no public notice."""
    a = await commended(client, token, programme, [WINNERS[programme]])
    app_id = a.ids[0]
    today = await a.today()
    case = (await open_case(a, app_id)).json()
    r = await step(a, case["id"], {"step": "verification", "result": "dismiss", "decided_on": today})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "note", r.text
    r = await step(
        a, case["id"], {"step": "verification", "result": "dismiss", "decided_on": today, "note": "经核实，举报不实"}
    )
    assert r.status_code == 200, r.text
    case = r.json()
    assert (case["status"], case["status_zh"], case["next_step"], case["items"]) == ("dismissed", "不予撤销", None, [])
    assert (await a.flow.get(app_id)).json()["state"] == "awarded"
    assert (await certificate(a, app_id))["status"] == "valid"
    assert _rows(sync_db, "SELECT 1 FROM reapplication_bans WHERE kind = 'ban_after_revocation'") == []
    assert _events(sync_db, "credit.revocation") == []
    assert [e["outcome"] for e in _events(sync_db, "revocation.decided")] == ["dismissed"]
    assert (await client.get(f"/api/v1/public/revocation-notices/{case['id']}")).status_code == 404
    # closed: nothing more is recorded
    r = await step(a, case["id"], {"step": "decision", "result": "proceed", "decided_on": today})
    assert r.status_code == 409 and r.json()["type"].endswith("/revocation-case-closed"), r.text
    # a new case may be opened once the first is closed
    assert (await open_case(a, app_id)).status_code == 201


async def test_bad_input_names_the_field__linyi_23b_24b(client, token):
    """A ground not in the programme's list, a ground for individuals on a unit (linyi-24b vs 23b), a step out of
    order, the approval step without its document number, a stale or missing If-Match, a second open case."""
    a = await commended(client, token, "linyi", [WINNERS["linyi"]])
    app_id = a.ids[0]
    today = await a.today()
    for ground, code in (("no_such_ground", "enum"), ("individual_fraud", "ground_not_for_applicant")):
        r = await open_case(a, app_id, ground)
        assert r.status_code == 422, r.text
        [err] = r.json()["errors"]
        assert (err["field"], err["code"]) == ("ground", code)
        assert "unit_fraud" in r.json()["grounds"] and "individual_fraud" not in r.json()["grounds"]
    r = await open_case(a, app_id, "unit_fraud", source="credit_record")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "credit_record_id", r.text

    case = (await open_case(a, app_id, "unit_fraud")).json()
    again = await open_case(a, app_id, "unit_accident")
    assert again.status_code == 409 and again.json()["type"].endswith("/revocation-case-open"), again.text
    assert again.json()["case_id"] == case["id"]

    r = await step(a, case["id"], {"step": "government_approval", "result": "proceed", "decided_on": today})
    assert r.status_code == 409 and r.json()["expected_step"] == "verification", r.text
    r = await client.post(
        f"/api/v1/revocation-cases/{case['id']}/steps",
        json={"step": "verification", "result": "proceed", "decided_on": today},
        headers=a.flow.headers["office"],
    )
    assert r.status_code == 428, r.text
    r = await step(a, case["id"], {"step": "verification", "result": "proceed", "decided_on": today}, etag='"v99"')
    assert r.status_code == 412, r.text
    for s in ("verification", "decision"):
        assert (await step(a, case["id"], {"step": s, "result": "proceed", "decided_on": today})).status_code == 200
    r = await step(a, case["id"], {"step": "government_approval", "result": "proceed", "decided_on": today})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "document_no" and r.json()["clause"] == "linyi-23a"
    r = await step(
        a,
        case["id"],
        {
            "step": "government_approval",
            "result": "proceed",
            "decided_on": "2099-01-01",
            "document_no": "临政〔2027〕5号",
        },
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "decided_on", r.text
    # a number already naming another document of the programme (the commendation's)
    r = await step(
        a,
        case["id"],
        {"step": "government_approval", "result": "proceed", "decided_on": today, "document_no": "临政〔2026〕82号"},
    )
    assert r.status_code == 409 and r.json()["type"].endswith("/document-number-taken"), r.text
    # nothing was half-written by the refusals: still awarded, the case still at the approval step
    assert (await a.flow.get(app_id)).json()["state"] == "awarded"
    assert (await read_case(a, case["id"])).json()["next_step"] == "government_approval"


async def test_an_individuals_ground_for_an_individual_winner__linyi_24a_24b(client, token):
    """linyi distinguishes the grounds of units (23b-k) and of individuals (24b-j): a unit ground on a person is 422."""
    from tests.commendation.drive import Winner

    a = await commended(client, token, "linyi", [Winner("individual", "mayor", "张卫东", individual=True)])
    r = await open_case(a, a.ids[0], "unit_fraud")
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "ground_not_for_applicant", r.text
    r = await open_case(a, a.ids[0], "individual_plagiarism")
    assert r.status_code == 201, r.text
    assert r.json()["ground_clause"] == "linyi-24e"


async def test_a_case_on_an_application_not_awarded_is_409_naming_it(client, token):
    """Only an award in force can be revoked: an application still awaiting the government's approval is 409."""
    a = await to_government_approval(client, token, "tianning", [WINNERS["tianning"]])
    r = await open_case(a, a.ids[0])
    assert r.status_code == 409, r.text
    problem = r.json()
    assert problem["type"].endswith("/not-awarded") and problem["state"] == "government_approval"
    assert problem["errors"][0]["field"] == "application_id"


async def test_hangzhous_accident_ground_holds_only_within_two_years_of_the_award__hangzhou_6_5(client, token):
    """hangzhou-6.5: the accident ground needs the day it happened, on or after the award and within two years;
    outside, 422 naming `occurred_on` with the clause. The fraud ground (hangzhou-6.3b) has no such limit."""
    a = await commended(client, token, "hangzhou", [WINNERS["hangzhou"]])
    app_id = a.ids[0]
    today = await a.today()
    r = await open_case(a, app_id, "post_award_incident")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "occurred_on", r.text
    r = await open_case(a, app_id, "post_award_incident", occurred_on="2025-06-01")
    assert r.status_code == 422, r.text
    assert (r.json()["errors"][0]["field"], r.json()["errors"][0]["code"], r.json()["clause"]) == (
        "occurred_on",
        "outside_period",
        "hangzhou-6.5",
    )
    # two years and more later: an accident then is outside; one inside the two years still holds
    await a.flow.at("2029-03-02T10:00:00+08:00")
    r = await open_case(a, app_id, "post_award_incident", occurred_on="2029-02-01")
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "outside_period", r.text
    r = await open_case(a, app_id, "post_award_incident", occurred_on=today)
    assert r.status_code == 201, r.text
    assert json.dumps(r.json()).count("hangzhou-6.5") >= 1


async def test_the_supervision_team_reads_cases_and_writes_nothing(client, token):
    """The supervisor (评审监督小组) of the programme lists and reads its cases; recording a step is 403."""
    a = await commended(client, token, "hangzhou", [WINNERS["hangzhou"]])
    case = (await open_case(a, a.ids[0])).json()
    sup = token("supervisor", programme="hangzhou", sub="discipline-1")
    other = token("supervisor", programme="tianning", sub="discipline-2")
    r = await client.get("/api/v1/revocation-cases", headers=sup)
    assert r.status_code == 200 and [c["id"] for c in r.json()["items"]] == [case["id"]]
    assert (await client.get(f"/api/v1/revocation-cases/{case['id']}", headers=sup)).status_code == 200
    assert (await client.get(f"/api/v1/revocation-cases/{case['id']}", headers=other)).status_code == 404
    assert (await client.get("/api/v1/revocation-cases", headers=other)).json()["items"] == []
    today = await a.today()
    r = await client.post(
        f"/api/v1/revocation-cases/{case['id']}/steps",
        json={"step": "verification", "result": "proceed", "decided_on": today},
        headers={**sup, "If-Match": '"v1"'},
    )
    assert r.status_code == 403, r.text


async def test_a_case_whose_award_was_revoked_meanwhile_can_only_be_dismissed(client, token, sync_db):
    """A bare `revoke` fired on the application while its case is open: the case cannot proceed (409 `/not-awarded`,
    nothing recorded, no second revocation); it is dismissed with its reason."""
    from tests.awards.drive import revoke

    a = await commended(client, token, "changning", [WINNERS["changning"]])
    today = await a.today()
    case = (await open_case(a, a.ids[0])).json()
    await revoke(a, a.ids[0], "长府〔2027〕9号")
    r = await step(a, case["id"], {"step": "verification", "result": "proceed", "decided_on": today})
    assert r.status_code == 409 and r.json()["type"].endswith("/not-awarded"), r.text
    assert (await read_case(a, case["id"])).json()["steps"][-1]["step"] == "opened"
    r = await step(
        a, case["id"], {"step": "verification", "result": "dismiss", "decided_on": today, "note": "奖项已另行撤销"}
    )
    assert r.status_code == 200 and r.json()["status"] == "dismissed", r.text
    assert len(_events(sync_db, "credit.revocation")) == 1


async def test_a_case_opened_from_the_credit_platforms_record__tianning_16a(client, token):
    """A credit-platform record on the winner (a major violation) opens a case naming it; a record on someone else
    is 422 naming `credit_record_id`."""
    a = await commended(client, token, "tianning", [WINNERS["tianning"]])
    code = (await certificate(a, a.ids[0]))["credit_code"]
    platform = token("integration", client="credit-platform", programme="tianning")
    record = {
        "record_id": "CZ-CF-2027-000001",
        "credit_code": code,
        "kind": "legal_violations",
        "attributes": {"severity": "major"},
        "occurred_on": await a.today(),
        "source": "信用中国（常州）",
        "summary": "行政处罚：违反安全生产法",
    }
    r = await client.post("/api/v1/integrations/credit-records", json=record, headers=platform)
    assert r.status_code == 201, r.text
    mine = r.json()["id"]
    other = {**record, "record_id": "CZ-CF-2027-000002", "credit_code": "91310116MA1J80000W"}
    r = await client.post("/api/v1/integrations/credit-records", json=other, headers=platform)
    assert r.status_code == 201, r.text
    r = await open_case(a, a.ids[0], "post_award_incident", source="credit_record", credit_record_id=r.json()["id"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "credit_record_id", r.text
    r = await open_case(a, a.ids[0], "post_award_incident", source="credit_record", credit_record_id=mine)
    assert r.status_code == 201, r.text
    assert (r.json()["source"], r.json()["credit_record_id"], r.json()["ground_clause"]) == (
        "credit_record",
        mine,
        "tianning-16a",
    )
