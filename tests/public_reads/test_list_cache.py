"""Issue 21: a page of the public list of notices (公示) is answered from each process's memory too, kept by its
query string until any notice changes (heard on the notice channel) or a period on it ends by time alone."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from app.api.notice_cache import NoticeCache
from app.domain import clock
from tests.notices.driver import NoticeFlow, objection, person
from tests.public_reads.conftest import database_use, eventually, trusted

LIST = "/api/v1/public/notices?programme=changning"


async def test_a_page_of_the_list_is_answered_from_memory_until_a_notice_changes_or_its_period_ends(
    client, token, other_app, other
):
    flow = NoticeFlow(client, token, "changning")
    [first], notice = await flow.qualification_notice(1)
    await trusted(other_app)
    listed = await other.get(LIST)
    assert listed.status_code == 200 and [n["id"] for n in listed.json()["items"]] == [notice["id"]]
    tag = listed.headers["etag"]
    with database_use(other_app) as used:
        again = await other.get(LIST)
        held = await other.get(LIST, headers={"If-None-Match": tag})
    assert used["checkouts"] == 0, used
    assert again.content == listed.content and again.headers["etag"] == tag
    assert again.headers["cache-control"] == listed.headers["cache-control"] == "public, max-age=30, must-revalidate"
    assert held.status_code == 304 and held.headers["etag"] == tag

    # a change of the notice drops the kept pages: read again (the list itself shows no objections: same tag)
    lodged = await flow.object(notice["id"], objection(first, person(1)))
    assert lodged.status_code == 201, lodged.text
    cache = other_app.state.notice_cache

    async def dropped() -> bool:
        return cache.held_list(b"programme=changning") is None

    await eventually(dropped, what="the list dropped at the notice's change")
    with database_use(other_app) as used:
        assert (await other.get(LIST, headers={"If-None-Match": tag})).status_code == 304
    assert used["checkouts"] == 1

    # the period over by the (shared) test clock, set through the other replica
    await flow.at(notice["period"]["ends_at"])

    async def ended() -> bool:
        r = await other.get(LIST, headers={"If-None-Match": tag})
        return r.status_code == 200 and r.json()["items"][0]["status"] == "ended"

    await eventually(ended, what="the period's end seen in the list")


@pytest.mark.no_database
async def test_a_kept_page_of_the_list_expires_when_a_period_on_it_ends_by_time_alone():
    """No notification says a period ended: the page is kept until the first end after it was read."""
    clock.set_frozen(None)
    cache = NoticeCache()
    cache.connected(None)
    until = datetime.now(UTC) + timedelta(milliseconds=50)
    cache.keep_list(b"status=current", cache.generation, b"{}", '"t"', until)
    cache.keep_list(b"status=past", cache.generation, b"{}", '"u"', None)
    assert cache.held_list(b"status=current") is not None
    await asyncio.sleep(0.06)
    assert cache.held_list(b"status=current") is None
    assert cache.held_list(b"status=past") is not None
