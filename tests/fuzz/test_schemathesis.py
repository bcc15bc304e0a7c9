"""Schema-driven fuzzing (issue 13): schemathesis over every operation of ``openapi/openapi.json``.

Each operation gets a bounded number of generated requests, anonymous and with an office, an applicant
and an admin token, sent through the real app (ASGI, real PostgreSQL). No answer may be a server error
and every answer must match the schema (status declared, body and headers as documented).

Cases are drawn with Hypothesis derandomised (seeded by the test), so CI runs the same requests every
time. ``QAWARD_SKIP_FUZZ=1`` skips it locally; CI runs it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

STATS: dict = {}
ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("QAWARD_FUZZ_EXAMPLES", "6"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

pytestmark = pytest.mark.skipif(os.environ.get("QAWARD_SKIP_FUZZ") == "1", reason="QAWARD_SKIP_FUZZ=1")


def _cases(operation, mode: GenerationMode, n: int) -> list:
    drawn: list = []

    @settings(
        max_examples=n,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy(generation_mode=mode))
    def draw(case):
        drawn.append(case)

    try:
        draw()
    except Unsatisfiable:  # an operation with nothing to make invalid (no parameters, no body)
        pass
    return drawn


async def test_every_operation_fuzzed_without_server_errors_or_schema_violations(client, token):
    schema = schemathesis.openapi.from_path(ROOT / "openapi" / "openapi.json")
    principals = {
        "anonymous": {},
        "office": token("office", programme="changning"),
        "applicant": token("applicant", applicant="a-fuzz"),
        "admin": token("admin"),
    }
    failures: list[str] = []
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        cases = _cases(operation, GenerationMode.POSITIVE, EXAMPLES) + _cases(operation, GenerationMode.NEGATIVE, 2)
        for i, case in enumerate(cases):
            who = list(principals)[i % len(principals)]
            kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=principals[who])
            response = await client.request(
                kwargs["method"],
                kwargs["url"],
                params=kwargs.get("params"),
                headers=kwargs.get("headers"),
                content=kwargs.get("content") or kwargs.get("data"),
                json=kwargs.get("json"),
            )
            sent += 1
            STATS[response.status_code] = STATS.get(response.status_code, 0) + 1
            try:
                case.validate_response(response, checks=CHECKS, headers=kwargs.get("headers"))
            except Exception as exc:  # collected: one run shows every operation that fails
                failures.append(f"{operation.label} as {who} -> {response.status_code}: {str(exc)[:600]}")
    print(sent, sorted(STATS.items()))
    assert sent > 0
    assert not failures, f"{len(failures)} of {sent}:\n" + "\n".join(failures[:40])
