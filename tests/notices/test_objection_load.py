"""The last minute of a notice on a real server (two worker processes): nothing lost, nothing duplicated."""

from __future__ import annotations

import asyncio

import httpx

from tests.notices.driver import RECOMMENDED, NoticeFlow, objection, person


async def test_50_parallel_objections_in_the_last_minute_are_all_received_and_one_second_late_all_refused(
    live_server, client, token, sync_db
):
    """changning-31a: every objection sent before 24:00 of the last day is stored and receipted,
    retries with the same Idempotency-Key replay their receipt, and 50 more one second after the end are refused."""
    flow = NoticeFlow(client, token, "changning")
    await flow.start()
    [app] = await flow.applications(1)
    await flow.act([app], RECOMMENDED)
    await flow.at("2026-09-29T10:00:00+08:00")
    notice = await flow.publish("qualification", [app])
    assert notice["period"]["ends_at"] == "2026-10-13T00:00:00+08:00"
    await flow.at("2026-10-12T23:59:30+08:00")

    url = f"{live_server}/api/v1/public/notices/{notice['id']}/objections"
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=100)) as http:
        start = asyncio.Event()

        async def send(i: int, key_prefix: str, who: int):
            await start.wait()
            headers = {"Idempotency-Key": f"{key_prefix}-{i}", "X-Forwarded-For": f"10.2.{i // 200}.{i % 200 + 1}"}
            return await http.post(url, json=objection(app, person(who)), headers=headers)

        async def burst(key_prefix: str, first: int) -> list[httpx.Response]:
            start.clear()
            tasks = [asyncio.create_task(send(i, key_prefix, first + i)) for i in range(50)]
            await asyncio.sleep(0.05)
            start.set()
            return await asyncio.gather(*tasks)

        # Idempotency-Key claims are dated by the process's clock before the request loads the test
        # clock, so each server process first sees the current test clock (a test-clock-only effect)
        await asyncio.gather(
            *(http.get(f"{live_server}/api/v1/public/notices", headers={"Connection": "close"}) for _ in range(40))
        )
        received = await burst("last-minute", 0)
        assert [r.status_code for r in received] == [201] * 50, [r.text for r in received if r.status_code != 201][:3]
        receipts = {r.json()["receipt_no"] for r in received}
        assert len(receipts) == 50

        # a client that lost the answers retries them all: the same receipts, nothing lodged twice
        retried = await burst("last-minute", 0)
        assert [r.status_code for r in retried] == [201] * 50
        assert all(r.headers.get("idempotent-replayed") == "true" for r in retried)
        assert {r.json()["receipt_no"] for r in retried} == receipts

        await flow.at("2026-10-13T00:00:01+08:00")
        late = await burst("late", 100)
        assert [r.status_code for r in late] == [422] * 50
        assert {r.json()["type"] for r in late} == {"https://qaward.gov.cn/problems/notice-closed"}

    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*), count(DISTINCT receipt_no) FROM objections")
        assert cur.fetchone() == (50, 50)
    # the notice waits for the 50 objections to be verified
    await flow.run_deadlines()
    assert await flow.state(app) == "qualification_notice"
