"""``GET /metrics``: Prometheus text, request latency by route template, the workflow's gauges read at scrape time."""

from __future__ import annotations

import re

import httpx
from asgi_lifespan import LifespanManager

from tests.workflow.flow import Flow
from tests.workflow.test_worker_and_audit import _seed_due_notices


def _value(text: str, name: str, labels: str = "") -> float:
    m = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.M)
    assert m, f"{name}{labels} not in the scrape:\n{text}"
    return float(m.group(1))


async def _scrape(client, headers=None) -> str:
    r = await client.get("/metrics", headers=headers or {})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return r.text


async def test_the_due_deadline_backlog_rises_and_falls_as_deadlines_come_due_and_fire(client, token, sync_db):
    flow = Flow(client, token, "changning")
    _seed_due_notices(sync_db, 4)  # notices ending 2026-10-13 00:00 (+08:00)
    await flow.at("2026-10-12T09:00:00+08:00")
    before = await _scrape(client)
    assert _value(before, "qaward_deadlines_due") == 0

    await flow.at("2026-10-14T09:00:00+08:00")
    due = await _scrape(client)
    assert _value(due, "qaward_deadlines_due") == 4
    assert _value(due, "qaward_deadlines_due_oldest_seconds") == 33 * 3600  # since 10-13 00:00

    assert await flow.run_deadlines() == 4
    after = await _scrape(client)
    assert _value(after, "qaward_deadlines_due") == 0
    assert _value(after, "qaward_test_clock_frozen") == 1
    for series in ("qaward_deadlines_waiting", "qaward_objections_overdue", "qaward_duties_overdue"):
        assert _value(after, series) == 0


async def test_request_latency_is_counted_by_route_template_not_by_raw_path(client, token):
    missing = "00000000-0000-0000-0000-000000000000"
    office = token("office", programme="changning")
    for _ in range(2):
        await client.get(f"/api/v1/applications/{missing}", headers=office)
    text = await _scrape(client)
    labels = '{method="GET",route="/api/v1/applications/{application_id}",status="404"}'
    assert _value(text, "qaward_http_request_duration_seconds_count", labels) >= 2
    assert missing not in text


async def test_deadlines_waiting_on_an_open_objection_are_counted(client, token, sync_db):
    flow = Flow(client, token, "changning")
    _seed_due_notices(sync_db, 2)
    with sync_db.cursor() as cur:
        cur.execute("UPDATE deadlines SET status = 'waiting', result = 'waiting: objection-open'")
    await flow.at("2026-10-14T09:00:00+08:00")
    text = await _scrape(client)
    assert _value(text, "qaward_deadlines_waiting") == 2 and _value(text, "qaward_deadlines_due") == 0


async def test_metrics_need_an_admin_token_unless_made_public(settings, token):
    """``QAWARD_METRICS_PUBLIC=false`` (production's default): 401 anonymous, 403 another role, 200 admin."""
    from app.main import create_app

    closed = create_app(settings.model_copy(update={"metrics_public": False}), migrate=False)
    async with LifespanManager(closed):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=closed), base_url="http://t") as c:
            assert (await c.get("/metrics")).status_code == 401
            assert (await c.get("/metrics", headers=token("office", programme="changning"))).status_code == 403
            r = await c.get("/metrics", headers=token("admin"))
            assert r.status_code == 200 and "qaward_deadlines_due " in r.text


def test_metrics_are_closed_by_default_in_production_and_open_elsewhere():
    from app.config import Settings

    assert Settings(environment="test", database_url="postgresql://x/y").metrics_open
    assert not Settings(environment="development", database_url="postgresql://x/y", metrics_public=False).metrics_open
    assert Settings(environment="test", database_url="postgresql://x/y", metrics_public=True).metrics_open


async def test_an_open_objection_holds_its_notice_waiting_and_counts_as_overdue_past_its_target(client, token):
    """The notice's end waits on the open objection (changning-21c); its 5-working-day target passes unverified."""
    from tests.notices.driver import objection, person
    from tests.notices.test_objections import _qualification_notice

    flow, [app], notice = await _qualification_notice(client, token)
    await flow.at("2026-10-09T15:00:00+08:00")
    r = await flow.object(notice["id"], objection(app, person(7)))
    assert r.status_code == 201 and r.json()["verification_due_on"] == "2026-10-15", r.text
    assert _value(await _scrape(client), "qaward_objections_overdue") == 0

    await flow.at("2026-10-14T09:00:00+08:00")  # the notice ended 10-12 24:00, the objection is open
    assert _value(await _scrape(client), "qaward_deadlines_due") == 2  # the notice's end and the call's close
    assert await flow.run_deadlines() == 2
    waiting = await _scrape(client)
    assert _value(waiting, "qaward_deadlines_due") == 0 and _value(waiting, "qaward_deadlines_waiting") == 1
    assert _value(waiting, "qaward_objections_overdue") == 0

    await flow.at("2026-10-16T09:00:00+08:00")  # past 10-15 24:00, still not verified
    assert _value(await _scrape(client), "qaward_objections_overdue") == 1
