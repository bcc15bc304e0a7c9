"""Round actions and notice lists fired as one batch (issue 21): the same rows as one application at a time.

``app/workflow/batch.py`` fires a round action's event on all its applications with a handful of
statements; ``service.fire_many`` fires it one application at a time. The same scenario on two rounds,
one through each path (the batch switched off by emptying ``batch.BATCHED``, nothing mocked), must
leave the same rows: states, versions, outcomes, history entries (chains verified), deadlines, outbox
rows, frozen versions, notice entries, and each application answered as its GET gives it.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime

import pytest
from sqlalchemy import event as sa_event

from app.db import lean
from app.domain.identifiers import credit_check_character
from app.workflow import batch, service
from app.workflow.commands import audit_verify
from tests.intake.completing import complete_application
from tests.intake.registry import register_org
from tests.workflow.flow import Flow

STEPS = (
    ("submit", "applicant", {}),
    ("recommend", "recommender", {"opinion": "同意推荐"}),
    ("pass_qualification", "office", {}),
)
NOTICE_AT = "2026-09-29T10:00:00+08:00"


def credit_code(n: int) -> str:
    first17 = f"913101{n:011d}"
    return first17 + credit_check_character(first17)


async def _applications(flow: Flow, rnd: dict, first: int, count: int, registered_after: set[int] = frozenset()):
    """``count`` changning model drafts, completed; applicants ``registered_after`` are put in the registry once
    their application exists (so ``submit``'s eligibility check links them), every other even one before."""
    ids = []
    for i in range(count):
        code = credit_code(first + i)
        if i % 2 == 0 and i not in registered_after:
            await register_org(flow.client, flow.headers["office"], "changning", credit_code=code, name=f"企业{i}")
        ids.append((await flow.apply(rnd["id"], "model", name=f"企业{i}", credit_code=code))["id"])
        if i in registered_after:
            await register_org(flow.client, flow.headers["office"], "changning", credit_code=code, name=f"企业{i}")
    await flow.complete(*ids)
    return ids


async def _act(flow: Flow, rnd: dict, event: str, role: str, data: dict, ids: list[str]):
    return await flow.client.post(
        f"/api/v1/rounds/{rnd['id']}/actions",
        json={"event": event, "applications": ids, "data": data},
        headers=flow.headers[role],
    )


async def _answers_match_gets(flow: Flow, role: str, answer: dict) -> None:
    """Each application of a round action's answer is as its GET gives it to the same caller."""
    for item in answer["applications"]:
        got = await flow.client.get(f"/api/v1/applications/{item['id']}", headers=flow.headers[role])
        assert got.status_code == 200, got.text
        body = got.json()
        for key in ("state", "version", "tier", "allowed_events", "deadlines"):
            assert item[key] == body[key], (key, item[key], body[key])


def _rows(sync_db, round_id: str) -> dict:
    """What the round's applications left in the database, ids, hashes and request ids left out, by name."""
    out: dict = {}
    with sync_db.cursor() as cur:
        cur.execute(
            "SELECT id, applicant_name, state, version, tier, outcome, correction_until, history_seq,"
            " applicant_id IS NOT NULL FROM applications WHERE round_id = %s ORDER BY applicant_name",
            (round_id,),
        )
        apps = cur.fetchall()
        names = {str(a[0]): a[1] for a in apps}
        out["applications"] = [a[1:] for a in apps]
        ids = list(names)
        cur.execute(
            "SELECT application_id, seq, occurred_at, actor, role, event, from_state, to_state, accepted, refusal,"
            " reason, data FROM application_events WHERE application_id = ANY(%s::uuid[]) ORDER BY application_id, seq",
            (ids,),
        )
        # the notice's id is the one thing a history entry holds that differs between the two rounds
        out["history"] = sorted(
            (names[str(r[0])], *r[1:-1], {k: v for k, v in r[-1].items() if k != "notice_id"}) for r in cur.fetchall()
        )
        cur.execute(
            "SELECT application_id, kind, event, stage, rule, starts_on, ends_at, calendar_revision, status, result"
            " FROM deadlines WHERE application_id = ANY(%s::uuid[])",
            (ids,),
        )
        out["deadlines"] = sorted(
            (names[str(r[0])], *[json.dumps(v, sort_keys=True, default=str) for v in r[1:]]) for r in cur.fetchall()
        )
        cur.execute(
            "SELECT application_id, seq, event, form, materials, facts FROM application_snapshots"
            " WHERE application_id = ANY(%s::uuid[])",
            (ids,),
        )
        out["snapshots"] = sorted(
            (
                names[str(r[0])],
                r[1],
                r[2],
                json.dumps(r[3], sort_keys=True),
                # materials uploaded at one (frozen) instant are listed in id order: compared as a set
                sorted(json.dumps({k: v for k, v in m.items() if k != "id"}, sort_keys=True) for m in r[4]),
                json.dumps({k: v for k, v in r[5].items() if k != "applicant_id"}, sort_keys=True),
            )
            for r in cur.fetchall()
        )
        cur.execute(
            "SELECT type, payload, occurred_at FROM outbox_events WHERE payload->>'round_id' = %s ORDER BY id",
            (round_id,),
        )
        skip = {"application_id", "round_id", "notice_id", "application_ids", "title_zh"}
        rows = cur.fetchall()
        out["outbox"] = sorted(
            (
                r[0],
                names.get(r[1].get("application_id")) or "",
                json.dumps({k: v for k, v in r[1].items() if k not in skip}, sort_keys=True),
                r[2],
            )
            for r in rows
        )
        # each action's rows in the order of the applications' locks (id order), as one at a time
        by_event: dict[str, list[str]] = {}
        for r in rows:
            if r[0] == "application.state_changed":
                by_event.setdefault(r[1]["event"], []).append(r[1]["application_id"])
        out["outbox_in_lock_order"] = {e: got == sorted(got) for e, got in by_event.items()}
        cur.execute(
            "SELECT e.application_id, e.position, e.applicant_kind, e.name, e.category, e.tier, e.unit_posting_status"
            " FROM notice_entries e JOIN notices n ON n.id = e.notice_id WHERE n.round_id = %s",
            (round_id,),
        )
        out["notice_entries"] = sorted((names[str(r[0])], *r[1:]) for r in cur.fetchall())
    return out


async def _scenario(flow: Flow, label: str, first: int) -> tuple[dict, list[str]]:
    await flow.at("2026-09-01T09:00:00+08:00")
    rnd = await flow.open_round(label, "2026-09-01", "2026-09-01T00:00:00+08:00", "2026-09-21T00:00:00+08:00")
    ids = await _applications(flow, rnd, first, 6, registered_after={2, 3})
    for event, role, data in STEPS:
        r = await _act(flow, rnd, event, role, data, ids)
        assert r.status_code == 200, r.text
        await _answers_match_gets(flow, role, r.json())
    await flow.at(NOTICE_AT)
    r = await flow.publish_notice(rnd["id"], ids)
    assert r.status_code == 201, r.text
    return rnd, ids


async def test_a_round_action_as_one_batch_leaves_the_rows_of_one_application_at_a_time(
    client, token, app, sync_db, monkeypatch
):
    flow = Flow(client, token, "changning")
    single = service.apply_event
    calls = []

    async def counted(*args, **kwargs):
        calls.append(args[2].id)
        return await single(*args, **kwargs)

    monkeypatch.setattr(service, "apply_event", counted)
    batched, _ = await _scenario(flow, "batched", 100)
    assert calls == []  # the batch fired every event: no application went through the single event's path
    monkeypatch.setattr(batch, "BATCHED", frozenset())
    one_by_one, _ = await _scenario(flow, "one-by-one", 200)
    assert len(calls) == 6 * 4
    monkeypatch.undo()
    a, b = _rows(sync_db, batched["id"]), _rows(sync_db, one_by_one["id"])
    assert len(a["history"]) == 6 * 5 and len(a["snapshots"]) == 6 and len(a["notice_entries"]) == 6
    # 0 and 4 registered first, 2 and 3 once applied (linked by submit's check), 1 and 5 never
    assert [row[-1] for row in a["applications"]] == [True, False, True, True, True, False]
    assert a["outbox_in_lock_order"] == {
        "submit": True,
        "recommend": True,
        "pass_qualification": True,
        "start_notice": True,
    }
    for kind in a:
        assert a[kind] == b[kind], kind
    assert await audit_verify(app.state.db) == 0


async def test_a_refusal_in_the_middle_of_a_batch_undoes_all_and_is_recorded_against_its_application(
    client, token, app, sync_db
):
    flow = Flow(client, token, "changning")
    await flow.at("2026-09-01T09:00:00+08:00")
    rnd = await flow.open_round("refused", "2026-09-01", "2026-09-01T00:00:00+08:00", "2026-09-21T00:00:00+08:00")
    # every applicant registered only once its application exists: submit's check would link them
    ids = []
    for i in range(5):
        ids.append((await flow.apply(rnd["id"], "model", name=f"企业{i}", credit_code=credit_code(300 + i)))["id"])
        await register_org(client, flow.headers["office"], "changning", credit_code=credit_code(300 + i))
    in_order = sorted(ids)
    incomplete = in_order[2]
    await flow.complete(*[i for i in ids if i != incomplete])
    with sync_db.cursor() as cur:
        cur.execute("SELECT id, history_seq FROM applications WHERE round_id = %s", (rnd["id"],))
        before = {str(r[0]): r[1] for r in cur.fetchall()}
    r = await _act(flow, rnd, "submit", "applicant", {}, ids)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["type"].endswith("/application-incomplete") and problem["application_id"] == incomplete
    with sync_db.cursor() as cur:
        cur.execute(
            "SELECT id, state, version, history_seq, applicant_id FROM applications WHERE round_id = %s", (rnd["id"],)
        )
        rows = {str(r[0]): r[1:] for r in cur.fetchall()}
        cur.execute(
            "SELECT application_id, event, accepted, refusal FROM application_events"
            " WHERE application_id = ANY(%s::uuid[]) AND event <> 'create'",
            (ids,),
        )
        events = cur.fetchall()
        cur.execute("SELECT count(*) FROM application_snapshots WHERE application_id = ANY(%s::uuid[])", (ids,))
        snapshots = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM outbox_events WHERE type = 'application.state_changed'")
        emitted = cur.fetchone()[0]
    assert {row[0] for row in rows.values()} == {"draft"}
    # nothing of the others is kept, not even the registry link their check made
    assert all(row[3] is None for row in rows.values()), rows
    assert [(str(e[0]), e[1], e[2], e[3]) for e in events] == [(incomplete, "submit", False, "application-incomplete")]
    assert {i: row[2] for i, row in rows.items()} == {i: seq + (i == incomplete) for i, seq in before.items()}
    assert snapshots == 0 and emitted == 0
    assert await audit_verify(app.state.db) == 0


@pytest.mark.parametrize("position", [0, -1])
async def test_a_round_action_and_a_single_event_at_once_one_wins_no_deadlock(client, token, app, sync_db, position):
    flow = Flow(client, token, "changning")
    await flow.at("2026-09-01T09:00:00+08:00")
    rnd = await flow.open_round("race", "2026-09-01", "2026-09-01T00:00:00+08:00", "2026-09-21T00:00:00+08:00")
    ids = await _applications(flow, rnd, 400, 4)
    for event, role, data in STEPS[:2]:
        assert (await _act(flow, rnd, event, role, data, ids)).status_code == 200
    target = sorted(ids)[position]
    etag = (await flow.get(target)).headers["etag"]
    action, single = await asyncio.gather(
        _act(flow, rnd, "pass_qualification", "office", {}, ids),
        client.post(
            f"/api/v1/applications/{target}/events",
            json={"event": "fail_qualification", "reason": "不符合", "data": {"notice_text": "不予通过"}},
            headers={**flow.headers["office"], "If-Match": etag},
        ),
    )
    assert {action.status_code, single.status_code} in ({200, 412}, {200, 409}), (action.text, single.text)
    for r in (action, single):
        if r.status_code != 200:
            assert not r.json()["type"].endswith("/concurrent-update"), r.text  # a deadlock answers this
    states = {i: (await flow.get(i)).json() for i in ids}
    if action.status_code == 200:
        assert all(s["state"] == "qualification_review" for s in states.values())
        assert all("start_notice" in s["allowed_events"] for s in states.values())
    else:
        assert action.json()["application_id"] == target
        assert states[target]["state"] == "ineligible"
        assert all(not states[i]["allowed_events"] or "start_notice" not in states[i]["allowed_events"] for i in ids)
    assert await audit_verify(app.state.db) == 0


async def test_a_notice_of_200_entries_is_published_with_its_entries_and_deadlines(client, token, app, sync_db):
    flow = Flow(client, token, "changning")
    await flow.at("2026-09-01T09:00:00+08:00")
    rnd = await flow.open_round("n200", "2026-09-01", "2026-09-01T00:00:00+08:00", "2026-09-21T00:00:00+08:00")
    count = 200
    ids = [
        (await flow.apply(rnd["id"], "model", name=f"企业{i}", credit_code=credit_code(1000 + i)))["id"]
        for i in range(count)
    ]
    sem = asyncio.Semaphore(4)

    async def complete(app_id: str) -> None:
        async with sem:
            await complete_application(client, flow.headers["office"], app_id)

    await asyncio.gather(*[complete(i) for i in ids])
    for event, role, data in STEPS:
        r = await _act(flow, rnd, event, role, data, ids)
        assert r.status_code == 200, r.text
        assert [a["id"] for a in r.json()["applications"]] == ids
    await flow.at(NOTICE_AT)
    asked = list(reversed(ids))  # entries in the order the office lists them, not the lock order
    r = await flow.publish_notice(rnd["id"], asked)
    assert r.status_code == 201, r.text
    notice = r.json()
    with sync_db.cursor() as cur:
        cur.execute(
            "SELECT e.application_id, e.position, a.state FROM notice_entries e JOIN applications a"
            " ON a.id = e.application_id WHERE e.notice_id = %s ORDER BY e.position",
            (notice["id"],),
        )
        entries = cur.fetchall()
        cur.execute(
            "SELECT starts_on, ends_at, rule, count(*) FROM deadlines WHERE application_id = ANY(%s::uuid[])"
            " AND kind = 'notice_end' AND status = 'pending' GROUP BY 1, 2, 3",
            (ids,),
        )
        deadlines = cur.fetchall()
        cur.execute(
            "SELECT type, count(*) FROM outbox_events WHERE payload->>'round_id' = %s GROUP BY type", (rnd["id"],)
        )
        outbox = dict(cur.fetchall())
        cur.execute(
            "SELECT count(*), min(history_seq), max(history_seq) FROM applications WHERE round_id = %s", (rnd["id"],)
        )
        heads = cur.fetchone()
    assert [(str(e[0]), e[1], e[2]) for e in entries] == [
        (a, i + 1, "qualification_notice") for i, a in enumerate(asked)
    ]
    # one period for the whole list, the notice's own
    assert len(deadlines) == 1 and deadlines[0][3] == count
    assert deadlines[0][1] == datetime.fromisoformat(notice["period"]["ends_at"])
    assert outbox == {"application.state_changed": 4 * count, "notice.published": 1}
    assert heads == (count, 5, 5)  # create, submit, recommend, pass_qualification, start_notice each
    got = (await flow.get(ids[0])).json()
    assert [d["kind"] for d in got["deadlines"] if d["status"] == "pending"] == ["notice_end"]
    assert await audit_verify(app.state.db) == 0


async def test_a_round_action_sends_as_many_statements_for_twelve_applications_as_for_four(
    client, token, app, monkeypatch
):
    """A handful of statements per round action, not a set per application (issue 21): counted at the driver
    (the pre-built statements, ``app.db.lean``) and at SQLAlchemy's cursor, for the whole request."""
    sent: list[str] = []
    through_driver = lean._call

    async def counted(session, method, sql, args):
        sent.append(sql)
        return await through_driver(session, method, sql, args)

    def on_cursor(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    monkeypatch.setattr(lean, "_call", counted)
    engine = app.state.db.engine.sync_engine
    sa_event.listen(engine, "before_cursor_execute", on_cursor)
    flow = Flow(client, token, "changning")
    spent: dict[int, dict[str, int]] = {}
    try:
        # the first pays what a process reads once (programmes, the calendar); each holds applicants registered
        # before their application, after it (linked by submit's check) and not at all
        for size in (2, 4, 12):
            await flow.at("2026-09-01T09:00:00+08:00")
            rnd = await flow.open_round(
                f"size-{size}", "2026-09-01", "2026-09-01T00:00:00+08:00", "2026-09-21T00:00:00+08:00"
            )
            ids = await _applications(flow, rnd, 500 + 20 * size, size, registered_after={1})
            spent[size] = {}
            for event_name, role, data in STEPS:
                sent.clear()
                assert (await _act(flow, rnd, event_name, role, data, ids)).status_code == 200
                spent[size][event_name] = len(sent)
            await flow.at(NOTICE_AT)
            sent.clear()
            r = await client.post(
                f"/api/v1/rounds/{rnd['id']}/notices",
                json={"point": "qualification", "applications": ids},
                headers=flow.headers["office"],
            )
            assert r.status_code == 201, r.text
            spent[size]["notice"] = len(sent)
    finally:
        sa_event.remove(engine, "before_cursor_execute", on_cursor)
    assert spent[12] == spent[4], spent
    assert max(spent[12].values()) <= 40, spent
