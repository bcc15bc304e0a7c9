"""``qaward audit verify`` checks every chain to its end and names every break, with their count
(it used to stop at the first broken chain, so a rewrite behind it went unseen)."""

from __future__ import annotations

import pytest

from app.workflow.commands import audit_verify
from tests.audit.driver import draft_application, rewrite_consistently, send_raw, superuser

REFUSED = '{"event":"no-such-event","reason":"试一试","data":{"n":%d}}'


async def _chains(client, token, n: int) -> list[str]:
    """``n`` applications (one per round), each with a history of three entries."""
    ids = []
    for i in range(n):
        flow, a = await draft_application(client, token, f"every-{i}")
        for k in (1, 2):
            assert (await send_raw(client, flow, a, REFUSED % k)).status_code == 409
        ids.append(a)
    return ids


async def test_every_tampered_chain_is_named_and_counted(client, token, app, sync_db, capsys):
    a, b, c, d, e = await _chains(client, token, 5)
    superuser(
        sync_db,
        ("UPDATE application_events SET data = '{\"n\": 7}' WHERE application_id = %s AND seq = 2", (a,)),
        ("UPDATE application_events SET reason = 'rewritten' WHERE application_id = %s AND seq = 2", (b,)),
        ("DELETE FROM application_events WHERE application_id = %s AND seq = 3", (c,)),
    )
    # a rewrite whose author recomputed its own hash: the next entry no longer links to it
    rewrite_consistently(sync_db, e, 2, "rewritten", cascade=False)
    assert await audit_verify(app.state.db) == 1
    err = capsys.readouterr().err
    assert f"BROKEN application {a} entry seq=2 id=" in err and "its data does not match its digest" in err
    assert f"BROKEN application {b} entry seq=2 id=" in err and "its content does not match its hash" in err
    assert f"BROKEN application {c} entry seq=3 id=None: the chain ends at entry 2" in err
    assert f"BROKEN application {e} entry seq=3" in err and "does not link to the previous entry" in err
    assert d not in err
    assert "4 breaks in 4 of 5 application histories (14 entries checked)" in err


async def test_a_chain_broken_twice_reports_both_entries(client, token, app, sync_db, capsys):
    [a] = await _chains(client, token, 1)
    superuser(
        sync_db,
        ("UPDATE application_events SET actor = 'mallory' WHERE application_id = %s AND seq IN (1, 3)", (a,)),
    )
    assert await audit_verify(app.state.db) == 1
    err = capsys.readouterr().err
    assert f"application {a} entry seq=1" in err and f"application {a} entry seq=3" in err
    assert "2 breaks in 1 of 1 application histories" in err


@pytest.mark.parametrize(
    ("stored", "why"),
    [
        # rounds to the same double as the 0.1 written: the digits stored are not what was written
        ('{"n": 0.1000000000000000000001}', "is not one the application stores"),
        ('{"n": 9007199254740993}', "beyond I-JSON's exact range"),
        ('{"n": 1' + "0" * 5000 + "}", "its data cannot be read"),
    ],
)
async def test_data_rewritten_into_numbers_the_application_never_stores_is_a_break(
    client, token, app, sync_db, capsys, stored, why
):
    flow, a = await draft_application(client, token, "numbers")
    assert (await send_raw(client, flow, a, '{"event":"no-such-event","data":{"n":0.1}}')).status_code == 409
    superuser(
        sync_db, ("UPDATE application_events SET data = %s::jsonb WHERE application_id = %s AND seq = 2", (stored, a))
    )
    assert await audit_verify(app.state.db) == 1
    err = capsys.readouterr().err
    assert f"BROKEN application {a} entry seq=2" in err and why in err, err


async def test_an_entry_passed_off_under_the_old_scheme_is_a_break(client, token, app, sync_db, capsys):
    [a] = await _chains(client, token, 1)
    superuser(sync_db, ("UPDATE application_events SET hash_scheme = 1 WHERE application_id = %s AND seq = 3", (a,)))
    assert await audit_verify(app.state.db) == 1
    err = capsys.readouterr().err
    assert f"application {a} entry seq=3" in err and "older than the previous entry's (2)" in err
