"""Issue 18: one time zone in answers. Every instant a client reads is written `+08:00`
(Asia/Shanghai), the zone of the legal dates; the instant itself is unchanged."""

from __future__ import annotations

import json
import re
from pathlib import Path

from app.api.shanghai_times import in_shanghai
from tests.workflow import test_end_to_end

# an instant written in UTC, or with any offset other than Shanghai's
_NOT_SHANGHAI = re.compile(r'"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-](?!08:00)\d{2}:\d{2})"')


async def test_a_whole_changning_flow_answers_no_utc_instant__changning_21c(client, token):
    """Walk changning's whole pipeline (the end-to-end test, changning-21c and 25c) and read every JSON answer."""
    answers: list[tuple[str, str]] = []

    async def keep(response):
        await response.aread()
        if "json" in response.headers.get("content-type", ""):
            answers.append((f"{response.request.method} {response.request.url.path}", response.text))

    client.event_hooks = {"request": [], "response": [keep]}
    await (
        test_end_to_end.test_changning_draft_to_awarded_with_two_five_working_day_notices__changning_21c__changning_25c(
            client, token
        )
    )
    assert len(answers) > 50
    offending = [(what, m.group(0)) for what, text in answers for m in _NOT_SHANGHAI.finditer(text)]
    assert offending == []
    instants = [m for _, text in answers for m in re.findall(r'"\d{4}-\d{2}-\d{2}T[^"]*\+08:00"', text)]
    assert len(instants) > 50
    # instants kept as text inside a JSON column (the decision's decided_at) are rewritten too
    assert any('"decided_at":"' in text and "+08:00" in text for _, text in answers)


def test_only_whole_instants_are_rewritten_to_the_same_instant_in_shanghai():
    body = json.dumps(
        {
            "at": "2026-12-31T16:00:00Z",
            "micro": "2026-12-31T16:00:00.123456+00:00",
            "other_zone": "2027-01-01T09:00:00+09:00",
            "already": "2027-01-01T00:00:00+08:00",
            "date": "2026-12-31",
            "naive": "2026-12-31T16:00:00",
            "inside": "截至 2026-12-31T16:00:00Z 为止",
            "escaped": '"2026-12-31T16:00:00Z"',
        },
        ensure_ascii=False,
    ).encode()
    out = json.loads(in_shanghai(body))
    assert out["at"] == "2027-01-01T00:00:00+08:00"
    assert out["micro"] == "2027-01-01T00:00:00.123456+08:00"
    assert out["other_zone"] == "2027-01-01T08:00:00+08:00"
    assert out["already"] == "2027-01-01T00:00:00+08:00"
    assert (out["date"], out["naive"], out["inside"], out["escaped"]) == (
        "2026-12-31",
        "2026-12-31T16:00:00",
        "截至 2026-12-31T16:00:00Z 为止",
        '"2026-12-31T16:00:00Z"',
    )


async def test_a_problem_answer_and_its_content_length_follow_the_rewrite(client, token):
    r = await client.put(
        "/api/v1/testing/clock", json={"now": "2026-09-01T01:00:00Z"}, headers=token("admin", sub="admin-1")
    )
    assert r.status_code == 200, r.text
    assert "+00:00" not in r.text and 'Z"' not in r.text
    assert int(r.headers["content-length"]) == len(r.content)


def test_the_openapi_examples_write_instants_in_shanghai_time():
    spec = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
    text = spec.read_text(encoding="utf-8")
    assert _NOT_SHANGHAI.findall(text) == []
    assert '+08:00"' in text
