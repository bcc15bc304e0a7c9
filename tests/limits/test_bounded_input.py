"""Bounded input (issue 13): no body, header, nesting or number can exhaust the service.

Each defect reproduced first: a 100 MB form accepted and echoed, a database "too large" error
answered 500, a 10 MB header accepted, a notice length of 10^4000 accepted until publication.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from app.api.body_limit import DEFAULT_JSON_BODY_BYTES, MAX_HEADER_BYTES, MAX_JSON_DEPTH
from tests.intake.registry import changning_draft
from tests.workflow.flow import Flow

MB = 1024 * 1024


def _round_body(**extra) -> dict:
    return {
        "programme": "changning",
        "label": "2026",
        "call": {
            "title": "2026年度申报通知",
            "published_on": "2026-09-01",
            "opens_at": "2026-09-01T00:00:00+08:00",
            "closes_at": "2026-09-21T00:00:00+08:00",
        },
        **extra,
    }


async def test_a_form_over_the_operation_limit_is_413_and_never_echoed(client, token):
    flow, app_id = await changning_draft(client, token)
    big = {"fields": {"说明": "质" * (DEFAULT_JSON_BODY_BYTES // 2)}}
    r = await client.put(
        f"/api/v1/applications/{app_id}/form", json=big, headers={**flow.headers["applicant"], "If-Match": '"v0"'}
    )
    assert r.status_code == 413, r.text[:300]
    body = r.json()
    assert body["type"].endswith("/request-too-large") and body["max_bytes"] == DEFAULT_JSON_BODY_BYTES
    assert body["errors"][0]["field"] == "body" and len(r.content) < 4096


async def test_a_streamed_body_without_length_is_cut_at_the_limit_not_read_whole(client, token):
    """100 MB offered chunk by chunk (no Content-Length): refused once past the limit, the rest never pulled."""
    flow, app_id = await changning_draft(client, token)
    pulled = 0

    async def hundred_megabytes():
        nonlocal pulled
        yield b'{"fields": {"x": "'
        for _ in range(100):
            pulled += 1
            yield b"a" * MB
        yield b'"}}'

    r = await client.put(
        f"/api/v1/applications/{app_id}/form",
        content=hundred_megabytes(),
        headers={**flow.headers["applicant"], "If-Match": '"v0"', "content-type": "application/json"},
    )
    assert r.status_code == 413 and r.json()["type"].endswith("/request-too-large")
    assert pulled <= DEFAULT_JSON_BODY_BYTES // MB + 2


async def test_every_operation_declares_its_body_limit_and_the_413(app):
    doc = app.openapi()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            limit = op.get("x-max-body-bytes")
            assert isinstance(limit, int) and limit >= 0, (method, path)
            assert "413" in op["responses"], (method, path)
            assert limit > 0, (method, path)
    assert doc["paths"]["/api/v1/applications/{application_id}/form"]["put"]["x-max-body-bytes"] == (
        DEFAULT_JSON_BODY_BYTES
    )


async def test_a_body_on_an_operation_that_takes_none_is_bounded_too(client, token):
    r = await client.request(
        "GET", "/api/v1/rounds", content=b"x" * (2 * MB), headers={**token("office", programme="changning")}
    )
    assert r.status_code == 413 and r.json()["max_bytes"] == DEFAULT_JSON_BODY_BYTES


async def test_json_nested_beyond_the_depth_is_400_naming_the_body(client, token):
    deep = "[" * 5000 + "]" * 5000
    r = await client.post(
        "/api/v1/rounds",
        content=json.dumps(_round_body(overrides=[{"path": "x", "value": "__DEEP__", "reason": "r"}])).replace(
            '"__DEEP__"', deep
        ),
        headers={**token("office", programme="changning"), "content-type": "application/json"},
    )
    assert r.status_code == 400 and r.json()["type"].endswith("/bad-request"), r.text[:300]
    assert r.json()["errors"][0] == {
        "field": "body",
        "code": "json_too_deep",
        "message": f"JSON 嵌套不得超过 {MAX_JSON_DEPTH} 层",
    }
    shallow = "[" * (MAX_JSON_DEPTH - 5) + "]" * (MAX_JSON_DEPTH - 5)
    r = await client.post(
        "/api/v1/rounds",
        content=json.dumps(_round_body(overrides=[{"path": "x", "value": "__D__", "reason": "r"}])).replace(
            '"__D__"', shallow
        ),
        headers={**token("office", programme="changning"), "content-type": "application/json"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] != "json_too_deep"


async def test_a_ten_megabyte_header_is_431(client):
    r = await client.get("/api/v1/health", headers={"X-Pad": "a" * (10 * MB)})
    assert r.status_code == 431 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"].endswith("/headers-too-large") and r.json()["max_bytes"] == MAX_HEADER_BYTES
    many = {f"x-h{i}": "b" * 1000 for i in range(MAX_HEADER_BYTES // 1000 + 1)}
    assert (await client.get("/api/v1/health", headers=many)).status_code == 431
    assert (await client.get("/api/v1/health", headers={"X-Pad": "a" * 4000})).status_code == 200


def test_serve_bounds_headers_at_the_server_too():
    from app.cli import server_limits

    assert server_limits()["h11_max_incomplete_event_size"] == MAX_HEADER_BYTES


@contextmanager
def _insert_fails(sync_db, table: str, sqlstate: str) -> Iterator[None]:
    with sync_db.cursor() as cur:
        cur.execute(
            "CREATE FUNCTION test_too_large() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION 'too large' USING ERRCODE = '{sqlstate}'; END $$"
        )
        cur.execute(
            f"CREATE TRIGGER test_too_large BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION test_too_large()"
        )
    try:
        yield
    finally:
        with sync_db.cursor() as cur:
            cur.execute(f"DROP TRIGGER test_too_large ON {table}")
            cur.execute("DROP FUNCTION test_too_large()")


@pytest.mark.parametrize(
    ("sqlstate", "status", "slug"),
    [
        ("54000", 413, "value-too-large"),  # program_limit_exceeded (a JSONB or an index row too large)
        ("54001", 413, "value-too-large"),  # statement_too_complex
        ("54011", 413, "value-too-large"),  # too_many_columns
        ("22001", 422, "invalid-value"),  # string_data_right_truncation
        ("22003", 422, "invalid-value"),  # numeric_value_out_of_range
    ],
)
async def test_database_too_large_errors_are_refusals_not_500(client, token, sync_db, sqlstate, status, slug):
    flow = Flow(client, token, "changning")
    await flow.at("2026-09-01T09:00:00+08:00")
    with _insert_fails(sync_db, "rounds", sqlstate):
        r = await client.post("/api/v1/rounds", json=_round_body(), headers=flow.headers["office"])
    assert r.status_code == status and r.json()["type"].endswith("/" + slug), r.text


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("notices.qualification.length", "10" + "0" * 3999),
        ("notices.qualification.length", "1e4000"),
        ("notices.qualification.length", "367"),
        ("notices.qualification.verification.length", "100000"),
        ("quotas.gold_total.max", "1" + "0" * 30),
        ("cycle.interval_years", "1000000"),
    ],
)
async def test_override_numbers_are_bounded_by_the_programme_422_naming_the_field(client, token, path, value):
    flow = Flow(client, token, "changning")
    await flow.at("2026-09-01T09:00:00+08:00")
    raw = json.dumps(_round_body(overrides=[{"path": path, "value": "__V__", "reason": "区政府批准"}]))
    r = await client.post(
        "/api/v1/rounds",
        content=raw.replace('"__V__"', value),
        headers={**flow.headers["office"], "content-type": "application/json"},
    )
    assert r.status_code == 422, r.text[:300]
    assert r.json()["errors"][0]["field"] == "overrides[0].value", r.text[:300]


def test_a_ten_megabyte_header_is_431_from_a_real_server_too(live_server):
    import httpx

    r = httpx.get(live_server + "/api/v1/health", headers={"X-Pad": "a" * (10 * MB)}, timeout=30)
    assert r.status_code == 431
