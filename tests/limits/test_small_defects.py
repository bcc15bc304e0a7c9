"""Issue 13's smaller defects, each reproduced first: authentication before the body, a complete
``Allow`` header on 405, a date query that must be a date, a PDF named ``setup.exe``."""

from __future__ import annotations

import uuid

from fastapi.routing import APIRoute

from app.api.deps import permission_of
from app.api.problems import api_routes
from tests.intake.registry import changning_draft
from tests.intake.test_materials import PDF

INVALID_BODIES = [
    {"content": b"{not json", "headers": {"content-type": "application/json"}},
    {"json": {"x": "\u0000"}},
    {"json": [1, 2, 3]},
]


def _concrete(path: str) -> str:
    # a well-formed id for every path parameter: the refusal must not depend on the path either
    return (
        path.replace("{year}", "2026")
        .replace("{date}", "2026-01-01")
        .replace("{code}", "changning")
        .format_map(_AnyId())
    )


class _AnyId(dict):
    def __missing__(self, key: str) -> str:
        return str(uuid.uuid4())


async def test_anonymous_round_action_with_an_invalid_body_is_401(client):
    r = await client.post(
        f"/api/v1/rounds/{uuid.uuid4()}/actions", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 401 and r.json()["type"].endswith("/unauthorized")


async def test_every_route_needing_a_principal_answers_401_before_reading_a_bad_body(app, client):
    """Walks every operation: anonymous, with each kind of invalid body, a signed-in route answers 401."""
    checked = 0
    for (path, method), route in api_routes(app).items():
        permission = permission_of(route)
        if not isinstance(route, APIRoute) or permission is None or permission.public or method == "head":
            continue
        for body in INVALID_BODIES:
            r = await client.request(method.upper(), _concrete(path), **body)
            assert r.status_code == 401, (method, path, body, r.status_code, r.text[:200])
            checked += 1
    assert checked > 100


async def test_wrong_role_is_decided_before_the_body_too(client, token):
    """An applicant creating a round (office only) with an unparsable body: 403, the body never judged."""
    r = await client.post(
        "/api/v1/rounds",
        content=b"{not json",
        headers={"content-type": "application/json", **token("applicant", applicant="a-1")},
    )
    assert r.status_code == 403 and r.json()["type"].endswith("/forbidden")


async def test_405_lists_every_method_of_the_path(app, client):
    by_path: dict[str, set[str]] = {}
    for (path, method), _route in api_routes(app).items():
        by_path.setdefault(path, set()).add(method.upper())
    multi = {p: m for p, m in by_path.items() if len(m - {"HEAD"}) > 1}
    assert multi, "some path has several methods"
    for path, methods in multi.items():
        r = await client.request("TRACE", _concrete(path))
        assert r.status_code == 405, (path, r.status_code)
        allowed = {m.strip() for m in r.headers["allow"].split(",")}
        assert methods <= allowed, (path, methods, allowed)
        assert r.headers["content-type"] == "application/problem+json"


async def test_bans_in_force_on_must_be_a_date(client, token):
    h = token("office", programme="changning")
    for bad in ("0", "1700000000", "2026-13-01", "20260101"):
        r = await client.get(f"/api/v1/bans?in_force_on={bad}", headers=h)
        assert r.status_code == 422, (bad, r.status_code)
        assert r.json()["errors"][0]["field"] == "in_force_on"
    assert (await client.get("/api/v1/bans?in_force_on=2026-01-01", headers=h)).status_code == 200


async def test_a_pdf_uploaded_as_setup_exe_is_stored_and_served_as_pdf(client, token):
    flow, app_id = await changning_draft(client, token)
    url = f"/api/v1/applications/{app_id}/materials?kind=self_evaluation_report&filename=setup.exe"
    r = await client.post(url, content=PDF, headers=flow.headers["applicant"])
    assert r.status_code == 201, r.text
    assert r.json()["filename"] == "setup.pdf"
    got = await client.get(r.headers["location"] + "/content", headers=flow.headers["office"])
    assert got.status_code == 200
    assert "setup.pdf" in got.headers["content-disposition"] and ".exe" not in got.headers["content-disposition"]
