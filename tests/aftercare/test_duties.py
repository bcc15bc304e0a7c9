"""Post-award duties as durable deadlines (issue 17): scheduled at the commendation, received, overdue."""

from __future__ import annotations

from tests.aftercare.drive import counts, duties, load_years, submit_report, winner
from tests.awards.drive import revoke


def _by_year(page: dict) -> dict[int, dict]:
    return {d["year"]: d for d in page["items"]}


def _overdue_events(sync_db) -> list[dict]:
    with sync_db.cursor() as cur:
        cur.execute("SELECT subject, payload FROM outbox_events WHERE type = 'duty.overdue' ORDER BY id")
        return [{"subject": s, **p} for s, p in cur.fetchall()]


async def _metric(client, name: str) -> float:
    r = await client.get("/metrics")
    assert r.status_code == 200, r.text
    line = next(x for x in r.text.splitlines() if x.startswith(name + " "))
    return float(line.split()[1])


async def test_a_jinshan_winners_three_annual_reports_fall_due_at_each_year_end_and_a_missed_one_is_overdue__jinshan_24b(
    client, token, sync_db
):
    """jinshan-24b: a quality performance report each year for 3 years, due at the year end. The award year's,
    the next and the one after; 2028-12-31 is a Sunday and 2029-01-01 New Year's Day, so that one is due
    2029-01-02 (Civil Code art. 203, the legal calendar). The 2026 report is missed: at 24:00 of its last
    day the worker makes it overdue, lists it so, announces it in the outbox and counts it in the gauge."""
    await load_years(client, token, 2027, 2028, 2029)
    a, app_id = await winner(client, token, "jinshan")
    reports = await duties(a, application_id=app_id, kind="report")
    assert reports["total"] == 3
    assert await counts(a, application_id=app_id, kind="report") == {
        "due": 3,
        "overdue": 0,
        "received": 0,
        "cancelled": 0,
    }
    by_year = _by_year(reports)
    assert sorted(by_year) == [2026, 2027, 2028]
    assert [(by_year[y]["due_on"], by_year[y]["due_at"]) for y in sorted(by_year)] == [
        ("2026-12-31", "2027-01-01T00:00:00+08:00"),
        ("2027-12-31", "2028-01-01T00:00:00+08:00"),
        ("2029-01-02", "2029-01-03T00:00:00+08:00"),
    ]
    first = by_year[2026]
    assert (first["duty"], first["clause"], first["who"], first["sequence"]) == (
        "annual_performance_report",
        "jinshan-24b",
        "winner",
        1,
    )
    assert first["winner_name"] == "上海金山某某化工有限公司" and not first["provisional"]
    # the office's return visits (jinshan-28a): one a year for five years, the service's reading
    visits = await duties(a, application_id=app_id, kind="follow_up")
    assert [(d["year"], d["stated"], d["reading"]) for d in visits["items"]] == [
        (y, False, "return_visits_yearly") for y in range(2026, 2031)
    ]
    # the winner's account sees its own duties
    assert (await duties(a, role="applicant", application_id=app_id, kind="report"))["total"] == 3

    # the last day counts to its end: at 23:59 nothing is overdue
    await a.flow.at("2026-12-31T23:59:00+08:00")
    await a.flow.run_deadlines()
    assert (await duties(a, status="overdue"))["total"] == 0
    assert await _metric(client, "qaward_duties_overdue") == 0
    await a.flow.at("2027-01-01T09:00:00+08:00")
    await a.flow.run_deadlines()
    overdue = await duties(a, programme="jinshan", status="overdue")
    # the 2026 report and the office's 2026 return visit
    assert {(d["duty"], d["year"]) for d in overdue["items"]} == {
        ("annual_performance_report", 2026),
        ("return_visits", 2026),
    }
    assert await counts(a, programme="jinshan") == {"due": 2 + 4, "overdue": 2, "received": 0, "cancelled": 0}
    r = await client.get(
        "/api/v1/aftercare/duties/summary", params={"programme": "jinshan"}, headers=a.flow.headers["office"]
    )
    assert r.json()["counts"]["annual_performance_report"] == {"due": 2, "overdue": 1, "received": 0, "cancelled": 0}
    missed = next(d for d in overdue["items"] if d["duty"] == "annual_performance_report")
    assert missed["overdue_at"] == "2027-01-01T09:00:00+08:00"
    events = {e["duty_id"]: e for e in _overdue_events(sync_db)}
    assert set(events) == {d["id"] for d in overdue["items"]}
    event = events[missed["id"]]
    assert (event["subject"], event["application_id"], event["programme"], event["clause"], event["due_on"]) == (
        f"duty:{missed['id']}",
        app_id,
        "jinshan",
        "jinshan-24b",
        "2026-12-31",
    )
    assert await _metric(client, "qaward_duties_overdue") == 2
    # running again changes nothing: one event per overdue duty
    await a.flow.run_deadlines()
    assert len(_overdue_events(sync_db)) == 2

    # the 2027 report on time, the 2026 one late: both received, the late one marked
    r = await submit_report(a, app_id, by_year[2027]["id"])
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["duty"]["status"] == "received" and got["duty"]["received_late"] is False
    assert got["content_type"] == "application/pdf" and got["filename"] == "质量绩效报告.pdf"
    # the report is a material of the application, read through the materials' own routes
    m = await client.get(
        f"/api/v1/applications/{app_id}/materials/{got['material_id']}/content", headers=a.flow.headers["office"]
    )
    assert m.status_code == 200 and m.content.startswith(b"%PDF"), m.text
    r = await submit_report(a, app_id, missed["id"])
    assert r.status_code == 201, r.text
    assert r.json()["duty"]["received_late"] is True
    assert await _metric(client, "qaward_duties_overdue") == 1  # the office's visit is still owed
    reports = await duties(a, application_id=app_id, kind="report")
    assert await counts(a, application_id=app_id, kind="report") == {
        "due": 1,
        "overdue": 0,
        "received": 2,
        "cancelled": 0,
    }
    # a second report against a received duty is refused; so is one for a year not begun
    r = await submit_report(a, app_id, missed["id"])
    assert r.status_code == 409 and r.json()["type"].endswith("/duty-closed"), r.text
    r = await submit_report(a, app_id, by_year[2028]["id"])
    assert r.status_code == 409 and r.json()["type"].endswith("/duty-not-open"), r.text
    assert r.json()["opens_on"] == "2028-01-01"


async def test_a_year_end_in_a_year_not_loaded_is_provisional_and_settled_before_it_is_called_overdue__jinshan_24b(
    client, token
):
    """The legal calendar is never guessed: without 2028 and 2029 the 2028 report's last day is 31 December,
    provisional; once the years are loaded the worker moves it off the Sunday and New Year's Day (due
    2029-01-02) instead of calling it overdue on 1 January."""
    a, app_id = await winner(client, token, "jinshan")
    by_year = _by_year(await duties(a, application_id=app_id, kind="report"))
    assert [(y, by_year[y]["due_on"], by_year[y]["provisional"]) for y in sorted(by_year)] == [
        (2026, "2026-12-31", False),
        (2027, "2027-12-31", True),
        (2028, "2028-12-31", True),
    ]
    await load_years(client, token, 2027, 2028, 2029)
    await a.flow.at("2029-01-01T10:00:00+08:00")
    await a.flow.run_deadlines()
    again = _by_year(await duties(a, application_id=app_id, kind="report"))
    assert (again[2028]["status"], again[2028]["due_on"], again[2028]["provisional"]) == ("due", "2029-01-02", False)
    assert (again[2027]["status"], again[2027]["due_on"]) == ("overdue", "2027-12-31")
    await a.flow.at("2029-01-03T00:00:00+08:00")
    await a.flow.run_deadlines()
    assert _by_year(await duties(a, application_id=app_id, kind="report"))[2028]["status"] == "overdue"


async def test_a_hangzhou_winners_two_yearly_reports_start_the_year_after_the_award_and_stop_after_five_years__hangzhou_6_4a(
    client, token
):
    """hangzhou-6.4a: within the five years from the year after the award, a self-assessment report every two
    years: 2027, 2029 and 2031 for a 2026 award (which years is the service's reading: stated false), none
    in the award year, none after the fifth year. Hangzhou's office has no scheduled visit (2.3.6c names none)."""
    a, app_id = await winner(client, token, "hangzhou")
    page = await duties(a, application_id=app_id)
    assert [(d["duty"], d["year"], d["due_on"]) for d in page["items"]] == [
        ("self_evaluation_report", 2027, "2027-12-31"),
        ("self_evaluation_report", 2029, "2029-12-31"),
        ("self_evaluation_report", 2031, "2031-12-31"),
    ]
    assert all(
        (d["clause"], d["stated"], d["reading"]) == ("hangzhou-6.4a", False, "self_evaluation_years")
        for d in page["items"]
    )
    readings = (await client.get("/api/v1/programmes/hangzhou/clauses")).json()["readings"]
    assert any(r["id"] == "self_evaluation_years" and r["stated"] is False for r in readings)
    # a report for a year not begun is refused: the 2027 report from 1 January 2027
    r = await submit_report(a, app_id, page["items"][0]["id"])
    assert r.status_code == 409 and r.json()["type"].endswith("/duty-not-open"), r.text


async def test_a_revoked_award_owes_nothing_more(client, token):
    """After ``revoke`` the award's open duties end (cancelled), and are never called overdue."""
    a, app_id = await winner(client, token, "jinshan")
    await revoke(a, app_id, "金府〔2026〕99号")
    page = await duties(a, application_id=app_id)
    assert page["total"] == 8 and {d["status"] for d in page["items"]} == {"cancelled"}
    await a.flow.at("2027-01-02T09:00:00+08:00")
    await a.flow.run_deadlines()
    assert (await duties(a, status="overdue"))["total"] == 0
    r = await submit_report(a, app_id, page["items"][0]["id"])
    assert r.status_code == 409 and r.json()["type"].endswith("/not-a-winner"), r.text


async def test_duties_refuse_bad_input_naming_the_field(client, token):
    """422 names the field: an unknown status filter, a duty of the office (not a report), no duty id."""
    a, app_id = await winner(client, token, "jinshan")
    office = a.flow.headers["office"]
    r = await client.get("/api/v1/aftercare/duties", params={"status": "lost"}, headers=office)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "status", r.text
    visit = (await duties(a, application_id=app_id, kind="follow_up"))["items"][0]
    r = await submit_report(a, app_id, visit["id"])
    assert r.status_code == 422 and [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("duty_id", "office_duty")
    ], r.text
    r = await submit_report(a, app_id, "00000000-0000-4000-8000-000000000001")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "duty_id", r.text
    r = await client.post(
        f"/api/v1/applications/{app_id}/duty-reports",
        content=b"%PDF-1.4",
        headers={**a.flow.headers["applicant"], "Accept-Language": "en"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "duty_id", r.text
    # an executable is refused by the one intake, as a material would be
    report = (await duties(a, application_id=app_id, kind="report"))["items"][0]
    r = await submit_report(a, app_id, report["id"], content=b"MZ\x90\x00" + b"\x00" * 64)
    assert r.status_code == 415 and r.json()["type"].endswith("/executable-refused"), r.text
    # another applicant account does not see the winner
    stranger = a.flow.token("applicant", applicant="org-9")
    r = await client.post(
        f"/api/v1/applications/{app_id}/duty-reports", params={"duty_id": report["id"]}, content=b"x", headers=stranger
    )
    assert r.status_code == 404, r.text
    assert (await client.get("/api/v1/aftercare/duties", headers=stranger)).json()["total"] == 0


async def test_two_reports_racing_for_one_duty_receive_it_once_and_concurrent_sweeps_announce_each_overdue_duty_once(
    client, token, concurrently, sync_db
):
    """Two submissions of the same duty at once: one is received, the other refused (the duty's row lock)."""
    a, app_id = await winner(client, token, "jinshan")
    report = (await duties(a, application_id=app_id, kind="report"))["items"][0]
    answers = await concurrently(2, lambda i: submit_report(a, app_id, report["id"]))
    assert sorted(r.status_code for r in answers) == [201, 409], [r.text for r in answers]
    assert (await counts(a, application_id=app_id, kind="report"))["received"] == 1
    # two workers sweeping at once: each overdue duty is marked and announced once (SKIP LOCKED)
    await a.flow.at("2027-01-01T09:00:00+08:00")
    runs = await concurrently(
        3, lambda i: client.post("/api/v1/testing/deadlines/run", headers=a.flow.headers["admin"])
    )
    assert all(r.status_code == 200 for r in runs), [r.text for r in runs]
    overdue = (await duties(a, status="overdue"))["items"]
    assert [d["duty"] for d in overdue] == ["return_visits"]
    assert [e["duty_id"] for e in _overdue_events(sync_db)] == [overdue[0]["id"]]
