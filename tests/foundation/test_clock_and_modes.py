"""The test clock, production mode, and development tokens."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from pydantic import ValidationError

from app.config import Settings


async def test_admin_sets_reads_and_resets_the_test_clock(client, token):
    admin = token("admin")
    r = await client.put("/api/v1/testing/clock", json={"now": "2026-09-29T09:00:00+08:00"}, headers=admin)
    assert r.status_code == 200 and r.json()["frozen"] is True
    got = (await client.get("/api/v1/testing/clock")).json()
    assert got["now"].startswith("2026-09-29T09:00:00") and got["now"].endswith("+08:00")
    r = await client.delete("/api/v1/testing/clock", headers=admin)
    assert r.json()["frozen"] is False


async def test_only_admin_moves_the_clock_and_naive_times_are_refused(client, token):
    r = await client.put(
        "/api/v1/testing/clock",
        json={"now": "2026-09-29T09:00:00+08:00"},
        headers=token("office", programme="changning"),
    )
    assert r.status_code == 403
    r = await client.put("/api/v1/testing/clock", json={"now": "2026-09-29T09:00:00"}, headers=token("admin"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "now"


async def test_test_clock_routes_do_not_exist_in_production(tmp_path):
    from app.main import create_app

    prod = Settings(
        environment="production",
        database_url="postgresql://db/qaward",
        jwks_url="https://idp.example/jwks",
        jwt_issuer="https://idp.example",
        personal_data_key="k" * 40,
        data_dir=tmp_path,
    )
    app = create_app(prod, migrate=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        for method in ("GET", "PUT", "DELETE"):
            r = await c.request(method, "/api/v1/testing/clock", json={"now": "2026-09-29T09:00:00+08:00"})
            assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")


def test_production_refuses_development_secrets():
    with pytest.raises(ValidationError, match="QAWARD_JWKS_URL"):
        Settings(environment="production", database_url="postgresql://db/qaward")
    with pytest.raises(ValidationError, match="QAWARD_DATABASE_URL"):
        Settings(environment="production", jwks_url="https://idp/jwks", jwt_issuer="https://idp")


@pytest.mark.no_database
def test_token_command_prints_a_valid_token_on_its_last_line(tmp_path, settings):
    out = subprocess.run(
        [sys.executable, "-m", "app.cli", "token", "--role", "office", "--programme", "changning", "--sub", "clerk-1"],
        capture_output=True,
        text=True,
        check=True,
        env={"QAWARD_DATA_DIR": str(settings.data_dir), "PATH": "/usr/bin:/bin"},
    )
    tok = out.stdout.strip().splitlines()[-1]
    from app.identity import TokenVerifier

    p = TokenVerifier(settings).verify("Bearer " + tok)
    assert p.sub == "clerk-1" and p.roles == {"office"} and p.programme == "changning"
