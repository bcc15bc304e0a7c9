"""Issue 21: an event's answer must not cost the event again (events at 8 clients may not regress).

Counted by PostgreSQL itself in the event's own transaction (``pg_stat_xact_user_tables``): what the
event wrote and read, not how long it took, so the tests hold on a busy machine.
"""

from __future__ import annotations

import uuid

from sqlalchemy import text

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


async def test_an_events_answer_reads_no_round_beyond_what_the_event_read(app, client, token):
    """The answer's allowed events and deadlines come from the round and facts the event loaded: answering costs no
    read of the round (it used to read it again)."""
    app_id = await _in_qualification_review(client, token)
    spent = []
    for answered in (False, True):
        async with app.state.db.sessionmaker() as session, session.begin():
            before, _ = await _counts(session, "rounds")
            ctx = service.EventContext(_CLERK, "req-1")
            if answered:
                fired, allowed, _deadlines = await service.fire_answered(
                    session, ctx, uuid.UUID(app_id), "pass_qualification", None, {}, "*"
                )
                assert "pass_qualification" in allowed and fired.state == "qualification_review"
            else:
                await service.fire(session, ctx, uuid.UUID(app_id), "pass_qualification", None, {}, "*")
            after, _ = await _counts(session, "rounds")
        spent.append(after - before)
    assert spent[1] == spent[0] and spent[0] >= 1
