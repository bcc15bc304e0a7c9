"""Issue 21: an event's answer must not cost the event again (events at 8 clients may not regress).

Counted by PostgreSQL itself in the event's own transaction (``pg_stat_xact_user_tables``): what the
event wrote and read, not how long it took, so the tests hold on a busy machine.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import event, text

from app.identity import Principal
from app.workflow import service
from tests.workflow.flow import Flow

_CLERK = Principal(sub="clerk-1", roles=frozenset({"office"}), programme="changning")


async def _in_qualification_review(client, token) -> str:
    flow = Flow(client, token, "changning")
    rnd = await flow.september_round("2026")
    app_id = (await flow.apply(rnd["id"], "model"))["id"]
    await flow.step(app_id, "submit", "awaiting_recommendation")
    await flow.step(app_id, "recommend", "qualification_review", {"opinion": "同意"})
    return app_id


async def _counts(session, table: str) -> tuple[int, int]:
    """Scans of ``table`` and rows updated in it, by this transaction so far."""
    row = (
        await session.execute(
            text(
                "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0), n_tup_upd"
                " FROM pg_stat_xact_user_tables WHERE relname = :t"
            ),
            {"t": table},
        )
    ).one()
    return int(row[0]), int(row[1])


async def test_an_event_writes_the_application_row_once_whatever_its_hooks_send(app, client, token):
    """The outbox hook's INSERT used to autoflush the changed row through the unit of work, then the event wrote it
    again: two UPDATEs of the application per event."""
    app_id = await _in_qualification_review(client, token)
    async with app.state.db.sessionmaker() as session, session.begin():
        _, before = await _counts(session, "applications")
        ctx = service.EventContext(_CLERK, "req-1")
        await service.fire_answered(session, ctx, uuid.UUID(app_id), "pass_qualification", None, {}, "*")
        _, after = await _counts(session, "applications")
    assert after - before == 1


async def test_an_events_answer_reads_no_round_beyond_what_the_event_read(app, client, token, monkeypatch):
    """The answer's allowed events and deadlines come from the round and facts the event loaded: answering costs no
    read of the round (it used to read it again). Counted as the statements reading ``rounds`` (through the ORM
    and straight to the driver), not as PostgreSQL's scans of it: a join's scans of ``rounds`` depend on the plan,
    which for a prepared statement changes after its fifth run (a custom plan, then the generic one)."""
    from app.db import lean

    app_id = await _in_qualification_review(client, token)
    reads_rounds = re.compile(r'\b(FROM|JOIN)\s+"?rounds"?\b', re.I)
    seen: list[str] = []
    driver_call = lean._call

    async def spying(session, method, sql, args):
        seen.append(sql)
        return await driver_call(session, method, sql, args)

    def orm(conn, cursor, statement, *rest):
        seen.append(statement)

    monkeypatch.setattr(lean, "_call", spying)
    engine = app.state.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", orm)
    spent = []
    try:
        for answered in (False, True):
            seen.clear()
            async with app.state.db.sessionmaker() as session, session.begin():
                ctx = service.EventContext(_CLERK, "req-1")
                if answered:
                    fired, allowed, _deadlines = await service.fire_answered(
                        session, ctx, uuid.UUID(app_id), "pass_qualification", None, {}, "*"
                    )
                    assert "pass_qualification" in allowed and fired.state == "qualification_review"
                else:
                    await service.fire(session, ctx, uuid.UUID(app_id), "pass_qualification", None, {}, "*")
            spent.append(sum(1 for sql in seen if reads_rounds.search(sql)))
    finally:
        event.remove(engine, "before_cursor_execute", orm)
    assert spent[1] == spent[0] and spent[0] >= 1, spent
