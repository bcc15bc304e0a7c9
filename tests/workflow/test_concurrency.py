"""Real parallel requests on committed data: one winner per event, quotas never exceeded."""

from __future__ import annotations

import httpx

from app.domain.identifiers import credit_check_character
from tests.workflow.flow import Flow


def credit_code(n: int) -> str:
    first17 = f"913101{n:011d}"
    return first17 + credit_check_character(first17)


async def _to_committee(flow: Flow, rnd: dict, count: int) -> list[str]:
    """``count`` changning model applications brought to committee review with round actions."""
    ids = [
        (await flow.apply(rnd["id"], "model", name=f"企业{i}", credit_code=credit_code(i)))["id"] for i in range(count)
    ]
    steps = [
        ("submit", "applicant", {}),
        ("recommend", "recommender", {"opinion": "同意推荐"}),
        ("pass_qualification", "office", {}),
    ]
    await flow.complete(*ids)
    for event, role, data in steps:
        r = await flow.client.post(
            f"/api/v1/rounds/{rnd['id']}/actions",
            json={"event": event, "applications": ids, "data": data},
            headers=flow.headers[role],
        )
        assert r.status_code == 200, r.text
    await flow.at("2026-09-29T10:00:00+08:00")
    r = await flow.publish_notice(rnd["id"], ids)
    assert r.status_code == 201, r.text
    await flow.at("2026-10-13T00:00:00+08:00")
    assert await flow.run_deadlines() == count + 1  # and the round window's close
    for event, role in (("shortlist", "expert"), ("complete_onsite", "expert"), ("complete_evaluation", "expert")):
        await flow.review_pieces(ids, event)
        r = await flow.client.post(
            f"/api/v1/rounds/{rnd['id']}/actions",
            json={"event": event, "applications": ids},
            headers=flow.headers[role],
        )
        assert r.status_code == 200, r.text
    return ids


async def test_two_clerks_sending_the_same_event_at_once_one_succeeds(live_server, token):
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as client:
        flow = Flow(client, token, "changning")
        rnd = await flow.september_round("c1")
        app = (await flow.apply(rnd["id"], "model"))["id"]
        await flow.step(app, "submit", "awaiting_recommendation")
        await flow.step(app, "recommend", "qualification_review", {"opinion": "同意"})
        etag = (await flow.get(app)).headers["etag"]
        clerks = [token("office", programme="changning", sub=f"clerk-{i}") for i in range(2)]
        import asyncio

        results = await asyncio.gather(
            *[
                client.post(
                    f"/api/v1/applications/{app}/events",
                    json={"event": "fail_qualification", "reason": "不符合", "data": {"notice_text": "不予通过"}},
                    headers={**h, "If-Match": etag},
                )
                for h in clerks
            ]
        )
        codes = sorted(r.status_code for r in results)
        assert codes[0] == 200 and codes[1] in (409, 412), [r.text for r in results]
        history = (await client.get(f"/api/v1/applications/{app}/history", headers=flow.headers["office"])).json()[
            "items"
        ]
        assert [h["accepted"] for h in history if h["event"] == "fail_qualification"].count(True) == 1


async def test_twenty_parallel_selects_on_a_quota_of_two_select_exactly_two__changning_3b(live_server, token):
    async with httpx.AsyncClient(base_url=live_server, timeout=60) as client:
        flow = Flow(client, token, "changning")
        rnd = await flow.september_round("q1")
        ids = await _to_committee(flow, rnd, 20)
        import asyncio

        async def select(app_id: str):
            got = await client.get(f"/api/v1/applications/{app_id}", headers=flow.headers["committee"])
            return await client.post(
                f"/api/v1/applications/{app_id}/events",
                json={"event": "select", "data": {"tier": "mayor"}},
                headers={**flow.headers["committee"], "If-Match": got.headers["etag"]},
            )

        results = await asyncio.gather(*[select(i) for i in ids])
        ok = [r for r in results if r.status_code == 200]
        refused = [r for r in results if r.status_code == 409]
        assert len(ok) == 2 and len(refused) == 18, [r.text for r in results if r.status_code not in (200, 409)]
        assert all(r.json()["condition"] == "quota_available" for r in refused)
        listed = (
            await client.get(f"/api/v1/applications?round_id={rnd['id']}&size=100", headers=flow.headers["office"])
        ).json()["items"]
        assert sum(1 for a in listed if a["tier"] == "mayor") == 2


async def test_round_action_is_one_transaction_and_a_retry_with_its_key_changes_nothing(client, token, sync_db):
    flow = Flow(client, token, "changning")
    rnd = await flow.september_round("r1")
    ids = [(await flow.apply(rnd["id"], "model", name=f"企业{i}", credit_code=credit_code(i)))["id"] for i in range(3)]
    # one application cannot be submitted (withdrawn): the whole action fails, nothing moves
    await flow.complete(*ids[:2])
    await flow.step(ids[2], "withdraw", "withdrawn")
    r = await client.post(
        f"/api/v1/rounds/{rnd['id']}/actions",
        json={"event": "submit", "applications": ids},
        headers=flow.headers["applicant"],
    )
    assert r.status_code == 409 and r.json()["application_id"] == ids[2]
    assert {(await flow.get(i)).json()["state"] for i in ids[:2]} == {"draft"}
    h = {**flow.headers["applicant"], "Idempotency-Key": "submit-batch-1"}
    first = await client.post(
        f"/api/v1/rounds/{rnd['id']}/actions", json={"event": "submit", "applications": ids[:2]}, headers=h
    )
    again = await client.post(
        f"/api/v1/rounds/{rnd['id']}/actions", json={"event": "submit", "applications": ids[:2]}, headers=h
    )
    assert first.status_code == again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM application_events WHERE event = 'submit' AND accepted")
        assert cur.fetchone()[0] == 2


async def test_soft_quota_yields_only_to_a_recorded_reason__tianning_4b(client, token):
    flow = Flow(client, token, "tianning")
    rnd = await flow.september_round("s1")
    ids = []
    for i in range(4):
        app = (await flow.apply(rnd["id"], "organisation", name=f"企业{i}", credit_code=credit_code(100 + i)))["id"]
        for event, data in (
            ("submit", {}),
            ("recommend", {"opinion": "同意"}),
            ("pass_qualification", {}),
            ("shortlist", {}),
            ("complete_onsite", {}),
            ("complete_defence", {}),
            ("complete_evaluation", {}),
        ):
            assert (await flow.fire(app, event, data)).status_code == 200
        ids.append(app)
    for app in ids[:3]:
        r = await flow.fire(app, "select", {"tier": "mayor"})
        assert r.status_code == 200
    r = await flow.fire(ids[3], "select", {"tier": "mayor"})
    assert r.status_code == 409 and r.json()["condition"] == "quota_available"
    r = await flow.fire(
        ids[3], "select", {"tier": "mayor", "quota_override_reason": "四家均达到标准，经领导小组研究同意"}
    )
    assert r.status_code == 200


async def test_a_place_freed_at_the_winners_notice_is_not_refilled__changning_3b(client, token):
    """INTERPRETATIONS §8: a place freed at the winners' notice stays empty unless the programme refills."""
    flow = Flow(client, token, "changning")
    rnd = await flow.september_round("refill")
    ids = await _to_committee(flow, rnd, 3)
    for app in ids[:2]:
        assert (await flow.fire(app, "select", {"tier": "mayor"})).status_code == 200
    await flow.at("2026-11-02T10:00:00+08:00")
    r = await flow.publish_notice(rnd["id"], ids[:2])
    assert r.status_code == 201, r.text
    await flow.step(ids[0], "disqualify", "disqualified", reason="异议成立：申报材料弄虚作假")
    r = await flow.fire(ids[2], "select", {"tier": "mayor"})
    assert r.status_code == 409 and r.json()["condition"] == "quota_available"


async def test_two_committee_members_selecting_the_same_application_at_once_one_succeeds(live_server, token):
    """The round is locked before the application: the second select must see the first's result."""
    async with httpx.AsyncClient(base_url=live_server, timeout=60) as client:
        flow = Flow(client, token, "changning")
        rnd = await flow.september_round("dup-select")
        [app] = await _to_committee(flow, rnd, 1)
        etag = (await flow.get(app)).headers["etag"]
        import asyncio

        members = [token("committee", programme="changning", sub=f"member-{i}") for i in range(2)]
        results = await asyncio.gather(
            *[
                client.post(
                    f"/api/v1/applications/{app}/events",
                    json={"event": "select", "data": {"tier": "mayor"}},
                    headers={**h, "If-Match": etag},
                )
                for h in members
            ]
        )
        assert sorted(r.status_code for r in results) == [200, 412], [r.text for r in results]


def id_number(n: int) -> str:
    from stdnum.cn import ric

    first17 = f"11010519800101{n:03d}"
    return first17 + ric.calc_check_digit(first17 + "0")  # it reads the first 17 of an 18-character number


async def test_six_concurrent_creates_by_one_applicant_make_one_application(live_server, token, sync_db):
    """The check for an existing application and the insert are two statements: the unique indexes
    on (round, credit code) and (round, ID-number hash) decide the race; the losers get the same
    409 the check gives, pointing to the winner, and leave nothing behind."""
    async with httpx.AsyncClient(base_url=live_server, timeout=60) as client:
        import asyncio

        flow = Flow(client, token, "changning")
        rnd = await flow.september_round("dup-create")
        applicants = [
            ("model", {"name": "上海某某质量管理有限公司", "credit_code": credit_code(500 + k)}) for k in range(8)
        ]
        applicants += [("achievement", {"name": "张三", "id_number": id_number(k)}) for k in range(4)]
        for category, applicant in applicants:
            body = {"round_id": rnd["id"], "category": category, "applicant": applicant, "recommending_unit": "unit-1"}
            proof = flow.proving(credit_code=applicant.get("credit_code"), id_number=applicant.get("id_number"))
            results = await asyncio.gather(
                *[client.post("/api/v1/applications", json=body, headers=proof) for _ in range(6)]
            )
            assert sorted(r.status_code for r in results) == [201, 409, 409, 409, 409, 409], [
                r.text[:200] for r in results
            ]
            [winner] = [r.json()["id"] for r in results if r.status_code == 201]
            for lost in (r for r in results if r.status_code == 409):
                assert (
                    lost.json()["type"].endswith("/duplicate-application") and lost.json()["application_id"] == winner
                ), lost.text
        with sync_db.cursor() as cur:
            cur.execute(
                "SELECT count(*), count(DISTINCT coalesce(credit_code, id_number_hash)) FROM applications WHERE round_id = %s",
                (rnd["id"],),
            )
            assert cur.fetchone() == (len(applicants), len(applicants))
            cur.execute(
                "SELECT count(*) FROM application_events e JOIN applications a ON a.id = e.application_id WHERE a.round_id = %s",
                (rnd["id"],),
            )
            assert cur.fetchone()[0] == len(applicants)  # one 'create' entry each: the losers wrote no history


async def test_a_withdrawn_application_does_not_stop_the_applicant_applying_again(client, token):
    """Only live applications count: the unique indexes leave withdrawn ones out, as the check does."""
    flow = Flow(client, token, "changning")
    rnd = await flow.september_round("reapply")
    first = (await flow.apply(rnd["id"], "model", credit_code=credit_code(600)))["id"]
    again = await client.post(
        "/api/v1/applications",
        json={
            "round_id": rnd["id"],
            "category": "model",
            "applicant": {"name": "某公司", "credit_code": credit_code(600)},
        },
        headers=flow.proving(credit_code=credit_code(600)),
    )
    assert again.status_code == 409 and again.json()["application_id"] == first
    await flow.step(first, "withdraw", "withdrawn")
    second = await flow.apply(rnd["id"], "model", credit_code=credit_code(600))
    assert second["id"] != first and second["state"] == "draft"


async def _key_token(sync_db, key: str, other_than: str | None = None) -> str:
    """The token holding ``key``, once there is one (other than ``other_than``)."""
    import asyncio

    for _ in range(200):
        with sync_db.cursor() as cur:
            cur.execute("SELECT token::text FROM idempotency_keys WHERE key = %s", (key,))
            row = cur.fetchone()
        if row and row[0] != other_than:
            return row[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no new claim of {key}")


async def test_a_keyed_request_outliving_its_lease_and_its_retry_pass_the_application_once(live_server, token, sync_db):
    """A retry may take over a key whose first request outlived its lease; the first, still running,
    must then save nothing, whichever of the two reaches the application first."""
    import asyncio

    import psycopg2

    async with httpx.AsyncClient(base_url=live_server, timeout=60) as client:
        flow = Flow(client, token, "changning")
        rnd = await flow.september_round("lease")
        app = (await flow.apply(rnd["id"], "model", credit_code=credit_code(800)))["id"]
        await flow.complete(app)
        for event, role, data in [("submit", "applicant", {}), ("recommend", "recommender", {"opinion": "同意推荐"})]:
            r = await client.post(
                f"/api/v1/rounds/{rnd['id']}/actions",
                json={"event": event, "applications": [app], "data": data},
                headers=flow.headers[role],
            )
            assert r.status_code == 200, r.text
        holder = psycopg2.connect(sync_db.dsn)  # holds the application, so the first request waits on it
        try:
            with holder.cursor() as cur:
                cur.execute("SELECT id FROM applications WHERE id = %s FOR UPDATE", (app,))
            h = {**flow.headers["office"], "Idempotency-Key": "slow-1"}
            url, body = f"/api/v1/rounds/{rnd['id']}/actions", {"event": "pass_qualification", "applications": [app]}
            first = asyncio.create_task(client.post(url, json=body, headers=h))
            first_token = await _key_token(sync_db, "slow-1")
            await flow.at("2026-09-01T09:03:00+08:00")  # the first request's 120 s lease has run out
            other = await client.post(url, json={**body, "event": "fail_qualification"}, headers=h)
            assert other.status_code == 422 and other.json()["type"].endswith("/idempotency-key-reused"), other.text
            retry = asyncio.create_task(client.post(url, json=body, headers=h))
            await _key_token(sync_db, "slow-1", other_than=first_token)  # the retry holds the key now
        finally:
            holder.rollback()
            holder.close()
        a, b = await first, await retry
        # the first either did the work and lost it at completion, or found it done by the retry
        assert a.status_code == 409 and a.json()["type"].rsplit("/", 1)[1] in (
            "idempotency-key-taken-over",
            "transition-not-allowed",
        ), a.text
        assert b.status_code == 200 and "idempotent-replayed" not in b.headers, b.text
        with sync_db.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM application_events WHERE application_id = %s AND event = 'pass_qualification' AND accepted",
                (app,),
            )
            assert cur.fetchone()[0] == 1
        again = await client.post(url, json=body, headers=h)
        assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true" and again.json() == b.json()
