"""Hash scheme 2 (办理记录的摘要): pinned byte for byte so an outside auditor can recompute it
(docs/audit.md), its stored form fuzzed through PostgreSQL, and old scheme-1 entries still verifying
in the same chain as new ones."""

from __future__ import annotations

import hashlib
import json
import math
import random
import struct
import uuid
from datetime import UTC, datetime

import pytest

from app.domain.history import GENESIS, Actor, digest, next_entry, parse_stored, storable
from app.workflow.commands import audit_verify
from tests.audit.driver import draft_application, send_raw, superuser

APP = uuid.UUID("11111111-2222-3333-4444-555555555555")
AT = datetime(2026, 9, 1, 1, 0, tzinfo=UTC)


@pytest.mark.no_database
def test_known_answer_pins_scheme_2():
    """The exact bytes docs/audit.md describes: RFC 8785 over the hashed fields plus hash_scheme,
    the instant in UTC with microseconds and Z, the data's digest RFC 8785 over the stored data."""
    data = {"opinion": "同意推荐", "tier": "mayor", "n": 1e16, "z": -0.0, "big": 2**60, "f": 1.5e-7}
    values = next_entry(
        APP,
        1,
        "",
        Actor("clerk-1", "office", "req-1"),
        "recommend",
        "awaiting_recommendation",
        "qualification_review",
        True,
        "同意",
        data,
        None,
        AT,
    )
    stored = '{"big":"1152921504606846976","f":1.5e-7,"n":"1e+16","opinion":"同意推荐","tier":"mayor","z":0}'
    data_digest = hashlib.sha256(stored.encode()).hexdigest()
    canonical = (
        '{"accepted":true,"actor":"clerk-1","application_id":"11111111-2222-3333-4444-555555555555",'
        f'"data_digest":"{data_digest}","event":"recommend","from_state":"awaiting_recommendation",'
        '"hash_scheme":2,"occurred_at":"2026-09-01T01:00:00.000000Z","prev_hash":"' + GENESIS + '",'
        '"reason":"同意","refusal":null,"request_id":"req-1","role":"office","seq":1,"to_state":"qualification_review"}'
    )
    assert values["hash_scheme"] == 2 and values["data_digest"] == data_digest
    assert values["hash"] == hashlib.sha256(canonical.encode()).hexdigest()
    assert values["hash"] == "9334982e45264bb989f6db6ac988268ee1d4b2ebd4c5db1162cdbbfe7c9c6edb"


def _random_value(rnd: random.Random, depth: int = 0):
    kind = rnd.randrange(8 if depth < 3 else 5)
    if kind == 0:
        return rnd.choice([0, -1, 2**53 - 1, -(2**53), 2**64, 10**30, -(10**40)]) + rnd.randint(-2, 2)
    if kind == 1:
        bits = rnd.getrandbits(64)
        f = struct.unpack("<d", bits.to_bytes(8, "little"))[0]
        return f
    if kind == 2:
        return rnd.choice([1e16, -0.0, 0.1, 1.0, 5e-324, 1e308, math.inf, math.nan, 1.5e-7, 2.5, 1e21, 1e-6])
    if kind == 3:
        return "".join(
            chr(rnd.choice([rnd.randint(1, 0x7F), rnd.randint(0xA0, 0xD7FF), rnd.randint(0xE000, 0x10FFFF)]))
            for _ in range(rnd.randint(0, 6))
        )
    if kind == 4:
        return rnd.choice([True, False, None])
    if kind == 5:
        return [_random_value(rnd, depth + 1) for _ in range(rnd.randint(0, 4))]
    return {
        _random_value(rnd, 3) if rnd.random() < 0.2 else f"k{rnd.randint(0, 9)}": _random_value(rnd, depth + 1)
        for _ in range(rnd.randint(0, 4))
    }


def test_the_stored_form_is_what_jsonb_gives_back_and_digests_alike_fuzzed(sync_db):
    """3,000 random values: storable() is exactly what JSONB reads back, and the digest of the
    stored text, read as the verifier reads it, is the digest the writer took."""
    rnd = random.Random(8785)
    with sync_db.cursor() as cur:
        for _ in range(3000):
            data = storable({"v": _random_value(rnd)})
            cur.execute("SELECT %s::jsonb::text", (json.dumps(data, ensure_ascii=False),))
            text = cur.fetchone()[0]
            back = json.loads(text)
            assert json.dumps(back, sort_keys=True) == json.dumps(data, sort_keys=True), (data, text)
            assert digest(parse_stored(text)) == digest(data), (data, text)


async def test_scheme_1_entries_verify_by_their_own_scheme_before_scheme_2_ones(client, token, app, sync_db, capsys):
    """A chain begun before the upgrade: its old entries were hashed by scheme 1 (rewritten here as
    the old code wrote them), the entries after it by scheme 2; the whole chain verifies."""
    flow, a = await draft_application(client, token, "schemes")
    with sync_db.cursor() as cur:
        cur.execute(
            "SELECT id, seq, occurred_at, actor, role, request_id, event, from_state, to_state, accepted, refusal, reason, data FROM application_events WHERE application_id = %s",
            (a,),
        )
        (eid, seq, at, actor, role, rid, event, frm, to, acc, refusal, reason, data) = cur.fetchone()
    old = next_entry(
        uuid.UUID(a),
        seq,
        "",
        Actor(actor, role, rid),
        event,
        frm,
        to,
        acc,
        reason,
        {**data, "x": 1e15},
        refusal,
        at,
        scheme=1,
    )
    superuser(
        sync_db,
        (
            "UPDATE application_events SET data = %s::jsonb, data_digest = %s, hash = %s, hash_scheme = 1 WHERE id = %s",
            (json.dumps(old["data"]), old["data_digest"], old["hash"], eid),
        ),
        ("UPDATE applications SET history_head = %s WHERE id = %s", (old["hash"], a)),
    )
    assert (await send_raw(client, flow, a, '{"event":"no-such-event","data":{"z":-0.0}}')).status_code == 409
    with sync_db.cursor() as cur:
        cur.execute("SELECT seq, hash_scheme FROM application_events WHERE application_id = %s ORDER BY seq", (a,))
        assert cur.fetchall() == [(1, 1), (2, 2)]
    assert await audit_verify(app.state.db) == 0, capsys.readouterr().err
