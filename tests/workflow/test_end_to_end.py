"""Each programme's own pipeline, driven from draft to awarded through the API and the test clock."""

from __future__ import annotations

import base64

from tests.workflow.flow import Flow

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 200

REVIEW_DATA = {
    "recommend": {"opinion": "同意推荐（盖章）"},
    "select": {"tier": None},
    "approve": {"document_no": "政府批复〔2026〕1号", "approved_on": "2026-12-01"},
}


async def _notice(
    flow: Flow, app_id: str, published: str, expect_last_day: str, expect_ends_at: str, next_state: str
) -> None:
    await flow.at(published)
    expected = _notice_state(await flow.get(app_id))
    r = await flow.publish_notice((await flow.get(app_id)).json()["round_id"], [app_id])
    assert r.status_code == 201, r.text
    assert (await flow.get(app_id)).json()["state"] == expected
    if r.json()["entries"][0]["unit_posting"]["required"]:
        # jinshan-18m: also posted inside the applicant's own unit, the proof accepted by the office
        url = f"/api/v1/notices/{r.json()['id']}/entries/{app_id}/unit-posting"
        proof = {"filename": "内部公示照片.png", "content_base64": base64.b64encode(PNG).decode()}
        up = await flow.client.post(url, json=proof, headers=flow.headers["applicant"])
        assert up.status_code == 201, up.text
        ok = await flow.client.post(
            f"{url}/{up.json()['id']}/review", json={"accepted": True}, headers=flow.headers["office"]
        )
        assert ok.status_code == 200, ok.text
    d = await flow.notice_deadline(app_id)
    assert d["ends_at"] == expect_ends_at, d
    assert d["ends_on_display_zh"].endswith(
        f"{int(expect_last_day[:4])}年{int(expect_last_day[5:7])}月{int(expect_last_day[8:])}日24时"
    ), d
    # one second before the end nothing happens; at the end the worker closes the notice
    await flow.at(_minus_one_second(expect_ends_at))
    await flow.run_deadlines()
    assert (await flow.get(app_id)).json()["state"] != next_state
    await flow.at(expect_ends_at)
    assert await flow.run_deadlines() >= 1
    assert (await flow.get(app_id)).json()["state"] == next_state


def _minus_one_second(iso: str) -> str:
    from datetime import datetime, timedelta

    return (datetime.fromisoformat(iso) - timedelta(seconds=1)).isoformat()


def _notice_state(r) -> str:
    nxt = {
        "qualification_review": "qualification_notice",
        "material_review": "onsite_notice",
        "committee_review": "award_notice",
    }
    return nxt[r.json()["state"]]


async def test_changning_draft_to_awarded_with_two_five_working_day_notices__changning_21c__changning_25c(
    client, token
):
    flow = Flow(client, token, "changning")
    rnd = await flow.september_round()
    app = (await flow.apply(rnd["id"], "model"))["id"]
    await flow.step(app, "submit", "awaiting_recommendation")
    await flow.step(app, "recommend", "qualification_review", {"opinion": "同意推荐"})
    await flow.step(app, "pass_qualification", "qualification_review")
    # 2026-09-29: five working days skip National Day; Saturday 2026-10-10 is a make-up working day
    await _notice(flow, app, "2026-09-29T10:00:00+08:00", "2026-10-12", "2026-10-13T00:00:00+08:00", "material_review")
    await flow.step(app, "shortlist", "onsite_review")
    await flow.step(app, "complete_onsite", "comprehensive_evaluation")
    await flow.step(app, "complete_evaluation", "committee_review")
    await flow.step(app, "select", "committee_review", {"tier": "gold"})
    await _notice(
        flow, app, "2026-11-02T10:00:00+08:00", "2026-11-09", "2026-11-10T00:00:00+08:00", "government_approval"
    )
    done = await flow.step(app, "approve", "awarded", REVIEW_DATA["approve"])
    assert done["tier"] == "gold" and done["state_name_zh"] == "已获奖"


async def test_jinshan_draft_to_awarded_with_seven_day_winners_notice__jinshan_18m(client, token):
    flow = Flow(client, token, "jinshan")
    rnd = await flow.september_round()
    app = (await flow.apply(rnd["id"], "model"))["id"]
    await flow.step(app, "submit", "awaiting_recommendation")
    await flow.step(app, "recommend", "qualification_review", {"opinion": "同意推荐"})
    await flow.step(app, "pass_qualification", "qualification_review")
    # the qualification notice's length is not stated (jinshan-18d): 5 working days by default
    await _notice(flow, app, "2026-09-29T10:00:00+08:00", "2026-10-12", "2026-10-13T00:00:00+08:00", "material_review")
    await flow.step(app, "shortlist", "onsite_review")
    await flow.step(app, "complete_onsite", "comprehensive_evaluation")
    await flow.step(app, "complete_evaluation", "committee_review")
    await flow.step(app, "select", "committee_review", {"tier": "mayor"})
    # 7 days from Tuesday 2026-11-03 end Tuesday 2026-11-10
    await _notice(
        flow, app, "2026-11-03T10:00:00+08:00", "2026-11-10", "2026-11-11T00:00:00+08:00", "government_approval"
    )
    await flow.step(app, "approve", "awarded", REVIEW_DATA["approve"])


async def test_hangzhou_draft_to_awarded_through_three_seven_working_day_notices__hangzhou_3_3_7a(client, token):
    flow = Flow(client, token, "hangzhou")
    rnd = await flow.september_round()
    app = (await flow.apply(rnd["id"], "organisation"))["id"]
    # hangzhou: no recommendation, applications go straight to the office
    await flow.step(app, "submit", "qualification_review")
    await flow.step(app, "pass_qualification", "qualification_review")
    # 7 working days from 2026-09-29: 09-30, 10-08, 10-09, 10-10 (make-up), 10-12, 10-13, 10-14
    await _notice(flow, app, "2026-09-29T10:00:00+08:00", "2026-10-14", "2026-10-15T00:00:00+08:00", "material_review")
    await flow.step(app, "shortlist", "material_review")
    await _notice(flow, app, "2026-10-19T10:00:00+08:00", "2026-10-28", "2026-10-29T00:00:00+08:00", "onsite_review")
    await flow.step(app, "complete_onsite", "comprehensive_evaluation")
    await flow.step(app, "complete_evaluation", "committee_review")
    await flow.step(app, "select", "committee_review", {"tier": "quality"})
    await _notice(
        flow, app, "2026-11-16T10:00:00+08:00", "2026-11-25", "2026-11-26T00:00:00+08:00", "government_approval"
    )
    await flow.step(app, "approve", "awarded", REVIEW_DATA["approve"])


async def test_linyi_draft_to_awarded_through_county_preliminary_review__linyi_14h(client, token):
    flow = Flow(client, token, "linyi")
    rnd = await flow.september_round()
    app = (await flow.apply(rnd["id"], "organisation"))["id"]
    await flow.step(app, "submit", "preliminary_review")
    await flow.step(app, "pass_preliminary", "qualification_review")
    await flow.step(app, "pass_qualification", "material_review")
    await flow.step(app, "shortlist", "onsite_review")
    await flow.step(app, "complete_onsite", "defence")
    await flow.step(app, "complete_defence", "comprehensive_evaluation")
    await flow.step(app, "complete_evaluation", "committee_review")
    await flow.step(app, "select", "committee_review", {"tier": "mayor"})
    # 5 working days from Monday 2026-11-02 end Monday 2026-11-09
    await _notice(
        flow, app, "2026-11-02T10:00:00+08:00", "2026-11-09", "2026-11-10T00:00:00+08:00", "government_approval"
    )
    await flow.step(app, "approve", "awarded", REVIEW_DATA["approve"])


async def test_tianning_draft_to_awarded_with_defence_and_seven_day_notice__tianning_12i(client, token):
    flow = Flow(client, token, "tianning")
    rnd = await flow.september_round()
    app = (await flow.apply(rnd["id"], "organisation"))["id"]
    await flow.step(app, "submit", "awaiting_recommendation")
    await flow.step(app, "recommend", "qualification_review", {"opinion": "同意推荐"})
    await flow.step(app, "pass_qualification", "material_review")
    await flow.step(app, "shortlist", "onsite_review")
    await flow.step(app, "complete_onsite", "defence")
    await flow.step(app, "complete_defence", "comprehensive_evaluation")
    await flow.step(app, "complete_evaluation", "committee_review")
    await flow.step(app, "select", "committee_review", {"tier": "mayor"})
    # 7 days from 2026-09-24 run into National Day: the last day moves to 2026-10-08
    await _notice(
        flow, app, "2026-09-24T10:00:00+08:00", "2026-10-08", "2026-10-09T00:00:00+08:00", "government_approval"
    )
    await flow.step(app, "approve", "awarded", REVIEW_DATA["approve"])
