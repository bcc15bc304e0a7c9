"""The floor: the event's transaction behind the thinnest Python HTTP server there is.

    FLOOR_DATABASE_URL=postgresql://... FLOOR_PLAN=plan.json \\
        python -m uvicorn floor_app:app --app-dir bench --loop uvloop --http httptools ...

``bench/workflow.py`` serves this with the app's own uvicorn command line and fires the same
requests at it, to show the best any Python server could do for one event on the machine: what
is left when FastAPI, pydantic, SQLAlchemy, authentication and the workflow's Python are gone.

A bare ASGI callable (no framework). ``POST /apps/{id}/events`` runs the statements the app sent
for one captured event (``FLOOR_PLAN``, written by ``bench/workflow.py`` from the server log: the
same SQL in the same order, constants as the app sent them) through an asyncpg pool, each
statement prepared once per connection by asyncpg's statement cache. The locking statement
returns the row's version, history sequence and chain head (``bench_*`` columns); from them
come the values the app would compute: ``If-Match`` checked against the version (412), the next
sequence and version, and the new entry's sha256 hash over its fields. The answer is a small
JSON with the new ``ETag``. ``GET /apps/{id}`` gives the ETag back (to resynchronise after an
error), ``GET /ready`` says the pool is up.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

import asyncpg

POOL_SIZE = 20  # the app's: SQLAlchemy pool_size 10 + max_overflow 10
_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "START TRANSACTION", "END")


@dataclass(frozen=True)
class Step:
    sql: str
    refs: tuple[str, ...]  # the values bound to $1, $2, ... by name (see workflow.py's Ref)
    kind: str  # "control" (BEGIN/COMMIT, simple protocol as asyncpg's transactions), "lock" or "query"


def compile_plan(statements: list[dict]) -> list[Step]:
    """The plan's statements with each named value a numbered parameter; refuses a plan it cannot run."""
    steps = []
    locked = False
    for st in statements:
        refs: list[str] = []
        sql = []
        for part in st["parts"]:
            if isinstance(part, str):
                sql.append(part)
                continue
            name = part["ref"]
            if not locked and not st["locks"] and name != "app":
                raise ValueError(f"{name} is needed before the application row is locked")
            if name not in refs:
                refs.append(name)
            sql.append(f"${refs.index(name) + 1}")
        text = "".join(sql)
        kind = "lock" if st["locks"] else "control" if text.strip().upper() in _CONTROL else "query"
        locked = locked or st["locks"]
        steps.append(Step(text, tuple(refs), kind))
    if not locked:
        raise ValueError("the plan has no statement locking the application row")
    return steps


def _settings() -> tuple[list[Step], str, str, dict]:
    """The plan's steps, its event, the DSN and asyncpg's connect options (read once, at import, in every worker)."""
    plan = json.loads(Path(os.environ["FLOOR_PLAN"]).read_text())
    parts = urlsplit(os.environ["FLOOR_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://"))
    query = parse_qs(parts.query)
    connect = {"host": query.pop("host")[0]} if "host" in query else {}  # a socket directory (pgserver)
    return compile_plan(plan["statements"]), plan["event"], urlunsplit(parts._replace(query="")), connect


STEPS, EVENT, DSN, CONNECT = _settings()
pool: asyncpg.Pool | None = None


class Refused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status


def etag(version: int) -> str:
    return f'"v{version}"'


def entry_hash(app_id: str, seq: int, prev: str, at: datetime, request_id: str) -> str:
    """The new history entry's hash, as the app computes one: sha256 of its canonical fields."""
    fields = {
        "application_id": app_id,
        "seq": seq,
        "occurred_at": at.isoformat(),
        "actor": "floor",
        "role": "office",
        "request_id": request_id,
        "event": EVENT,
        "from_state": None,
        "to_state": None,
        "accepted": True,
        "refusal": None,
        "reason": None,
        "prev_hash": prev,
    }
    return hashlib.sha256(
        json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()


def _values_after_lock(app_id: str, row: asyncpg.Record | None, if_match: str | None) -> dict:
    if row is None:
        raise Refused(404, "no such application")
    version, seq, head = row["bench_version"], row["bench_history_seq"], row["bench_history_head"]
    if if_match is None:
        raise Refused(428, "If-Match required")
    if if_match != etag(version) and if_match != "*":
        raise Refused(412, f"stale: current {etag(version)}")
    new_head = entry_hash(app_id, seq + 1, head, datetime.now(UTC), uuid.uuid4().hex)
    return {
        "version": version,
        "history_seq": seq,
        "history_head": head,
        "next_version": version + 1,
        "next_seq": seq + 1,
        "new_head": new_head,
    }


async def fire(app_id: str, if_match: str | None) -> int:
    """One event: the plan's statements in order; the new version."""
    values: dict = {"app": app_id}
    async with pool.acquire() as conn:
        try:
            for step in STEPS:
                args = [values[name] for name in step.refs]
                if step.kind == "control":
                    await conn.execute(step.sql)
                elif step.kind == "lock":
                    values.update(_values_after_lock(app_id, await conn.fetchrow(step.sql, *args), if_match))
                else:
                    await conn.fetch(step.sql, *args)
        except BaseException:
            if not conn.is_closed() and conn.is_in_transaction():
                await conn.execute("ROLLBACK")
            raise
    return values["next_version"]


async def read_version(app_id: str) -> int:
    async with pool.acquire() as conn:
        version = await conn.fetchval("SELECT version FROM applications WHERE id = $1", app_id)
    if version is None:
        raise Refused(404, "no such application")
    return version


async def _no_reset(conn: asyncpg.Connection) -> None:
    """Released connections are not reset: the app's pool sends nothing on checkin either."""


async def _lifespan(receive, send) -> None:
    global pool
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            pool = await asyncpg.create_pool(
                DSN,
                min_size=1,
                max_size=POOL_SIZE,
                reset=_no_reset,
                server_settings={"timezone": "UTC", "application_name": f"qaward-floor:{os.getpid()}"},
                **CONNECT,
            )
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if pool is not None:
                await pool.close()
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _body(receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _answer(send, status: int, payload: dict, tag: str | None = None) -> None:
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if tag is not None:
        headers.append((b"etag", tag.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _header(scope, name: bytes) -> str | None:
    for k, v in scope["headers"]:
        if k == name:
            return v.decode("latin-1")
    return None


async def app(scope, receive, send) -> None:
    if scope["type"] == "lifespan":
        return await _lifespan(receive, send)
    if scope["type"] != "http":
        return
    segments = scope["path"].split("/")  # "", "apps", id[, "events"]
    method = scope["method"]
    try:
        if method == "POST" and len(segments) == 4 and segments[1] == "apps" and segments[3] == "events":
            request = json.loads(await _body(receive) or b"{}")  # read as the app reads its body
            if request.get("event") != EVENT:
                raise Refused(422, f"only {EVENT}")
            version = await fire(segments[2], _header(scope, b"if-match"))
            return await _answer(send, 200, {"id": segments[2], "version": version}, etag(version))
        if method == "GET" and len(segments) == 3 and segments[1] == "apps":
            version = await read_version(segments[2])
            return await _answer(send, 200, {"id": segments[2], "version": version}, etag(version))
        if method == "GET" and scope["path"] == "/ready":
            return await _answer(send, 200 if pool is not None else 503, {"ready": pool is not None})
        raise Refused(404, "not found")
    except Refused as r:
        return await _answer(send, r.status, {"detail": str(r)})
    except (asyncpg.PostgresError, ValueError) as exc:
        return await _answer(send, 500, {"detail": f"{type(exc).__name__}: {exc}"})
