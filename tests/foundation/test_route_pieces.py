"""The route pieces every v1 route is composed of (app/api/v1/routing.py), each proved on its own.

The transaction piece's refusal contract is proved through a test-only route: an exception that
sets ``commit_before_answer`` has its transaction committed, then answered; a failed commit of it
is ``503 /commit-failed`` and runs the after-rollback hooks, as any failed commit does.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text
from starlette.requests import Request

from app.api.deps import Session
from app.api.v1.routing import v1_router
from app.domain.errors import DomainError
from tests.db_faults import inserts_refused

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def probe_tables(sync_db):
    """Two throw-away tables: what the endpoint writes, and what its after-rollback hook writes."""
    with sync_db.cursor() as cur:
        cur.execute("CREATE TABLE route_probe_work (note text NOT NULL)")
        cur.execute("CREATE TABLE route_probe_hook (note text NOT NULL)")
    try:
        yield
    finally:
        with sync_db.cursor() as cur:
            cur.execute("DROP TABLE route_probe_work")
            cur.execute("DROP TABLE route_probe_hook")


@pytest.fixture
async def probe_client(settings, probe_tables):
    from app.main import create_app

    class KeptRefusal(DomainError):
        commit_before_answer = True

    app = create_app(settings, migrate=False)
    probe = v1_router()

    @probe.post("/api/v1/probe/{outcome}", status_code=201)
    async def write_then(outcome: str, request: Request, session: Session) -> dict:
        await session.execute(text("INSERT INTO route_probe_work VALUES (:n)"), {"n": outcome})

        async def hook(s) -> None:
            await s.execute(text("INSERT INTO route_probe_hook VALUES (:n)"), {"n": outcome})

        request.state.after_rollback.append(hook)
        if outcome == "kept":
            raise KeptRefusal("probe-refused", 409, "探针拒绝", "Probe refused", title="Conflict")
        if outcome == "refused":
            raise DomainError("probe-refused", 409, "探针拒绝", "Probe refused", title="Conflict")
        return {"ok": True}

    app.include_router(probe)
    async with LifespanManager(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://t"
        ) as c:
            yield c


def _notes(sync_db, table: str) -> list[str]:
    with sync_db.cursor() as cur:
        cur.execute(f"SELECT note FROM {table} ORDER BY note")
        return [r[0] for r in cur.fetchall()]


async def test_an_exception_asking_commit_before_answer_is_committed_then_answered(probe_client, token, sync_db):
    r = await probe_client.post(
        "/api/v1/probe/kept", headers={**token("office", programme="changning"), "Idempotency-Key": "kept-1"}
    )
    assert r.status_code == 409 and r.json()["type"].endswith("/probe-refused")
    assert _notes(sync_db, "route_probe_work") == ["kept"]
    assert _notes(sync_db, "route_probe_hook") == []  # nothing was lost: no after-rollback work
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM idempotency_keys")
        assert cur.fetchone()[0] == 0  # an error is not replayed: its key is free for the retry


async def test_an_ordinary_exception_rolls_back_and_runs_the_after_rollback_hooks(probe_client, token, sync_db):
    r = await probe_client.post("/api/v1/probe/refused", headers=token("office", programme="changning"))
    assert r.status_code == 409
    assert _notes(sync_db, "route_probe_work") == []
    assert _notes(sync_db, "route_probe_hook") == ["refused"]


async def test_a_failed_commit_of_a_kept_refusal_is_503_commit_failed_and_runs_the_after_rollback_hooks(
    probe_client, token, sync_db
):
    with inserts_refused(sync_db, "route_probe_work", at_commit=True):
        r = await probe_client.post("/api/v1/probe/kept", headers=token("office", programme="changning"))
    assert r.status_code == 503 and r.json()["type"].endswith("/commit-failed") and r.headers["retry-after"] == "1"
    assert _notes(sync_db, "route_probe_work") == []
    assert _notes(sync_db, "route_probe_hook") == ["kept"]


async def test_a_success_commits_and_runs_no_after_rollback_hook(probe_client, token, sync_db):
    r = await probe_client.post("/api/v1/probe/done", headers=token("office", programme="changning"))
    assert r.status_code == 201
    assert _notes(sync_db, "route_probe_work") == ["done"]
    assert _notes(sync_db, "route_probe_hook") == []


async def test_unstorable_text_is_refused_before_the_idempotency_key_is_claimed(client, token, sync_db):
    h = {**token("office", programme="changning"), "Idempotency-Key": "nul-1"}
    r = await client.post(
        "/api/v1/recommending-units",
        json={"programme": "changning", "code": "N1", "name_zh": "新泾\u0000镇", "kind": "street"},
        headers=h,
    )
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["name_zh"]
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM idempotency_keys")
        assert cur.fetchone()[0] == 0


def test_a_v1_route_runs_its_pieces_in_the_documented_order():
    """Outermost first: decide the permission, cap the body, refuse unstorable text, claim the key, open the
    transaction, read the test clock, store the answer."""
    import inspect

    from app.api.v1.routing import STEPS, V1Route

    # the pieces are composed once into one handler (one frame per request): each step is marked where it runs
    source = inspect.getsource(V1Route.get_route_handler)
    where = [source.index(f"# {step}") for step in STEPS]
    assert STEPS == (
        "permission_first",
        "body_limit",
        "unstorable_text",
        "idempotency_claim",
        "transaction",
        "frozen_clock",
        "idempotent_answer",
    )
    assert where == sorted(where)


def test_every_v1_route_is_a_v1_route_or_database_free():
    from fastapi.routing import APIRoute

    from app.api.v1 import router as v1
    from app.api.v1.routing import DatabaseFreeRoute, V1Route
    from app.config import Settings

    routes = [
        r for router in v1.routers(Settings(environment="test")) for r in router.routes if isinstance(r, APIRoute)
    ]
    assert routes and all(isinstance(r, (V1Route, DatabaseFreeRoute)) for r in routes)
    assert [r.path for r in routes if isinstance(r, DatabaseFreeRoute)] == ["/health"]


# attributes Starlette and FastAPI keep private on a request, its connection or a route
_PRIVATE_REQUEST = re.compile(
    r"\b(?:request|req|connection|scope)\._\w+|\._(?:body|receive|send|stream_consumed|form|json)\b"
)


def test_no_code_writes_or_reads_a_private_starlette_attribute():
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in sorted((ROOT / "app").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _PRIVATE_REQUEST.search(line)
    ]
    assert offenders == []


async def _receive_of(chunks: list[bytes], seen: list[int]):
    async def receive():
        seen.append(1)
        if chunks:
            body = chunks.pop(0)
            return {"type": "http.request", "body": body, "more_body": bool(chunks)}
        return {"type": "http.disconnect"}

    return receive


class _TooLarge(Exception):
    pass


async def test_a_capped_body_is_replayed_whole_to_the_endpoint_through_public_asgi():
    from starlette.requests import Request

    from app.api.capped_body import read_capped

    seen: list[int] = []
    request = Request({"type": "http", "method": "POST", "headers": []}, await _receive_of([b"ab", b"cd", b"e"], seen))
    again = await read_capped(request, 5, _TooLarge)
    assert await again.body() == b"abcde"
    assert await again.body() == b"abcde"  # read twice, from the client once
    assert len(seen) == 3
    assert again.scope is request.scope  # the same request: state, path, headers


async def test_a_capped_body_stops_reading_at_the_ceiling_and_refuses_a_declared_length_unread():
    from starlette.requests import Request

    from app.api.capped_body import read_capped

    seen: list[int] = []
    request = Request(
        {"type": "http", "method": "POST", "headers": []}, await _receive_of([b"abc", b"def", b"ghi", b"jkl"], seen)
    )
    with pytest.raises(_TooLarge):
        await read_capped(request, 5, _TooLarge)
    assert len(seen) == 2  # the rest was never read

    seen.clear()
    declared = Request(
        {"type": "http", "method": "POST", "headers": [(b"content-length", b"6")]}, await _receive_of([b"abcdef"], seen)
    )
    with pytest.raises(_TooLarge):
        await read_capped(declared, 5, _TooLarge)
    assert seen == []


async def _now_seen_by_a_route(settings) -> str:
    from app.domain import clock
    from app.main import create_app

    app = create_app(settings, migrate=False)
    probe = v1_router()

    @probe.get("/api/v1/probe/now")
    async def now() -> dict:
        return {"now": clock.now().isoformat()}

    app.include_router(probe)
    try:
        async with LifespanManager(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
                return (await c.get("/api/v1/probe/now")).json()["now"]
    finally:
        clock.set_frozen(None)


async def test_the_stored_test_clock_is_what_a_route_reads_outside_production_and_ignored_in_production(
    settings, sync_db, tmp_path
):
    with sync_db.cursor() as cur:
        cur.execute(
            "INSERT INTO test_clock (id, frozen_at, set_by) VALUES (1, '2026-09-29T01:00:00+00:00', 'route-pieces')"
        )
    # the same instant, as every answer writes it: in Asia/Shanghai time (issue 18)
    assert await _now_seen_by_a_route(settings) == "2026-09-29T09:00:00+08:00"
    production = settings.model_copy(
        update={
            "environment": "production",
            "jwks_url": "https://idp.example/jwks",
            "jwt_issuer": "https://idp.example",
            "personal_data_key": "k" * 40,
            "data_dir": tmp_path,
        }
    )
    assert not (await _now_seen_by_a_route(production)).startswith("2026-09-29T09:00")
