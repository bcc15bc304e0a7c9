"""Acceptance (issue 13): 10,000 fuzzed event attempts through the real app, then ``qaward audit
verify`` passes: whatever the data (huge and tiny numbers, exponents, -0, NaN words and literals,
duplicate keys, any Unicode, nesting), the history records what it stores and verifies it."""

from __future__ import annotations

import asyncio
import json
import os
import random
import time

import httpx

from app.workflow.commands import audit_verify
from tests.audit.driver import draft_application

ATTEMPTS = int(os.environ.get("FUZZ_ATTEMPTS", 10_000))
CHAINS = 20
EVENTS = ["no-such-event", "submit", "recommend", "select", "withdraw", "", "提交", "x" * 41, "NaN"]
NUMBERS = [
    "1e16",
    "-0.0",
    "-0",
    "1E400",
    "-1e400",
    "5e-324",
    "2.50",
    "0.1",
    "1e-7",
    "9007199254740993",
    "-9007199254740992",
    "123456789012345678901234567890",
    "1.5e300",
    "1.0",
    "0",
    "3.141592653589793",
]
TEXT = [
    "",
    "中文",
    "NaN",
    "Infinity",
    "-0",
    "1e16",
    "\u2028",
    "\u00e9",
    "e\u0301",
    "😀",
    "\uff21",
    '\t\n"\\',
    "\u202e",
    "\x7f",
    "a" * 300,
]
UNSTORABLE = ["\u0000", "\ud800"]  # refused before any work: rare, or few attempts would reach the history


def _number(rnd: random.Random) -> str:
    kind = rnd.randrange(5)
    if kind == 0:
        return rnd.choice(NUMBERS)
    if kind == 1:
        return str(rnd.randint(-(10 ** rnd.randint(1, 40)), 10 ** rnd.randint(1, 40)))
    if kind == 2:
        return repr(rnd.uniform(-1e6, 1e6))
    if kind == 3:
        return f"{rnd.choice(['', '-'])}{rnd.randint(1, 9)}.{rnd.randint(0, 999)}e{rnd.randint(-330, 330)}"
    return rnd.choice(["NaN", "Infinity", "-Infinity"])


def _string(rnd: random.Random) -> str:
    if rnd.random() < 0.002:
        s = rnd.choice(UNSTORABLE)
    elif rnd.random() < 0.5:
        s = rnd.choice(TEXT)
    else:
        s = "".join(
            chr(rnd.choice([rnd.randint(0x20, 0x7E), rnd.randint(0xA0, 0xD7FF), rnd.randint(0xE000, 0x10FFFF)]))
            for _ in range(rnd.randint(0, 12))
        )
    # half a surrogate can only travel escaped
    return json.dumps(s, ensure_ascii="\ud800" in s or rnd.random() < 0.5)


def _value(rnd: random.Random, depth: int) -> str:
    kind = rnd.randrange(7 if depth < 4 else 4)
    if kind == 0:
        return _number(rnd)
    if kind == 1:
        return _string(rnd)
    if kind == 2:
        return rnd.choice(["true", "false", "null"])
    if kind == 3:
        return _number(rnd) if rnd.random() < 0.5 else _string(rnd)
    if kind == 4:
        return "[" + ",".join(_value(rnd, depth + 1) for _ in range(rnd.randint(0, 4))) + "]"
    return _object(rnd, depth + 1)


def _object(rnd: random.Random, depth: int) -> str:
    keys = [_string(rnd) for _ in range(rnd.randint(0, 5))]
    if keys and rnd.random() < 0.2:
        keys.append(keys[0])  # a duplicate key: the last one is kept
    return "{" + ",".join(f"{k}:{_value(rnd, depth)}" for k in keys) + "}"


def _body(rnd: random.Random) -> str:
    parts = [f'"event":{json.dumps(rnd.choice(EVENTS))}', f'"data":{_object(rnd, 0)}']
    if rnd.random() < 0.3:
        parts.append(f'"reason":{_string(rnd)}')
    return "{" + ",".join(parts) + "}"


async def test_ten_thousand_fuzzed_attempts_then_verify_passes(client, token, app, sync_db, capsys):
    """CHAINS clients at once, each firing at its own application (through the app in-process: over
    uvicorn the client's own HTTP costs more CPU than it saves on two cores)."""
    flows = [await draft_application(client, token, f"fuzz-{i}") for i in range(CHAINS)]
    statuses: dict[int, int] = {}
    started = time.monotonic()

    async def attempts(http: httpx.AsyncClient, i: int) -> None:
        flow, a = flows[i]
        rnd = random.Random(1300 + i)
        headers = flow.headers["applicant"]
        etag = (await http.get(f"/api/v1/applications/{a}", headers=headers)).headers["etag"]
        for _ in range(ATTEMPTS // CHAINS):
            r = await http.post(
                f"/api/v1/applications/{a}/events",
                content=_body(rnd).encode(),
                headers={**headers, "If-Match": etag, "Content-Type": "application/json"},
            )
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            if r.status_code == 200:
                etag = r.headers["etag"]
            assert r.status_code < 500, r.text

    await asyncio.gather(*(attempts(client, i) for i in range(CHAINS)))
    elapsed = time.monotonic() - started
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*), count(*) FILTER (WHERE hash_scheme = 2) FROM application_events")
        entries, scheme_2 = cur.fetchone()
    assert sum(statuses.values()) == ATTEMPTS
    # most attempts reach the history (the rest are refused before any work: a NUL, half a surrogate)
    assert entries == scheme_2 and entries > ATTEMPTS * 0.6, (
        entries,
        statuses,
    )
    capsys.readouterr()
    assert await audit_verify(app.state.db) == 0, capsys.readouterr().err
    assert f"ok: {CHAINS} application histories verified ({entries} entries)" in capsys.readouterr().out
    print(f"{ATTEMPTS} attempts in {elapsed:.1f} s: {sorted(statuses.items())}")


async def test_half_a_surrogate_in_a_data_key_is_a_422_naming_it_escaped(client, token):
    """Found by the fuzzing above: the refusal named the key as it was, and rendering it failed (500)."""
    flow, a = await draft_application(client, token, "fuzz-key")
    headers = flow.headers["applicant"]
    etag = (await client.get(f"/api/v1/applications/{a}", headers=headers)).headers["etag"]
    for key, named in (("\\ud800", "data.\\ud800"), ("a\\u0000", "data.a\\u0000")):
        r = await client.post(
            f"/api/v1/applications/{a}/events",
            content=('{"event":"submit","data":{"' + key + '":1}}').encode(),
            headers={**headers, "If-Match": etag, "Content-Type": "application/json"},
        )
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == named, r.text
