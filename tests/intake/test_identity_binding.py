"""Real names bound to real identities (issue 13): an applicant account registers only what its
identity-platform token verifies; an office registers on someone's behalf with a reason; an office or
admin reassigns a record to the right account (history entry, both accounts notified)."""

from __future__ import annotations

import jwt

from app.cli import build_parser, cmd_token
from app.domain import personal_data
from app.domain.identifiers import looks_like_id_number
from tests.intake.registry import CHANGNING_ORG, JINSHAN_ORG, PERSON, PERSON_2

ORGS = "/api/v1/applicants/organisations"
PEOPLE = "/api/v1/applicants/individuals"


async def test_an_account_may_not_register_another_persons_id_number_nor_see_it_echoed(client, token):
    squatter = token("applicant", applicant="acct-squatter", verified_id_number=PERSON_2)
    r = await client.post(PEOPLE, json={"id_number": PERSON, "name": "张三"}, headers=squatter)
    assert r.status_code == 403 and r.json()["type"].endswith("/identity-not-verified"), r.text
    assert PERSON not in r.text and not looks_like_id_number(r.text)
    # a token verifying nobody proves nothing either
    bare = token("applicant", applicant="acct-bare")
    r = await client.post(PEOPLE, json={"id_number": PERSON, "name": "张三"}, headers=bare)
    assert r.status_code == 403 and r.json()["type"].endswith("/identity-not-verified")
    # the real person is not locked out: nothing was registered in their name
    me = token("applicant", applicant="acct-zhang", verified_id_number=PERSON.lower())
    r = await client.post(PEOPLE, json={"id_number": PERSON, "name": "张三"}, headers=me)
    assert r.status_code == 201, r.text
    assert r.json()["id_number"] == PERSON and r.json()["principal_ref"] == "acct-zhang"


async def test_an_account_may_register_the_id_number_hash_its_platform_verified(client, token, settings):
    me = token(
        "applicant", applicant="acct-zhang", verified_id_number_hash=personal_data.id_number_hash(settings, PERSON)
    )
    r = await client.post(PEOPLE, json={"id_number": PERSON, "name": "张三"}, headers=me)
    assert r.status_code == 201, r.text


async def test_an_account_may_register_only_the_credit_code_its_token_verifies(client, token):
    other = token("applicant", applicant="acct-x", verified_credit_code=JINSHAN_ORG)
    r = await client.post(ORGS, json={"credit_code": CHANGNING_ORG, "name": "甲公司"}, headers=other)
    assert r.status_code == 403 and r.json()["type"].endswith("/identity-not-verified")
    own = token("applicant", applicant="acct-a", verified_credit_code=CHANGNING_ORG.lower())
    r = await client.post(ORGS, json={"credit_code": CHANGNING_ORG, "name": "甲公司"}, headers=own)
    assert r.status_code == 201 and r.json()["principal_ref"] == "acct-a"


async def test_english_refusal_names_the_rule(client, token):
    r = await client.post(
        ORGS,
        json={"credit_code": CHANGNING_ORG, "name": "甲公司"},
        headers={**token("applicant", applicant="acct-x"), "Accept-Language": "en"},
    )
    assert r.status_code == 403 and "verif" in r.json()["detail"]


async def test_an_office_registering_for_an_account_records_its_reason(client, token):
    office = token("office", programme="changning", sub="clerk-1")
    body = {"id_number": PERSON, "name": "张三", "principal_ref": "acct-zhang"}
    r = await client.post(PEOPLE, json=body, headers=office)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = await client.post(PEOPLE, json={**body, "reason": "本人持身份证到窗口办理"}, headers=office)
    assert r.status_code == 201, r.text
    history = await client.get(f"/api/v1/applicants/{r.json()['id']}/history", headers=office)
    assert history.status_code == 200, history.text
    [entry] = history.json()
    assert entry["kind"] == "registered" and entry["how"] == "office" and entry["actor"] == "clerk-1"
    assert entry["reason"] == "本人持身份证到窗口办理" and entry["to_ref"] == "acct-zhang"


async def test_an_office_reassigns_a_squatted_record_to_the_right_account(client, token, sync_db):
    """The real person locked out by a record bound to another account gets it back (history, notifications)."""
    office = token("office", programme="changning", sub="clerk-1")
    created = await client.post(
        PEOPLE,
        json={"id_number": PERSON, "name": "张三", "principal_ref": "acct-wrong", "reason": "窗口代办"},
        headers=office,
    )
    assert created.status_code == 201, created.text
    url = f"/api/v1/applicants/{created.json()['id']}"
    me = token("applicant", applicant="acct-zhang", verified_id_number=PERSON)
    again = await client.post(PEOPLE, json={"id_number": PERSON, "name": "张三"}, headers=me)
    assert again.status_code == 409 and PERSON not in again.text and "变更归属账号" in again.json()["detail"]
    etag = created.headers["etag"]
    missing = await client.post(
        url + "/owner", json={"principal_ref": "acct-zhang"}, headers={**office, "If-Match": etag}
    )
    assert missing.status_code == 422
    stranger = token("applicant", applicant="acct-zhang", verified_id_number=PERSON)
    body = {"principal_ref": "acct-zhang", "reason": "经核验身份证原件，原登记账号有误"}
    r = await client.post(url + "/owner", json=body, headers={**stranger, "If-Match": etag})
    assert r.status_code in (403, 404)
    other_office = token("office", programme="jinshan")
    r = await client.post(url + "/owner", json=body, headers={**other_office, "If-Match": etag})
    assert r.status_code == 404
    r = await client.post(url + "/owner", json=body, headers={**office, "If-Match": etag})
    assert r.status_code == 200, r.text
    assert r.json()["principal_ref"] == "acct-zhang" and r.headers["etag"] == '"v2"'
    # the right account now reads it, the full number included (its token proves it)
    mine = await client.get(url, headers=me)
    assert mine.status_code == 200 and mine.json()["id_number"] == PERSON
    assert (await client.get(url, headers=token("applicant", applicant="acct-wrong"))).status_code == 404
    history = (await client.get(url + "/history", headers=token("admin"))).json()
    assert [(e["kind"], e["from_ref"], e["to_ref"]) for e in history] == [
        ("registered", None, "acct-wrong"),
        ("reassigned", "acct-wrong", "acct-zhang"),
    ]
    assert history[1]["reason"] == body["reason"]
    with sync_db.cursor() as cur:
        cur.execute("SELECT account_ref, kind FROM account_notifications ORDER BY account_ref")
        assert cur.fetchall() == [("acct-wrong", "applicant_reassigned"), ("acct-zhang", "applicant_reassigned")]


async def test_reassigning_to_an_account_that_has_a_record_is_refused(client, token):
    admin = token("admin", sub="admin-1")
    a = await client.post(
        PEOPLE, json={"id_number": PERSON, "name": "张三", "principal_ref": "acct-1", "reason": "代办"}, headers=admin
    )
    b = await client.post(
        PEOPLE, json={"id_number": PERSON_2, "name": "李四", "principal_ref": "acct-2", "reason": "代办"}, headers=admin
    )
    assert a.status_code == b.status_code == 201
    r = await client.post(
        f"/api/v1/applicants/{a.json()['id']}/owner",
        json={"principal_ref": "acct-2", "reason": "更正"},
        headers={**admin, "If-Match": a.headers["etag"]},
    )
    assert r.status_code == 409 and r.json()["type"].endswith("/account-has-applicant")


async def test_an_owner_whose_token_does_not_prove_the_number_sees_it_masked(client, token):
    office = token("office", programme="changning")
    created = await client.post(
        PEOPLE,
        json={"id_number": PERSON, "name": "张三", "principal_ref": "acct-zhang", "reason": "窗口代办"},
        headers=office,
    )
    url = f"/api/v1/applicants/{created.json()['id']}"
    r = await client.get(url, headers=token("applicant", applicant="acct-zhang"))
    assert r.status_code == 200 and r.json()["id_number"] is None and PERSON not in r.text


def test_the_development_token_carries_the_real_name_claims(settings, capsys, monkeypatch):
    monkeypatch.setattr("app.cli.get_settings", lambda: settings)
    args = build_parser().parse_args(
        ["token", "--role", "applicant", "--applicant", "acct-1", "--id-number", PERSON, "--credit-code", CHANGNING_ORG]
    )
    assert cmd_token(args) == 0
    claims = jwt.decode(capsys.readouterr().out.strip().splitlines()[-1], options={"verify_signature": False})
    assert claims["verified_id_number"] == PERSON and claims["verified_credit_code"] == CHANGNING_ORG


async def test_an_account_may_not_apply_in_the_name_of_an_identity_its_token_does_not_verify(client, token):
    """The squatting of issue 13 through an application: an account that starts an application under
    someone else's unregistered credit code or ID number would hold the real applicant's place in the
    round (409 to the real one). It applies only in the name its token verifies, or of a registry record
    an office bound to it."""
    from tests.workflow.flow import ORG_CODES, Flow

    flow = Flow(client, token, "changning")
    rnd = await flow.september_round()
    body = {"round_id": rnd["id"], "category": "model", "recommending_unit": "unit-1"}
    squatter = token("applicant", applicant="acct-squat", verified_credit_code=ORG_CODES[1])
    r = await client.post(
        "/api/v1/applications",
        json={**body, "applicant": {"name": "甲", "credit_code": ORG_CODES[0]}},
        headers=squatter,
    )
    assert r.status_code == 403 and r.json()["type"].endswith("/identity-not-verified"), r.text
    person = token("applicant", applicant="acct-squat-2")
    r = await client.post(
        "/api/v1/applications",
        json={**body, "category": "achievement", "applicant": {"name": "张三", "id_number": PERSON}},
        headers=person,
    )
    assert r.status_code == 403 and r.json()["type"].endswith("/identity-not-verified"), r.text
    assert PERSON not in r.text
    # the real applicant is not locked out: its own token verifies its code
    real = token("applicant", applicant="acct-real", verified_credit_code=ORG_CODES[0])
    r = await client.post(
        "/api/v1/applications", json={**body, "applicant": {"name": "甲", "credit_code": ORG_CODES[0]}}, headers=real
    )
    assert r.status_code == 201, r.text
    # a record an office bound to an account (with a reason) lets that account apply without the claim
    office = flow.headers["office"]
    r = await client.post(
        ORGS,
        json={
            "credit_code": ORG_CODES[1],
            "name": "乙公司",
            "principal_ref": "acct-bound",
            "reason": "窗口核验营业执照后代为登记",
        },
        headers=office,
    )
    assert r.status_code == 201, r.text
    bound = token("applicant", applicant="acct-bound")
    r = await client.post(
        "/api/v1/applications", json={**body, "applicant": {"name": "乙", "credit_code": ORG_CODES[1]}}, headers=bound
    )
    assert r.status_code == 201, r.text
