"""The hash chain of the event history (办理记录), checked without a database: every hashed field,
every kind of break and the seq it is reported at, and a known answer that pins the hash format
(a change to it would break every chain already written)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import FrozenInstanceError
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from app.db.models.workflow import ApplicationEvent
from app.domain.history import GENESIS, Actor, chain, digest, entry_hash, next_entry, verify_chain

pytestmark = pytest.mark.no_database

APP = uuid.UUID("11111111-2222-3333-4444-555555555555")
AT = datetime(2026, 9, 1, 1, 0, tzinfo=UTC)

# Every column the hash covers, with a value different from any the chain below holds.
HASHED = {
    "application_id": uuid.UUID("99999999-2222-3333-4444-555555555555"),
    "seq": 7,
    "occurred_at": datetime(2026, 9, 2, 1, 0, tzinfo=UTC),
    "actor": "mallory",
    "role": "admin",
    "request_id": "req-forged",
    "event": "pass_qualification",
    "from_state": "awarded",
    "to_state": "withdrawn",
    "accepted": True,  # entry 2 is a refusal
    "refusal": "forged",
    "reason": "rewritten",
    "data_digest": "f" * 64,
    "prev_hash": "e" * 64,
}


def _entries(n: int = 3, data: list[dict] | None = None) -> tuple[list[ApplicationEvent], str]:
    """A chain of ``n`` entries as the database returns them, and its head."""
    head, rows = "", []
    for seq in range(1, n + 1):
        actor = Actor(f"clerk-{seq}", "office", f"req-{seq}")
        values = next_entry(
            APP,
            seq,
            head,
            actor,
            f"event_{seq}",
            f"state_{seq}",
            f"state_{seq + 1}",
            seq % 2 == 1,
            f"理由{seq}",
            (data or [{"opinion": "同意", "n": seq}] * n)[seq - 1],
            None if seq % 2 else f"refusal-{seq}",
            AT.replace(minute=seq),
        )
        rows.append(ApplicationEvent(id=100 + seq, **values))
        head = values["hash"]
    return rows, head


def test_an_untouched_chain_verifies():
    rows, head = _entries()
    assert verify_chain(APP, 3, head, rows) is None
    assert rows[0].prev_hash == GENESIS and rows[1].prev_hash == rows[0].hash and rows[2].prev_hash == rows[1].hash


def test_an_empty_history_verifies_against_an_empty_head():
    assert verify_chain(APP, 0, "", []) is None
    assert verify_chain(APP, 0, GENESIS, []) is None


@pytest.mark.parametrize("column", sorted(HASHED))
def test_rewriting_any_hashed_column_of_a_middle_entry_is_detected_at_its_seq(column):
    rows, head = _entries()
    setattr(rows[1], column, HASHED[column])
    bad = verify_chain(APP, 3, head, rows)
    assert bad is not None and bad.application_id == str(APP)
    if column == "seq":
        assert (bad.seq, bad.entry_id, bad.why) == (2, 102, "entry 2 is missing (found 7)")
    elif column == "prev_hash":
        assert (bad.seq, bad.entry_id, bad.why) == (2, 102, "does not link to the previous entry")
    elif column == "data_digest":
        assert (bad.seq, bad.entry_id, bad.why) == (2, 102, "its data does not match its digest")
    else:
        assert (bad.seq, bad.entry_id, bad.why) == (2, 102, "its content does not match its hash")


def test_rewriting_the_data_is_detected_by_its_digest():
    rows, head = _entries()
    rows[1].data = {"opinion": "不同意", "n": 2}
    bad = verify_chain(APP, 3, head, rows)
    assert (bad.seq, bad.entry_id, bad.why) == (2, 102, "its data does not match its digest")


def test_rewriting_the_hash_itself_is_detected():
    rows, head = _entries()
    rows[2].hash = "a" * 64
    bad = verify_chain(APP, 3, head, rows)
    assert (bad.seq, bad.entry_id, bad.why) == (3, 103, "its content does not match its hash")


def test_deleting_a_middle_entry_is_detected_at_the_missing_seq():
    rows, head = _entries()
    del rows[1]
    bad = verify_chain(APP, 3, head, rows)
    assert (bad.seq, bad.entry_id, bad.why) == (2, 103, "entry 2 is missing (found 3)")


def test_deleting_the_first_entry_is_detected():
    rows, head = _entries()
    bad = verify_chain(APP, 3, head, rows[1:])
    assert (bad.seq, bad.entry_id) == (1, 102)


def test_deleting_the_last_entry_is_detected_by_the_applications_head():
    rows, head = _entries()
    bad = verify_chain(APP, 3, head, rows[:2])
    assert (bad.seq, bad.entry_id, bad.why) == (3, None, "the chain ends at entry 2 but the application records 3")


def test_a_head_that_names_fewer_entries_than_the_history_holds_is_detected():
    rows, head = _entries()
    bad = verify_chain(APP, 2, head, rows)
    assert (bad.seq, bad.entry_id, bad.why) == (None, None, "the chain ends at entry 3 but the application records 2")


def test_a_head_hash_that_is_not_the_last_entrys_is_detected():
    rows, _head = _entries()
    bad = verify_chain(APP, 3, rows[1].hash, rows)
    assert (bad.seq, bad.entry_id) == (None, None)
    assert verify_chain(APP, 3, "", rows) is not None


def test_a_forged_prev_hash_with_a_consistent_own_hash_is_detected_where_forged():
    """Whoever rewrites an entry and recomputes its hash still cannot make it link: the break is
    reported at the forged entry, not at the next one."""
    rows, head = _entries()
    rows[1].prev_hash = "e" * 64
    rows[1].hash = entry_hash(rows[1])
    bad = verify_chain(APP, 3, head, rows)
    assert (bad.seq, bad.entry_id, bad.why) == (2, 102, "does not link to the previous entry")


def test_an_entry_rewritten_with_a_recomputed_hash_breaks_the_next_link():
    rows, head = _entries()
    rows[1].reason = "rewritten"
    rows[1].hash = entry_hash(rows[1])
    bad = verify_chain(APP, 3, head, rows)
    assert (bad.seq, bad.entry_id, bad.why) == (3, 103, "does not link to the previous entry")


def test_multi_key_data_read_back_in_another_key_order_verifies():
    """JSONB returns an object's keys in its own order (shorter keys first): the digest is taken
    over the data with sorted keys, so the order it was written in does not matter."""
    written = {"zeta": 1, "alpha": {"y": 2, "b": [3, {"k2": 1, "k1": 2}]}, "mid": "中文"}
    rows, head = _entries(2, [written, {"b": 1, "a": 2}])
    rows[0].data = {"mid": "中文", "zeta": 1, "alpha": {"b": [3, {"k1": 2, "k2": 1}], "y": 2}}
    rows[1].data = {"a": 2, "b": 1}
    assert verify_chain(APP, 2, head, rows) is None
    assert digest({"b": 1, "a": 2}) == digest({"a": 2, "b": 1})


def test_empty_and_absent_data_share_the_digest_of_an_empty_object():
    empty = hashlib.sha256(b"{}").hexdigest()
    assert digest({}) == empty and digest(None) == empty  # type: ignore[arg-type]
    assert digest({"a": 1}) == hashlib.sha256(b'{"a":1}').hexdigest()


def test_known_answer_pins_the_hash_format():
    """The hash of a scheme-1 entry is SHA-256 over its hashed fields as compact JSON with sorted keys,
    non-ASCII kept, the application id as text and the instant in ISO 8601. Written out here by
    hand: changing any of it would make every chain already stored fail verification. (Scheme 2,
    written since issue 13, is pinned in tests/audit/test_hash_scheme.py.)"""
    data = {"opinion": "同意推荐", "tier": "mayor"}
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
        scheme=1,
    )
    data_digest = hashlib.sha256('{"opinion":"同意推荐","tier":"mayor"}'.encode()).hexdigest()
    canonical = (
        '{"accepted":true,"actor":"clerk-1","application_id":"11111111-2222-3333-4444-555555555555",'
        f'"data_digest":"{data_digest}","event":"recommend","from_state":"awaiting_recommendation",'
        '"occurred_at":"2026-09-01T01:00:00+00:00","prev_hash":"' + "0" * 64 + '","reason":"同意",'
        '"refusal":null,"request_id":"req-1","role":"office","seq":1,"to_state":"qualification_review"}'
    )
    assert values["data_digest"] == data_digest
    assert values["prev_hash"] == GENESIS == "0" * 64
    assert values["hash"] == hashlib.sha256(canonical.encode()).hexdigest()
    assert values["hash"] == "4a372a18beadbc35ee0bfe07ecf420ac1d932b797158175243a5f4a3b8f678df"
    assert set(values) == {*HASHED, "data", "hash", "hash_scheme"} and values["hash_scheme"] == 1
    assert entry_hash(ApplicationEvent(**values)) == values["hash"]


def test_chaining_makes_the_entry_the_applications_head():
    app = SimpleNamespace(id=APP, history_seq=0, history_head="")
    first = chain(app, Actor("clerk-1", "office"), "create", "draft", "draft", True, None, {}, None, AT)
    assert (first["seq"], first["prev_hash"], first["request_id"]) == (1, GENESIS, None)
    assert (app.history_seq, app.history_head) == (1, first["hash"])
    second = chain(app, Actor("system", None), "close", "draft", None, False, "晚了", {"a": 1}, "round-closed", AT)
    assert (second["seq"], second["prev_hash"], second["to_state"], second["refusal"]) == (
        2,
        first["hash"],
        None,
        "round-closed",
    )
    assert (app.history_seq, app.history_head) == (2, second["hash"])
    rows = [ApplicationEvent(id=i, **v) for i, v in enumerate((first, second), start=1)]
    assert verify_chain(APP, 2, app.history_head, rows) is None


def test_an_actor_cannot_be_changed_once_made():
    with pytest.raises(FrozenInstanceError):
        Actor("clerk-1", "office").sub = "mallory"  # type: ignore[misc]
