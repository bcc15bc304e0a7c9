"""``qaward audit verify --workers N``: the chains cut into slices verified by N processes find
exactly what one pass finds, in the same order, and show their progress."""

from __future__ import annotations

from app.db.repositories import audit as audit_repo
from app.workflow import audit_verify as parallel
from app.workflow.commands import audit_verify
from tests.audit.driver import draft_application, superuser
from tests.audit.test_verify_every_chain import _chains


async def test_two_worker_processes_report_every_break_as_one_pass_does(client, token, app, sync_db, capsys):
    ids = await _chains(client, token, 6)
    superuser(
        sync_db,
        ("UPDATE application_events SET reason = 'rewritten' WHERE application_id = %s AND seq = 2", (ids[1],)),
        ("DELETE FROM application_events WHERE application_id = %s AND seq = 3", (ids[4],)),
    )
    assert await audit_verify(app.state.db, workers=1) == 1
    one_pass = capsys.readouterr().err
    assert await audit_verify(app.state.db, workers=2, progress=True) == 1
    err = capsys.readouterr().err
    breaks = [line for line in err.splitlines() if line.startswith("BROKEN")]
    assert breaks == [line for line in one_pass.splitlines() if line.startswith("BROKEN")]
    assert len(breaks) == 2
    assert "2 breaks in 2 of 6 application histories (17 entries checked)" in err
    assert "audit verify: 17 of 18 entries" in err  # the last progress line: done of the heads' count


async def test_slices_cover_every_chain_once(client, token, app):
    for i in range(5):
        await draft_application(client, token, f"slice-{i}")
    report = await parallel.verify(app.state.db, workers=3)  # more slices than chains
    assert report.chains == 5 and not report.breaks
    async with app.state.db.transaction() as session:
        starts = await audit_repo.slice_starts(session, 2)
    assert len(starts) == 2 and starts == sorted(starts)
