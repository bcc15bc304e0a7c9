"""Notices as published lists: each programme's notice points with real dates through the test clock."""

from __future__ import annotations

import json

import pytest

from app.cli import render_openapi
from tests.notices.driver import (
    DIRECT,
    EVIDENCE,
    LINYI,
    RECOMMENDED,
    TO_COMMITTEE,
    NoticeFlow,
    credit_code,
    id_number,
    objection,
    person,
)


async def test_changning_qualification_notice_shows_its_exact_dates_and_closes_on_its_computed_day__changning_21c(
    client, token
):
    """Published 2026-09-29: five working days skip National Day; Saturday 2026-10-10 is a make-up working day."""
    flow = NoticeFlow(client, token, "changning")
    await flow.start()
    ids = await flow.applications(2)
    await flow.act(ids, RECOMMENDED)
    await flow.at("2026-09-29T10:00:00+08:00")
    notice = await flow.publish("qualification", ids)
    assert notice["period"]["text_zh"] == "公示期：2026年9月30日至2026年10月12日24时"
    assert notice["period"]["first_day"] == "2026-09-30" and notice["period"]["last_day"] == "2026-10-12"
    assert notice["period"]["ends_at"] == "2026-10-13T00:00:00+08:00"
    assert (
        notice["period"]["unit"] == "working_day"
        and notice["period"]["length"] == 5
        and notice["period"]["minimum"] is True
    )
    assert notice["clause"] == "changning-21c" and notice["name_zh"] == "资格审查结果公示"
    assert notice["title_zh"] == "长宁区政府质量奖2026年度资格审查结果公示"
    assert [a["code"] for a in notice["audiences"]] == ["public"]
    assert "实名" in notice["objection_channel_zh"] and "2026年10月12日24时前" in notice["objection_channel_zh"]
    assert [e["position"] for e in notice["entries"]] == [1, 2]
    assert [await flow.state(i) for i in ids] == ["qualification_notice"] * 2

    public = await flow.public_notice(notice["id"])
    assert (
        public["status"] == "in_progress" and public["status_zh"] == "公示中" and public["objections_accepted"] is True
    )
    assert {e["status_zh"] for e in public["entries"]} == {"公示中"}
    assert public["entries"][0]["credit_code"] and public["entries"][0]["employer"] is None

    # one second before the end nothing moves; at 24:00 of the last day the worker closes it
    await flow.at("2026-10-12T23:59:59+08:00")
    await flow.run_deadlines()
    assert await flow.state(ids[0]) == "qualification_notice"
    await flow.at("2026-10-13T00:00:00+08:00")
    await flow.run_deadlines()
    assert [await flow.state(i) for i in ids] == ["material_review", "material_review"]
    public = await flow.public_notice(notice["id"])
    assert public["status"] == "ended" and public["status_zh"] == "公示期满" and public["objections_accepted"] is False
    assert {e["status"] for e in public["entries"]} == {"passed"}


async def test_changning_individual_is_published_with_name_and_employer_never_the_id_number(client, token):
    flow = NoticeFlow(client, token, "changning")
    await flow.start()
    [app] = await flow.applications(1, "achievement")
    await flow.act([app], RECOMMENDED)
    await flow.at("2026-09-29T10:00:00+08:00")
    refused = await flow.publish("qualification", [app], expect=422)
    assert refused.json()["errors"][0]["field"] == f"employers.{app}"
    notice = await flow.publish("qualification", [app], employers={app: "上海某某精密机械有限公司"})
    public = await flow.public_notice(notice["id"])
    entry = public["entries"][0]
    assert entry["name"] == "王0" and entry["employer"] == "上海某某精密机械有限公司" and entry["credit_code"] is None
    assert "110105" not in str(public) and "id_number" not in str(public)


async def test_jinshan_qualification_notice_length_is_the_services_reading__jinshan_18d(client, token):
    flow = NoticeFlow(client, token, "jinshan")
    await flow.start()
    ids = await flow.applications(1)
    await flow.act(ids, RECOMMENDED)
    await flow.at("2026-09-29T10:00:00+08:00")
    notice = await flow.publish("qualification", ids)
    assert notice["period"]["text_zh"] == "公示期：2026年9月30日至2026年10月12日24时"
    assert notice["period"]["stated"] is False and notice["clause"] == "jinshan-18d"
    assert notice["verification"]["stated"] is False and "服务目标" in notice["verification"]["text_zh"]


async def _jinshan_winners(flow: NoticeFlow) -> tuple[list[str], dict]:
    return await flow.jinshan_winners(["mayor", "mayor"])


async def test_jinshan_winners_notice_waits_for_the_office_to_accept_the_unit_posting__jinshan_18m(client, token):
    """Seven days from Tuesday 2026-11-03 end Tuesday 2026-11-10; each applicant also posts the list inside its own unit."""
    flow = NoticeFlow(client, token, "jinshan")
    ids, notice = await _jinshan_winners(flow)
    assert notice["period"]["text_zh"] == "公示期：2026年11月4日至2026年11月10日24时"
    assert [a["code"] for a in notice["audiences"]] == ["public", "applicant_unit"]
    assert {e["unit_posting"]["status"] for e in notice["entries"]} == {"awaiting"}
    assert notice["entries"][0]["tier_name_zh"] == "金山区区长质量奖"

    # the first applicant posts it and the office accepts during the period: closes on the computed day
    url = f"/api/v1/notices/{notice['id']}/entries/{ids[0]}/unit-posting"
    up = await client.post(
        url,
        json={**EVIDENCE[0], "posted_from_on": "2026-11-04", "posted_until_on": "2026-11-10"},
        headers=flow.headers["applicant"],
    )
    assert up.status_code == 201, up.text
    ok = await client.post(f"{url}/{up.json()['id']}/review", json={"accepted": True}, headers=flow.headers["office"])
    assert ok.status_code == 200 and ok.json()["notice_closed"] is False

    await flow.at("2026-11-11T00:00:00+08:00")
    await flow.run_deadlines()
    assert await flow.state(ids[0]) == "government_approval"
    # the second has no accepted proof: its notice waits, the refusal recorded
    assert await flow.state(ids[1]) == "award_notice"
    history = (
        await client.get(f"/api/v1/applications/{ids[1]}/history?size=100", headers=flow.headers["office"])
    ).json()["items"]
    assert history[-1]["event"] == "close_notice" and history[-1]["refusal"] == "unit-posting-unconfirmed"
    public = await flow.public_notice(notice["id"])
    assert [e["status"] for e in public["entries"]] == ["passed", "awaiting_unit_posting"]

    # a rejected proof keeps it waiting; the accepted one closes it at once
    up = await client.post(
        f"/api/v1/notices/{notice['id']}/entries/{ids[1]}/unit-posting",
        json=EVIDENCE[0],
        headers=flow.headers["applicant"],
    )
    review = f"/api/v1/notices/{notice['id']}/entries/{ids[1]}/unit-posting/{up.json()['id']}/review"
    no_reason = await client.post(review, json={"accepted": False}, headers=flow.headers["office"])
    assert no_reason.status_code == 422
    rejected = await client.post(
        review, json={"accepted": False, "note": "照片无法看清公示日期"}, headers=flow.headers["office"]
    )
    assert (
        rejected.status_code == 200
        and rejected.json()["unit_posting"]["status_zh"] == "单位内部公示证明未通过审核，请重新上传"
    )
    assert await flow.state(ids[1]) == "award_notice"
    up = await client.post(
        f"/api/v1/notices/{notice['id']}/entries/{ids[1]}/unit-posting",
        json=EVIDENCE[0],
        headers=flow.headers["applicant"],
    )
    accepted = await client.post(
        f"/api/v1/notices/{notice['id']}/entries/{ids[1]}/unit-posting/{up.json()['id']}/review",
        json={"accepted": True},
        headers=flow.headers["office"],
    )
    assert accepted.status_code == 200 and accepted.json()["notice_closed"] is True
    assert await flow.state(ids[1]) == "government_approval"


async def test_a_proof_dated_fewer_than_7_days_inside_the_unit_is_refused_and_the_notice_waits__jinshan_18m(
    client, token
):
    """ "在申报组织或个人单位内部不少于7天的公示": a proof whose own dates cover fewer days proves nothing.

    The days posted count from the first (11-04..11-10 is 7 days); like every period of 天 the last
    day moves off a rest day (INTERPRETATIONS §3): posted from Sunday 11-08, 7 days reach Saturday
    11-14, so the posting runs to Monday 11-16.
    """
    flow = NoticeFlow(client, token, "jinshan")
    ids, notice = await _jinshan_winners(flow)
    url = f"/api/v1/notices/{notice['id']}/entries/{ids[0]}/unit-posting"

    short = await client.post(
        url,
        json={**EVIDENCE[0], "posted_from_on": "2026-11-04", "posted_until_on": "2026-11-05"},
        headers=flow.headers["applicant"],
    )
    assert short.status_code == 422 and short.headers["content-type"].startswith("application/problem+json"), short.text
    problem = short.json()
    assert problem["clause"] == "jinshan-18m" and problem["required_until_on"] == "2026-11-10"
    assert problem["errors"][0]["field"] == "posted_until_on" and problem["errors"][0]["code"] == "too_short"
    assert (
        problem["errors"][0]["message"] == "单位内部公示不少于7天：自2026年11月4日起公示的，应至少公示至2026年11月10日"
    )
    en = await client.post(
        url,
        json={**EVIDENCE[0], "posted_from_on": "2026-11-05", "posted_until_on": "2026-11-10"},
        headers={**flow.headers["applicant"], "Accept-Language": "en"},
    )
    assert (
        en.status_code == 422
        and "at least 7 days" in en.json()["errors"][0]["message"]
        and en.json()["required_until_on"] == "2026-11-11"
    )
    weekend = await client.post(
        url,
        json={**EVIDENCE[0], "posted_from_on": "2026-11-08", "posted_until_on": "2026-11-14"},
        headers=flow.headers["applicant"],
    )
    assert weekend.status_code == 422 and weekend.json()["required_until_on"] == "2026-11-16", weekend.text
    entry = next(
        e
        for e in (await client.get(f"/api/v1/notices/{notice['id']}", headers=flow.headers["office"])).json()["entries"]
        if e["application_id"] == ids[0]
    )
    assert entry["unit_posting"]["status"] == "awaiting" and entry["unit_posting"]["proofs"] == []

    # 7 days exactly is enough, and with it the notice closes on its day
    up = await client.post(
        url,
        json={**EVIDENCE[0], "posted_from_on": "2026-11-05", "posted_until_on": "2026-11-11"},
        headers=flow.headers["applicant"],
    )
    assert up.status_code == 201, up.text
    assert (
        await client.post(f"{url}/{up.json()['id']}/review", json={"accepted": True}, headers=flow.headers["office"])
    ).status_code == 200
    await flow.at("2026-11-12T00:00:00+08:00")
    await flow.run_deadlines()
    assert await flow.state(ids[0]) == "government_approval"


async def test_the_office_cannot_accept_a_proof_dated_fewer_than_7_days_received_before_the_check__jinshan_18m(
    client, token, sync_db
):
    flow = NoticeFlow(client, token, "jinshan")
    ids, notice = await _jinshan_winners(flow)
    url = f"/api/v1/notices/{notice['id']}/entries/{ids[0]}/unit-posting"
    up = await client.post(
        url,
        json={**EVIDENCE[0], "posted_from_on": "2026-11-04", "posted_until_on": "2026-11-10"},
        headers=flow.headers["applicant"],
    )
    with sync_db.cursor() as cur:  # as stored before proofs' dates were checked
        cur.execute("UPDATE unit_posting_proofs SET posted_until_on = '2026-11-05' WHERE id = %s", (up.json()["id"],))
    review = f"{url}/{up.json()['id']}/review"
    refused = await client.post(review, json={"accepted": True}, headers=flow.headers["office"])
    assert (
        refused.status_code == 422
        and refused.json()["clause"] == "jinshan-18m"
        and refused.json()["errors"][0]["field"] == "accepted"
    ), refused.text
    assert (
        await client.post(review, json={"accepted": False, "note": "内部公示不足7天"}, headers=flow.headers["office"])
    ).status_code == 200
    await flow.at("2026-11-11T00:00:00+08:00")
    await flow.run_deadlines()
    assert await flow.state(ids[0]) == "award_notice"


async def test_unit_posting_is_the_applicants_own_and_only_where_the_notice_has_that_audience__jinshan_18m(
    client, token
):
    flow = NoticeFlow(client, token, "jinshan")
    ids, notice = await _jinshan_winners(flow)
    other = token("applicant", applicant="org-2")
    r = await client.post(
        f"/api/v1/notices/{notice['id']}/entries/{ids[0]}/unit-posting", json=EVIDENCE[0], headers=other
    )
    assert r.status_code == 404
    exe = {"filename": "proof.pdf", "content_base64": "TVqQAAMAAAAEAAAA"}
    r = await client.post(
        f"/api/v1/notices/{notice['id']}/entries/{ids[0]}/unit-posting", json=exe, headers=flow.headers["applicant"]
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "executable"

    changning = NoticeFlow(client, token, "changning")
    await changning.start("c")
    [app] = await changning.applications(1, first=50)
    await changning.act([app], RECOMMENDED)
    n = await changning.publish("qualification", [app])
    r = await client.post(
        f"/api/v1/notices/{n['id']}/entries/{app}/unit-posting",
        json=EVIDENCE[0],
        headers=changning.headers["applicant"],
    )
    assert r.status_code == 409 and r.json()["type"].endswith("/unit-posting-not-required")


async def test_hangzhou_publishes_three_lists_of_seven_working_days__hangzhou_3_3_7a(client, token):
    flow = NoticeFlow(client, token, "hangzhou")
    await flow.start()
    ids = await flow.applications(1, "organisation")
    await flow.act(ids, DIRECT)
    await flow.at("2026-09-29T10:00:00+08:00")
    first = await flow.publish("material_entrants", ids)
    assert first["name_zh"] == "拟进入材料评审组织名单公示"
    assert first["period"]["text_zh"] == "公示期：2026年9月30日至2026年10月14日24时"
    assert first["verification"] == {
        "length": 5,
        "unit": "working_day",
        "stated": True,
        "clause": "hangzhou-3.3.7c",
        "text_zh": "自收到异议材料之日起5个工作日内完成核查，核查结果予以公示",
    }
    await flow.at("2026-10-15T00:00:00+08:00")
    await flow.run_deadlines()
    await flow.act(ids, [("shortlist", "expert", {})])
    # the on-site entrants' list cannot be published as the winners' list
    await flow.at("2026-10-19T10:00:00+08:00")
    wrong = await flow.publish("winners", ids, expect=422)
    assert wrong.json()["errors"][0]["code"] == "wrong_state"
    second = await flow.publish("onsite_entrants", ids)
    assert second["period"]["text_zh"] == "公示期：2026年10月20日至2026年10月28日24时"


async def test_linyi_and_tianning_publish_only_their_winners_notice__linyi_14h__tianning_12i(client, token):
    for programme, steps, last_day in (
        ("linyi", LINYI, "2026年11月9日24时"),
        ("tianning", RECOMMENDED, "2026年11月9日24时"),
    ):
        flow = NoticeFlow(client, token, programme)
        await flow.start(f"{programme}-2026")
        ids = await flow.applications(1, "organisation", first=10 if programme == "linyi" else 20)
        await flow.act(ids, steps)
        assert await flow.state(ids[0]) == "material_review"  # no qualification notice
        r = await flow.publish("qualification", ids, expect=404)
        assert r.json()["type"].endswith("/not-found")
        await flow.act(ids, TO_COMMITTEE[programme])
        await flow.act(ids, [("select", "committee", {"tier": "mayor"})])
        await flow.at("2026-11-02T10:00:00+08:00")
        notice = await flow.publish("winners", ids)
        # linyi: 5 working days from Monday 2026-11-02; tianning: 7 days, Monday 2026-11-09 a working day
        assert notice["period"]["text_zh"].endswith(last_day), notice["period"]
        assert notice["clause"] == ("linyi-14h" if programme == "linyi" else "tianning-12i")


async def test_only_the_programmes_office_publishes_and_sees_its_notices(client, token):
    flow = NoticeFlow(client, token, "changning")
    await flow.start()
    ids = await flow.applications(1)
    await flow.act(ids, RECOMMENDED)
    other = token("office", programme="jinshan")
    r = await client.post(
        f"/api/v1/rounds/{flow.round['id']}/notices",
        json={"point": "qualification", "applications": ids},
        headers=other,
    )
    assert r.status_code == 403
    r = await client.post(
        f"/api/v1/rounds/{flow.round['id']}/notices",
        json={"point": "qualification", "applications": ids},
        headers=flow.headers["applicant"],
    )
    assert r.status_code == 403
    notice = await flow.publish("qualification", ids)
    assert (await client.get(f"/api/v1/notices/{notice['id']}", headers=other)).status_code == 404
    mine = await client.get("/api/v1/notices", headers=flow.headers["office"])
    assert mine.json()["total"] == 1
    assert (await client.get("/api/v1/notices", headers=other)).json()["total"] == 0


async def test_publishing_is_all_or_nothing(client, token, sync_db):
    flow = NoticeFlow(client, token, "changning")
    await flow.start()
    ids = await flow.applications(2)
    await flow.act(ids[:1], RECOMMENDED)
    await flow.act(ids[1:], RECOMMENDED[:2])  # the second has no qualification decision yet
    r = await flow.publish("qualification", ids, expect=409)
    assert r.json()["condition"] == "decision_recorded" and r.json()["application_id"] == ids[1]
    assert await flow.state(ids[0]) == "qualification_review"
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM notices")
        assert cur.fetchone()[0] == 0
        cur.execute("SELECT count(*) FROM deadlines WHERE kind = 'notice_end'")
        assert cur.fetchone()[0] == 0


async def test_public_lists_current_and_past_notices_by_programme(client, token):
    flow = NoticeFlow(client, token, "changning")
    await flow.start()
    ids = await flow.applications(2)
    await flow.act(ids, RECOMMENDED)
    await flow.at("2026-09-15T10:00:00+08:00")
    old = await flow.publish("qualification", ids[:1])
    await flow.at("2026-10-13T10:00:00+08:00")
    new = await flow.publish("qualification", ids[1:])
    r = await client.get("/api/v1/public/notices", params={"programme": "changning"})
    assert [n["id"] for n in r.json()["items"]] == [new["id"], old["id"]]
    assert [n["id"] for n in (await client.get("/api/v1/public/notices?status=current")).json()["items"]] == [new["id"]]
    past = (await client.get("/api/v1/public/notices?status=past")).json()["items"]
    assert [n["id"] for n in past] == [old["id"]] and past[0]["status_zh"] == "公示期满" and past[0]["entries"] == 1
    assert (await client.get("/api/v1/public/notices?programme=hangzhou")).json()["total"] == 0


async def test_an_objection_holds_only_its_own_application_when_the_period_ends__changning_21c(client, token):
    flow = NoticeFlow(client, token, "changning")
    await flow.start()
    ids = await flow.applications(2)
    await flow.act(ids, RECOMMENDED)
    await flow.at("2026-09-29T10:00:00+08:00")
    notice = await flow.publish("qualification", ids)
    await flow.at("2026-10-09T15:00:00+08:00")
    r = await flow.object(notice["id"], objection(ids[1], person(1)))
    assert r.status_code == 201, r.text
    await flow.at("2026-10-13T00:00:00+08:00")
    await flow.run_deadlines()
    assert [await flow.state(i) for i in ids] == ["material_review", "qualification_notice"]
    public = await flow.public_notice(notice["id"])
    assert [e["status_zh"] for e in public["entries"]] == ["公示通过", "异议核查中"]


async def test_an_individual_is_published_with_the_employer_registered_in_intake(client, token):
    flow = NoticeFlow(client, token, "changning")
    await flow.start()
    office = flow.headers["office"]
    employer = await client.post(
        "/api/v1/applicants/organisations",
        json={"credit_code": credit_code(777), "name": "上海某某仪表有限公司"},
        headers=office,
    )
    assert employer.status_code == 201, employer.text
    person_ = await client.post(
        "/api/v1/applicants/individuals",
        json={"id_number": id_number(300, "19800101"), "name": "王200", "employer_id": employer.json()["id"]},
        headers=office,
    )
    assert person_.status_code == 201, person_.text
    [app] = await flow.applications(1, "achievement", first=200)
    await flow.act([app], RECOMMENDED)
    notice = await flow.publish("qualification", [app])
    assert notice["entries"][0]["employer"] == "上海某某仪表有限公司"


# --- a round's overrides of its notices (ProgrammeVersion.with_overrides) ------------------------


def _fixed_by_text(problem: dict, path: str, clause: str) -> None:
    assert problem["type"].endswith("/validation-error") and problem["clause"] == clause, problem
    assert (
        problem["path"] == path
        and problem["errors"][0]["field"] == "overrides"
        and problem["errors"][0]["code"] == "stated_by_regulation"
    ), problem


async def test_a_round_cannot_count_5_working_days_as_5_calendar_days__changning_21c(client, token):
    """Over National Day 5 calendar days from 09-30 would be 2 working days, against 不少于5个工作日."""
    flow = NoticeFlow(client, token, "changning")
    path = "notices.qualification.unit"
    problem = await flow.refused_round([{"path": path, "value": "calendar_day", "reason": "本届按自然日"}])
    _fixed_by_text(problem, path, "changning-21c")
    assert "工作日" in problem["detail"] and "自然日" in problem["errors"][0]["message"]
    english = await flow.refused_round([{"path": path, "value": "calendar_day", "reason": "本届按自然日"}], lang="en")
    assert "working days" in english["errors"][0]["message"] and "changning-21c" in english["detail"]


async def test_a_round_cannot_shorten_hangzhou_s_stated_7_working_days__hangzhou_3_3_7a(client, token):
    """社会公示7个工作日: an exact period (minimum: false, stated: true) neither shortened nor lengthened."""
    flow = NoticeFlow(client, token, "hangzhou")
    for value in (3, 10):
        problem = await flow.refused_round(
            [{"path": "notices.material_entrants.length", "value": value, "reason": "赶进度"}]
        )
        _fixed_by_text(problem, "notices.material_entrants.length", "hangzhou-3.3.7a")


async def test_a_round_cannot_lengthen_hangzhou_s_5_working_day_verification_limit__hangzhou_3_3_7c(client, token):
    flow = NoticeFlow(client, token, "hangzhou")
    for path, value in [
        ("notices.material_entrants.verification.length", 15),
        ("notices.material_entrants.verification.unit", "calendar_day"),
    ]:
        problem = await flow.refused_round([{"path": path, "value": value, "reason": "人手不足"}])
        _fixed_by_text(problem, path, "hangzhou-3.3.7c")


async def test_a_round_may_shorten_hangzhou_s_verification_limit_and_objections_follow_it__hangzhou_3_3_7c(
    client, token
):
    """5个工作日内 is a time limit: 3 working days satisfies it. Received Monday 11-02, due Thursday 11-05."""
    flow = NoticeFlow(client, token, "hangzhou")
    await flow.start(
        overrides=[{"path": "notices.material_entrants.verification.length", "value": 3, "reason": "本届从快核查"}]
    )
    ids = await flow.applications(1, "organisation")
    await flow.act(ids, DIRECT)
    await flow.at("2026-11-02T10:00:00+08:00")
    notice = await flow.publish("material_entrants", ids)
    receipt = (await flow.object(notice["id"], objection(ids[0], person(1)))).json()
    assert receipt["verification_due_on"] == "2026-11-05", receipt


async def test_a_round_cannot_refill_a_place_the_text_says_is_not_refilled__tianning_12j(client, token):
    """公示不通过的，取消获评资格，不进行递补 (refill_stated: true)."""
    flow = NoticeFlow(client, token, "tianning")
    problem = await flow.refused_round([{"path": "notices.winners.refill", "value": True, "reason": "递补"}])
    _fixed_by_text(problem, "notices.winners.refill", "tianning-12j")


async def test_a_round_may_count_the_publication_day_as_day_1_with_a_reason__interpretation_1(client, token):
    """INTERPRETATIONS §1: recorded with its reason; the notice published 09-29 then counts 09-29 as day 1.

    Issue #20 point 7: a part day counted as day 1 would cut changning-21c's "不少于5个工作日" short, so
    the round also lengthens both notices to 6: 09-29, 09-30, 10-08, 10-09, Saturday 10-10 (a make-up
    working day) and 10-12, never less than the 5 full working days 09-30 .. 10-12.
    """
    flow = NoticeFlow(client, token, "changning")
    problem = await flow.refused_round([{"path": "count_start_day", "value": True, "reason": "按惯例发布当日起算"}])
    assert problem["clause"] == "changning-21c" and problem["errors"][0]["code"] == "shortens_stated_minimum"
    overrides = [
        {"path": "count_start_day", "value": True, "reason": "按惯例发布当日起算"},
        {"path": "notices.qualification.length", "value": 6, "reason": "发布当日不足一日，延长1日"},
        {"path": "notices.winners.length", "value": 6, "reason": "发布当日不足一日，延长1日"},
    ]
    rnd = await flow.start(overrides=overrides)
    assert rnd["overrides"] == {"count_start_day": True, "notices.qualification.length": 6, "notices.winners.length": 6}
    assert next((o["path"], o["value"], o["reason"]) for o in rnd["override_log"]) == (
        "count_start_day",
        True,
        "按惯例发布当日起算",
    )
    ids = await flow.applications(1)
    await flow.act(ids, RECOMMENDED)
    await flow.at("2026-09-29T10:00:00+08:00")
    notice = await flow.publish("qualification", ids)
    assert (notice["period"]["first_day"], notice["period"]["last_day"]) == ("2026-09-29", "2026-10-12"), notice[
        "period"
    ]
    assert (
        notice["period"]["count_start_day"] is True
        and notice["period"]["text_zh"] == "公示期：2026年9月29日至2026年10月12日24时"
    )
    await flow.at("2026-10-13T00:00:00+08:00")
    await flow.run_deadlines()
    assert await flow.state(ids[0]) == "material_review"


@pytest.mark.no_database
def test_notice_schemas_leave_other_schemas_their_names():
    """A schema named like another module's (PeriodOut) would rename both in the contract."""
    from pydantic import BaseModel

    from app.api.v1 import schemas_notices

    mine = {
        n
        for n, v in vars(schemas_notices).items()
        if isinstance(v, type) and issubclass(v, BaseModel) and v.__module__ == schemas_notices.__name__
    }
    doc = json.loads(render_openapi())
    assert [
        n
        for n in doc["components"]["schemas"]
        if n.startswith("app__") and n.rsplit("__", 1)[1] in mine | {"PeriodOut"}
    ] == []
