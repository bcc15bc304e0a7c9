"""Issue 21: a public notice (公示) read by the many is cheap and cacheable by a portal's CDN.

A strong ETag of the notice's version, `304 Not Modified` to a client holding it, `Cache-Control: public` with a
short max-age and `must-revalidate`, and every change the notice shows (an objection lodged or decided, an entry
withdrawn, the period over) visible at once to a client that revalidates.
"""

from __future__ import annotations

from datetime import datetime

from tests.notices.driver import NoticeFlow, objection, person


def _directives(r) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for d in r.headers.get("cache-control", "").split(","):
        name, _, value = d.strip().partition("=")
        out[name] = value or None
    return out


async def _revalidate(client, url: str, tag: str):
    return await client.get(url, headers={"If-None-Match": tag})


async def test_a_notice_carries_a_strong_tag_and_a_short_public_max_age_and_answers_304_to_its_holder(client, token):
    flow = NoticeFlow(client, token, "changning")
    _ids, notice = await flow.qualification_notice()
    url = f"/api/v1/public/notices/{notice['id']}"
    first = await client.get(url)
    assert first.status_code == 200, first.text
    tag = first.headers["etag"]
    assert tag.startswith('"') and not tag.startswith("W/")
    cache = _directives(first)
    assert "public" in cache and "must-revalidate" in cache and cache["max-age"] == "30", first.headers
    assert first.json()["id"] == notice["id"] and first.json()["entries"]

    again = await client.get(url)
    assert again.headers["etag"] == tag and again.content == first.content

    held = await _revalidate(client, url, tag)
    assert held.status_code == 304 and held.content == b""
    assert held.headers["etag"] == tag and _directives(held) == cache
    # a CDN that compresses hands its clients the weak form; If-None-Match compares weakly (RFC 9110 13.1.2)
    assert (await _revalidate(client, url, "W/" + tag)).status_code == 304
    assert (await _revalidate(client, url, f'"other", {tag}')).status_code == 304
    assert (await _revalidate(client, url, '"other"')).status_code == 200


async def test_every_change_the_notice_shows_changes_its_tag_at_once_for_a_revalidating_client__changning_31a(
    client, token
):
    """An objection lodged (changning-31a) turns the entry to 核查中, its withdrawal ends it, the period's end turns the
    notice to 公示期满: each time the old tag is refused and the new answer shows the change."""
    flow = NoticeFlow(client, token, "changning")
    [app, other], notice = await flow.qualification_notice(2)
    url = f"/api/v1/public/notices/{notice['id']}"
    tags = [(await client.get(url)).headers["etag"]]

    async def changed(what) -> dict:
        r = await _revalidate(client, url, tags[-1])
        assert r.status_code == 200, (what, r.status_code)
        assert r.headers["etag"] not in tags, what
        tags.append(r.headers["etag"])
        assert (await _revalidate(client, url, tags[-1])).status_code == 304, what
        return r.json()

    lodged = await flow.object(notice["id"], objection(app, person(1)))
    assert lodged.status_code == 201, lodged.text
    body = await changed("objection lodged")
    assert {e["application_id"]: e["status"] for e in body["entries"]}[app] == "under_verification"

    withdrawn = await flow.fire(other, "withdraw", role="applicant")
    assert withdrawn.status_code == 200, withdrawn.text
    body = await changed("entry withdrawn")
    assert {e["application_id"]: e["status_zh"] for e in body["entries"]}[other] == "已撤回申报"

    # nothing written, only time passing: the period's end is part of the version
    await flow.at(notice["period"]["ends_at"])
    body = await changed("period over")
    assert body["status"] == "ended" and body["objections_accepted"] is False


async def test_a_copy_is_never_kept_past_the_end_of_the_notice_period(client, token):
    """While in progress, max-age never reaches beyond the period's end: a cached copy would still say 公示中."""
    flow = NoticeFlow(client, token, "changning")
    _ids, notice = await flow.qualification_notice()
    ends_at = datetime.fromisoformat(notice["period"]["ends_at"])
    ten_before = ends_at.timestamp() - 10
    await flow.at(datetime.fromtimestamp(ten_before, ends_at.tzinfo).isoformat())
    r = await client.get(f"/api/v1/public/notices/{notice['id']}")
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    assert _directives(r)["max-age"] == "10", r.headers


async def test_an_unknown_notice_is_404_whatever_tag_is_sent(client, token):
    r = await client.get("/api/v1/public/notices/00000000-0000-0000-0000-000000000000", headers={"If-None-Match": "*"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")


async def test_the_public_list_answers_304_until_a_notice_on_it_ends(client, token):
    flow = NoticeFlow(client, token, "changning")
    [first, _second], notice = await flow.qualification_notice(2)
    url = "/api/v1/public/notices?programme=changning"
    listed = await client.get(url)
    assert listed.status_code == 200 and notice["id"] in {n["id"] for n in listed.json()["items"]}
    cache = _directives(listed)
    assert "public" in cache and "must-revalidate" in cache and cache["max-age"] == "30", listed.headers
    held = await _revalidate(client, url, listed.headers["etag"])
    assert held.status_code == 304 and held.content == b""

    # an objection changes the notice, not the list; the list's entry counts and statuses stay
    await flow.object(notice["id"], objection(first, person(3)))
    assert (await _revalidate(client, url, listed.headers["etag"])).status_code == 304
    await flow.at(notice["period"]["ends_at"])
    ended = await _revalidate(client, url, listed.headers["etag"])
    assert ended.status_code == 200 and ended.headers["etag"] != listed.headers["etag"]
    assert {n["id"]: n["status"] for n in ended.json()["items"]}[notice["id"]] == "ended"
