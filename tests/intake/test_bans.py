"""Bans and duplicates, checked at submit and again at qualification review."""

from __future__ import annotations

from app.domain.eligibility.bans import ban_end, other_level
from app.domain.programmes.registry import get_registry
from tests.intake.drive import open_round, to_awarded
from tests.intake.registry import CHANGNING_ORG, HANGZHOU_ORG, LINYI_ORG, TIANNING_ORG, register_org
from tests.workflow.flow import Flow


async def _refused(flow: Flow, app_id: str, event: str = "submit") -> dict:
    r = await flow.fire(app_id, event)
    assert r.status_code == 422, r.text
    assert r.json()["type"].endswith("/ineligible")
    return r.json()


async def test_changning_winner_of_2024_refused_the_same_award_in_2026_and_allowed_in_2029__changning_18b(
    client, token
):
    flow = Flow(client, token, "changning")
    await register_org(client, flow.headers["office"], "changning")
    rnd = await open_round(flow, 2024)
    app = await flow.apply(rnd["id"], "model", credit_code=CHANGNING_ORG)
    await to_awarded(flow, app["id"], "2024-09-01T09:00:00+08:00", "mayor", "2024-12-01")
    bans = (await client.get("/api/v1/bans", headers=flow.headers["office"])).json()["items"]
    assert [(b["rule"], b["clause"], b["starts_on"], b["ends_on"], b["tier"], b["category"]) for b in bans] == [
        ("five_years_after_award", "changning-18b", "2024-12-01", "2028-12-31", "mayor", "model"),
    ]
    rnd26 = await open_round(flow, 2026)
    again = await flow.apply(rnd26["id"], "model", credit_code=CHANGNING_ORG)
    body = await _refused(flow, again["id"])
    assert body["failed"] == [
        {"criterion": "five_years_after_award", "kind": "reapplication", "clause": "changning-18b"}
    ]
    # 2029 is off changning's cycle (changning-3a): the office adjusts it under changning-3e, with a reason
    await flow.at("2029-09-01T09:00:00+08:00")
    rnd29 = await flow.open_round(
        "2029",
        "2029-09-01",
        "2029-09-01T00:00:00+08:00",
        "2029-09-21T00:00:00+08:00",
        [{"path": "cycle.anchor_year", "value": 2029, "reason": "根据上级规定调整评选周期"}],
    )
    later = await flow.apply(rnd29["id"], "model", credit_code=CHANGNING_ORG)
    await flow.step(later["id"], "submit", "awaiting_recommendation")


async def test_revoked_tianning_winner_refused_for_five_years_at_the_same_or_a_higher_level__tianning_15c(
    client, token
):
    flow = Flow(client, token, "tianning")
    await register_org(client, flow.headers["office"], "tianning", registered_jurisdiction="tianning")
    rnd = await open_round(flow, 2025)
    app = await flow.apply(rnd["id"], "organisation", credit_code=TIANNING_ORG)
    await to_awarded(flow, app["id"], "2025-09-01T09:00:00+08:00", "mayor", "2025-12-20")
    await flow.at("2026-03-10T10:00:00+08:00")
    r = await flow.fire(
        app["id"], "revoke", {"ground": "fraud", "evidence": "申报材料弄虚作假的核查报告"}, role="office"
    )
    assert r.status_code == 200, r.text
    bans = (await client.get("/api/v1/bans?in_force_on=2026-03-10", headers=flow.headers["office"])).json()["items"]
    assert [(b["rule"], b["clause"], b["scope"], b["starts_on"], b["ends_on"]) for b in bans] == [
        ("after_revocation_for_fraud", "tianning-15c", "same_or_higher_level", "2026-03-10", "2031-03-09"),
    ]
    rnd26 = await open_round(flow, 2026)
    again = await flow.apply(rnd26["id"], "organisation", credit_code=TIANNING_ORG)
    assert (await _refused(flow, again["id"]))["failed"][0] == {
        "criterion": "after_revocation_for_fraud",
        "kind": "reapplication",
        "clause": "tianning-15c",
    }
    # the same ban reaches a higher-level award run by this service (hangzhou: a city award)
    hz = Flow(client, token, "hangzhou")
    hz_round = await open_round(hz, 2026, "2026")
    elsewhere = await hz.apply(hz_round["id"], "organisation", credit_code=TIANNING_ORG)
    failed = (await _refused(hz, elsewhere["id"]))["failed"]
    assert {
        "criterion": "ban_tianning_after_revocation_for_fraud",
        "kind": "reapplication",
        "clause": "tianning-15c",
    } in failed
    # still banned on the ban's last day; free the day after
    rnd30 = await open_round(flow, 2030)
    assert await _refused(flow, (await flow.apply(rnd30["id"], "organisation", credit_code=TIANNING_ORG))["id"])
    await flow.at("2031-03-09T12:00:00+08:00")
    r31 = await flow.open_round("2031", "2031-03-09", "2031-03-09T00:00:00+08:00", "2031-03-30T00:00:00+08:00")
    last_day = await flow.apply(r31["id"], "organisation", credit_code=TIANNING_ORG)
    await _refused(flow, last_day["id"])
    await flow.at("2031-03-10T09:00:00+08:00")
    await flow.step(last_day["id"], "submit", "awaiting_recommendation")


async def test_organisation_applying_to_changning_and_the_shanghai_municipal_award_in_one_year_is_refused__changning_18a(
    client, token
):
    flow = Flow(client, token, "changning")
    org = await register_org(
        client,
        flow.headers["office"],
        "changning",
        other_level_applications=[{"year": 2026, "jurisdiction": "shanghai", "award_zh": "上海市政府质量奖"}],
    )
    rnd = await open_round(flow, 2026)
    app = await flow.apply(rnd["id"], "model", credit_code=CHANGNING_ORG)
    body = await _refused(flow, app["id"])
    assert body["failed"] == [
        {"criterion": "same_year_city_and_district", "kind": "reapplication", "clause": "changning-18a"}
    ]
    assert "上海市政府质量奖" in body["detail"]
    # declared for another year: no conflict
    r = await client.patch(
        f"/api/v1/applicants/{org['id']}",
        json={"other_level_applications": [{"year": 2025, "jurisdiction": "shanghai", "award_zh": "上海市政府质量奖"}]},
        headers={**flow.headers["office"], "If-Match": '"v1"'},
    )
    assert r.status_code == 200
    await flow.step(app["id"], "submit", "awaiting_recommendation")


def test_applications_one_level_up_or_down_are_found_through_the_jurisdiction_hierarchy__changning_18a():
    changning = get_registry().get("changning")
    rule = next(r for r in changning.reapplication if r.kind == "same_year_other_level")
    shanghai = changning.model_copy(
        update={
            "code": "shanghai",
            "level": "city",
            "jurisdiction": changning.jurisdiction.model_copy(update={"code": "shanghai", "parent": None}),
            "reapplication": [],
        }
    )
    assert other_level(changning, rule, shanghai)
    # two districts of one city are the same level: not kept apart by the rule
    assert not other_level(changning, rule, get_registry().get("jinshan"))
    # a district programme naming this city programme as its other level is found from the city side
    assert other_level(shanghai, rule, changning)


def test_award_bans_count_award_years_and_revocation_bans_run_from_the_date__changning_18b__tianning_16b():
    from datetime import date

    assert ban_end("ban_after_award", 5, date(2024, 12, 1)) == date(2028, 12, 31)
    assert ban_end("ban_after_revocation", 5, date(2024, 2, 29)) == date(2029, 2, 27)
    assert ban_end("lifetime_ban_after_award", None, date(2024, 12, 1)) is None


async def test_gold_winner_recorded_by_the_office_may_apply_for_the_mayors_award_not_gold_again__changning_18b(
    client, token
):
    flow = Flow(client, token, "changning")
    org = await register_org(client, flow.headers["office"], "changning")
    r = await client.post(
        "/api/v1/bans",
        json={
            "rule": "five_years_after_award",
            "applicant_id": org["id"],
            "tier": "gold",
            "category": "model",
            "starts_on": "2023-12-20",
            "reason": "2023年度质量金奖（长府〔2023〕30号）",
        },
        headers=flow.headers["office"],
    )
    assert r.status_code == 201, r.text
    assert r.json()["ends_on"] == "2027-12-31" and r.json()["clause"] == "changning-18b"
    rnd = await open_round(flow, 2026)
    created = await client.post(
        "/api/v1/applications",
        json={
            "round_id": rnd["id"],
            "category": "model",
            "tier_sought": "gold",
            "applicant": {"name": "甲", "credit_code": CHANGNING_ORG},
            "recommending_unit": "unit-1",
        },
        headers=flow.proving(credit_code=CHANGNING_ORG),
    )
    await _refused(flow, created.json()["id"])
    # not naming the tier sought counts as seeking every tier
    await client.post(
        f"/api/v1/applications/{created.json()['id']}/events",
        json={"event": "withdraw"},
        headers={**flow.headers["applicant"], "If-Match": created.headers["etag"]},
    )
    rnd2 = await flow.open_round("2026b", "2026-09-01", "2026-09-01T00:00:00+08:00", "2026-09-21T00:00:00+08:00")
    mayor = await client.post(
        "/api/v1/applications",
        json={
            "round_id": rnd2["id"],
            "category": "model",
            "tier_sought": "mayor",
            "applicant": {"name": "甲", "credit_code": CHANGNING_ORG},
            "recommending_unit": "unit-1",
        },
        headers=flow.proving(credit_code=CHANGNING_ORG),
    )
    await flow.step(mayor.json()["id"], "submit", "awaiting_recommendation")


async def test_linyi_mayors_award_winner_never_applies_for_it_again_but_may_seek_the_nomination__linyi_13a(
    client, token
):
    flow = Flow(client, token, "linyi")
    org = await register_org(client, flow.headers["office"], "linyi")
    r = await client.post(
        "/api/v1/bans",
        json={
            "rule": "mayor_winner_never_again",
            "applicant_id": org["id"],
            "tier": "mayor",
            "starts_on": "2020-12-01",
            "reason": "2020年度临沂市市长质量奖",
        },
        headers=flow.headers["office"],
    )
    assert r.status_code == 201 and r.json()["ends_on"] is None
    rnd = await open_round(flow, 2026)
    for tier, ok in (("mayor", False), ("nomination", True)):
        created = await client.post(
            "/api/v1/applications",
            json={
                "round_id": rnd["id"],
                "category": "organisation",
                "tier_sought": tier,
                "applicant": {"name": "甲", "credit_code": LINYI_ORG},
                "recommending_unit": "unit-1",
            },
            headers=flow.proving(credit_code=LINYI_ORG),
        )
        r = await flow.fire(created.json()["id"], "submit")
        assert (r.status_code == 200) is ok, r.text
        if not ok:
            assert r.json()["failed"] == [
                {"criterion": "mayor_winner_never_again", "kind": "reapplication", "clause": "linyi-13a"}
            ]
            await flow.fire(created.json()["id"], "withdraw", role="applicant")


async def test_linyi_repeat_applicant_scoring_lower_is_shown_to_reviewers_not_refused__linyi_13b(client, token):
    """linyi-13b compares the experts' assessment of the indicators and sets no automatic refusal (issue 20 point 6):
    a repeat applicant's lower self-assessment score is information for the reviewers, both scores shown."""
    flow = Flow(client, token, "linyi")
    await register_org(client, flow.headers["office"], "linyi")
    h = flow.headers["applicant"]
    # linyi-4a 每两年评审一届: the review years 2026 and 2028 (issue #20 point 9 refuses 2025)
    first_round = await open_round(flow, 2026)
    first = await flow.apply(first_round["id"], "organisation", credit_code=LINYI_ORG)
    assert (
        await client.put(f"/api/v1/applications/{first['id']}/form", json={"self_assessment_score": "612.5"}, headers=h)
    ).status_code == 200
    await flow.step(first["id"], "submit", "preliminary_review")
    rnd = await open_round(flow, 2028)
    again = await flow.apply(rnd["id"], "organisation", credit_code=LINYI_ORG)
    form = await client.put(
        f"/api/v1/applications/{again['id']}/form", json={"self_assessment_score": "600"}, headers=h
    )
    assert form.status_code == 200
    elig = (await client.get(f"/api/v1/applications/{again['id']}/eligibility", headers=flow.headers["office"])).json()
    entry = next(e for e in elig["criteria"] if e["criterion"] == "improvement_over_last_application")
    assert entry["result"] == "needs_review" and entry["computed_result"] == "needs_review"
    assert entry["facts"]["previous_score"] == 612.5 and entry["facts"]["score"] == 600.0
    assert "供评审参考" in entry["sentence"]
    assert not elig["failed"]
    await flow.step(again["id"], "submit", "preliminary_review")


async def test_a_ban_recorded_after_submission_refuses_qualification__changning_34c(client, token):
    flow = Flow(client, token, "changning")
    org = await register_org(client, flow.headers["office"], "changning")
    rnd = await open_round(flow, 2026)
    app = await flow.apply(rnd["id"], "model", credit_code=CHANGNING_ORG)
    await flow.step(app["id"], "submit", "awaiting_recommendation")
    await flow.step(app["id"], "recommend", "qualification_review", {"opinion": "同意推荐"})
    await flow.at("2026-09-10T09:00:00+08:00")
    r = await client.post(
        "/api/v1/bans",
        json={
            "rule": "after_revocation_for_fraud",
            "applicant_id": org["id"],
            "starts_on": "2026-09-02",
            "reason": "2022年度奖项因弄虚作假被撤销",
        },
        headers=flow.headers["office"],
    )
    assert r.status_code == 201
    body = await _refused(flow, app["id"], "pass_qualification")
    assert body["failed"] == [
        {"criterion": "after_revocation_for_fraud", "kind": "reapplication", "clause": "changning-34c"}
    ]


async def test_only_offices_list_bans_and_offices_record_only_their_programmes_rules(client, token):
    assert (await client.get("/api/v1/bans", headers=token("applicant", applicant="x"))).status_code == 403
    r = await client.post(
        "/api/v1/bans",
        json={
            "rule": "mayor_winner_never_again",
            "credit_code": HANGZHOU_ORG,
            "name": "某公司",
            "tier": "mayor",
            "starts_on": "2020-01-01",
            "reason": "x",
        },
        headers=token("office", programme="changning"),
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "rule"


async def test_a_ban_recorded_with_a_date_still_to_come_is_422_naming_starts_on_not_a_crash(client, token):
    """A ban records an approval or a revocation that has happened; 9999-12-31 once overflowed the calendar (500)."""
    flow = Flow(client, token, "changning")
    org = await register_org(client, flow.headers["office"], "changning")
    for rule, starts in (
        ("five_years_after_award", "9998-03-01"),
        ("after_revocation_for_fraud", "9999-12-31"),
        ("five_years_after_award", "2099-01-01"),
    ):
        r = await client.post(
            "/api/v1/bans",
            json={
                "rule": rule,
                "applicant_id": org["id"],
                "tier": "gold",
                "category": "model",
                "starts_on": starts,
                "reason": "x",
            },
            headers=flow.headers["office"],
        )
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in r.json()["errors"]] == ["starts_on"]
