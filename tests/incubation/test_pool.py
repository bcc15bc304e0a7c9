"""The incubation pool (孵化池, issue 17): the ways in (changning-13b, jinshan-12b), the office's
admission (changning-13a, jinshan-12a), free trainings (changning-13c, jinshan-12c), the pool
history a later application shows, and the cultivation review (hangzhou-4.3b)."""

from __future__ import annotations

import psycopg2
import pytest

from tests.notices.driver import NoticeFlow, credit_code

MEMBERS = "/api/v1/incubation/members"
TRAININGS = "/api/v1/incubation/trainings"


class Pool:
    def __init__(self, client, token, programme: str) -> None:
        self.client, self.token, self.programme = client, token, programme
        self.office = token("office", programme=programme, sub=f"{programme}-pool-clerk")

    async def propose(self, n: int, headers=None, expect: int = 201, **over):
        body = {
            "programme": self.programme,
            "name": f"上海某某质量管理有限公司{n}",
            "credit_code": credit_code(n),
            "route": "industry_recommendation",
            "recommended_by": "区质量协会",
            **over,
        }
        r = await self.client.post(MEMBERS, json=body, headers=headers or self.office)
        assert r.status_code == expect, r.text
        return r.json()

    async def decide(self, member_id: str, expect: int = 200, **body):
        r = await self.client.post(f"{MEMBERS}/{member_id}/decision", json=body, headers=self.office)
        assert r.status_code == expect, r.text
        return r.json()

    async def training(self, held_on: str, expect: int = 201, **over):
        body = {
            "programme": self.programme,
            "held_on": held_on,
            "topic": "卓越绩效管理模式导入",
            "place": "区行政中心",
            **over,
        }
        r = await self.client.post(TRAININGS, json=body, headers=self.office)
        assert r.status_code == expect, r.text
        return r.json()

    async def attend(self, training_id: str, member_ids: list[str], expect: int = 200):
        r = await self.client.put(
            f"{TRAININGS}/{training_id}/attendance", json={"member_ids": member_ids}, headers=self.office
        )
        assert r.status_code == expect, r.text
        return r.json()


async def _clock(client, token, instant: str = "2026-10-09T10:00:00+08:00") -> None:
    r = await client.put("/api/v1/testing/clock", json={"now": instant}, headers=token("admin", sub="admin-1"))
    assert r.status_code == 200, r.text


async def test_organisations_join_by_self_application_industry_or_expert_recommendation_changning_13b(client, token):
    await _clock(client, token)
    pool = Pool(client, token, "changning")
    by_office = await pool.propose(1)
    assert by_office["status"] == "proposed" and by_office["route"] == "industry_recommendation"
    assert by_office["recommended_by"] == "区质量协会" and by_office["clauses"]["routes"] == "changning-13b"
    # the office records a recommendation only with who recommends
    r = await client.post(
        MEMBERS,
        json={
            "programme": "changning",
            "name": "某公司",
            "credit_code": credit_code(2),
            "route": "expert_recommendation",
        },
        headers=pool.office,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "recommended_by", r.text
    # an applicant account applies for itself: the organisation its token verifies, nothing else
    own = token("applicant", applicant="org-3", sub="org-3-user", verified_credit_code=credit_code(3))
    mine = await pool.propose(3, own, route="self_application", recommended_by=None)
    assert mine["route"] == "self_application" and mine["recommended_by"] is None
    r = await client.post(
        MEMBERS,
        json={"programme": "changning", "name": "别家", "credit_code": credit_code(4), "route": "self_application"},
        headers=own,
    )
    assert r.status_code == 403 and r.json()["type"].endswith("/identity-not-verified"), r.text
    # an expert of the programme's pool recommends, named as the recommender
    subject = "changning-pool-expert"
    r = await client.post(
        "/api/v1/review/experts",
        json={"subject": subject, "name": "李专家", "term_starts_on": "2024-01-01", "term_ends_on": "2028-12-31"},
        headers=pool.office,
    )
    assert r.status_code == 201, r.text
    expert = token("expert", programme="changning", sub=subject)
    rec = await pool.propose(5, expert, route="expert_recommendation", recommended_by=None)
    assert rec["route"] == "expert_recommendation" and rec["recommended_by"] == "专家：李专家"
    r = await client.post(
        MEMBERS,
        json={"programme": "changning", "name": "某公司", "credit_code": credit_code(6), "route": "self_application"},
        headers=expert,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "route", r.text
    # a recommending unit recommends as the industry
    unit = token("recommender", unit="unit-1", sub="unit-1-recommender")
    assert (await pool.propose(7, unit, recommended_by=None))["recommended_by"] == "推荐单位：unit-1"
    # a proposal already pending (or a member): one live membership per organisation and programme
    r = await client.post(MEMBERS, json={**_body(1), "programme": "changning"}, headers=pool.office)
    assert r.status_code == 409 and r.json()["type"].endswith("/already-in-pool"), r.text
    # the applicant account reads its own proposal, not another's; the office lists them all
    assert (await client.get(f"{MEMBERS}/{mine['id']}", headers=own)).status_code == 200
    assert (await client.get(f"{MEMBERS}/{by_office['id']}", headers=own)).status_code == 404
    listed = (await client.get(MEMBERS, headers=own)).json()
    assert [m["id"] for m in listed["items"]] == [mine["id"]]
    assert (await client.get(MEMBERS, headers=pool.office)).json()["total"] == 4
    # a bad credit code names the field
    r = await client.post(
        MEMBERS, json={**_body(1), "programme": "changning", "credit_code": "123"}, headers=pool.office
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "credit_code", r.text


def _body(n: int) -> dict:
    return {
        "name": f"上海某某质量管理有限公司{n}",
        "credit_code": credit_code(n),
        "route": "industry_recommendation",
        "recommended_by": "区质量协会",
    }


async def test_the_office_admits_or_declines_with_a_reason_once_jinshan_12a(client, token):
    await _clock(client, token)
    pool = Pool(client, token, "jinshan")
    a, b = await pool.propose(1), await pool.propose(2)
    r = await client.post(f"{MEMBERS}/{b['id']}/decision", json={"admit": False}, headers=pool.office)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason", r.text
    declined = await pool.decide(b["id"], admit=False, reason="尚不具备导入卓越绩效模式的条件")
    assert declined["status"] == "declined" and declined["admitted_on"] is None
    admitted = await pool.decide(a["id"], admit=True, on="2026-10-08")
    assert admitted["status"] == "admitted" and admitted["admitted_on"] == "2026-10-08"
    assert admitted["clauses"]["admission"] == "jinshan-12a"
    r = await client.post(f"{MEMBERS}/{a['id']}/decision", json={"admit": False, "reason": "改判"}, headers=pool.office)
    assert r.status_code == 409 and r.json()["type"].endswith("/already-decided"), r.text
    r = await client.post(f"{MEMBERS}/{a['id']}/decision", json={"admit": "perhaps"}, headers=pool.office)
    assert r.status_code == 422
    # a declined organisation may be proposed again; another programme's office is refused
    again = await pool.propose(2)
    other = token("office", programme="changning", sub="changning-clerk")
    r = await client.post(f"{MEMBERS}/{again['id']}/decision", json={"admit": True}, headers=other)
    assert r.status_code == 404
    # the supervision team reads, and changes nothing
    supervisor = token("supervisor", programme="jinshan", sub="jinshan-supervisor")
    assert (await client.get(MEMBERS, headers=supervisor)).json()["total"] == 3
    r = await client.post(f"{MEMBERS}/{again['id']}/decision", json={"admit": True}, headers=supervisor)
    assert r.status_code == 403
    # the membership ends on a day, not before it began
    r = await client.post(
        f"{MEMBERS}/{a['id']}/departure", json={"on": "2026-10-01", "reason": "主动退出"}, headers=pool.office
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "on"
    r = await client.post(
        f"{MEMBERS}/{a['id']}/departure", json={"on": "2026-10-09", "reason": "主动退出"}, headers=pool.office
    )
    assert r.status_code == 200 and r.json()["status"] == "left" and r.json()["left_on"] == "2026-10-09"


async def test_concurrent_proposals_of_one_organisation_make_one_membership(client, token, concurrently):
    pool = Pool(client, token, "changning")
    answers = await concurrently(
        6, lambda i: client.post(MEMBERS, json={**_body(9), "programme": "changning"}, headers=pool.office)
    )
    assert sorted(r.status_code for r in answers) == [201] + [409] * 5
    assert (await client.get(MEMBERS, headers=pool.office)).json()["total"] == 1


async def test_trainings_are_free_changning_13c_jinshan_12c(client, token, database_url):
    await _clock(client, token)
    for programme, clause in (("changning", "changning-13c"), ("jinshan", "jinshan-12c")):
        pool = Pool(client, token, programme)
        r = await client.post(
            TRAININGS,
            json={
                "programme": programme,
                "held_on": "2026-10-20",
                "topic": "培训",
                "place": "某地",
                "fee_cny": "200.00",
            },
            headers={**pool.office, "Accept-Language": "en"},
        )
        body = r.json()
        # the contract has no fee to set: a body naming one is refused, naming it
        assert r.status_code == 422 and body["errors"][0]["field"] == "fee_cny", r.text
        free = await pool.training("2026-10-20")
        assert free["fee_cny"] == "0.00" and free["held_on"] == "2026-10-20", clause
    # nothing can charge: the table itself refuses a fee
    conn = psycopg2.connect(database_url)
    try:
        with conn.cursor() as cur, pytest.raises(psycopg2.errors.CheckViolation):
            cur.execute("UPDATE incubation_trainings SET fee_cny = 100")
    finally:
        conn.rollback()
        conn.close()


async def test_attendance_is_of_members_on_the_training_day_and_recorded_once(client, token):
    await _clock(client, token)
    pool = Pool(client, token, "changning")
    member = (await pool.propose(1))["id"]
    pending = (await pool.propose(2))["id"]
    await pool.decide(member, admit=True, on="2026-10-08")
    training = await pool.training("2026-10-20")
    r = await pool.attend(training["id"], [member, pending], expect=422)
    assert [e["field"] for e in r["errors"]] == ["member_ids[1]"]
    early = await pool.training("2026-10-01")  # before the admission
    assert (await pool.attend(early["id"], [member], expect=422))["errors"][0]["field"] == "member_ids[0]"
    assert (await pool.attend(training["id"], [member]))["member_ids"] == [member]
    assert (await pool.attend(training["id"], [member, member]))["member_ids"] == [member]
    got = (await client.get(f"{MEMBERS}/{member}", headers=pool.office)).json()
    assert [t["id"] for t in got["trainings"]] == [training["id"]]


async def test_a_members_later_application_shows_its_pool_history(client, token):
    flow = NoticeFlow(client, token, "changning")
    await flow.start()
    (app_id,) = await flow.applications(1)  # the applicant of credit_code(0)
    pool = Pool(client, token, "changning")
    await flow.at("2026-09-10T10:00:00+08:00")
    first = (await pool.propose(0))["id"]
    await pool.decide(first, admit=True, on="2026-09-10")
    training = await pool.training("2026-09-15")
    await pool.attend(training["id"], [first])
    r = await client.get(f"/api/v1/applications/{app_id}/incubation", headers=flow.headers["applicant"])
    assert r.status_code == 200, r.text
    (membership,) = r.json()
    assert (
        membership["id"] == first and membership["status"] == "admitted" and membership["admitted_on"] == "2026-09-10"
    )
    assert [t["topic"] for t in membership["trainings"]] == ["卓越绩效管理模式导入"]
    assert (await client.get(f"/api/v1/applications/{app_id}/incubation", headers=pool.office)).status_code == 200
    # whoever may not see the application does not see its history either
    stranger = token("applicant", applicant="org-9", sub="org-9-user")
    assert (await client.get(f"/api/v1/applications/{app_id}/incubation", headers=stranger)).status_code == 404
    other_office = token("office", programme="jinshan", sub="jinshan-clerk")
    assert (await client.get(f"/api/v1/applications/{app_id}/incubation", headers=other_office)).status_code == 404


async def test_the_cultivation_review_passed_is_recorded_where_the_text_provides_it_hangzhou_4_3b(client, token):
    await _clock(client, token)
    pool = Pool(client, token, "hangzhou")
    member = (await pool.propose(1, route="self_application", recommended_by=None))["id"]
    url = f"{MEMBERS}/{member}/cultivation-review"
    r = await client.post(
        url, json={"passed_on": "2026-10-08", "document_no": "杭质培〔2026〕3号"}, headers=pool.office
    )
    assert r.status_code == 409 and r.json()["type"].endswith("/not-a-member"), r.text
    await pool.decide(member, admit=True, on="2026-03-01")
    r = await client.post(
        url, json={"passed_on": "2026-12-31", "document_no": "杭质培〔2026〕3号"}, headers=pool.office
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "passed_on"
    r = await client.post(url, json={"passed_on": "2026-10-08"}, headers=pool.office)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "document_no"
    r = await client.post(
        url, json={"passed_on": "2026-10-08", "document_no": "杭质培〔2026〕3号"}, headers=pool.office
    )
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["cultivation_review_passed"] is True and got["cultivation_passed_on"] == "2026-10-08"
    assert (
        got["cultivation_document_no"] == "杭质培〔2026〕3号"
        and got["clauses"]["cultivation_review"] == "hangzhou-4.3b"
    )
    r = await client.post(url, json={"passed_on": "2026-10-09", "document_no": "x"}, headers=pool.office)
    assert r.status_code == 409 and r.json()["type"].endswith("/cultivation-review-recorded")
    # changning's text links no subsidy to a cultivation review
    cn = Pool(client, token, "changning")
    m = (await cn.propose(2))["id"]
    await cn.decide(m, admit=True, on="2026-10-01")
    r = await client.post(
        f"{MEMBERS}/{m}/cultivation-review", json={"passed_on": "2026-10-08", "document_no": "x"}, headers=cn.office
    )
    assert r.status_code == 409 and r.json()["type"].endswith("/cultivation-review-not-provided")


async def test_a_programme_without_a_pool_refuses_members_and_trainings(client, token):
    pool = Pool(client, token, "linyi")
    r = await client.post(MEMBERS, json={**_body(1), "programme": "linyi"}, headers=pool.office)
    assert r.status_code == 409 and r.json()["type"].endswith("/incubation-not-provided"), r.text
    r = await client.post(
        TRAININGS, json={"programme": "linyi", "held_on": "2026-10-20", "topic": "t", "place": "p"}, headers=pool.office
    )
    assert r.status_code == 409 and r.json()["type"].endswith("/incubation-not-provided")
    r = await client.post(MEMBERS, json={**_body(1), "programme": "nowhere"}, headers=pool.office)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "programme", r.text
