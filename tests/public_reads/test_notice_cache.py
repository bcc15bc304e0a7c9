"""Issue 21: a public notice (公示) read by the many is answered from each process's memory, kept fresh by
PostgreSQL LISTEN/NOTIFY: an unchanged notice's read touches no database, and a change committed anywhere (another
replica, the office's SQL) reaches every replica's next read within milliseconds.

``client`` and ``other`` are two instances of the app on one database (two replicas, each with its own cache and
LISTEN connection).
"""

from __future__ import annotations

import select
import time
import uuid

import psycopg2

from tests.notices.driver import RECOMMENDED, NoticeFlow, objection, person
from tests.public_reads.conftest import database_use, eventually, trusted

NOTICE_READ = "/api/v1/public/notices/{}"


async def _warm(app, client, url: str):
    """Read ``url`` until it is answered from ``app``'s memory (the first read renders and keeps it)."""
    await trusted(app)
    first = await client.get(url)
    assert first.status_code == 200, first.text
    with database_use(app) as used:
        again = await client.get(url)
    assert used["checkouts"] == 0, used
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    return first


async def _seen(app, client, url: str, old_tag: str, what: str):
    """Revalidate with ``old_tag`` until the change is seen (≤ 2 s); the new answer."""
    seen: dict = {}

    async def changed() -> bool:
        r = await client.get(url, headers={"If-None-Match": old_tag})
        seen["r"] = r
        return r.status_code == 200

    await eventually(changed, what=what)
    r = seen["r"]
    assert r.headers["etag"] != old_tag, what
    return r


async def test_an_unchanged_notice_is_answered_without_touching_the_database(app, client, token):
    """200 and 304 of a kept notice: no connection checked out, no statement, the same bytes and headers as the
    database's answer."""
    flow = NoticeFlow(client, token, "changning")
    _ids, notice = await flow.qualification_notice(2)
    url = NOTICE_READ.format(notice["id"])
    await trusted(app)
    with database_use(app) as used:
        first = await client.get(url)  # rendered from the primary, then kept
    assert first.status_code == 200 and used["checkouts"] == 1, used
    tag = first.headers["etag"]

    with database_use(app) as used:
        again = await client.get(url)
        held = await client.get(url, headers={"If-None-Match": tag})
        weak = await client.get(url, headers={"If-None-Match": "W/" + tag})
    assert used == {"checkouts": 0, "statements": 0}
    assert again.status_code == 200 and again.content == first.content
    for header in ("etag", "cache-control", "content-type", "x-content-type-options", "content-security-policy"):
        assert again.headers[header] == first.headers[header], header
    assert held.status_code == 304 and held.content == b"" and held.headers["etag"] == tag
    assert held.headers["cache-control"] == first.headers["cache-control"]
    assert weak.status_code == 304


async def test_a_change_committed_through_one_replica_is_seen_by_the_next_reads_of_another__changning_31a(
    app, client, other_app, other, token
):
    """An objection lodged (changning-31a), an entry withdrawn, the period ending by the test clock: each written
    through ``client``'s app and seen by ``other``'s, which answered from memory until then."""
    flow = NoticeFlow(client, token, "changning")
    [first, second], notice = await flow.qualification_notice(2)
    url = NOTICE_READ.format(notice["id"])
    tag = (await _warm(other_app, other, url)).headers["etag"]

    lodged = await flow.object(notice["id"], objection(first, person(1)))
    assert lodged.status_code == 201, lodged.text
    r = await _seen(other_app, other, url, tag, "objection lodged")
    assert {e["application_id"]: e["status"] for e in r.json()["entries"]}[first] == "under_verification"
    tag = (await _warm(other_app, other, url)).headers["etag"]
    assert tag == r.headers["etag"]

    withdrawn = await flow.fire(second, "withdraw", role="applicant")
    assert withdrawn.status_code == 200, withdrawn.text
    r = await _seen(other_app, other, url, tag, "entry withdrawn")
    assert {e["application_id"]: e["status_zh"] for e in r.json()["entries"]}[second] == "已撤回申报"
    tag = (await _warm(other_app, other, url)).headers["etag"]

    # nothing about the notice written: only the (shared, stored) test clock moved past the period's end
    await flow.at(notice["period"]["ends_at"])
    r = await _seen(other_app, other, url, tag, "period over")
    assert r.json()["status"] == "ended" and r.json()["objections_accepted"] is False
    assert r.headers["cache-control"] == "public, max-age=30, must-revalidate"
    ended = (await _warm(other_app, other, url)).headers["etag"]
    assert ended == r.headers["etag"]


async def test_a_replica_reads_its_own_write_at_once(app, client, token):
    """Read-your-writes on one replica: after a write of this process the cache is not used until the channel's
    barrier comes back, so the write's own answer is never followed by the notice from before it."""
    flow = NoticeFlow(client, token, "changning")
    [first], notice = await flow.qualification_notice(1)
    url = NOTICE_READ.format(notice["id"])
    tag = (await _warm(app, client, url)).headers["etag"]
    lodged = await flow.object(notice["id"], objection(first, person(2)))
    assert lodged.status_code == 201, lodged.text
    r = await client.get(url, headers={"If-None-Match": tag})  # no waiting
    assert r.status_code == 200 and r.headers["etag"] != tag
    assert {e["application_id"]: e["status"] for e in r.json()["entries"]}[first] == "under_verification"


async def test_a_rolled_back_change_invalidates_nothing_and_a_committed_one_by_sql_is_heard(
    other_app, other, client, token, sync_db
):
    """NOTIFY is delivered at commit, never for a rolled-back change: the kept notice stays kept and right. The
    triggers hear every writer, not only the app: the office's SQL committed by hand is seen too."""
    flow = NoticeFlow(client, token, "changning")
    [first], notice = await flow.qualification_notice(1)
    url = NOTICE_READ.format(notice["id"])
    tag = (await _warm(other_app, other, url)).headers["etag"]

    with sync_db.cursor() as cur:
        cur.execute("BEGIN")
        cur.execute("UPDATE applications SET state = 'withdrawn' WHERE id = %s", (first,))
        cur.execute("UPDATE notice_entries SET name = 'rolled back' WHERE notice_id = %s", (notice["id"],))
        cur.execute("ROLLBACK")
        # a notification committed after the rollback: once it is heard, anything before it would have been
        marker = uuid.uuid4()
        cur.execute("SELECT pg_notify('qaward_public_notice', %s)", (str(marker),))
    cache = other_app.state.notice_cache
    generation = cache.generation

    async def marker_heard() -> bool:
        return cache.generation > generation

    await eventually(marker_heard, what="the marker notification")
    with database_use(other_app) as used:
        r = await other.get(url, headers={"If-None-Match": tag})
    assert r.status_code == 304 and used["checkouts"] == 0, used

    # a request of the replica itself that is refused (rolled back) leaves the notice as kept, once its barrier is back
    refused = await other.post(f"/api/v1/public/notices/{notice['id']}/objections", json=objection(first, None))
    assert refused.status_code == 422, refused.text
    await trusted(other_app)
    with database_use(other_app) as used:
        assert (await other.get(url, headers={"If-None-Match": tag})).status_code == 304
    assert used["checkouts"] == 0

    with sync_db.cursor() as cur:
        cur.execute("UPDATE notice_entries SET employer = employer WHERE notice_id = %s", (notice["id"],))
    await _seen(other_app, other, url, tag, "a change committed by SQL")


async def test_with_the_listener_down_reads_go_to_the_database_and_stay_right(other_app, other, client, token, sync_db):
    """Not listening, the cache is not trusted: every read asks the database (a change is seen at once, no
    waiting); listening again, everything kept before is dropped (a change may have been missed meanwhile)."""
    flow = NoticeFlow(client, token, "changning")
    [first], notice = await flow.qualification_notice(1)
    url = NOTICE_READ.format(notice["id"])
    tag = (await _warm(other_app, other, url)).headers["etag"]
    cache = other_app.state.notice_cache

    await cache.listener.stop()
    assert not cache.trusted
    lodged = await flow.object(notice["id"], objection(first, person(3)))
    assert lodged.status_code == 201, lodged.text
    with database_use(other_app) as used:
        r = await other.get(url, headers={"If-None-Match": tag})
    assert used["checkouts"] == 1, used
    assert r.status_code == 200 and r.headers["etag"] != tag
    assert {e["application_id"]: e["status"] for e in r.json()["entries"]}[first] == "under_verification"
    with database_use(other_app) as used:
        assert (await other.get(url, headers={"If-None-Match": r.headers["etag"]})).status_code == 304
    assert used["checkouts"] == 1, "not listening: every read asks the database"

    cache.listener.start()
    await trusted(other_app)
    with database_use(other_app) as used:
        again = await other.get(url)
    assert used["checkouts"] == 1, "what was kept before listening again was dropped"
    assert again.headers["etag"] == r.headers["etag"]
    with database_use(other_app) as used:
        assert (await other.get(url)).content == again.content
    assert used["checkouts"] == 0


async def test_a_lost_listening_connection_is_reestablished_and_nothing_kept_survives_it(
    other_app, other, client, token, sync_db
):
    """The server ends the LISTEN connection (a restart, a failover): the replica stops trusting its cache at once,
    reconnects with backoff, and starts again from nothing."""
    flow = NoticeFlow(client, token, "changning")
    [_first], notice = await flow.qualification_notice(1)
    url = NOTICE_READ.format(notice["id"])
    await _warm(other_app, other, url)
    cache = other_app.state.notice_cache
    name = cache.listener.application_name

    def backends() -> list[int]:
        with sync_db.cursor() as cur:
            cur.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", (name,))
            return [row[0] for row in cur.fetchall()]

    [old] = backends()
    with sync_db.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(%s)", (old,))

    async def lost() -> bool:
        return not cache.trusted

    await eventually(lost, what="the lost connection noticed")

    async def back() -> bool:
        return cache.trusted and backends() not in ([], [old])

    await eventually(back, seconds=5, what="listening again on a new connection")
    with database_use(other_app) as used:
        assert (await other.get(url)).status_code == 200
    assert used["checkouts"] == 1, "nothing kept survives a lost connection"


async def test_only_a_state_change_of_an_application_on_a_notice_notifies(client, token, database_url):
    """The applications trigger runs on every workflow event: it notifies only when the state changed and the
    application is on a notice (the others cost one index lookup and send nothing)."""
    flow = NoticeFlow(client, token, "changning")
    await flow.start()
    ids = await flow.applications(2)
    await flow.act(ids, RECOMMENDED)
    await flow.at("2026-09-29T10:00:00+08:00")
    notice = await flow.publish("qualification", ids[:1])
    on, off = ids

    listener = psycopg2.connect(database_url)
    listener.autocommit = True
    writer = psycopg2.connect(database_url)
    writer.autocommit = True
    try:
        with listener.cursor() as cur:
            cur.execute("LISTEN qaward_public_notice")

        def heard() -> list[str]:
            """What the channel delivered up to the marker sent last (delivery is in commit order)."""
            got: list[str] = []
            deadline = time.monotonic() + 2
            while "marker" not in got and time.monotonic() < deadline:
                select.select([listener], [], [], 0.1)
                listener.poll()
                got += [n.payload for n in listener.notifies]
                listener.notifies.clear()
            return got

        with writer.cursor() as cur:
            cur.execute("UPDATE applications SET state = state, updated_at = now() WHERE id IN (%s, %s)", (on, off))
            cur.execute("UPDATE applications SET updated_at = now() WHERE id IN (%s, %s)", (on, off))
            cur.execute("SELECT state FROM applications WHERE id = %s", (off,))
            [state] = cur.fetchone()
            cur.execute("UPDATE applications SET state = 'withdrawn' WHERE id = %s", (off,))
            cur.execute("UPDATE applications SET state = %s WHERE id = %s", (state, off))
            cur.execute("SELECT pg_notify('qaward_public_notice', 'marker')")
        assert heard() == ["marker"]

        with writer.cursor() as cur:
            cur.execute("SELECT state FROM applications WHERE id = %s", (on,))
            [state] = cur.fetchone()
            cur.execute("UPDATE applications SET state = 'withdrawn' WHERE id = %s", (on,))
            cur.execute("UPDATE applications SET state = %s WHERE id = %s", (state, on))
            cur.execute("SELECT pg_notify('qaward_public_notice', 'marker')")
        assert heard() == [notice["id"], notice["id"], "marker"]
    finally:
        listener.close()
        writer.close()
