"""The event history (办理记录): every attempt appended, each entry chained to the previous by hash.

An entry's hash covers its own fields and the previous entry's hash; the application row keeps
the head of its chain, so a rewritten, inserted or deleted entry (the last one included) breaks
verification. The table itself refuses UPDATE and DELETE (a trigger of the workflow migration).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import rfc8785

from app.db.models.workflow import Application, ApplicationEvent
from app.db.repositories import audit as audit_repo
from app.db.repositories import workflow as repo

GENESIS = "0" * 64

# Hash schemes (docs/audit.md gives the exact bytes each one hashes). Every entry carries its
# own: old entries verify by the scheme they were written with, new ones are written with SCHEME.
#   1: Python's json.dumps (sorted keys, compact, non-ASCII kept) over the data as the request
#      parsed it; a value JSONB gives back in another form (-0.0 as 0.0) read as tampering.
#   2: RFC 8785 canonical JSON over the data exactly as JSONB stores it, which an outside
#      auditor recomputes from the stored row alone.
SCHEME = 2
SCHEMES = (1, 2)

# I-JSON (RFC 7493) numbers are IEEE doubles: integers beyond these are not exact, RFC 8785 refuses them
_SAFE_INT = 2**53 - 1


def canonical(data: Any) -> str:
    """Scheme 1's serialisation (kept to verify the entries written with it)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


_EMPTY_DIGEST = hashlib.sha256(b"{}").hexdigest()


def storable(value: Any) -> Any:
    """``value`` as it reads back from the history's JSONB, so every attempt is kept and its digest verifies.

    JSON has no NaN or infinity (what ``NaN`` and ``1e400`` parse to), and PostgreSQL writes a
    number without its exponent (``1e+20`` reads back as the integer 100000000000000000000): such
    a number is kept as its text. An integer beyond I-JSON's exact range (2^53 - 1) is kept as
    its digits, as text: RFC 8785 has no exact form for it. ``numeric`` has no negative zero:
    ``-0.0`` is kept as the ``0.0`` it reads back as. Anything else JSON has no type for is kept
    as its text, as the INSERT's serialiser writes it.
    """
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value if -_SAFE_INT <= value <= _SAFE_INT else str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        if value.is_integer() and "e" in repr(value):
            return repr(value)
        return value if value != 0 else 0.0
    if isinstance(value, dict):
        return {str(k): storable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [storable(v) for v in value]
    return str(value)


class Unverifiable(ValueError):
    """Stored data no hash scheme can digest (written by hand: the application never stores it)."""


def _i_json(value: Any, irregular: list | None = None) -> Any:
    """Stored data as RFC 8785 reads it, refusing a number whose stored digits say more than a double holds.

    ``Decimal`` is how ``parse_stored`` reads a fraction, so that ``0.1000000000000000000001``
    written over ``0.1`` by hand is not taken for the ``0.1`` it rounds to. ``irregular`` (a list)
    is appended to when the value holds something only RFC 8785's own serialiser writes right: a
    float (ECMAScript's number format) or a key that sorts differently by UTF-16 code unit.
    """
    kind = type(value)
    # the common JSON types first, by exact type (a verify of ten million entries walks every value)
    if kind is str or value is None or kind is bool:
        return value
    if kind is int and -_SAFE_INT <= value <= _SAFE_INT:
        return value
    if kind is dict and irregular is not None:
        for k in value:
            # a key beyond U+D7FF may sort otherwise by UTF-16 code unit; a key that is no string is refused by RFC 8785
            if type(k) is not str or (k and max(k) >= "\ud800"):
                irregular.append(k)
                break
        return {k: _i_json(v, irregular) for k, v in value.items()}
    if isinstance(value, Decimal):
        f = float(value)
        if not math.isfinite(f) or Decimal(repr(f)) != value:
            raise Unverifiable(f"the number {value} is not one the application stores")
        return _number(f, irregular)
    if isinstance(value, float):
        return _number(value, irregular)
    if isinstance(value, int) and not isinstance(value, bool) and not -_SAFE_INT <= value <= _SAFE_INT:
        raise Unverifiable(f"the integer {value} is beyond I-JSON's exact range")
    if isinstance(value, dict):
        if irregular is not None:
            irregular.append(value)  # a dict subclass: rfc8785 decides
        return {k: _i_json(v, irregular) for k, v in value.items()}
    if isinstance(value, list):
        return [_i_json(v, irregular) for v in value]
    if irregular is not None and not (value is None or isinstance(value, (str, int))):
        irregular.append(value)  # a float, or a type JSON has not: RFC 8785's serialiser decides
    return value


def _number(f: float, irregular: list | None) -> Any:
    """A double as the fast encoder may write it. RFC 8785 writes an integral double as its integer
    (87.0 as 87, -0.0 as 0) and any other double in [1e-4, 1e16) as Python's shortest repr, with no
    exponent (``rfc8785`` takes its digits from ``repr`` too); beyond that range the exponent rules
    differ and ``rfc8785`` writes it."""
    if math.isfinite(f):
        if f.is_integer():
            if abs(f) <= _SAFE_INT:
                return int(f)
        elif 1e-4 <= abs(f) < 1e16 and "e" not in repr(f):
            return f
    if irregular is not None:
        irregular.append(f)
    return f


# one decoder, not one per entry as json.loads(..., parse_float=) makes
_EXACT = json.JSONDecoder(parse_float=Decimal)


def parse_stored(text: str, scheme: int = SCHEME) -> Any:
    """The ``data`` column's text (``data::text``) as the verifier reads it.

    Scheme 2 reads fractions exactly, as ``Decimal`` (see ``_i_json``); scheme 1 digested the
    floats the request parsed, so its data is read as they were.
    """
    try:
        return _EXACT.decode(text) if scheme >= 2 else json.loads(text)
    except (ValueError, RecursionError) as err:  # a number of more digits than int() reads, nesting
        raise Unverifiable(f"its data cannot be read: {err}") from None


def _jcs(value: Any) -> bytes:
    """RFC 8785 canonical JSON. Without floats, and with keys whose code-point order is their UTF-16
    order, it is byte for byte what ``json.dumps`` writes with sorted keys, no spaces and non-ASCII
    kept (the same escapes: the two quote-and-backslash characters and the C0 controls, lowercase
    ``\\u00xx``); that C encoder is ~10 times faster than ``rfc8785``'s, which is what a verify of ten
    million entries spends its time on. Anything else goes through ``rfc8785`` itself
    (tests/audit/test_canonical_json.py holds the two to the same bytes)."""
    if type(value) is dict and all(_flat(k, v) for k, v in value.items()):
        try:
            # an entry's hashed fields, and most data: scalars under ASCII keys, no walk needed
            return _PLAIN.encode(value).encode("utf-8")
        except UnicodeEncodeError:
            pass
    irregular: list = []
    value = _i_json(value, irregular)
    if not irregular:
        try:
            return _PLAIN.encode(value).encode("utf-8")
        except (UnicodeEncodeError, TypeError, ValueError):
            pass  # half a surrogate pair, a key that is no string: rfc8785 names the error
    try:
        return rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as err:
        raise Unverifiable(str(err)) from None


def _flat(key: Any, v: Any) -> bool:
    kind = type(v)
    return (
        type(key) is str
        and key.isascii()
        and (kind is str or v is None or kind is bool or (kind is int and -_SAFE_INT <= v <= _SAFE_INT))
    )


_PLAIN = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False, check_circular=False
)


def digest(data: dict, scheme: int = SCHEME) -> str:
    if not data:
        return _EMPTY_DIGEST
    if scheme == 1:
        return hashlib.sha256(canonical(data).encode()).hexdigest()
    return hashlib.sha256(_jcs(data)).hexdigest()


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


def _instant(at: datetime) -> str:
    """Scheme 2's instant: UTC, always with microseconds (isoformat drops them when zero)."""
    utc = at.astimezone(UTC)
    if utc.year >= 1000:
        # the same text as the strftime below, at a fraction of its cost (a verify formats every entry's instant)
        return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _hash(values: dict, scheme: int = SCHEME) -> str:
    fields = {k: values[k] for k in _HASHED}
    fields["application_id"] = str(fields["application_id"])
    if scheme == 1:
        fields["occurred_at"] = fields["occurred_at"].isoformat()
        return hashlib.sha256(canonical(fields).encode()).hexdigest()
    fields["occurred_at"] = _instant(fields["occurred_at"])
    fields["hash_scheme"] = scheme  # hashed, so an entry cannot be passed off under another scheme
    return hashlib.sha256(_jcs(fields)).hexdigest()


def entry_hash(e: ApplicationEvent) -> str:
    return _hash({k: getattr(e, k) for k in _HASHED}, _scheme_of(e))


def _scheme_of(e) -> int:
    return getattr(e, "hash_scheme", None) or 1


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
    scheme: int = SCHEME,
) -> dict:
    """The column values of entry ``seq`` of a chain whose head is ``head``, its hash included.

    ``scheme`` other than the current one only to show how entries of an older version verify.
    """
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
        "data_digest": digest(data, scheme),
        "prev_hash": head or GENESIS,
        "hash_scheme": scheme,
    }
    values["hash"] = _hash(values, scheme)
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


def verify_chain(app_id, head_seq: int, head: str, entries: list) -> Break | None:
    """The first break of one chain, or None."""
    found = chain_breaks(app_id, head_seq, head, entries)
    return found[0] if found else None


def _data_of(e, scheme: int) -> Any:
    # rows read for the audit carry the column's text; ORM rows its parsed value
    text = getattr(e, "data_text", None)
    return parse_stored(text, scheme) if text is not None else e.data


def _entry_break(e, prev: str, scheme_before: int) -> str | None:
    scheme = _scheme_of(e)
    if scheme not in SCHEMES:
        return f"its hash scheme {scheme} is unknown"
    if scheme < scheme_before:
        # the application never goes back to an older scheme: an entry that does was written by hand
        return f"its hash scheme {scheme} is older than the previous entry's ({scheme_before})"
    if e.prev_hash != prev:
        return "does not link to the previous entry"
    try:
        if digest(_data_of(e, scheme), scheme) != e.data_digest:
            return "its data does not match its digest"
    except Unverifiable as err:
        return f"its data cannot be digested ({err})"
    if entry_hash(e) != e.hash:
        return "its content does not match its hash"
    return None


def chain_breaks(
    app_id, head_seq: int, head: str, entries: list, anchor: tuple[int, str, str] | None = None
) -> list[Break]:
    """Every break of one chain: each entry is checked on its own, linked to the previous entry's
    stored hash, so one rewritten entry is one break and the entries after it are still checked.

    ``anchor`` (seq, hash, checkpoint name): the chain's head as a signed checkpoint recorded it.
    A rewrite made after the checkpoint whose author recomputed every later hash verifies alone,
    but no longer holds that hash at that seq.
    """
    out: list[Break] = []
    prev, scheme_before = GENESIS, 1
    for position, e in enumerate(entries, start=1):
        if e.seq != position:
            why: str | None = f"entry {position} is missing (found {e.seq})"
        else:
            why = _entry_break(e, prev, scheme_before)
        if why:
            out.append(Break(str(app_id), position if e.seq != position else e.seq, e.id, why))
        prev, scheme_before = e.hash, max(scheme_before, _scheme_of(e))
    if len(entries) != head_seq or prev != (head or GENESIS):
        out.append(
            Break(
                str(app_id),
                len(entries) + 1 if len(entries) < head_seq else None,
                None,
                f"the chain ends at entry {len(entries)} but the application records {head_seq}",
            )
        )
    if anchor is not None:
        seq, anchored, name = anchor
        at = entries[seq - 1] if 0 < seq <= len(entries) else None
        if at is None or at.seq != seq:
            out.append(Break(str(app_id), seq, None, f"entry {seq}, the head {name} anchored, is gone"))
        elif at.hash != anchored:
            out.append(Break(str(app_id), seq, at.id, f"differs from the head {name} anchored: rewritten after it"))
    return out


@dataclass
class Report:
    """What ``qaward audit verify`` found: every break, over how many chains and entries."""

    chains: int = 0
    entries: int = 0
    breaks: list[Break] = field(default_factory=list)

    @property
    def broken_chains(self) -> list[str]:
        return sorted({b.application_id for b in self.breaks})


async def verify_slice(
    session,
    anchors: dict[str, tuple[int, str]] | None = None,
    name: str = "",
    lo=None,
    hi=None,
    on_entries=None,
) -> tuple[Report, dict[str, tuple[int, str]]]:
    """Check every chain of the applications whose id is in [``lo``, ``hi``) to its end, and each
    against its anchored head when ``anchors`` are given (application id → (seq, hash), from a
    checkpoint called ``name``). Returns the report and the anchors no chain of the slice claimed.
    ``on_entries(n)`` is told every few thousand entries (the progress of a long run)."""
    report = Report()
    unseen = dict(anchors or {})
    await audit_repo.begin_snapshot(session)
    told = 0
    async for app_id, seq, head, rows in audit_repo.chains(session, lo, hi):
        anchored = unseen.pop(str(app_id), None)
        anchor = (anchored[0], anchored[1], name) if anchored else None
        report.chains += 1
        report.entries += len(rows)
        report.breaks.extend(chain_breaks(app_id, seq, head, rows, anchor))
        if on_entries is not None and report.entries - told >= 5000:
            on_entries(report.entries - told)
            told = report.entries
    if on_entries is not None and report.entries > told:
        on_entries(report.entries - told)
    return report, unseen


def gone(unseen: dict[str, tuple[int, str]], name: str) -> list[Break]:
    """A break for each chain a checkpoint anchored that no longer exists."""
    return [
        Break(app_id, seq, None, f"the chain {name} anchored at entry {seq} is gone")
        for app_id, (seq, _) in sorted(unseen.items())
    ]


async def verify_all(session, anchors: dict[str, tuple[int, str]] | None = None, name: str = "") -> Report:
    """Check every chain to its end in one transaction (``app/workflow/audit_verify.py`` runs slices in parallel)."""
    report, unseen = await verify_slice(session, anchors, name)
    report.breaks.extend(gone(unseen, name))
    return report
