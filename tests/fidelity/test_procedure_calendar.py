"""Issue #20 point 15: a corrected calendar never shortens a running notice, and the affected list is scoped."""

from __future__ import annotations

import pytest

from app.domain.calendar.seed import seed_year
from tests.notices.driver import RECOMMENDED, NoticeFlow

CORRECTION = "国务院办公厅关于2026年部分节假日安排的通知（更正）"


@pytest.fixture
def restore_2026(sync_db):
    """The tests correct the seeded 2026; put the seed back as it was (other tests read it)."""
    with sync_db.cursor() as cur:
        cur.execute("SELECT date, year, kind, name FROM calendar_days WHERE year = 2026")
        days = cur.fetchall()
        cur.execute("SELECT source, revision, loaded_at FROM calendar_years WHERE year = 2026")
        year_row = cur.fetchone()
    yield
    with sync_db.cursor() as cur:
        cur.execute("DELETE FROM calendar_days WHERE year = 2026")
        cur.executemany("INSERT INTO calendar_days (date, year, kind, name) VALUES (%s, %s, %s, %s)", days)
        cur.execute("UPDATE calendar_years SET source = %s, revision = %s, loaded_at = %s WHERE year = 2026", year_row)


def _year_2026(extra_holidays: dict[str, str]) -> dict:
    seed = seed_year(2026)
    holidays = [{"date": d.isoformat(), "name": n} for d, n in sorted(seed.holidays.items())]
    holidays += [{"date": d, "name": n} for d, n in extra_holidays.items()]
    return {
        "holidays": holidays,
        "makeup_workdays": [d.isoformat() for d in sorted(seed.makeup_workdays)],
        "source": CORRECTION,
    }


async def _notice_published_on_1_september(flow: NoticeFlow) -> tuple[str, dict]:
    """Tuesday 2026-09-01: 不少于5个工作日 is 09-02 .. 09-08 on the seeded calendar."""
    await flow.start()
    ids = await flow.applications(1)
    await flow.act(ids, RECOMMENDED)
    await flow.at("2026-09-01T10:00:00+08:00")
    notice = await flow.publish("qualification", ids)
    assert notice["period"]["text_zh"] == "公示期：2026年9月2日至2026年9月8日24时"
    return ids[0], notice


async def _load(flow: NoticeFlow, body: dict) -> int:
    r = await flow.client.put("/api/v1/calendar/years/2026", json=body, headers=flow.headers["admin"])
    assert r.status_code == 200, r.text
    return r.json()["revision"]


async def test_a_correction_that_would_cut_a_running_notice_short_moves_its_end__changning_21c(
    client, token, restore_2026
):
    flow = NoticeFlow(client, token, "changning")
    app, notice = await _notice_published_on_1_september(flow)
    before = await flow.notice_deadline(app)
    assert before["ends_at"] == "2026-09-09T00:00:00+08:00"
    # 2026-09-03 becomes a holiday: the old end would leave 4 working days
    revision = await _load(flow, _year_2026({"2026-09-03": "更正假日"}))

    moved = await flow.notice_deadline(app)
    assert moved["ends_at"] == "2026-09-10T00:00:00+08:00" and moved["calendar_revision"] == revision
    assert [(c["from_revision"], c["to_revision"], c["moved"]) for c in moved["rule"]["corrections"]] == [
        (before["calendar_revision"], revision, True)
    ]
    public = await flow.public_notice(notice["id"])
    assert public["period"]["text_zh"] == "公示期：2026年9月2日至2026年9月9日24时"
    assert public["period"]["ends_at"] == "2026-09-10T00:00:00+08:00"
    [announced] = public["period"]["corrections"]
    assert (announced["from_last_day"], announced["to_last_day"]) == ("2026-09-08", "2026-09-09")
    assert f"第{before['calendar_revision']}版更正为第{revision}版" in announced["text_zh"]
    # nothing left for the office to confirm
    office = flow.headers["office"]
    assert (await client.get("/api/v1/calendar/affected-deadlines", headers=office)).json() == []
    # the old end passes with the notice still running; the corrected one closes it
    await flow.at("2026-09-09T00:00:00+08:00")
    await flow.run_deadlines()
    assert await flow.state(app) == "qualification_notice"
    await flow.at("2026-09-10T00:00:00+08:00")
    await flow.run_deadlines()
    assert await flow.state(app) == "material_review"


async def test_a_correction_that_would_shorten_a_notice_waits_for_the_office_with_a_reason__changning_21c(
    client, token, restore_2026
):
    flow = NoticeFlow(client, token, "changning")
    await _load(flow, _year_2026({"2026-09-03": "更正假日"}))
    app, notice = await _notice_published_on_1_september_corrected(flow)
    # the correction withdrawn: 09-03 is a working day again, the corrected end is a day earlier
    revision = await _load(flow, _year_2026({}))
    kept = await flow.notice_deadline(app)
    assert kept["ends_at"] == "2026-09-10T00:00:00+08:00"

    office = flow.headers["office"]
    listed = (await client.get("/api/v1/calendar/affected-deadlines", headers=office)).json()
    assert [(d["id"], d["kind"], d["latest_revision"]) for d in listed] == [(kept["id"], "notice_end", revision)]
    # another programme's office never sees it, nor may it confirm it
    jinshan = token("office", programme="jinshan", sub="jinshan-clerk")
    assert (await client.get("/api/v1/calendar/affected-deadlines", headers=jinshan)).json() == []
    url = f"/api/v1/calendar/affected-deadlines/{kept['id']}/confirm"
    assert (await client.post(url, json={"reason": "核实"}, headers=jinshan)).status_code == 404
    assert (await client.post(url, json={"reason": "核实"}, headers=flow.headers["admin"])).status_code == 403
    blank = await client.post(url, json={"reason": " "}, headers=office)
    assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "reason"

    r = await client.post(url, json={"reason": "更正撤回，按原规定期限公示", "move": True}, headers=office)
    assert r.status_code == 200, r.text
    assert r.json()["ends_at"] == "2026-09-09T00:00:00+08:00" and r.json()["calendar_revision"] == revision
    assert r.json()["corrections"][-1]["reason"] == "更正撤回，按原规定期限公示"
    public = await flow.public_notice(notice["id"])
    assert public["period"]["text_zh"] == "公示期：2026年9月2日至2026年9月8日24时"
    assert (await client.get("/api/v1/calendar/affected-deadlines", headers=office)).json() == []
    again = await client.post(url, json={"reason": "再次确认"}, headers=office)
    assert again.status_code == 409


async def _notice_published_on_1_september_corrected(flow: NoticeFlow) -> tuple[str, dict]:
    """The same notice published on the corrected calendar (09-03 a holiday): 09-02 .. 09-09."""
    await flow.start()
    ids = await flow.applications(1)
    await flow.act(ids, RECOMMENDED)
    await flow.at("2026-09-01T10:00:00+08:00")
    notice = await flow.publish("qualification", ids)
    assert notice["period"]["text_zh"] == "公示期：2026年9月2日至2026年9月9日24时"
    return ids[0], notice


async def test_the_affected_list_shows_an_office_only_its_own_programmes_deadlines(client, token, restore_2026):
    """Issue #20 point 15: a jinshan office saw changning's deadlines; now scoped by app/access."""
    flow = NoticeFlow(client, token, "changning")
    await _load(flow, _year_2026({"2026-09-03": "更正假日"}))
    await _notice_published_on_1_september_corrected(flow)
    await _load(flow, _year_2026({}))
    own = (await client.get("/api/v1/calendar/affected-deadlines", headers=flow.headers["office"])).json()
    admin = (await client.get("/api/v1/calendar/affected-deadlines", headers=flow.headers["admin"])).json()
    other = token("office", programme="jinshan", sub="jinshan-clerk")
    assert len(own) == 1 and len(admin) >= 1 and own[0]["id"] in {d["id"] for d in admin}
    assert (await client.get("/api/v1/calendar/affected-deadlines", headers=other)).json() == []


async def test_a_notice_published_while_the_calendar_is_corrected_ends_on_the_corrected_calendar__changning_21c(
    client, token, concurrently, restore_2026
):
    """The publication and the correction race (each on its own connection): whichever commits first,
    the notice ends after 5 working days of the corrected calendar, never 4."""
    holidays: dict[str, str] = {}
    # each round of the race adds one more holiday: 09-03, 09-04, 09-07 (the fifth working day moves on)
    for attempt, (day, ends_at) in enumerate(
        [
            ("2026-09-03", "2026-09-10T00:00:00+08:00"),
            ("2026-09-04", "2026-09-11T00:00:00+08:00"),
            ("2026-09-07", "2026-09-12T00:00:00+08:00"),
        ]
    ):
        flow = NoticeFlow(client, token, "changning")
        await flow.start(label=f"2026-{attempt}")
        ids = await flow.applications(1, first=10 * attempt)
        await flow.act(ids, RECOMMENDED)
        await flow.at("2026-09-01T10:00:00+08:00")
        holidays[day] = "更正假日"
        body = _year_2026(holidays)

        def make(i: int, ids=ids, body=body, flow=flow):
            if i == 0:
                return flow.client.post(
                    f"/api/v1/rounds/{flow.round['id']}/notices",
                    json={"point": "qualification", "applications": ids},
                    headers=flow.headers["office"],
                )
            return flow.client.put("/api/v1/calendar/years/2026", json=body, headers=flow.headers["admin"])

        published, loaded = await concurrently(2, make)
        assert (published.status_code, loaded.status_code) == (201, 200), (published.text, loaded.text)
        end = await flow.notice_deadline(ids[0])
        assert (end["ends_at"], end["calendar_revision"]) == (ends_at, loaded.json()["revision"]), (attempt, end)
