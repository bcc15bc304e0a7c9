"""The calendar API over a real PostgreSQL seeded by the migration (INTERPRETATIONS §1-5)."""

from __future__ import annotations

from datetime import date, datetime

import httpx
import pytest
from sqlalchemy import text

from app.domain.calendar import service
from app.domain.clock import SHANGHAI

PROBLEM = "application/problem+json"

# A 2027 arrangement as an admin would load it (元旦 and 春节 only are enough for the tests).
YEAR_2027 = {
    "holidays": [
        {"date": "2027-01-01", "name": "元旦"},
        {"date": "2027-01-02", "name": "元旦"},
        {"date": "2027-01-03", "name": "元旦"},
        *({"date": f"2027-02-{d:02d}", "name": "春节"} for d in range(5, 12)),
    ],
    "makeup_workdays": ["2027-02-13"],
    "source": "国务院办公厅关于2027年部分节假日安排的通知",
}


async def _period(client: httpx.AsyncClient, start: str, length: int, unit: str, **extra) -> httpx.Response:
    return await client.get(
        "/api/v1/calendar/periods", params={"start": start, "length": length, "unit": unit, **extra}
    )


async def test_five_working_days_skip_national_day__civil_code_201__changning_21c(client):
    r = await _period(client, "2026-09-29", 5, "working_day")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["start"] == "2026-09-29"
    assert body["first_day"] == "2026-09-30"
    assert body["last_day"] == "2026-10-12"
    assert body["ends_at"] == "2026-10-13T00:00:00+08:00"
    assert body["unit"] == "working_day" and body["length"] == 5
    assert body["calendar_revision"] == 1
    assert body["display_zh"] == "2026年9月30日至2026年10月12日24时"


async def test_counting_the_start_day_ends_on_makeup_saturday__interpretation_1(client):
    r = await _period(client, "2026-09-29", 5, "working_day", count_start_day="true")
    assert r.json()["last_day"] == "2026-10-10"
    assert r.json()["count_start_day"] is True


async def test_seven_days_into_national_day_end_on_next_working_day__civil_code_203__tianning_12i(client):
    r = await _period(client, "2026-09-24", 7, "calendar_day")
    assert r.json()["last_day"] == "2026-10-08"
    assert r.json()["ends_at"] == "2026-10-09T00:00:00+08:00"


async def test_seven_days_ending_on_makeup_sunday_stand__civil_code_203__jinshan_18m(client):
    r = await _period(client, "2026-09-13", 7, "calendar_day")
    assert r.json()["last_day"] == "2026-09-20"


async def test_period_needing_2027_is_refused_until_admin_loads_it__interpretation_4(client, token):
    r = await _period(client, "2026-12-28", 5, "working_day")
    assert r.status_code == 422
    assert r.headers["content-type"].startswith(PROBLEM)
    problem = r.json()
    assert problem["type"].endswith("/calendar-year-not-loaded")
    assert problem["year"] == 2027 and "2027" in problem["detail"]

    put = await client.put("/api/v1/calendar/years/2027", json=YEAR_2027, headers=token("admin"))
    assert put.status_code == 200, put.text
    loaded = put.json()
    assert loaded["year"] == 2027 and loaded["revision"] > 1
    assert loaded["source"] == YEAR_2027["source"]
    assert loaded["makeup_workdays"] == ["2027-02-13"]

    r = await _period(client, "2026-12-28", 5, "working_day")
    assert r.status_code == 200, r.text
    # 12-29, 12-30, 12-31, then (元旦 1-1..1-3) Monday 1-4 and 1-5.
    assert r.json()["last_day"] == "2027-01-05"
    assert r.json()["calendar_revision"] == loaded["revision"]

    years = (await client.get("/api/v1/calendar/years")).json()
    assert [y["year"] for y in years] == list(range(2004, 2028))
    assert years[-1] == {k: loaded[k] for k in ("year", "revision", "source", "loaded_at")}
    assert all(y["revision"] == 1 and y["source"].startswith("chinese-calendar ") for y in years[:-1])

    day = (await client.get("/api/v1/calendar/days/2027-02-13")).json()
    assert day == {"date": "2027-02-13", "working_day": True, "kind": "makeup_workday", "holiday_name": None}


async def test_reloading_a_year_makes_a_new_revision__interpretation_5(client, token):
    first = (await client.put("/api/v1/calendar/years/2027", json=YEAR_2027, headers=token("admin"))).json()
    changed = {**YEAR_2027, "makeup_workdays": []}
    second = (await client.put("/api/v1/calendar/years/2027", json=changed, headers=token("admin"))).json()
    assert second["revision"] > first["revision"]
    day = (await client.get("/api/v1/calendar/days/2027-02-13")).json()
    assert day["kind"] == "weekend" and day["working_day"] is False


async def test_weekday_as_makeup_workday_is_refused_naming_the_date__interpretation_2(client, token):
    body = {**YEAR_2027, "makeup_workdays": ["2027-02-13", "2027-02-24"]}  # 2-24 is a Wednesday
    r = await client.put("/api/v1/calendar/years/2027", json=body, headers=token("admin"))
    assert r.status_code == 422
    assert r.headers["content-type"].startswith(PROBLEM)
    problem = r.json()
    assert problem["type"].endswith("/calendar-year-invalid")
    assert problem["errors"] == [
        {
            "field": "makeup_workdays[1]",
            "code": "makeup-workday-not-weekend",
            "message": problem["errors"][0]["message"],
        }
    ]
    assert "2027-02-24" in problem["errors"][0]["message"] and "2027-02-24" in problem["detail"]
    en = await client.put("/api/v1/calendar/years/2027", json=body, headers={**token("admin"), "Accept-Language": "en"})
    assert "Wednesday" in en.json()["errors"][0]["message"]
    years = (await client.get("/api/v1/calendar/years")).json()
    assert 2027 not in [y["year"] for y in years]


async def test_year_load_refuses_dates_outside_the_year_and_in_both_lists(client, token):
    body = {
        "holidays": [{"date": "2026-12-31", "name": "元旦"}, {"date": "2027-02-06", "name": "春节"}],
        "makeup_workdays": ["2027-02-06"],
        "source": "test",
    }
    r = await client.put("/api/v1/calendar/years/2027", json=body, headers=token("admin"))
    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("holidays[0].date", "date-outside-year"),
        ("makeup_workdays[0]", "holiday-and-makeup-workday"),
    ]


async def test_only_an_admin_loads_a_year(client, token):
    r = await client.put("/api/v1/calendar/years/2027", json=YEAR_2027, headers=token("office", programme="changning"))
    assert r.status_code == 403
    r = await client.put("/api/v1/calendar/years/2027", json=YEAR_2027)
    assert r.status_code == 401


async def test_day_lookup__interpretation_2(client):
    r = await client.get("/api/v1/calendar/days/2026-10-01")
    assert r.json() == {"date": "2026-10-01", "working_day": False, "kind": "holiday", "holiday_name": "国庆节"}
    r = await client.get("/api/v1/calendar/days/2026-10-10")
    assert r.json() == {"date": "2026-10-10", "working_day": True, "kind": "makeup_workday", "holiday_name": None}
    r = await client.get("/api/v1/calendar/days/2026-10-11")
    assert r.json()["kind"] == "weekend"
    r = await client.get("/api/v1/calendar/days/2026-10-12")
    assert r.json()["kind"] == "workday" and r.json()["working_day"] is True
    r = await client.get("/api/v1/calendar/days/2027-03-01")
    assert r.status_code == 422 and r.json()["type"].endswith("/calendar-year-not-loaded")


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-09-29", "length": 0, "unit": "working_day"},
        {"start": "2026-09-29", "length": 5, "unit": "week"},
        {"start": "2026-02-30", "length": 5, "unit": "working_day"},
        {"start": "2026-09-29", "unit": "working_day"},
    ],
)
async def test_bad_period_parameters_are_422(client, params):
    r = await client.get("/api/v1/calendar/periods", params=params)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith(PROBLEM)


async def test_affected_deadlines_for_office_and_admin_only(client, token):
    r = await client.get("/api/v1/calendar/affected-deadlines", headers=token("office", programme="changning"))
    assert r.status_code == 200 and isinstance(r.json(), list)
    assert (await client.get("/api/v1/calendar/affected-deadlines", headers=token("admin"))).status_code == 200
    assert (await client.get("/api/v1/calendar/affected-deadlines", headers=token("applicant"))).status_code == 403
    assert (await client.get("/api/v1/calendar/affected-deadlines")).status_code == 401


async def test_changing_a_year_lists_the_open_deadlines_depending_on_it__interpretation_5(settings):
    """Run in one rolled-back transaction, over a temporary ``deadlines`` table of the workflow's shape.

    On its own connections: the temporary table shadows the real one, which would invalidate the
    statements the app's pooled connections have prepared.
    """
    from app.db.repositories import calendar as repo
    from app.db.session import Database

    db = Database(settings.database_url, pool_size=1)
    async with db.sessionmaker() as session:
        tx = await session.begin()
        try:
            await session.execute(
                text(
                    "CREATE TEMP TABLE deadlines (id bigint PRIMARY KEY, application_id bigint, kind text,"
                    " rule jsonb, starts_on date, ends_at timestamptz, calendar_revision int, status text)"
                    " ON COMMIT DROP"
                )
            )
            midnight = lambda y, m, d: datetime(y, m, d, tzinfo=SHANGHAI)  # noqa: E731
            rows = [
                # depends on 2026 only
                (1, date(2026, 9, 29), midnight(2026, 10, 13), 1, "pending"),
                # starts in 2026, ends in 2027: depends on both
                (2, date(2026, 12, 28), midnight(2027, 1, 6), 1, "pending"),
                # ends at 2027-01-01 00:00+08:00: its last day is 2026-12-31, so 2027 does not matter
                (3, date(2026, 12, 24), midnight(2027, 1, 1), 1, "pending"),
                # already fired
                (4, date(2026, 12, 28), midnight(2027, 1, 6), 1, "fired"),
                # due, waiting for an objection to close: still open
                (5, date(2026, 12, 29), midnight(2027, 1, 7), 1, "waiting"),
            ]
            for id_, starts_on, ends_at, rev, status in rows:
                await session.execute(
                    text(
                        "INSERT INTO deadlines VALUES (:id, :app, 'notice', '{\"unit\": \"working_day\"}',"
                        " :s, :e, :r, :st)"
                    ),
                    {"id": id_, "app": 100 + id_, "s": starts_on, "e": ends_at, "r": rev, "st": status},
                )
            assert await service.affected_deadlines(session) == []
            loaded = await repo.replace_year(session, 2027, [(date(2027, 1, 1), "元旦")], [], "test", "admin-1")
            affected = await service.affected_deadlines(session)
            assert [(a["id"], a["changed_years"], a["latest_revision"]) for a in affected] == [
                ("2", [2027], loaded.revision),
                ("5", [2027], loaded.revision),
            ]
            assert affected[0]["application_id"] == "102" and affected[0]["rule"] == {"unit": "working_day"}
        finally:
            await tx.rollback()
    await db.dispose()


async def test_every_process_sees_a_newly_loaded_year(live_server, token):
    """Two uvicorn workers each cache the calendar; a year loaded through one is seen by both."""
    fresh_connections = httpx.Limits(max_keepalive_connections=0)  # so requests spread over both workers
    async with httpx.AsyncClient(base_url=live_server, timeout=10, limits=fresh_connections) as c:
        params = {"start": "2026-12-28", "length": 5, "unit": "working_day"}
        before = [await c.get("/api/v1/calendar/periods", params=params) for _ in range(8)]
        assert {r.status_code for r in before} == {422}
        put = await c.put("/api/v1/calendar/years/2027", json=YEAR_2027, headers=token("admin"))
        assert put.status_code == 200, put.text
        after = [await c.get("/api/v1/calendar/periods", params=params) for _ in range(8)]
        assert {r.status_code for r in after} == {200}
        assert {r.json()["last_day"] for r in after} == {"2027-01-05"}


async def test_a_blank_source_is_422_naming_the_field__interpretation_5(client, token, sync_db):
    r = await client.put("/api/v1/calendar/years/2027", json={**YEAR_2027, "source": "   "}, headers=token("admin"))
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["source"]
    assert (await client.get("/api/v1/calendar/days/2027-01-04")).status_code == 422  # nothing was loaded
