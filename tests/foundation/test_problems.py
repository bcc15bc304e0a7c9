"""Errors are RFC 9457 problem+json with stable types, in Chinese by default and English on request."""

from __future__ import annotations

import httpx
from asgi_lifespan import LifespanManager

PROBLEM = "application/problem+json"


def _is_problem(r: httpx.Response, status: int, slug: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["type"] == f"https://qaward.gov.cn/problems/{slug}"
    assert body["status"] == status and body["title"] and body["detail"]
    return body


async def test_unknown_route_is_problem_404(client):
    body = _is_problem(await client.get("/api/v1/nothing-here"), 404, "not-found")
    assert "不存在" in body["detail"]


async def test_wrong_method_is_problem_405(client):
    _is_problem(await client.delete("/api/v1/health"), 405, "method-not-allowed")


async def test_missing_token_is_problem_401(client):
    r = await client.post("/api/v1/recommending-units", json={})
    body = _is_problem(r, 401, "unauthorized")
    assert r.headers["www-authenticate"] == "Bearer"
    assert "登录" in body["detail"]


async def test_bad_signature_and_expired_tokens_are_401(client, settings, token):
    good = token("office", programme="changning")["Authorization"]
    forged = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    _is_problem(await client.get("/api/v1/recommending-units", headers={"Authorization": forged}), 401, "unauthorized")
    from app.identity import issue_dev_token

    expired = issue_dev_token(settings, sub="x", roles=["office"], ttl_seconds=-10)
    body = _is_problem(
        await client.get(
            "/api/v1/recommending-units", headers={"Authorization": f"Bearer {expired}", "Accept-Language": "en"}
        ),
        401,
        "unauthorized",
    )
    assert "expired" in body["detail"]
    unsigned = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4Iiwicm9sZXMiOlsiYWRtaW4iXX0."
    _is_problem(
        await client.get("/api/v1/recommending-units", headers={"Authorization": f"Bearer {unsigned}"}),
        401,
        "unauthorized",
    )


async def test_token_signed_by_another_key_is_401(client, tmp_path):
    from app.config import Settings
    from app.identity import issue_dev_token

    other = Settings(environment="test", database_url="postgresql://x/y", data_dir=tmp_path)
    t = issue_dev_token(other, sub="intruder", roles=["admin"])
    _is_problem(
        await client.get("/api/v1/recommending-units", headers={"Authorization": f"Bearer {t}"}), 401, "unauthorized"
    )


async def test_valid_token_without_role_is_problem_403(client, token):
    _is_problem(
        await client.get("/api/v1/recommending-units", headers=token("applicant", applicant="a1")), 403, "forbidden"
    )


async def test_invalid_body_is_422_listing_each_field_in_chinese(client, token):
    r = await client.post(
        "/api/v1/recommending-units",
        json={"programme": "changning", "code": "bad code!", "kind": "planet"},
        headers=token("office", programme="changning"),
    )
    body = _is_problem(r, 422, "validation-error")
    fields = {e["field"]: e for e in body["errors"]}
    assert set(fields) == {"code", "kind", "name_zh"}
    assert fields["name_zh"]["message"] == "必填项缺失"
    assert "请求内容有误" in body["detail"]


async def test_accept_language_en_gives_english(client, token):
    r = await client.post(
        "/api/v1/recommending-units",
        json={"programme": "changning"},
        headers={**token("office", programme="changning"), "Accept-Language": "en-US,en;q=0.9,zh;q=0.5"},
    )
    body = _is_problem(r, 422, "validation-error")
    assert body["detail"].startswith("Invalid request")
    assert {e["message"] for e in body["errors"]} == {"Field required"}
    r = await client.get("/api/v1/nope", headers={"Accept-Language": "en"})
    assert r.json()["detail"] == "The requested resource does not exist"


async def test_malformed_json_is_422_not_500(client, token):
    r = await client.post(
        "/api/v1/recommending-units",
        content=b"{not json",
        headers={**token("office", programme="changning"), "Content-Type": "application/json"},
    )
    _is_problem(r, 422, "validation-error")


async def test_unexpected_exception_is_500_problem_without_internals(settings):
    from app.api.v1.routing import v1_router
    from app.main import create_app

    app = create_app(settings, migrate=False)
    boom = v1_router()

    @boom.get("/api/v1/boom")
    async def explode():
        raise RuntimeError("secret table qaward_internal password=hunter2")

    app.include_router(boom)
    async with LifespanManager(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://t"
        ) as c:
            r = await c.get("/api/v1/boom", headers={"X-Request-ID": "trace-me-1"})
    body = _is_problem(r, 500, "internal-error")
    assert "hunter2" not in r.text and "RuntimeError" not in r.text and "Traceback" not in r.text
    assert body["request_id"] == "trace-me-1"


async def test_text_the_database_cannot_store_is_422_naming_the_field_not_500(client, token):
    """A NUL or half a surrogate pair, in a body field, a query parameter or a path parameter: refused up front, field named."""
    h = token("office", programme="changning")
    r = await client.post(
        "/api/v1/recommending-units",
        json={"programme": "changning", "code": "N1", "name_zh": "新泾镇\u0000", "kind": "street"},
        headers=h,
    )
    assert [e["field"] for e in _is_problem(r, 422, "validation-error")["errors"]] == ["name_zh"]
    r = await client.post(
        "/api/v1/recommending-units",
        content='{"programme": "changning", "code": "N1", "name_zh": "新泾\\udc00镇", "kind": "street", "covers": {"streets": ["a", "b\\u0000"]}}'.encode(),
        headers={**h, "Content-Type": "application/json"},
    )
    assert [e["field"] for e in _is_problem(r, 422, "validation-error")["errors"]] == ["name_zh"]
    for url, field in (
        ("/api/v1/rounds?programme=%00", "programme"),
        ("/api/v1/public/notices?programme=a%00b", "programme"),
        ("/api/v1/public/objections/a%00b", "receipt_no"),
        ("/api/v1/recommending-units?programme=%00", "programme"),
        ("/api/v1/applications/a%00b", "application_id"),
    ):
        body = _is_problem(await client.get(url, headers=h), 422, "validation-error")
        assert [e["field"] for e in body["errors"]] == [field], (url, body)
        assert "空字符" in body["errors"][0]["message"]
    # an escaped surrogate *pair* is an ordinary character (𝄞), stored as such
    r = await client.post(
        "/api/v1/recommending-units",
        content='{"programme": "changning", "code": "N2", "name_zh": "新泾\\ud834\\udd1e镇", "kind": "street"}'.encode(),
        headers={**h, "Content-Type": "application/json"},
    )
    assert r.status_code == 201 and r.json()["name_zh"] == "新泾𝄞镇", r.text


async def test_test_clock_refuses_implausible_years(client, token):
    r = await client.put("/api/v1/testing/clock", json={"now": "0001-01-01T00:00:00+08:00"}, headers=token("admin"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "now"


async def test_a_crash_is_logged_once_with_its_request_id_and_no_parameters(settings):
    import logging

    from app.api.v1.routing import v1_router
    from app.main import create_app
    from app.observability import request_id_var

    seen: list[tuple[str, str | None]] = []

    class Capture(logging.Handler):
        def emit(self, record):
            seen.append((record.getMessage(), request_id_var.get()))

    app = create_app(settings, migrate=False)
    boom = v1_router()

    @boom.get("/api/v1/boom2")
    async def explode():
        raise RuntimeError("boom")

    app.include_router(boom)
    capture = Capture()
    logging.getLogger("qaward.errors").addHandler(capture)
    try:
        async with LifespanManager(app):
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app, raise_app_exceptions=True), base_url="http://t"
            ) as c:
                r = await c.get("/api/v1/boom2", headers={"X-Request-ID": "crash-7"})
    finally:
        logging.getLogger("qaward.errors").removeHandler(capture)
    _is_problem(r, 500, "internal-error")
    assert seen == [("unexpected error", "crash-7")]


async def test_signed_token_with_malformed_claims_is_401_not_422_or_500(client, settings):
    """A verified signature does not make the claims well-formed: a numeric scope, objects as roles or an empty subject is a bad token."""
    import time

    import jwt

    from app.identity import dev_private_key

    def signed(**claims) -> dict:
        now = int(time.time())
        base = {
            "iss": settings.jwt_issuer,
            "aud": settings.jwt_audience,
            "sub": "clerk",
            "roles": ["office"],
            "iat": now,
            "exp": now + 600,
        }
        return {
            "Authorization": "Bearer "
            + jwt.encode({**base, **claims}, dev_private_key(settings.data_dir), algorithm="EdDSA")
        }

    for claims in (
        {"programme": 123},
        {"roles": [{"role": "admin"}]},
        {"roles": {"admin": True}},
        {"unit": ["u1"]},
        {"sub": ""},
        {"programme": ""},
    ):
        r = await client.get("/api/v1/recommending-units", headers=signed(**claims))
        body = _is_problem(r, 401, "unauthorized")
        assert "声明" in body["detail"], claims
    # the same shape with well-formed claims still passes
    assert (await client.get("/api/v1/recommending-units", headers=signed(programme="changning"))).status_code == 200


async def test_a_body_nested_too_deeply_to_parse_is_400_with_or_without_an_idempotency_key(client, token):
    deep = b"[" * 100_000 + b"]" * 100_000
    h = {**token("office", programme="changning"), "Content-Type": "application/json"}
    for headers in (h, {**h, "Idempotency-Key": "deep-1"}):
        _is_problem(await client.post("/api/v1/recommending-units", content=deep, headers=headers), 400, "bad-request")


def test_accept_language_honours_q_values_and_regional_variants():
    from starlette.requests import Request

    from app.api.i18n import language

    def lang(header: str) -> str:
        return language(Request({"type": "http", "headers": [(b"accept-language", header.encode())]}))

    cases = {
        "": "zh",
        "en": "en",
        "EN": "en",
        "en-US": "en",
        "en-GB,en;q=0.9": "en",
        "zh-CN": "zh",
        "zh-Hans": "zh",
        "zh-Hans-CN": "zh",
        "zh-CN,zh;q=0.9,en;q=0.8": "zh",
        "en-US,en;q=0.9,zh-CN;q=0.8": "en",
        "fr, en;q=0.5": "en",
        "de": "zh",
        "en;q=0": "zh",  # q=0: not acceptable
        "en;q=0, zh;q=0": "zh",
        "en;q=0.000": "zh",
        "en;Q=0.8, zh;q=0.9": "zh",
        "en;level=1;q=0.2, zh;q=0.5": "zh",  # q after another parameter
        "*;q=0.5, en;q=0.1": "zh",  # any language: the default
        "zh;q=0.5, en;q=0.5": "zh",
        "en;q=0.5, zh;q=0.5": "en",  # a tie: the first listed
        "en;q=abc": "zh",
        "en;q=2": "zh",  # an invalid weight is ignored
        "english": "zh",
        "eng": "zh",  # not the tag en
        "en-US ; q=0.9 , zh-CN ; q=0.8": "en",
    }
    for header, expected in cases.items():
        assert lang(header) == expected, (header, lang(header), expected)


async def test_problems_say_their_language_and_that_it_varies_with_accept_language(client):
    r = await client.get("/api/v1/nothing-here", headers={"Accept-Language": "zh-CN,en;q=0.9"})
    assert "不存在" in r.json()["detail"] and r.headers["content-language"] == "zh-CN"
    assert "accept-language" in r.headers["vary"].lower()
    r = await client.get("/api/v1/nothing-here", headers={"Accept-Language": "en-US,en;q=0.9,zh;q=0.1"})
    assert "does not exist" in r.json()["detail"] and r.headers["content-language"] == "en"
    r = await client.get("/api/v1/nothing-here", headers={"Accept-Language": "en;q=0"})
    assert "不存在" in r.json()["detail"]
