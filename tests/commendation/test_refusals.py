"""The government's acts refused: out of order, bad dates, lists that do not match, document numbers
reused, a refusal of one approving none; and the same act sent twice at once or retried (issue 15)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from tests.commendation.drive import Approval, Winner, to_government_approval
from tests.intake.registry import register_org
from tests.notices.driver import credit_code

TWO = [Winner("organisation", "mayor", "常州某某纺织有限公司"), Winner("organisation", "mayor", "常州某某电机有限公司")]


def _day(day: str, delta: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=delta)).isoformat()


def _problem(r, status: int, slug: str) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert r.headers["content-type"].startswith("application/problem+json") and body["type"].endswith("/" + slug), body
    return body


def _fields(body: dict) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in body.get("errors") or []]


async def _states(a: Approval) -> list[str]:
    return [(await a.flow.get(i)).json()["state"] for i in a.ids]


async def test_the_list_goes_to_the_government_only_after_its_winners_notice_ended__tianning_12k(client, token):
    """报批 waits for every winner's notice (tianning-12k "经公示通过的候选名单，报区人民政府批准"), and names each
    field it refuses: the date in the future or on the notice's last day, a list that is not the one that passed."""
    winners = [TWO[0], Winner("organisation", "mayor", "常州某某电机有限公司", stop="award_notice")]
    a = await to_government_approval(client, token, "tianning", winners)
    today = await a.today()
    body = _problem(await a.submit(today, [a.ids[0]]), 409, "round-not-ready")
    assert body["requires"] == "winners_notice_ended" and body["pending_applications"] == [a.ids[1]]
    assert body["clause"] == "tianning-12k"

    # the second notice runs out: both await the government
    deadline = next(d for d in (await a.flow.get(a.ids[1])).json()["deadlines"] if d["status"] == "pending")
    await a.flow.at(_day(deadline["ends_at"][:10], 0) + "T09:00:00+08:00")
    await a.flow.run_deadlines()
    assert await _states(a) == ["government_approval", "government_approval"]
    last_day = _day(deadline["ends_at"][:10], -1)
    today = await a.today()

    body = _problem(await a.submit(_day(today, 1)), 422, "validation-error")
    assert _fields(body) == [("submitted_on", "date_in_future")]
    body = _problem(await a.submit(last_day), 422, "validation-error")
    assert _fields(body) == [("submitted_on", "date_before_notice_end")]
    body = _problem(await a.submit(today, [a.ids[0]]), 422, "validation-error")
    assert _fields(body) == [("applications", "incomplete")] and a.ids[1] in body["errors"][0]["message"]
    stranger = "00000000-0000-4000-8000-000000000001"
    body = _problem(await a.submit(today, [*a.ids, stranger]), 422, "validation-error")
    assert _fields(body) == [("applications[2]", "not_awaiting_approval")]
    # the English message on request
    r = await a.post("approval-submission", {"submitted_on": _day(today, 1), "applications": a.ids}, headers={})
    assert r.json()["errors"][0]["message"].startswith("日期")
    r = await a.flow.client.post(
        f"/api/v1/rounds/{a.round_id}/approval-submission",
        json={"submitted_on": _day(today, 1), "applications": a.ids},
        headers={**a.flow.headers["office"], "Accept-Language": "en"},
    )
    assert r.json()["errors"][0]["message"].startswith("the date must not be after today")

    assert (await a.submit(today)).status_code == 201
    body = _problem(await a.submit(today), 409, "government-act-recorded")


async def test_approval_refused_before_the_submission_with_bad_dates_an_application_off_the_list_or_a_number_used__tianning_13a(
    client, token
):
    a = await to_government_approval(client, token, "tianning", TWO)
    today = await a.today()
    body = _problem(await a.approve("天政〔2026〕1号", today), 409, "round-not-ready")
    assert body["requires"] == "approval_submission"
    body = _problem(await a.commend("天政〔2026〕2号", today), 409, "round-not-ready")
    assert body["requires"] == "government_approval"

    submitted_on = today
    await a.flow.at(_day(today, 3) + "T10:00:00+08:00")
    today = await a.today()
    assert (await a.submit(submitted_on)).status_code == 201

    body = _problem(await a.approve("天政〔2026〕1号", _day(submitted_on, -1)), 422, "validation-error")
    assert _fields(body) == [("approved_on", "date_too_early")] and body["clause"] == "tianning-12k"
    body = _problem(await a.approve("天政〔2026〕1号", _day(today, 1)), 422, "validation-error")
    assert _fields(body) == [("approved_on", "date_in_future")]
    stranger = "00000000-0000-4000-8000-000000000002"
    body = _problem(
        await a.approve("天政〔2026〕1号", today, applications=[a.ids[0], stranger]), 422, "validation-error"
    )
    assert _fields(body) == [("applications[1]", "not_on_submitted_list")]
    body = _problem(await a.approve("  ", today), 422, "validation-error")
    assert _fields(body) == [("document_no", "blank")]
    # nothing of the refusals was kept
    assert await _states(a) == ["government_approval", "government_approval"]
    assert (await a.acts())["approval"] is None

    # the government approves one of the two; the other waits for the office's not_select
    r = await a.approve(" 天政〔2026〕1号 ", submitted_on, applications=[a.ids[0]])
    assert r.status_code == 201, r.text
    assert r.json()["approval"]["document_no"] == "天政〔2026〕1号"
    assert await _states(a) == ["awarded", "government_approval"]
    _problem(await a.approve("天政〔2026〕9号", today), 409, "government-act-recorded")

    # the commendation has its own number, on or after the approval, not in the future
    body = _problem(await a.commend("天政〔2026〕1号", today), 409, "document-number-taken")
    assert _fields(body) == [("document_no", "duplicate")]
    body = _problem(await a.commend("天政〔2026〕2号", _day(submitted_on, -1)), 422, "validation-error")
    assert _fields(body) == [("decided_on", "date_too_early")]
    body = _problem(await a.commend("天政〔2026〕2号", _day(today, 1)), 422, "validation-error")
    assert _fields(body) == [("decided_on", "date_in_future")]
    r = await a.commend("天政〔2026〕2号", today)
    assert r.status_code == 201, r.text
    assert [x["application_id"] for x in r.json()["awards"]] == [a.ids[0]]
    _problem(await a.commend("天政〔2026〕3号", today), 409, "government-act-recorded")
    not_commended = await client.get(f"/api/v1/applications/{a.ids[1]}/commendation", headers=a.flow.headers["office"])
    assert not_commended.status_code == 200 and not_commended.json()["commendation"] is None


async def test_a_refusal_of_one_application_approves_none_and_names_it__changning_18b_26a(client, token):
    """One act: a ban recorded after the selection refuses that winner's ``approve``; the other is not approved
    either, no document is recorded, and the refusal stands in the banned application's history."""
    office = token("office", programme="changning", sub="changning-clerk")
    org = await register_org(client, office, "changning", credit_code=credit_code(900))
    winners = [
        Winner("model", "gold", "上海某某精密制造有限公司"),
        Winner("model", "gold", "上海某某质量管理有限公司", credit_code=credit_code(900)),
    ]
    a = await to_government_approval(client, token, "changning", winners)
    r = await client.post(
        "/api/v1/bans",
        json={
            "rule": "five_years_after_award",
            "applicant_id": org["id"],
            "tier": "gold",
            "category": "model",
            "starts_on": "2023-12-01",
            "reason": "2023年度长宁区质量金奖",
        },
        headers=a.flow.headers["office"],
    )
    assert r.status_code == 201, r.text
    today = await a.today()
    assert (await a.submit(today)).status_code == 201
    body = _problem(await a.approve("长府〔2026〕5号", today), 409, "guard-failed")
    assert (body["condition"], body["clause"], body["application_id"]) == ("not_banned", "changning-18b", a.ids[1])
    assert await _states(a) == ["government_approval", "government_approval"]
    assert (await a.acts())["approval"] is None
    r = await client.get(f"/api/v1/applications/{a.ids[1]}/history?size=100", headers=a.flow.headers["office"])
    last = r.json()["items"][-1]
    assert (last["event"], last["accepted"]) == ("approve", False)
    # the number was not used up by the refused act
    r = await a.approve("长府〔2026〕5号", today, applications=[a.ids[0]])
    assert r.status_code == 201, r.text


async def test_the_same_act_sent_twice_at_once_is_recorded_once_and_a_retry_replays_it__tianning_12k(client, token):
    a = await to_government_approval(client, token, "tianning", TWO)
    today = await a.today()
    got = await asyncio.gather(*(a.submit(today) for _ in range(4)))
    assert sorted(r.status_code for r in got) == [201, 409, 409, 409], [r.text for r in got]
    assert all(r.json()["type"].endswith("/government-act-recorded") for r in got if r.status_code == 409)

    got = await asyncio.gather(*(a.approve(f"天政〔2026〕{n}号", today) for n in (11, 12, 13)))
    assert sorted(r.status_code for r in got) == [201, 409, 409], [r.text for r in got]
    acts = await a.acts()
    winner = next(r for r in got if r.status_code == 201).json()
    assert acts["approval"]["document_no"] == winner["approval"]["document_no"]
    assert await _states(a) == ["awarded", "awarded"]
    # each application was approved once
    for app_id in a.ids:
        r = await client.get(f"/api/v1/applications/{app_id}/history?size=100", headers=a.flow.headers["office"])
        assert [e["event"] for e in r.json()["items"] if e["accepted"]].count("approve") == 1

    # a retry with its Idempotency-Key replays the first answer and records nothing more
    key = {"Idempotency-Key": "commendation-2026"}
    first = await a.post("commendation", {"document_no": "天政〔2026〕20号", "decided_on": today}, headers=key)
    assert first.status_code == 201, first.text
    again = await a.post("commendation", {"document_no": "天政〔2026〕20号", "decided_on": today}, headers=key)
    assert again.status_code == 201 and again.headers.get("idempotent-replayed") == "true"
    assert again.json() == first.json()


async def test_approval_retried_with_its_idempotency_key_replays_the_first_answer__changning_26a(client, token):
    a = await to_government_approval(client, token, "tianning", TWO[:1])
    today = await a.today()
    assert (await a.submit(today)).status_code == 201
    key = {"Idempotency-Key": "approval-2026"}
    first = await a.approve("天政〔2026〕30号", today, headers=key)
    assert first.status_code == 201, first.text
    again = await a.approve("天政〔2026〕30号", today, headers=key)
    assert again.status_code == 201 and again.headers.get("idempotent-replayed") == "true"
    assert again.json() == first.json()
    other = await a.approve("天政〔2026〕31号", today, headers=key)
    _problem(other, 422, "idempotency-key-reused")


async def test_the_public_list_of_a_draft_or_unknown_round_is_not_found_and_a_revoked_award_is_marked__tianning_12k(
    client, token
):
    a = await to_government_approval(client, token, "tianning", TWO)
    today = await a.today()
    assert (await a.submit(today)).status_code == 201
    assert (await a.approve("天政〔2026〕40号", today)).status_code == 201
    assert (await a.commend("天政〔2026〕41号", today)).status_code == 201
    url = f"/api/v1/public/rounds/{a.round_id}/winners"
    before = await client.get(url)
    assert [w["revoked"] for w in before.json()["winners"]] == [False, False]

    r = await a.flow.fire(a.ids[1], "revoke", {"ground": "fraud", "evidence": "骗取荣誉的查处决定"}, role="office")
    assert r.status_code == 200 and r.json()["state"] == "revoked", r.text
    after = await client.get(url, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
    assert [w["revoked"] for w in after.json()["winners"]] == [False, True]
    page = (await client.get(url + ".html")).text
    assert "常州某某电机有限公司（已撤销）" in page and "常州某某纺织有限公司（已撤销）" not in page

    draft = await client.post(
        "/api/v1/rounds",
        json={
            "programme": "tianning",
            "label": "2027",
            "call": {
                "title": "2027年度申报通知",
                "published_on": "2027-09-01",
                "opens_at": "2027-09-01T00:00:00+08:00",
                "closes_at": "2027-09-21T00:00:00+08:00",
            },
            "overrides": [],
        },
        headers=a.flow.headers["office"],
    )
    assert draft.status_code == 201, draft.text
    for suffix in ("", ".html", ".pdf"):
        _problem(await client.get(f"/api/v1/public/rounds/{draft.json()['id']}/winners{suffix}"), 404, "not-found")
        unknown = "00000000-0000-4000-8000-000000000003"
        _problem(await client.get(f"/api/v1/public/rounds/{unknown}/winners{suffix}"), 404, "not-found")
