"""What the workflow writes to the outbox, in the transaction of the change, and the change feed."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from app.domain.outbox import publisher
from tests.outbox import drive
from tests.workflow.flow import Flow
from tests.workflow.test_concurrency import credit_code


def _events(sync_db, type_: str | None = None) -> list[tuple]:
    with sync_db.cursor() as cur:
        cur.execute(
            "SELECT type, subject, payload FROM outbox_events WHERE %s::text IS NULL OR type = %s ORDER BY id",
            (type_, type_),
        )
        return cur.fetchall()


async def test_an_accepted_event_emits_its_state_change_and_a_refused_one_nothing(client, token, sync_db):
    flow = Flow(client, token, "changning")
    rnd = await flow.september_round()
    app = (await flow.apply(rnd["id"], "model"))["id"]
    await flow.step(app, "submit", "awaiting_recommendation")
    # refused: its history entry is committed with the answer, but nothing is published
    r = await flow.fire(app, "submit", role="applicant")
    assert r.status_code == 409, r.text
    r = await flow.fire(app, "recommend", {}, role="recommender")  # no opinion: 422, recorded too
    assert r.status_code == 422, r.text
    history = (await client.get(f"/api/v1/applications/{app}/history", headers=flow.headers["office"])).json()
    assert [h["accepted"] for h in history["items"]].count(False) == 2
    events = _events(sync_db, "application.state_changed")
    assert [(s, p["event"], p["from"], p["to"], p["version"]) for _, s, p in events] == [
        (f"application:{app}", "submit", "draft", "awaiting_recommendation", 2)
    ]
    assert events[0][2]["at"].endswith("+08:00")


async def test_a_round_action_refused_on_one_application_emits_nothing_for_the_others(client, token, sync_db):
    flow = Flow(client, token, "changning")
    rnd = await flow.september_round()
    ids = [(await flow.apply(rnd["id"], "model", name=f"企业{i}", credit_code=credit_code(i)))["id"] for i in range(2)]
    await flow.complete(*ids)  # the second is refused for its state alone
    await flow.step(ids[0], "submit", "awaiting_recommendation")
    r = await client.post(
        f"/api/v1/rounds/{rnd['id']}/actions",
        json={"event": "submit", "applications": ids},
        headers=flow.headers["applicant"],
    )
    assert r.status_code == 409, r.text
    assert len(_events(sync_db, "application.state_changed")) == 1


async def test_a_notice_is_published_then_closed_once_by_its_last_application(client, token, sync_db):
    flow = Flow(client, token, "changning")
    rnd = await flow.september_round()
    ids = [(await flow.apply(rnd["id"], "model", name=f"企业{i}", credit_code=credit_code(i)))["id"] for i in range(3)]
    await flow.complete(*ids)  # what submit requires (issue 19)
    for event, role, data in (
        ("submit", "applicant", {}),
        ("recommend", "recommender", {"opinion": "同意推荐"}),
        ("pass_qualification", "office", {}),
    ):
        r = await client.post(
            f"/api/v1/rounds/{rnd['id']}/actions",
            json={"event": event, "applications": ids, "data": data},
            headers=flow.headers[role],
        )
        assert r.status_code == 200, r.text
    await flow.at("2026-09-29T10:00:00+08:00")
    r = await flow.publish_notice(rnd["id"], ids)
    assert r.status_code == 201, r.text
    notice_id = r.json()["id"]
    published = _events(sync_db, "notice.published")
    assert [(s, sorted(p["application_ids"])) for _, s, p in published] == [(f"notice:{notice_id}", sorted(ids))]
    assert _events(sync_db, "notice.closed") == []
    await flow.at("2026-10-13T00:00:00+08:00")
    await flow.run_deadlines()  # the worker's batch closes all three
    closed = _events(sync_db, "notice.closed")
    assert [(s, p["notice_id"]) for _, s, p in closed] == [(f"notice:{notice_id}", notice_id)]
    moved = [p for _, _, p in _events(sync_db, "application.state_changed") if p["event"] == "close_notice"]
    assert sorted(p["application_id"] for p in moved) == sorted(ids)


async def test_a_feed_reader_while_8_writers_commit_sees_every_event_exactly_once(
    app, client, token, settings, sync_db
):
    subjects = drive.make_subjects(sync_db, 16)
    reader = token("integration", client="portal-1", programme="changning")
    seen: list[dict] = []
    done = asyncio.Event()

    publishing = asyncio.Event()
    publishing.set()

    async def publish_loop():
        while publishing.is_set():
            await publisher.publish(app.state.db)
            await asyncio.sleep(0.01)

    async def read_loop():
        after = 0
        while True:
            finished = done.is_set()
            r = await client.get(f"/api/v1/feed?after={after}&limit=50", headers=reader)
            assert r.status_code == 200, r.text
            body = r.json()
            seen.extend(body["items"])
            after = body["next_after"]
            if finished and not body["items"]:
                return
            if not body["items"]:
                await asyncio.sleep(0.01)

    try:
        publishing_task, reading = asyncio.create_task(publish_loop()), asyncio.create_task(read_loop())
        await asyncio.gather(*(drive.writer(app.state.db, w, 60, subjects) for w in range(8)))
        publishing.clear()
        await publishing_task
        assert await publisher.publish(app.state.db) >= 0  # whatever committed after the loop's last run
        done.set()
        await reading
    finally:
        drive.drop_subjects(sync_db)
    # another programme's client reads none of them
    other = token("integration", client="portal-2", programme="jinshan")
    assert (await client.get("/api/v1/feed", headers=other)).json()["items"] == []
    assert len(seen) == 480
    assert [i["sequence"] for i in seen] == list(range(1, 481))
    assert len({i["id"] for i in seen}) == 480
    per_subject = defaultdict(list)
    for i in seen:
        per_subject[i["subject"]].append(i["data"]["n"])
    for subject, ns in per_subject.items():
        assert ns == list(range(1, len(ns) + 1)), subject
    assert (await client.get("/api/v1/feed", headers=token("office", programme="changning"))).status_code == 403
