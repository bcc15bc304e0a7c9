"""The contract as an integrator reads it: invariants of ``app.openapi()`` that must stay true.

Each invariant states what the code does and checks the document says so: errors are
problem+json with the ``Problem`` schema, every operation lists the statuses the foundation can
answer (validation, database, idempotency), bearer-token operations carry the security scheme,
creates document ``Location``, versioned resources document ``ETag``, lists paginate alike,
and every problem ``type`` slug the code can raise is catalogued with one status.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from app.api.problems import PROBLEM_JSON, PROBLEM_TYPES, SENDS_ETAG, api_routes

ROOT = Path(__file__).resolve().parents[2]
PROBLEM_REF = "#/components/schemas/Problem"
WRITES = {"post", "put", "patch", "delete"}
# operations of app/api/v1/applications.py and rounds.py still without a docstring (owned elsewhere): shrink, never grow
UNDESCRIBED: set[str] = set()


@pytest.fixture(scope="module")
def built():
    from app.config import Settings
    from app.main import create_app

    app = create_app(Settings(environment="development", database_url="postgresql://unused/unused"), migrate=False)
    return app, app.openapi()


@pytest.fixture(scope="module")
def doc(built):
    return built[1]


def _operations(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            yield path, method, op


def _route(app, path: str, method: str) -> APIRoute:
    route = api_routes(app).get((path, method))
    assert route is not None, f"no route for {method} {path}"
    return route


def _needs_token(route: APIRoute) -> bool:
    from app.api.deps import get_principal

    def walk(dependant) -> bool:
        for d in dependant.dependencies:
            call = d.call
            if (
                call is get_principal
                or getattr(call, "reads_token", False)
                or getattr(call, "__qualname__", "").startswith("require_roles.")
            ):
                return True
            if walk(d):
                return True
        return False

    return walk(route.dependant)


def test_every_error_response_is_problem_json_with_the_problem_schema(doc):
    for path, method, op in _operations(doc):
        for status, resp in op["responses"].items():
            if int(status) < 400:
                continue
            assert list(resp.get("content", {})) == [PROBLEM_JSON], (method, path, status, resp.get("content"))
            assert resp["content"][PROBLEM_JSON]["schema"] == {"$ref": PROBLEM_REF}, (method, path, status)
    # FastAPI's default 422 body ({"detail": [...]}) is never what the service answers
    assert "HTTPValidationError" not in doc["components"]["schemas"]


def test_every_operation_documents_the_statuses_the_foundation_answers(built):
    app, doc = built
    for path, method, op in _operations(doc):
        route = _route(app, path, method)
        statuses = set(op["responses"])
        expected = set()
        if route.uses_database:  # type: ignore[attr-defined]
            # a lost connection or a failed commit (503); text the database cannot store, in any parameter (422)
            expected |= {"422", "503"}
            if method in WRITES:
                expected.add("409")  # concurrent-update
        if op.get("parameters") or op.get("requestBody"):
            expected.add("422")
        if method == "post":
            expected |= {"400", "409", "422"}  # Idempotency-Key: invalid, in flight, reused
        if "application/json" in op.get("requestBody", {}).get("content", {}):
            expected.add("400")  # a body that cannot be parsed
        if _needs_token(route):
            expected.add("401")
        assert expected <= statuses, (method, path, sorted(expected - statuses))
        for status in ("429", "503"):
            if status in statuses:
                assert "Retry-After" in op["responses"][status].get("headers", {}), (method, path, status)
        if "401" in statuses:
            assert "WWW-Authenticate" in op["responses"]["401"].get("headers", {}), (method, path)


def test_bearer_operations_declare_the_security_scheme_and_public_ones_do_not(built):
    app, doc = built
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearerAuth"]["type"] == "http" and schemes["bearerAuth"]["scheme"] == "bearer"
    for path, method, op in _operations(doc):
        needs = _needs_token(_route(app, path, method))
        assert (op.get("security") == [{"bearerAuth": []}]) is needs, (method, path)
        assert ("401" in op["responses"]) is needs, (method, path, "401 exactly when a token is needed")
        if path.startswith(("/api/v1/public/", "/api/v1/programmes")):
            assert not needs, (method, path)


def test_creates_document_201_with_location_and_versioned_resources_their_etag(doc):
    ids = set()
    for path, method, op in _operations(doc):
        ids.add(op["operationId"])
        for status, resp in op["responses"].items():
            if status == "201":
                assert "Location" in resp.get("headers", {}), (method, path)
            if int(status) < 300 and op["operationId"] in SENDS_ETAG:
                assert "ETag" in resp.get("headers", {}), (method, path)
        if "428" in op["responses"]:
            # an update needing If-Match answers the new ETag, for the next update
            assert op["operationId"] in SENDS_ETAG, op["operationId"]
            assert any(p["name"] == "If-Match" and p["in"] == "header" for p in op["parameters"]), op["operationId"]
        if "412" in op["responses"]:
            assert "428" in op["responses"], (method, path)
    assert ids >= SENDS_ETAG, SENDS_ETAG - ids


def test_every_operation_has_a_stable_id_a_summary_a_description_and_a_tag(doc):
    committed = json.loads((ROOT / "openapi" / "openapi.json").read_text(encoding="utf-8"))
    before = {(p, m): op["operationId"] for p, m, op in _operations(committed)}
    for path, method, op in _operations(doc):
        assert op.get("operationId") and op.get("summary") and op.get("tags"), (method, path)
        assert op.get("description", "").strip() or op["operationId"] in UNDESCRIBED, (method, path, "no description")
        if (path, method) in before:
            assert before[(path, method)] == op["operationId"], (
                "operation ids are part of the contract: never rename one"
            )


def test_every_list_paginates_alike_and_bounds_its_filters(doc):
    pages = 0
    for path, method, op in _operations(doc):
        schema = op["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
        ref = schema.get("$ref", "")
        params = {p["name"]: p for p in op.get("parameters", [])}
        if ref.startswith("#/components/schemas/Page_"):
            pages += 1
            assert set(doc["components"]["schemas"][ref.rsplit("/", 1)[1]]["required"]) == {
                "items",
                "page",
                "size",
                "total",
            }
            assert params["page"]["schema"]["minimum"] == 1
            assert params["size"]["schema"]["minimum"] == 1 and params["size"]["schema"]["maximum"] == 100
        else:
            assert "page" not in params and "size" not in params, (method, path)
        for name, p in params.items():
            if p["in"] != "query":
                continue
            s = p["schema"]
            variants = s.get("anyOf", [s])
            for v in variants:
                if (
                    v.get("type") == "string"
                    and "enum" not in v
                    and v.get("format") not in {"uuid", "date", "date-time"}
                ):
                    assert "maxLength" in v, (method, path, name, "an unbounded string filter")
    assert pages >= 10


# ---- problem types ----------------------------------------------------------------------------


def _raised_slugs() -> dict[str, set[int]]:
    """Every ``DomainError(slug, status, ...)`` in the code, read from the source."""
    found: dict[str, set[int]] = {}
    for f in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name != "DomainError":
                continue
            kw = {k.arg: k.value for k in node.keywords}
            slug = node.args[0] if node.args else kw.get("slug")
            status = node.args[1] if len(node.args) > 1 else kw.get("status")
            if isinstance(slug, ast.Constant):
                assert isinstance(status, ast.Constant), f"{f}:{node.lineno}"
                found.setdefault(slug.value, set()).add(status.value)
    for f in (ROOT / "app" / "api" / "problems.py",):
        for slug in re.findall(r'PROBLEM_BASE \+ "([a-z-]+)"', f.read_text(encoding="utf-8")):
            found.setdefault(slug, set())
    return found


def test_every_problem_type_the_code_raises_is_catalogued_with_one_status():
    raised = _raised_slugs()
    assert len(raised) > 30
    assert set(raised) <= set(PROBLEM_TYPES), sorted(set(raised) - set(PROBLEM_TYPES))
    for slug, statuses in raised.items():
        assert statuses <= {PROBLEM_TYPES[slug][0]}, (slug, statuses, "one slug, one meaning, one status")


def test_the_catalogue_is_in_the_contract(doc):
    text = doc["info"]["description"]
    for slug, (status, _) in PROBLEM_TYPES.items():
        assert f"| `{slug}` | {status or 'any'} |" in text, slug
    assert "problems/" in doc["components"]["schemas"]["Problem"]["properties"]["type"]["description"]


# ---- the document against the answers ----------------------------------------------------------


async def test_documented_headers_and_problem_statuses_are_what_the_answers_carry(client, token, app):
    doc = app.openapi()
    h = token("office", programme="changning")

    def documented(path: str, method: str, status: int) -> dict:
        return doc["paths"][path][method]["responses"][str(status)]

    body = {"programme": "changning", "code": "XJH", "name_zh": "新泾镇", "kind": "street", "covers": ["xinjing"]}
    created = await client.post("/api/v1/recommending-units", json=body, headers=h)
    assert created.status_code == 201
    for name in documented("/api/v1/recommending-units", "post", 201)["headers"]:
        assert name.lower() in created.headers, name
    got = await client.get(created.headers["location"], headers=h)
    for name in documented("/api/v1/recommending-units/{unit_id}", "get", 200)["headers"]:
        assert name.lower() in got.headers, name
    missing = await client.patch(created.headers["location"], json={"name_zh": "新泾"}, headers=h)
    assert missing.status_code == 428 and missing.headers["content-type"].startswith(PROBLEM_JSON)
    assert "428" in doc["paths"]["/api/v1/recommending-units/{unit_id}"]["patch"]["responses"]
    bad_key = await client.post("/api/v1/recommending-units", json=body, headers={**h, "Idempotency-Key": "x" * 300})
    assert bad_key.status_code == 400 and "400" in doc["paths"]["/api/v1/recommending-units"]["post"]["responses"]
    anonymous = await client.get("/api/v1/recommending-units")
    assert anonymous.status_code == 401 and "www-authenticate" in anonymous.headers
    assert doc["paths"]["/api/v1/recommending-units"]["get"]["security"] == [{"bearerAuth": []}]
