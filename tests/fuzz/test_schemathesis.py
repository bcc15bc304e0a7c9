"""Schema-driven fuzzing (issue 13): schemathesis over every operation of ``openapi/openapi.json``.

Each operation gets a bounded number of generated requests (valid ones, and a few that break the
schema on purpose), sent through the real app (ASGI, real PostgreSQL) anonymously and with an
office, an applicant and an admin token in turn. No answer may be a server error, and every answer
must be one the document declares: its status, its media type, its headers and its body schema.

The cases are drawn by Hypothesis derandomised (its seed is the test), so CI sends the same
requests every run. ``QAWARD_FUZZ_EXAMPLES`` sets the valid examples per operation (default 20;
the two tests take about two minutes); ``QAWARD_SKIP_FUZZ=1`` skips it locally. CI runs it.
"""

from __future__ import annotations

import datetime
import os
from collections import Counter
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.intake.registry import changning_draft

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("QAWARD_FUZZ_EXAMPLES", "20"))
NEGATIVE_EXAMPLES = max(EXAMPLES // 4, 1)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

pytestmark = pytest.mark.skipif(os.environ.get("QAWARD_SKIP_FUZZ") == "1", reason="QAWARD_SKIP_FUZZ=1")


def _schema():
    return schemathesis.openapi.from_path(ROOT / "openapi" / "openapi.json")


def _cases(operation, mode: GenerationMode, n: int, **fixed) -> list:
    """``n`` cases of ``operation``, the same ones every run (derandomised, no example database)."""
    drawn: list = []

    @settings(
        max_examples=n,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy(generation_mode=mode, **fixed))
    def draw(case):
        drawn.append(case)

    try:
        draw()
    except Unsatisfiable:  # nothing to make invalid: no parameters, no body
        pass
    return drawn


def _wire(headers: dict) -> dict[str, bytes]:
    """Header values as bytes on the wire: generated text beyond ASCII goes as UTF-8, as a client would send it."""
    return {k: v if isinstance(v, bytes) else str(v).encode("utf-8") for k, v in headers.items()}


def test_the_checks_do_catch_a_server_error_and_an_undeclared_status():
    """The fuzz test below could pass vacuously if its checks caught nothing: they do."""
    case = _schema()["/api/v1/health"]["GET"].Case()
    for status in (500, 418):
        response = httpx.Response(status, json={}, request=httpx.Request("GET", "http://testserver/api/v1/health"))
        response.read()
        response.elapsed = datetime.timedelta(0)
        with pytest.raises(FailureGroup) as caught:
            case.validate_response(response, checks=CHECKS)
        found = {type(e).__name__ for e in caught.value.exceptions}  # a set: no order to rely on
        assert "UndefinedStatusCode" in found and (status != 500 or "ServerError" in found), found


async def _send_and_check(client, case, who: str, headers: dict, statuses: Counter, failures: list[str]) -> None:
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    response = await client.request(
        kwargs["method"],
        kwargs["url"],
        params=kwargs.get("params"),
        headers=_wire(kwargs.get("headers") or {}),
        content=kwargs.get("content") or kwargs.get("data"),
        json=kwargs.get("json"),
    )
    statuses[response.status_code] += 1
    try:
        case.validate_response(response, checks=CHECKS, headers=kwargs.get("headers"))
    except Exception as exc:  # collected: one run names every operation that fails
        failures.append(f"{case.operation.label} as {who} -> {response.status_code}: {str(exc)[:800]}")


async def test_every_operation_fuzzed_without_server_errors_or_schema_violations(client, token):
    principals = {
        "anonymous": {},
        "office": token("office", programme="changning"),
        "applicant": token("applicant", applicant="a-fuzz"),
        "admin": token("admin"),
    }
    names = list(principals)
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    operations = 0
    for result in _schema().get_all_operations():
        operation = result.ok()
        operations += 1
        cases = _cases(operation, GenerationMode.POSITIVE, EXAMPLES) + _cases(
            operation, GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES
        )
        for i, case in enumerate(cases):
            who = names[i % len(names)]
            await _send_and_check(client, case, who, principals[who], statuses, failures)
    sent = sum(statuses.values())
    assert operations >= 60 and sent >= operations * EXAMPLES // 2, (operations, sent)
    # the fuzzing reached past authentication: some answers succeeded, some were judged invalid
    assert statuses[200] > 0 and statuses[422] > 0 and statuses[401] > 0, statuses
    assert not failures, f"{len(failures)} of {sent} answers broke the contract:\n" + "\n".join(failures[:40])


async def test_operations_on_an_existing_round_and_application_fuzzed(client, token):
    """The same checks on a real changning round and draft application: the generated bodies, queries and
    headers reach the handlers' rules (not only the 404 of an unknown id), by the callers who may act."""
    flow, app_id = await changning_draft(client, token)
    round_id = (await client.get(f"/api/v1/applications/{app_id}", headers=flow.headers["office"])).json()["round_id"]
    known = {"application_id": app_id, "round_id": round_id}
    principals = {who: flow.headers[who] for who in ("applicant", "office", "admin")}
    names = list(principals)
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    for result in _schema().get_all_operations():
        operation = result.ok()
        params = {p.name for p in operation.path_parameters}
        if not params or not params <= known.keys():
            continue
        fixed = {name: known[name] for name in params}
        for i, case in enumerate(_cases(operation, GenerationMode.POSITIVE, EXAMPLES // 2, path_parameters=fixed)):
            who = names[i % len(names)]
            await _send_and_check(client, case, who, principals[who], statuses, failures)
    sent = sum(statuses.values())
    assert statuses[200] > 0 and sent > 100, statuses
    assert not failures, f"{len(failures)} of {sent} answers broke the contract:\n" + "\n".join(failures[:40])
