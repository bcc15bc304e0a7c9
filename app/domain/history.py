"""The event history (办理记录): every attempt appended, each entry chained to the previous by hash.

An entry's hash covers its own fields and the previous entry's hash; the application row keeps
the head of its chain, so a rewritten, inserted or deleted entry (the last one included) breaks
verification. The table itself refuses UPDATE and DELETE (a trigger of the workflow migration).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.db.models.workflow import Application, ApplicationEvent
from app.db.repositories import workflow as repo

GENESIS = "0" * 64


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


_EMPTY_DIGEST = hashlib.sha256(b"{}").hexdigest()


def storable(value: Any) -> Any:
    """``value`` as it reads back from the history's JSONB, so every attempt is kept and its digest verifies.

    JSON has no NaN or infinity (what ``NaN`` and ``1e400`` parse to), and PostgreSQL writes a
    number without its exponent (``1e+20`` reads back as the integer 100000000000000000000): such
    a number is kept as its text. Integers of any length, and other floats, are stored as they are.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, float) and value.is_integer() and "e" in repr(value):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): storable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [storable(v) for v in value]
    return value


def digest(data: dict) -> str:
    return hashlib.sha256(canonical(data).encode()).hexdigest() if data else _EMPTY_DIGEST


_HASHED = (
    "application_id",
    "seq",
    "occurred_at",
    "actor",
    "role",
    "request_id",
    "event",
    "from_state",
    "to_state",
    "accepted",
    "refusal",
    "reason",
    "data_digest",
    "prev_hash",
)


def _hash(values: dict) -> str:
    fields = {k: values[k] for k in _HASHED}
    fields["application_id"] = str(fields["application_id"])
    fields["occurred_at"] = fields["occurred_at"].isoformat()
    return hashlib.sha256(canonical(fields).encode()).hexdigest()


def entry_hash(e: ApplicationEvent) -> str:
    return _hash({k: getattr(e, k) for k in _HASHED})


@dataclass(frozen=True)
class Actor:
    """Who fired an event: a principal's sub and role, or ``system`` for deadlines."""

    sub: str
    role: str | None
    request_id: str | None = None


def next_entry(
    app_id,
    seq: int,
    head: str,
    actor: Actor,
    event: str,
    from_state: str,
    to_state: str | None,
    accepted: bool,
    reason: str | None,
    data: dict,
    refusal: str | None,
    at: datetime,
) -> dict:
    """The column values of entry ``seq`` of a chain whose head is ``head``, its hash included."""
    data = storable(data)
    values = {
        "application_id": app_id,
        "seq": seq,
        "occurred_at": at,
        "actor": actor.sub,
        "role": actor.role,
        "request_id": actor.request_id,
        "event": event,
        "from_state": from_state,
        "to_state": to_state,
        "accepted": accepted,
        "refusal": refusal,
        "reason": reason,
        "data": data,
        "data_digest": digest(data),
        "prev_hash": head or GENESIS,
    }
    values["hash"] = _hash(values)
    return values


def chain(
    app: Application,
    actor: Actor,
    event: str,
    from_state: str,
    to_state: str | None,
    accepted: bool,
    reason: str | None,
    data: dict,
    refusal: str | None,
    at: datetime,
) -> dict:
    """The next entry of ``app``'s chain, made its head; written by ``repo.insert_event``."""
    values = next_entry(
        app.id,
        app.history_seq + 1,
        app.history_head,
        actor,
        event,
        from_state,
        to_state,
        accepted,
        reason,
        data,
        refusal,
        at,
    )
    app.history_seq, app.history_head = values["seq"], values["hash"]
    return values


async def append(
    session,
    app: Application,
    actor: Actor,
    event: str,
    from_state: str,
    to_state: str | None,
    accepted: bool,
    reason: str | None,
    data: dict,
    refusal: str | None,
    at: datetime,
) -> dict:
    """Append the next entry of ``app``'s chain (the caller holds the application's row lock).

    A plain INSERT, not an ORM object: the entry is never read back in the request that writes it.
    """
    values = chain(app, actor, event, from_state, to_state, accepted, reason, data, refusal, at)
    await repo.insert_event(session, values)
    return values


@dataclass
class Break:
    application_id: str
    seq: int | None
    entry_id: int | None
    why: str


def verify_chain(app_id, head_seq: int, head: str, entries: list[ApplicationEvent]) -> Break | None:
    prev = GENESIS
    for expected_seq, e in enumerate(entries, start=1):
        if e.seq != expected_seq:
            return Break(str(app_id), expected_seq, e.id, f"entry {expected_seq} is missing (found {e.seq})")
        if e.prev_hash != prev:
            return Break(str(app_id), e.seq, e.id, "does not link to the previous entry")
        if digest(e.data) != e.data_digest:
            return Break(str(app_id), e.seq, e.id, "its data does not match its digest")
        if entry_hash(e) != e.hash:
            return Break(str(app_id), e.seq, e.id, "its content does not match its hash")
        prev = e.hash
    if len(entries) != head_seq or prev != (head or GENESIS):
        return Break(
            str(app_id),
            len(entries) + 1 if len(entries) < head_seq else None,
            None,
            f"the chain ends at entry {len(entries)} but the application records {head_seq}",
        )
    return None
