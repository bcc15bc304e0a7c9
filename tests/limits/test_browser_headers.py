"""Headers for browsers and proxies (issue 13): nosniff, no referrer, no framing, a CSP the docs page
works under, and CORS only for a configured allow-list (off by default)."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
from asgi_lifespan import LifespanManager

from app.main import create_app

SECURITY = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def _secure(r: httpx.Response) -> None:
    for name, value in SECURITY.items():
        assert r.headers.get(name) == value, (r.request.url, name, r.headers.get(name))
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"], r.request.url


async def test_every_kind_of_answer_carries_the_security_headers(client, token):
    answers = [
        await client.get("/api/v1/health"),
        await client.get("/api/v1/programmes"),
        await client.get("/api/v1/rounds"),  # 401 problem
        await client.get("/api/v1/no-such-thing"),  # 404 from the router
        await client.request("TRACE", "/api/v1/programmes"),  # 405
        await client.get("/api/v1/health", headers={"X-Pad": "a" * 100_000}),  # 431 from a middleware
        await client.get("/api/v1/openapi.json"),
        await client.get("/docs"),
        await client.get("/docs/static/swagger-ui-bundle.js"),
    ]
    for r in answers:
        _secure(r)
    assert answers[1].headers["content-security-policy"].startswith("default-src 'none'")


async def test_the_docs_page_csp_allows_its_own_script_and_assets_only(client):
    page = await client.get("/docs")
    assert page.status_code == 200
    csp = dict(part.strip().split(" ", 1) for part in page.headers["content-security-policy"].split(";"))
    inline = re.findall(rb"<script>(.*?)</script>", page.content, re.S)
    assert len(inline) == 1
    digest = "'sha256-" + base64.b64encode(hashlib.sha256(inline[0]).digest()).decode() + "'"
    assert csp["script-src"].split() == ["'self'", digest]  # no 'unsafe-inline', no CDN
    assert csp["connect-src"] == "'self'" and csp["default-src"] == "'none'"
    # every asset the page names is served by the app itself, under 'self'
    for asset in re.findall(rb'(?:src|href)="(/[^"]+)"', page.content):
        got = await client.get(asset.decode())
        assert got.status_code == 200, asset
    spec = await client.get("/api/v1/openapi.json")
    assert spec.status_code == 200 and spec.json()["info"]["title"] == "qaward"


async def test_cors_is_off_by_default(client):
    r = await client.options(
        "/api/v1/programmes",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in r.headers
    r = await client.get("/api/v1/programmes", headers={"Origin": "https://evil.example"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


async def test_cors_answers_the_configured_origins_only(settings):
    app = create_app(
        settings.model_copy(update={"cors_origins": "https://portal.example.gov.cn, https://b.example/"}), migrate=False
    )
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            pre = await c.options(
                "/api/v1/rounds",
                headers={
                    "Origin": "https://portal.example.gov.cn",
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
                },
            )
            assert (
                pre.status_code == 200 and pre.headers["access-control-allow-origin"] == "https://portal.example.gov.cn"
            )
            assert "idempotency-key" in pre.headers["access-control-allow-headers"].lower()
            got = await c.get("/api/v1/programmes", headers={"Origin": "https://b.example"})
            assert got.headers["access-control-allow-origin"] == "https://b.example"
            assert "etag" in got.headers["access-control-expose-headers"].lower()
            _secure(got)
            other = await c.options(
                "/api/v1/rounds", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
            )
            assert other.status_code == 400 and "access-control-allow-origin" not in other.headers
