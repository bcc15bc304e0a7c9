"""A locked read works on the row as locked, never on a copy an earlier read left in the session.

SQLAlchemy's identity map hands a ``SELECT ... FOR UPDATE`` the object an earlier, unlocked read of the
same request loaded, with that read's attributes: the lock is taken, but the code decides on, and writes
back, what the row was before a concurrent change committed in between (a lost update; commit 8282ffb:
two evidence files at once, one kept). Every locked read in ``app/db/repositories`` therefore refreshes
the rows it locks (``populate_existing``), save the few named below with their reason.
"""

from __future__ import annotations

import ast
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.db.repositories import recommendation as units_repo
from app.db.repositories import retention as retention_repo

REPOSITORIES = Path(__file__).resolve().parents[2] / "app" / "db" / "repositories"

# (module, function): why its locked read may keep the session's copy
EXEMPT = {
    ("calendar", "notices_ending_with"): (
        "one correction moves a notice once per application's end in one transaction; refreshing would discard "
        "the previous move's change, not yet flushed (autoflush is off)"
    ),
    ("workflow", "lock_application_rows"): "Core rows, not ORM objects: no identity map",
    ("workflow", "lock_applications"): (
        "no caller holds an unlocked copy of the applications (reported to the lead; workflow.py is not this "
        "branch's to change)"
    ),
    ("outbox", "get_subscription"): (
        "rotate and set_active lock first (reported to the lead; outbox.py is not this branch's to change)"
    ),
}


def _locked_reads() -> list[tuple[str, str, ast.Call, str]]:
    """Every ``with_for_update(...)`` in the repositories: (module, enclosing function or name, call, its source)."""
    found = []
    for path in sorted(REPOSITORIES.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        for top in ast.parse(source).body:
            if isinstance(top, ast.AsyncFunctionDef | ast.FunctionDef):
                name = top.name
            elif isinstance(top, ast.Assign) and isinstance(top.targets[0], ast.Name):
                name = top.targets[0].id
            else:
                continue
            for node in ast.walk(top):
                if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "with_for_update":
                    found.append((path.stem, name, node, ast.get_source_segment(source, top) or ""))
    return found


@pytest.mark.no_database
def test_every_locked_read_in_the_repositories_refreshes_what_the_session_holds():
    """A locked read without ``populate_existing`` is a claim (``SKIP LOCKED``: rows a worker takes unread)
    or named in EXEMPT with its reason; anything else would return a stale copy under a lock."""
    reads = _locked_reads()
    assert len(reads) > 30  # the walk finds them (41 when written)
    stale = [
        f"{module}.{name} (line {call.lineno})"
        for module, name, call, body in reads
        if "populate_existing=True" not in body
        and not any(k.arg == "skip_locked" for k in call.keywords)
        and (module, name) not in EXEMPT
    ]
    assert stale == [], "a locked read that may return the session's stale copy: " + ", ".join(stale)


async def _unit(sync_db, name: str) -> uuid.UUID:
    unit_id = uuid.uuid4()
    with sync_db.cursor() as cur:
        cur.execute(
            "INSERT INTO recommending_units (id, programme, code, name_zh, kind, covers, version)"
            " VALUES (%s, 'changning', %s, %s, 'area', '[]', 1)",
            (str(unit_id), f"U{unit_id.hex[:8]}", name),
        )
    return unit_id


async def test_a_locked_read_of_a_recommending_unit_returns_the_row_a_concurrent_change_committed(app, sync_db):
    """Read, then another connection changes the unit and commits, then the same session locks it: the
    locked read shows the committed change (before: the first read's name and version, to be written back)."""
    unit_id = await _unit(sync_db, "新华路街道")
    async with app.state.db.sessionmaker() as session, session.begin():
        first = await units_repo.get(session, unit_id)
        assert first is not None and first.name_zh == "新华路街道"
        with sync_db.cursor() as cur:
            cur.execute(
                "UPDATE recommending_units SET name_zh = '新华路街道办事处', version = 2 WHERE id = %s", (str(unit_id),)
            )
        locked = await units_repo.get(session, unit_id, for_update=True)
        assert locked is first  # one object per row in a session: the lock refreshed it in place
        assert (locked.name_zh, locked.version) == ("新华路街道办事处", 2)


async def test_a_locked_read_of_a_legal_hold_sees_it_lifted_meanwhile(app, sync_db):
    """A hold read, then lifted by another admin's committed request, then locked: the lock sees it lifted
    (so a second lift answers 409 `/legal-hold-lifted`; with the stale copy it went on to an UPDATE the
    table's trigger refuses)."""
    hold_id = uuid.uuid4()
    with sync_db.cursor() as cur:
        cur.execute(
            "INSERT INTO legal_holds (id, scope, target_id, reason, set_by, set_at)"
            " VALUES (%s, 'application', %s, '诉讼保全', 'admin-1', %s)",
            (str(hold_id), str(uuid.uuid4()), datetime(2026, 12, 1, tzinfo=UTC)),
        )
    async with app.state.db.sessionmaker() as session, session.begin():
        first = await retention_repo.get_hold(session, hold_id)
        assert first is not None and first.lifted_at is None
        with sync_db.cursor() as cur:
            cur.execute(
                "UPDATE legal_holds SET lifted_by = 'admin-2', lifted_at = now(), lift_reason = '诉讼终结'"
                " WHERE id = %s",
                (str(hold_id),),
            )
        locked = await retention_repo.hold_for_update(session, hold_id)
        assert locked is first
        assert locked.lifted_at is not None and locked.lifted_by == "admin-2"


async def test_concurrent_changes_of_a_unit_with_one_etag_keep_one_change_and_refuse_the_others(
    client, token, concurrently, sync_db
):
    """Four changes sent at once with the same `If-Match`: the first to lock the unit wins, each other one, locking
    it after, sees the version moved and answers 412; the row holds the winner's name, at version 2."""
    office = token("office", programme="changning")
    body = {"programme": "changning", "code": "XJH", "name_zh": "新泾镇", "kind": "street", "covers": ["xinjing"]}
    created = await client.post("/api/v1/recommending-units", json=body, headers=office)
    assert created.status_code == 201, created.text
    url = f"/api/v1/recommending-units/{created.json()['id']}"
    names = [f"新泾镇{i}" for i in range(4)]
    answers = await concurrently(
        4, lambda i: client.patch(url, json={"name_zh": names[i]}, headers={**office, "If-Match": '"v1"'})
    )
    assert sorted(r.status_code for r in answers) == [200, 412, 412, 412], [r.text for r in answers]
    [won] = [r.json()["name_zh"] for r in answers if r.status_code == 200]
    with sync_db.cursor() as cur:
        cur.execute("SELECT name_zh, version FROM recommending_units WHERE id = %s", (created.json()["id"],))
        assert cur.fetchone() == (won, 2)
