"""The applicant registry: identifiers checked, one record per code, encrypted and masked ID numbers, own records only."""

from __future__ import annotations

import pytest

from app.domain.identifiers import looks_like_id_number
from tests.intake.registry import AGRICULTURAL_COOP, CHANGNING_ORG, HK_PERMIT, PERSON, PERSON_2, TRADE_UNION

ORGS = "/api/v1/applicants/organisations"
PEOPLE = "/api/v1/applicants/individuals"


@pytest.mark.parametrize("code", [CHANGNING_ORG, AGRICULTURAL_COOP, TRADE_UNION, "91350100M000100Y43"])
async def test_valid_credit_codes_register_including_letter_initial_registering_authorities(client, token, code):
    r = await client.post(
        ORGS, json={"credit_code": code.lower(), "name": "某单位"}, headers=token("office", programme="changning")
    )
    assert r.status_code == 201, r.text
    assert (
        r.json()["credit_code"] == code
        and r.headers["location"].endswith(r.json()["id"])
        and r.headers["etag"] == '"v1"'
    )


@pytest.mark.parametrize(
    ("code", "why"),
    [("91310105MA1FL00005", "check_character"), ("91310105MA1FL0000", "length"), ("91310105MA1FL0000I", "charset")],
)
async def test_invalid_credit_code_is_422_naming_the_field_and_why(client, token, code, why):
    r = await client.post(
        ORGS,
        json={"credit_code": code, "name": "某单位"},
        headers={**token("office", programme="changning"), "Accept-Language": "en"},
    )
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    err = r.json()["errors"][0]
    assert err["field"] == "credit_code" and err["code"] == why and err["message"]


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("110105194912310021", "check_digit"),
        ("110105194913310021", "birth_date"),
        ("81000019940823002X", "check_digit"),
        ("1101051949123100", "length"),
    ],
)
async def test_invalid_id_number_is_422_naming_the_field_and_never_echoing_it(client, token, number, why):
    r = await client.post(
        PEOPLE, json={"id_number": number, "name": "张三"}, headers=token("office", programme="changning")
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "id_number" and r.json()["errors"][0]["code"] == why
    assert number not in r.text


async def test_hong_kong_residence_permit_is_a_valid_id_number(client, token):
    r = await client.post(
        PEOPLE, json={"id_number": HK_PERMIT, "name": "陈大文"}, headers=token("office", programme="changning")
    )
    assert r.status_code == 201, r.text
    assert r.json()["id_kind"] == "hk_mo_tw_residence_permit" and r.json()["id_number_masked"] == "8100**********0021"


async def test_duplicate_credit_code_is_one_applicant_409_with_the_existing_id(client, token, sync_db):
    h = token("office", programme="changning")
    first = await client.post(ORGS, json={"credit_code": CHANGNING_ORG, "name": "甲公司"}, headers=h)
    again = await client.post(ORGS, json={"credit_code": CHANGNING_ORG.lower(), "name": "甲公司（重复）"}, headers=h)
    assert again.status_code == 409 and again.json()["type"].endswith("/duplicate-applicant")
    assert again.json()["existing_id"] == first.json()["id"]
    with sync_db.cursor() as cur:
        cur.execute("SELECT name FROM applicants")
        assert cur.fetchall() == [("甲公司",)]


async def test_concurrent_registrations_of_one_code_make_one_record(client, token, concurrently, sync_db):
    h = token("office", programme="changning")
    results = await concurrently(
        8, lambda i: client.post(ORGS, json={"credit_code": CHANGNING_ORG, "name": f"甲公司{i}"}, headers=h)
    )
    assert sorted(r.status_code for r in results).count(201) == 1 and {r.status_code for r in results} == {201, 409}
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM applicants")
        assert cur.fetchone()[0] == 1


async def test_id_number_is_encrypted_at_rest_and_found_by_keyed_hash(client, token, sync_db):
    h = token("office", programme="changning")
    r = await client.post(PEOPLE, json={"id_number": PERSON, "name": "张三"}, headers=h)
    assert r.status_code == 201
    with sync_db.cursor() as cur:
        cur.execute("SELECT * FROM applicants")
        row = cur.fetchone()
    assert PERSON not in repr(row) and PERSON.encode() not in b"".join(
        bytes(v) for v in row if isinstance(v, memoryview)
    )
    dup = await client.post(PEOPLE, json={"id_number": PERSON.lower(), "name": "张三"}, headers=h)
    assert dup.status_code == 409 and dup.json()["existing_id"] == r.json()["id"] and PERSON not in dup.text


async def test_full_id_number_only_to_the_person_and_the_handling_office(client, token):
    office = token("office", programme="changning")
    created = await client.post(
        PEOPLE,
        json={"id_number": PERSON, "name": "张三", "principal_ref": "person-1", "reason": "本人到窗口办理"},
        headers=office,
    )
    url = created.headers["location"]
    assert created.json()["id_number"] == PERSON  # the office registering the person handles them
    # the person: the account whose identity-platform token verifies the number (issue 13)
    person = token("applicant", applicant="person-1", verified_id_number=PERSON)
    assert (await client.get(url, headers=person)).json()["id_number"] == PERSON
    for other in (token("admin"), token("applicant", applicant="person-1")):
        body = (await client.get(url, headers=other)).json()
        assert body["id_number"] is None and body["id_number_masked"] == "1101**********002X"
    # least privilege (issue 13): another programme's office does not read this programme's applicants
    assert (await client.get(url, headers=token("office", programme="hangzhou"))).status_code == 404
    listed = await client.get("/api/v1/applicants", headers=office)
    assert listed.json()["total"] == 1 and not looks_like_id_number(listed.text)


async def test_applicant_principal_sees_and_edits_only_its_own_record(client, token):
    # each account registers the credit code its identity-platform token verifies (issue 13)
    mine = await client.post(
        ORGS,
        json={"credit_code": CHANGNING_ORG, "name": "甲公司"},
        headers=token("applicant", applicant="org-a", verified_credit_code=CHANGNING_ORG),
    )
    assert mine.status_code == 201 and mine.json()["principal_ref"] == "org-a"
    theirs = await client.post(
        ORGS,
        json={"credit_code": AGRICULTURAL_COOP, "name": "乙合作社"},
        headers=token("applicant", applicant="org-b", verified_credit_code=AGRICULTURAL_COOP),
    )
    me = token("applicant", applicant="org-a")
    assert (await client.get(mine.headers["location"], headers=me)).status_code == 200
    assert (await client.get(theirs.headers["location"], headers=me)).status_code == 404
    r = await client.patch(theirs.headers["location"], json={"name": "改名"}, headers={**me, "If-Match": '"v1"'})
    assert r.status_code == 404
    assert (await client.get("/api/v1/applicants", headers=me)).status_code == 403
    # one record per applicant account (even for a code its token verifies)
    second = await client.post(
        ORGS,
        json={"credit_code": TRADE_UNION, "name": "丙工会"},
        headers=token("applicant", applicant="org-a", verified_credit_code=TRADE_UNION),
    )
    assert second.status_code == 409


async def test_a_record_whose_id_is_the_scope_is_the_principals_own(client, token):
    created = await client.post(
        ORGS, json={"credit_code": CHANGNING_ORG, "name": "甲公司"}, headers=token("office", programme="changning")
    )
    me = token("applicant", applicant=created.json()["id"])
    assert (await client.get(created.headers["location"], headers=me)).status_code == 200


async def test_patch_needs_if_match_and_updates_facts(client, token):
    me = token("applicant", applicant="org-a", verified_credit_code=CHANGNING_ORG)
    created = await client.post(ORGS, json={"credit_code": CHANGNING_ORG, "name": "甲公司"}, headers=me)
    url = created.headers["location"]
    assert (await client.patch(url, json={"operating_since": "2015-01-01"}, headers=me)).status_code == 428
    body = {
        "operating_since": "2015-01-01",
        "records": {"losses": [{"on": "2024-12-31", "description": "政策性亏损", "excepted": "policy_losses"}]},
    }
    ok = await client.patch(url, json=body, headers={**me, "If-Match": created.headers["etag"]})
    assert ok.status_code == 200, ok.text
    assert (
        ok.json()["operating_since"] == "2015-01-01"
        and ok.json()["records"]["losses"][0]["excepted"] == "policy_losses"
    )
    assert (
        await client.patch(url, json={"name": "x"}, headers={**me, "If-Match": created.headers["etag"]})
    ).status_code == 412
    wrong_kind = await client.patch(
        url, json={"quality_work_since": "2010-01-01"}, headers={**me, "If-Match": ok.headers["etag"]}
    )
    assert wrong_kind.status_code == 422 and wrong_kind.json()["errors"][0]["field"] == "quality_work_since"


async def test_individual_with_employer_and_unknown_record_fact_refused(client, token):
    h = token("office", programme="changning")
    org = await client.post(ORGS, json={"credit_code": CHANGNING_ORG, "name": "甲公司"}, headers=h)
    person = await client.post(
        PEOPLE,
        json={
            "id_number": PERSON_2,
            "name": "李四",
            "employer_id": org.json()["id"],
            "quality_work_in_jurisdiction_since": "2015-01-01",
        },
        headers=h,
    )
    assert person.status_code == 201 and person.json()["employer_id"] == org.json()["id"]
    bad = await client.post(
        ORGS, json={"credit_code": TRADE_UNION, "name": "x", "records": {"parking_tickets": []}}, headers=h
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "records"


async def test_anonymous_and_experts_cannot_register(client, token):
    assert (await client.post(ORGS, json={"credit_code": CHANGNING_ORG, "name": "x"})).status_code == 401
    assert (
        await client.post(
            ORGS, json={"credit_code": CHANGNING_ORG, "name": "x"}, headers=token("expert", programme="changning")
        )
    ).status_code == 403


async def test_credit_code_with_letters_in_its_area_code_is_422_naming_the_field(client, token):
    from app.domain.identifiers import credit_check_character

    code = "91ABCDEFMA1FL0000" + credit_check_character("91ABCDEFMA1FL0000")
    r = await client.post(
        ORGS, json={"credit_code": code, "name": "某单位"}, headers=token("office", programme="changning")
    )
    assert (
        r.status_code == 422
        and r.json()["errors"][0]["field"] == "credit_code"
        and r.json()["errors"][0]["code"] == "format"
    )


async def test_clearing_the_name_is_422_naming_the_field_not_a_500(client, token, sync_db):
    h = token("office", programme="changning")
    created = await client.post(ORGS, json={"credit_code": CHANGNING_ORG, "name": "甲公司"}, headers=h)
    r = await client.patch(
        created.headers["location"], json={"name": None}, headers={**h, "If-Match": '"v1"', "Accept-Language": "en"}
    )
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in r.json()["errors"]] == ["name"]
    with sync_db.cursor() as cur:
        cur.execute("SELECT name, version FROM applicants")
        assert cur.fetchall() == [("甲公司", 1)]


async def test_concurrent_updates_with_one_etag_let_exactly_one_win(client, token, concurrently, sync_db):
    h = token("office", programme="changning")
    created = await client.post(ORGS, json={"credit_code": CHANGNING_ORG, "name": "甲公司"}, headers=h)
    url = created.headers["location"]
    results = await concurrently(
        6, lambda i: client.patch(url, json={"name": f"乙公司{i}"}, headers={**h, "If-Match": '"v1"'})
    )
    assert sorted(r.status_code for r in results) == [200] + [412] * 5
    with sync_db.cursor() as cur:
        cur.execute("SELECT version FROM applicants")
        assert cur.fetchone()[0] == 2


@pytest.mark.parametrize(("url", "body"), [(ORGS, {"credit_code": CHANGNING_ORG}), (PEOPLE, {"id_number": PERSON})])
async def test_a_blank_name_is_422_naming_the_field(client, token, sync_db, url, body):
    r = await client.post(url, json={**body, "name": "  \u3000 "}, headers=token("office", programme="changning"))
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["name"]
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM applicants")
        assert cur.fetchone()[0] == 0


async def test_a_name_is_stored_without_surrounding_spaces_and_cannot_be_blanked(client, token):
    h = token("office", programme="changning")
    created = await client.post(ORGS, json={"credit_code": CHANGNING_ORG, "name": " 甲公司 "}, headers=h)
    assert created.status_code == 201 and created.json()["name"] == "甲公司"
    r = await client.patch(created.headers["location"], json={"name": "   "}, headers={**h, "If-Match": '"v1"'})
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["name"]
