"""The anonymous public surface: open calls, caching of public answers, the size of an objection's request."""

from __future__ import annotations

import base64

from app.domain.files.policy import OBJECTION_EVIDENCE
from tests.notices.driver import NoticeFlow, objection, person

# --- open calls (申报通知) ----------------------------------------------------------------------


async def test_public_calls_list_a_call_only_until_it_closes_with_its_deadline_in_shanghai_time__changning_19a(
    client, token
):
    flow = NoticeFlow(client, token, "changning")
    rnd = await flow.start()  # open 2026-09-01 00:00 to 2026-09-21 00:00 (Shanghai)
    [call] = [c for c in (await client.get("/api/v1/public/calls")).json() if c["round_id"] == rnd["id"]]
    assert call["opens_at"] == "2026-09-01T00:00:00+08:00" and call["closes_at"] == "2026-09-21T00:00:00+08:00"
    # past its deadline the call is no longer open, even before the worker has closed the round
    await flow.at("2026-09-21T00:00:00+08:00")
    assert [c for c in (await client.get("/api/v1/public/calls")).json() if c["round_id"] == rnd["id"]] == []


# --- caching --------------------------------------------------------------------------------


async def test_public_answers_are_revalidated_and_a_notice_is_kept_by_a_shared_cache_only_briefly(client, token):
    """Issue 21 changed the notice's caching: 公示 is published to all, so a portal's CDN may keep it (and the list)
    for a short max-age, then must revalidate (tests/notices/test_public_caching.py)."""
    flow = NoticeFlow(client, token, "changning")
    _ids, notice = await flow.qualification_notice()
    r = await client.get("/api/v1/public/calls")
    assert r.status_code == 200 and "no-cache" in r.headers.get("cache-control", ""), r.headers
    for url in ("/api/v1/public/notices", f"/api/v1/public/notices/{notice['id']}"):
        r = await client.get(url)
        directives = {d.strip() for d in r.headers.get("cache-control", "").split(",")}
        assert r.status_code == 200 and {"public", "must-revalidate", "max-age=30"} <= directives, (url, r.headers)


# --- the size of an objection's request ------------------------------------------------------


async def test_an_objection_request_larger_than_its_files_can_be_is_refused_before_it_is_read(client, token):
    flow = NoticeFlow(client, token, "changning")
    ids, notice = await flow.qualification_notice()
    url = f"/api/v1/public/notices/{notice['id']}/objections"
    # ten files of 9 MB each: 120 MB of JSON, far above the 20 MB the files may total
    big = base64.b64encode(b"%PDF-1.4\n" + b"0" * (9 * 1024 * 1024)).decode()
    body = objection(ids[0], person(1), evidence=[{"filename": f"{i}.pdf", "content_base64": big} for i in range(10)])
    r = await flow.object(notice["id"], body)
    assert r.status_code == 413 and r.json()["type"].endswith("/file-too-large"), r.text[:300]
    assert r.headers["content-type"].startswith("application/problem+json")

    # a body sent without Content-Length (chunked) is cut off at the same limit
    async def chunks():
        yield b'{"facts": "'
        for _ in range(40):
            yield b"A" * (1024 * 1024)
        yield b'"}'

    r = await client.post(
        url, content=chunks(), headers={"Content-Type": "application/json", "Idempotency-Key": "big-1"}
    )
    assert r.status_code == 413 and r.json()["type"].endswith("/file-too-large"), r.text[:300]
    # a request within the limit is heard as before
    ok = await flow.object(notice["id"], objection(ids[0], person(2)))
    assert ok.status_code == 201, ok.text
    assert OBJECTION_EVIDENCE.max_total_bytes == 20 * 1024 * 1024


async def test_a_replayed_receipt_carries_its_secret_and_is_no_more_cacheable_than_the_first_answer(client, token):
    flow = NoticeFlow(client, token, "changning")
    ids, notice = await flow.qualification_notice()
    first = await flow.object(notice["id"], objection(ids[0], person(1)), {"Idempotency-Key": "receipt-1"})
    replay = await flow.object(notice["id"], objection(ids[0], person(1)), {"Idempotency-Key": "receipt-1"})
    assert first.status_code == replay.status_code == 201 and replay.headers.get("idempotent-replayed") == "true"
    assert replay.json()["secret"] == first.json()["secret"]
    assert first.headers["cache-control"] == "no-store" and replay.headers.get("cache-control") == "no-store", (
        replay.headers
    )


async def test_an_objection_with_a_garbled_content_length_is_400_naming_the_header_not_a_500(client, token):
    flow = NoticeFlow(client, token, "changning")
    _ids, notice = await flow.qualification_notice()
    url = f"/api/v1/public/notices/{notice['id']}/objections"
    for length in (b"abc", b"-5", "²".encode("latin-1")):  # ² is a digit to str.isdigit(), not to int()
        r = await client.post(
            url, content=b"{}", headers={"Content-Type": "application/json", "Content-Length": length}
        )
        assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json"), (
            length,
            r.text,
        )
        assert [e["field"] for e in r.json()["errors"]] == ["Content-Length"]
