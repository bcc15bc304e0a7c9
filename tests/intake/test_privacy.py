"""Privacy: no list, public or error response carries a full ID number; only the person and the handling office see theirs."""

from __future__ import annotations

from app.domain.identifiers import looks_like_id_number
from tests.intake.completing import complete_application
from tests.intake.registry import HK_PERMIT, PERSON, PERSON_2, changning_draft, register_org
from tests.workflow.flow import Flow


async def test_every_response_of_the_suites_individual_applicants_is_scanned_for_full_id_numbers__changning_17a(
    client, token
):
    seen: list[tuple[str, str, str]] = []  # (who, method url, body)
    allowed: set[int] = set()

    async def record(response):
        await response.aread()
        seen.append(
            (
                response.request.headers.get("x-who", "?"),
                f"{response.request.method} {response.request.url}",
                response.text,
            )
        )

    client.event_hooks["response"].append(record)
    flow = Flow(client, token, "changning")
    office, person = (
        flow.headers["office"],
        token("applicant", applicant="person-1", sub="person-1", verified_id_number=PERSON),
    )
    await flow.at("2026-09-01T09:00:00+08:00")
    rnd = await flow.open_round("2026", "2026-09-01", "2026-09-01T00:00:00+08:00", "2026-09-21T00:00:00+08:00")
    org = await register_org(client, office, "changning")

    created = await client.post(
        "/api/v1/applicants/individuals",
        json={
            "id_number": PERSON,
            "name": "张三",
            "principal_ref": "person-1",
            "reason": "本人到窗口办理",
            "employer_id": org["id"],
            "quality_work_in_jurisdiction_since": "2012-01-01",
        },
        headers=office,
    )
    allowed.add(len(seen) - 1)  # the handling office registering the person
    assert created.json()["id_number"] == PERSON
    url = created.headers["location"]
    await client.get(url, headers=person)
    allowed.add(len(seen) - 1)  # the person themself
    # everyone else, every list, every error
    await client.get(url, headers=token("office", programme="hangzhou"))
    await client.get(url, headers=token("admin"))
    await client.get(url, headers=token("recommender", unit="unit-1"))
    await client.get(url, headers=token("applicant", applicant="someone-else"))
    await client.get("/api/v1/applicants", headers=office)
    await client.get("/api/v1/applicants?kind=individual", headers=token("admin"))
    await client.post(
        "/api/v1/applicants/individuals", json={"id_number": PERSON, "name": "张三"}, headers=office
    )  # duplicate
    await client.post(
        "/api/v1/applicants/individuals", json={"id_number": PERSON[:-1] + "3", "name": "张三"}, headers=office
    )  # wrong check digit
    await client.post(
        "/api/v1/applicants/individuals",
        json={"id_number": HK_PERMIT, "name": "陈大文"},
        headers=token("applicant", applicant="hk-1", verified_id_number=HK_PERMIT),
    )
    allowed.add(len(seen) - 1)  # the person registering themself
    await client.get("/api/v1/applicants", headers=office)
    person_app = await client.post(
        "/api/v1/applications",
        json={
            "round_id": rnd["id"],
            "category": "achievement",
            "applicant": {"name": "张三", "id_number": PERSON},
            "recommending_unit": "unit-1",
        },
        headers=person,
    )
    app_id = person_app.json()["id"]
    await client.post(
        "/api/v1/applications",
        json={"round_id": rnd["id"], "category": "achievement", "applicant": {"name": "张三", "id_number": PERSON}},
        headers=person,
    )  # duplicate
    await client.get(f"/api/v1/applications/{app_id}", headers=office)
    await client.get("/api/v1/applications", headers=office)
    await client.get(f"/api/v1/applications/{app_id}/eligibility", headers=person)
    await client.put(
        f"/api/v1/applications/{app_id}/form",
        json={"fields": {"身份证号": "见附件"}, "self_assessment_score": "500"},
        headers=person,
    )
    await complete_application(client, office, app_id)  # what submit requires (issue 19)
    submitted = await client.post(
        f"/api/v1/applications/{app_id}/events",
        json={"event": "submit"},
        headers={**person, "If-Match": person_app.headers["etag"]},
    )
    assert submitted.status_code == 200, submitted.text
    await client.get(f"/api/v1/applications/{app_id}/history", headers=office)
    await client.get(f"/api/v1/applications/{app_id}/versions", headers=office)
    await client.post(
        "/api/v1/bans",
        json={
            "rule": "after_revocation_for_fraud",
            "id_number": PERSON_2,
            "name": "李四",
            "starts_on": "2026-01-05",
            "reason": "弄虚作假",
        },
        headers=office,
    )
    await client.get("/api/v1/bans", headers=office)
    await client.get("/api/v1/public/calls")

    assert len(seen) > 25
    leaks = [(who, req) for i, (who, req, body) in enumerate(seen) if i not in allowed and looks_like_id_number(body)]
    assert leaks == [], leaks
    assert all(looks_like_id_number(seen[i][2]) for i in allowed)


async def test_the_history_shows_an_events_reason_with_id_and_phone_numbers_masked_the_stored_chain_unchanged(
    client, token, sync_db
):
    """The applicant reads its history; the row keeps the reason as written, so its hash still holds."""
    flow, app_id = await changning_draft(client, token)
    reason = f"联系人电话13912345678 身份证{PERSON} 座机021-61234567"
    withdrawn = await flow.fire(app_id, "withdraw", reason=reason, role="office")
    assert withdrawn.status_code == 200, withdrawn.text
    for role in ("applicant", "office"):
        history = await client.get(f"/api/v1/applications/{app_id}/history", headers=flow.headers[role])
        assert history.status_code == 200
        [event] = [h for h in history.json()["items"] if h["event"] == "withdraw"]
        assert event["reason"] == f"联系人电话139****5678 身份证{PERSON[:4]}**********{PERSON[-4:]} 座机021-****4567", (
            event
        )
        assert "13912345678" not in history.text and not looks_like_id_number(history.text)
    with sync_db.cursor() as cur:
        cur.execute("SELECT reason FROM application_events WHERE application_id = %s AND event = 'withdraw'", (app_id,))
        assert cur.fetchone()[0] == reason
