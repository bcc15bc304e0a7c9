"""The public-opinion survey (舆情调查, linyi-14e): recorded per application by the engaged body or the
office; linyi's defence stage, the last of 14e's steps, does not pass without it; the comprehensive
evaluation report carries its result (linyi-8d, 14f)."""

from __future__ import annotations

import hashlib
import io

from pypdf import PdfReader

from tests.intake.completing import PDF
from tests.notices.driver import LINYI, NoticeFlow
from tests.review_flow.test_review_bodies import _body, _body_expert, _fire
from tests.review_flow.world import Review


async def _linyi_at_defence(client, token) -> tuple[NoticeFlow, str]:
    flow = NoticeFlow(client, token, "linyi")
    await flow.start()
    (app,) = await flow.applications(1, "organisation")
    await flow.act([app], [*LINYI, ("shortlist", "expert", {}), ("complete_onsite", "expert", {})])
    assert (await flow.get(app, "office")).json()["state"] == "defence"
    return flow, app


async def test_linyi_14e_defence_refuses_to_pass_without_the_opinion_survey_then_the_report_carries_it(client, token):
    flow, app = await _linyi_at_defence(client, token)
    review = Review(client, token, "linyi")
    await _body(client, review.office, flow)
    as_body = token("review_body", programme="linyi", body="B1", sub="linyi-body-b1")
    leader, leader_token = await _body_expert(client, token, as_body, "答辩组长")

    # the defence record is there, the survey is not: 409 naming opinion_survey and linyi-14e
    r = await client.post(
        "/api/v1/review/panels",
        json={"round_id": flow.round["id"], "stage": "defence", "name": "答辩组", "leader_id": leader["id"]},
        headers=as_body,
    )
    assert r.status_code == 201, r.text
    defence = r.json()
    # the leader reads (and so acts on) the application only after the pledge (jinshan-21a, linyi-20a)
    r = await client.post(f"/api/v1/review/panels/{defence['id']}/pledge", headers=leader_token)
    assert r.status_code == 200, r.text
    r = await client.post(
        f"/api/v1/review/panels/{defence['id']}/assignments", json={"application_id": app}, headers=as_body
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        f"/api/v1/review/panels/{defence['id']}/applications/{app}/report",
        json={"summary": "陈述答辩记录：回答清楚", "held_on": "2026-09-01"},
        headers=as_body,
    )
    assert r.status_code == 201, r.text
    assert (await client.get(f"/api/v1/review/applications/{app}/opinion-survey", headers=as_body)).json() is None
    r = await _fire(client, app, "complete_defence", leader_token)
    assert r.status_code == 409 and r.json()["type"].endswith("/guard-failed"), r.text
    assert (r.json()["condition"], r.json()["clause"]) == ("opinion_survey", "linyi-14e")

    # the body records it: sources, day, finding with its concerns
    survey = {
        "sources": ["新闻媒体", "信用中国（山东临沂）", "12345热线投诉记录"],
        "conducted_on": "2026-09-01",
        "finding": "concerns",
        "concerns": "2025年有一起消费投诉见诸本地媒体，已调解结案",
    }
    r = await client.post(f"/api/v1/review/applications/{app}/opinion-survey", json=survey, headers=as_body)
    assert r.status_code == 201, r.text
    recorded = r.json()
    assert (recorded["conducted_by"], recorded["finding"], recorded["sources"]) == (
        "body",
        "concerns",
        survey["sources"],
    )
    got = await client.get(f"/api/v1/review/applications/{app}/opinion-survey", headers=review.office)
    assert got.status_code == 200 and got.json()["id"] == recorded["id"]
    r = await _fire(client, app, "complete_defence", leader_token)
    assert r.status_code == 200 and r.json()["state"] == "comprehensive_evaluation", r.text

    # the body's written report to the office (linyi-8d) carries the survey's result
    r = await client.post(
        "/api/v1/review/panels",
        json={"round_id": flow.round["id"], "stage": "evaluation", "name": "综合评价组", "leader_id": leader["id"]},
        headers=as_body,
    )
    assert r.status_code == 201, r.text
    evaluation = r.json()
    r = await client.post(
        f"/api/v1/review/panels/{evaluation['id']}/assignments", json={"application_id": app}, headers=as_body
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        f"/api/v1/review/panels/{evaluation['id']}/applications/{app}/report",
        json={"summary": "综合评价：建议列入候选名单"},
        headers=as_body,
    )
    assert r.status_code == 201, r.text
    carried = r.json()["content"]["opinion_survey"]
    assert (carried["finding"], carried["concerns"], carried["conducted_on"]) == (
        "concerns",
        survey["concerns"],
        "2026-09-01",
    )
    document = r.json()["content"]["document"]
    assert "舆情调查" in document["data"]["summary"] and survey["concerns"] in document["data"]["summary"]
    got = await client.get(
        f"/api/v1/applications/{app}/materials/{document['material_id']}/content", headers=review.office
    )
    assert got.status_code == 200, got.text
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(got.content)).pages)
    assert "舆情调查" in text.replace(" ", "").replace("\n", ""), text
    r = await _fire(client, app, "complete_evaluation", review.office)
    assert r.status_code == 200, r.text


async def test_linyi_14e_opinion_survey_bad_input_is_422_naming_the_field_and_recorded_once(client, token):
    _, app = await _linyi_at_defence(client, token)
    office = token("office", programme="linyi")
    url = f"/api/v1/review/applications/{app}/opinion-survey"
    base = {"sources": ["新闻媒体"], "conducted_on": "2026-09-01", "finding": "clear"}
    for body, field in (
        ({**base, "finding": "concerns"}, "concerns"),
        ({**base, "finding": "concerns", "concerns": "   "}, "concerns"),
        ({**base, "conducted_on": "2026-09-02"}, "conducted_on"),
        ({**base, "sources": []}, "sources"),
        ({**base, "sources": [" "]}, "sources"),
        ({**base, "finding": "maybe"}, "finding"),
    ):
        r = await client.post(url, json=body, headers={**office, "Accept-Language": "en"})
        assert r.status_code == 422, (body, r.text)
        assert any(e["field"].split(".")[0].split("[")[0].endswith(field) for e in r.json()["errors"]), r.json()
    # an expert or another programme's office does not record it
    assert (await client.post(url, json=base, headers=token("expert", programme="linyi"))).status_code == 403
    assert (await client.post(url, json=base, headers=token("office", programme="changning"))).status_code == 404
    assert (await client.post(url, json=base, headers=office)).status_code == 201
    r = await client.post(url, json=base, headers=office)
    assert r.status_code == 409 and r.json()["type"].endswith("/already-recorded"), r.text
    # the office's survey says so
    got = (await client.get(url, headers=token("admin"))).json()
    assert (got["conducted_by"], got["body_id"]) == ("office", None)


async def test_linyi_states_where_the_survey_guards_as_a_reading_not_the_text(client):
    r = await client.get("/api/v1/programmes/linyi/clauses")
    assert r.status_code == 200, r.text
    readings = {x["id"]: x for x in r.json()["readings"]}
    reading = readings["opinion_survey_before_defence_closes"]
    assert reading["stated"] is False and reading["clauses"] == ["linyi-14e"]


async def test_linyi_14e_the_body_and_the_office_recording_the_survey_at_once_keep_exactly_one(
    client, token, concurrently
):
    flow, app = await _linyi_at_defence(client, token)
    office = token("office", programme="linyi")
    await _body(client, office, flow)
    as_body = token("review_body", programme="linyi", body="B1", sub="linyi-body-b1")
    url = f"/api/v1/review/applications/{app}/opinion-survey"
    base = {"sources": ["新闻媒体"], "conducted_on": "2026-09-01", "finding": "clear"}
    got = await concurrently(2, lambda i: client.post(url, json=base, headers=(office, as_body)[i]))
    assert sorted(r.status_code for r in got) == [201, 409], [r.text for r in got]
    loser = next(r for r in got if r.status_code == 409)
    assert loser.json()["type"].endswith(("/already-recorded", "/concurrent-update")), loser.text
    winner = next(r for r in got if r.status_code == 201).json()
    assert (await client.get(url, headers=office)).json()["id"] == winner["id"]


async def test_linyi_14e_the_surveys_evidence_files_are_kept_with_their_hashes_and_read_back(
    client, token, concurrently
):
    """A survey's evidence (screenshots, the survey's own report) goes through the one file intake, is
    kept as a material of the application and named on the survey with its SHA-256 (linyi-14e)."""
    _, app = await _linyi_at_defence(client, token)
    office = token("office", programme="linyi")
    url = f"/api/v1/review/applications/{app}/opinion-survey"
    attach = f"{url}/attachments"
    # nothing to attach to before the survey is recorded
    r = await client.post(attach, params={"filename": "截图.pdf"}, content=PDF, headers=office)
    assert r.status_code == 409 and r.json()["type"].endswith("/survey-not-recorded"), r.text
    base = {"sources": ["新闻媒体"], "conducted_on": "2026-09-01", "finding": "clear"}
    assert (await client.post(url, json=base, headers=office)).status_code == 201
    # two files at once: both named, neither lost
    files = [PDF, PDF.replace(b"%%EOF", b"% second\n%%EOF")]
    answers = await concurrently(
        2, lambda i: client.post(attach, params={"filename": f"截图{i}.pdf"}, content=files[i], headers=office)
    )
    assert [r.status_code for r in answers] == [201, 201], [r.text for r in answers]
    got = (await client.get(url, headers=office)).json()
    assert sorted(a["sha256"] for a in got["attachments"]) == sorted(hashlib.sha256(f).hexdigest() for f in files)
    for a in got["attachments"]:
        r = await client.get(f"/api/v1/applications/{app}/materials/{a['material_id']}/content", headers=office)
        assert r.status_code == 200 and hashlib.sha256(r.content).hexdigest() == a["sha256"]
    # an executable is refused whatever its name; an expert does not attach
    r = await client.post(attach, params={"filename": "a.pdf"}, content=b"MZ\x90\x00" + b"\x00" * 64, headers=office)
    assert r.status_code in (415, 422), r.text
    r = await client.post(attach, params={"filename": "a.pdf"}, content=PDF, headers=token("expert", programme="linyi"))
    assert r.status_code == 403
    assert len((await client.get(url, headers=office)).json()["attachments"]) == 2
