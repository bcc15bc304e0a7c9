"""Keyset cursor pages on the seeded data set (issue 21): every row once, as the numbered pages give them.

A page by ``cursor`` starts after the last row of the page before (its sort value and id), so
following ``next_cursor`` walks the whole list in the order of the numbered pages, whatever
the sort, nulls included; ``total`` is not counted on it. A cursor of another list or sort is a
422 naming ``cursor``; the count stops at the cap and says so.
"""

from __future__ import annotations

import pytest

from app.db.repositories import keyset

APPS = "/api/v1/applications"


@pytest.fixture
def office(token):
    return token("office", programme="changning", sub="clerk-1")


@pytest.fixture
def a_round(seeded_db) -> str:
    with seeded_db.cursor() as cur:
        cur.execute(
            "SELECT round_id FROM applications WHERE programme = 'changning'"
            " GROUP BY round_id ORDER BY count(*) DESC LIMIT 1"
        )
        return str(cur.fetchone()[0])


async def walk(client, path, query, headers, size=37) -> tuple[list[dict], int]:
    items, pages, cursor = [], 0, None
    while True:
        params = {**query, "size": size} | ({"cursor": cursor} if cursor else {})
        r = await client.get(path, params=params, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        if cursor:
            assert body["total"] is None
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return items, pages


async def numbered(client, path, query, headers, size=37) -> list[dict]:
    items, page = [], 1
    while True:
        r = await client.get(path, params={**query, "size": size, "page": page}, headers=headers)
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        if len(r.json()["items"]) < size:
            return items
        page += 1


@pytest.mark.parametrize("sort", ["created_at", "-created_at", "-updated_at", "state", "-state", "score", "-score"])
async def test_following_next_cursor_gives_every_application_once_in_the_numbered_pages_order(
    seeded_client, office, a_round, sort
):
    query = {"round_id": a_round, "sort": sort}
    by_cursor, pages = await walk(seeded_client, APPS, query, office)
    by_number = await numbered(seeded_client, APPS, query, office)
    ids = [a["id"] for a in by_cursor]
    assert len(ids) == len(set(ids)) > 37
    assert pages > 1
    assert ids == [a["id"] for a in by_number]
    first = (await seeded_client.get(APPS, params=query, headers=office)).json()
    assert first["total"] == len(ids) and first["total_capped"] is False


async def test_a_cursor_follows_filters_and_name_search(seeded_client, office, seeded_db):
    with seeded_db.cursor() as cur:
        cur.execute("SELECT applicant_name FROM applications WHERE programme = 'changning' LIMIT 1")
        fragment = cur.fetchone()[0][:2]
        cur.execute(
            "SELECT count(*) FROM applications WHERE programme = 'changning' AND state = 'not_shortlisted'"
            " AND applicant_name ILIKE %s",
            (f"%{fragment}%",),
        )
        expected = cur.fetchone()[0]
    items, _ = await walk(seeded_client, APPS, {"state": "not_shortlisted", "name": fragment}, office, size=10)
    assert expected > 20
    assert len(items) == expected == len({a["id"] for a in items})
    assert all(fragment in a["applicant"]["name"] for a in items)


async def test_history_by_cursor_is_the_whole_chain_in_order(seeded_client, office, seeded_db):
    with seeded_db.cursor() as cur:
        cur.execute(
            "SELECT id, history_seq FROM applications WHERE programme = 'changning' ORDER BY history_seq DESC LIMIT 1"
        )
        app_id, seq = cur.fetchone()
    items, pages = await walk(seeded_client, f"{APPS}/{app_id}/history", {}, office, size=3)
    assert [e["seq"] for e in items] == list(range(1, seq + 1))
    assert pages == -(-seq // 3)


async def test_notices_and_objections_by_cursor(seeded_client, token):
    admin = token("admin", sub="admin-1")
    notices, _ = await walk(seeded_client, "/api/v1/notices", {}, admin, size=7)
    published = [n["published_on"] for n in notices]
    assert len(notices) == len({n["id"] for n in notices}) > 7
    assert published == sorted(published, reverse=True)
    objections, _ = await walk(seeded_client, "/api/v1/objections", {"programme": "changning"}, admin, size=50)
    assert len(objections) == len({o["id"] for o in objections}) > 50
    received = [o["received_at"] for o in objections]
    assert received == sorted(received)


@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64!",  # refused by the parameter's pattern
        "bm90IGpzb24",  # base64 of "not json"
        keyset.encode("updated_at", "2026-01-01T00:00:00+00:00", "00000000-0000-4000-8000-000000000000"),
        keyset.encode("created_at", "yesterday", "00000000-0000-4000-8000-000000000000"),
        keyset.encode("created_at", "2026-01-01T00:00:00+00:00", "not-a-uuid"),
    ],
)
async def test_a_cursor_the_list_did_not_make_is_422_naming_cursor(seeded_client, office, cursor):
    r = await seeded_client.get(APPS, params={"cursor": cursor}, headers={**office, "Accept-Language": "en"})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["type"] == "https://qaward.gov.cn/problems/validation-error"
    assert [e["field"] for e in body["errors"]] == ["cursor"]
    zh = await seeded_client.get(APPS, params={"cursor": cursor}, headers=office)
    assert zh.status_code == 422 and "cursor" in zh.json()["detail"]


async def test_the_count_stops_at_the_cap_and_says_so(seeded_client, token, monkeypatch):
    admin = token("admin", sub="admin-1")
    monkeypatch.setattr(keyset, "COUNT_CAP", 500)
    body = (await seeded_client.get(APPS, headers=admin)).json()
    assert body["total"] == 500 and body["total_capped"] is True
    assert body["next_cursor"] is not None
    body = (await seeded_client.get(APPS, params={"programme": "hangzhou", "state": "revoked"}, headers=admin)).json()
    assert body["total_capped"] is False and body["total"] == len(body["items"]) < 500
