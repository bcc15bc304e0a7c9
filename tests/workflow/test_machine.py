"""The compiled machine is the authority: its guards come from programme data, the worker's batch
takes the same transition function as a clerk, and every attempt is recorded whatever its data."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from app.domain.programmes import effective
from app.domain.programmes.citations import get_clause_usage
from app.domain.programmes.registry import get_registry
from app.domain.programmes.schema import ProgrammeFile
from app.workflow.machine import workflow_for
from tests.workflow.flow import ORG_CODES, Flow
from tests.workflow.test_worker_and_audit import _audit, _seed_due_notices

SIXTH = Path(__file__).resolve().parents[1] / "fixtures" / "programmes" / "sixth" / "xuhui.yaml"


def _reload() -> None:
    for cached in (get_registry, get_clause_usage, workflow_for, effective._effective):
        cached.cache_clear()


def _xuhui_copy(folder: Path, **version_changes) -> Path:
    """The fictional sixth programme with an application clause (xuhui-18), and ``version_changes`` to its 2025 version."""
    data = yaml.safe_load(SIXTH.read_text(encoding="utf-8"))
    current = next(v for v in data["versions"] if v["id"] == "2025")
    current["application_clause"] = "xuhui-18"
    current.update(version_changes)
    folder.mkdir()
    (folder / "xuhui.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return folder


async def _late_submit(client, token, label: str):
    flow = Flow(client, token, "xuhui")
    rnd = await flow.september_round(label)
    app = (await flow.apply(rnd["id"], "organisation"))["id"]
    await flow.at("2026-09-22T09:00:00+08:00")  # the window closed on the 21st
    allowed = (await flow.get(app, "applicant")).json()["allowed_events"]
    return allowed, await flow.fire(app, "submit", role="applicant")


async def test_removing_the_window_guard_from_the_definition_lets_a_late_submit_through__xuhui_18(
    client, token, monkeypatch, tmp_path
):
    """The guard is the programme's data: the same code refuses with it (xuhui-18) and accepts without it."""
    try:
        monkeypatch.setenv("QAWARD_PROGRAMME_DIRS", str(_xuhui_copy(tmp_path / "as-defined")))
        _reload()
        allowed, r = await _late_submit(client, token, "2026")
        assert r.status_code == 409 and r.json()["type"].endswith("/guard-failed"), r.text
        assert (r.json()["condition"], r.json()["clause"]) == ("window_open", "xuhui-18")
        assert "submit" not in allowed

        monkeypatch.setenv("QAWARD_PROGRAMME_DIRS", str(_xuhui_copy(tmp_path / "without-window", submit_conditions=[])))
        _reload()
        allowed, r = await _late_submit(client, token, "2027")
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "awaiting_recommendation" and "submit" in allowed
    finally:
        monkeypatch.delenv("QAWARD_PROGRAMME_DIRS")
        _reload()


def _without_objection_guard(folder: Path) -> Path:
    data = yaml.safe_load(SIXTH.read_text(encoding="utf-8"))
    for v in data["versions"]:
        for n in v["notices"]:
            n["closing_conditions"] = ["notice_period_over"]
    folder.mkdir()
    (folder / "xuhui.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return folder


@pytest.mark.no_database
def test_a_notice_closes_on_the_conditions_its_definition_lists__xuhui_21(tmp_path, monkeypatch):
    """Removing no_open_objection from the qualification notice (xuhui-21) takes the guard out of the compiled machine."""
    try:
        monkeypatch.setenv("QAWARD_PROGRAMME_DIRS", str(SIXTH.parent))
        _reload()
        edge = workflow_for("xuhui", "2025").edge("qualification_notice", "close_notice")
        assert (
            edge is not None and edge.conds == ("notice_period_over", "no_open_objection") and edge.clause == "xuhui-21"
        )
        monkeypatch.setenv("QAWARD_PROGRAMME_DIRS", str(_without_objection_guard(tmp_path / "copy")))
        _reload()
        assert workflow_for("xuhui", "2025").edge("qualification_notice", "close_notice").conds == (
            "notice_period_over",
        )
    finally:
        monkeypatch.delenv("QAWARD_PROGRAMME_DIRS")
        _reload()


@pytest.mark.no_database
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"submit_conditions": ["window_open", "window_open"]},
            "submit_conditions.1: condition 'window_open' is listed twice",
        ),
        ({"select_conditions": ["window_open"]}, "select_conditions.0"),
    ],
)
def test_a_definition_names_only_the_conditions_an_event_has(change, message):
    data = yaml.safe_load(SIXTH.read_text(encoding="utf-8"))
    data["versions"][1].update(change)
    with pytest.raises(ValidationError, match=message.replace(".", r"\.").replace("(", r"\(")):
        ProgrammeFile.model_validate(data)


@pytest.mark.parametrize("round_state", ["announced", "archived"])
async def test_the_worker_is_refused_what_a_clerk_is_refused_once_the_round_is_closed__jinshan_9d_changning_10c(
    client, token, sync_db, round_state
):
    """A notice of a round whose results are out does not close by its deadline, as a clerk may not move it either."""
    round_id = _seed_due_notices(sync_db, 3)
    with sync_db.cursor() as cur:
        cur.execute("UPDATE rounds SET state = %s WHERE id = %s", (round_state, round_id))
        cur.execute("SELECT id FROM applications WHERE round_id = %s ORDER BY id", (round_id,))
        ids = [str(r[0]) for r in cur.fetchall()]
    flow = Flow(client, token, "changning")
    r = await flow.fire(ids[0], "disqualify", reason="核查属实", role="office")
    assert r.status_code == 409 and r.json()["type"].endswith("/round-closed"), r.text

    await flow.at("2026-10-14T09:00:00+08:00")
    assert await flow.run_deadlines() == 3
    with sync_db.cursor() as cur:
        cur.execute("SELECT state, count(*) FROM applications WHERE round_id = %s GROUP BY state", (round_id,))
        assert dict(cur.fetchall()) == {"qualification_notice": 3}
        cur.execute(
            "SELECT status, result, count(*) FROM deadlines WHERE round_id = %s GROUP BY status, result", (round_id,)
        )
        assert cur.fetchall() == [("waiting", "waiting: round-closed", 3)]
        cur.execute(
            "SELECT e.event, e.accepted, e.refusal, e.actor FROM application_events e JOIN applications a ON a.id = e.application_id"
            " WHERE a.round_id = %s AND e.event = 'close_notice'",
            (round_id,),
        )
        assert sorted(cur.fetchall()) == [("close_notice", False, "round-closed", "system")] * 3


UNSTORABLE = b'{"event": "%s", "reason": "\xe5\x86\x85\xe5\xae\xb9", "data": {"huge": 1e400, "tiny": -1e400, "nan": NaN, "digits": 1234567890123456789012345678901234567890, "float_digits": 1234567890123456789012345678901234567890.0, "nested": [1e400, {"x": NaN}]}}'


@pytest.mark.parametrize(("event", "status"), [("approve", 409), ("withdraw", 200)])
async def test_an_event_whose_data_json_cannot_hold_is_recorded_and_the_chain_verifies(
    client, token, settings, sync_db, event, status
):
    """Every attempt is in the history (refused or accepted), the numbers kept as their text where JSONB could not keep them."""
    flow = Flow(client, token, "changning")
    rnd = await flow.september_round("unstorable")
    app = (await flow.apply(rnd["id"], "model"))["id"]
    got = await flow.get(app)
    request_id = uuid.uuid4().hex
    r = await client.post(
        f"/api/v1/applications/{app}/events",
        content=UNSTORABLE % event.encode(),
        headers={
            **flow.headers["office"],
            "If-Match": got.headers["etag"],
            "Content-Type": "application/json",
            "X-Request-ID": request_id,
        },
    )
    assert r.status_code == status, r.text
    items = (await client.get(f"/api/v1/applications/{app}/history", headers=flow.headers["office"])).json()["items"]
    last = items[-1]
    assert (last["event"], last["accepted"], last["request_id"]) == (event, status == 200, request_id)
    with sync_db.cursor() as cur:
        cur.execute("SELECT data FROM application_events WHERE application_id = %s AND seq = %s", (app, last["seq"]))
        data = cur.fetchone()[0]
    assert (data["huge"], data["tiny"], data["nan"]) == ("Infinity", "-Infinity", "NaN")
    assert (
        # beyond I-JSON's exact integers: kept as its digits, as text, since hash scheme 2 (issue 13)
        data["digits"] == "1234567890123456789012345678901234567890"
        and data["float_digits"] == "1.2345678901234568e+39"
    )
    assert data["nested"] == ["Infinity", {"x": "NaN"}]
    verified = _audit(settings)
    assert verified.returncode == 0, verified.stderr


async def test_an_event_the_machine_does_not_know_is_refused_and_recorded(client, token):
    flow = Flow(client, token, "changning")
    rnd = await flow.september_round("unknown")
    app = (await flow.apply(rnd["id"], "model"))["id"]
    got = await flow.get(app)
    r = await client.post(
        f"/api/v1/applications/{app}/events",
        json={"event": "not_an_event", "data": {}},
        headers={**flow.headers["office"], "If-Match": got.headers["etag"], "X-Request-ID": "req-unknown"},
    )
    assert (
        r.status_code == 409
        and r.json()["type"].endswith("/transition-not-allowed")
        and r.json()["allowed_events"] == ["submit", "withdraw"]
    )
    last = (await client.get(f"/api/v1/applications/{app}/history", headers=flow.headers["office"])).json()["items"][-1]
    assert (last["event"], last["accepted"], last["refusal"], last["request_id"]) == (
        "not_an_event",
        False,
        "transition-not-allowed",
        "req-unknown",
    )


async def test_a_refused_round_action_undoes_the_events_before_it_and_records_the_refusal(client, token):
    """The events of one action run in one savepoint: the refusal rolls back the others (changning-20a's submit here)."""
    flow = Flow(client, token, "changning")
    rnd = await flow.september_round("action")
    first = (await flow.apply(rnd["id"], "model", credit_code=ORG_CODES[0]))["id"]
    second = (await flow.apply(rnd["id"], "model", name="上海另一质量管理有限公司", credit_code=ORG_CODES[1]))["id"]
    accepted, refused = sorted([first, second], key=uuid.UUID)  # the action takes them in id order
    await flow.complete(accepted)
    await flow.step(refused, "withdraw", "withdrawn")
    r = await client.post(
        f"/api/v1/rounds/{rnd['id']}/actions",
        json={"event": "submit", "applications": [accepted, refused], "data": {}},
        headers={**flow.headers["office"], "X-Request-ID": "req-action"},
    )
    assert r.status_code == 409 and r.json()["application_id"] == refused, r.text
    assert (await flow.get(accepted)).json()["state"] == "draft"
    history = {
        a: (await client.get(f"/api/v1/applications/{a}/history", headers=flow.headers["office"])).json()["items"]
        for a in (accepted, refused)
    }
    assert [i["event"] for i in history[accepted]] == ["create"]
    last = history[refused][-1]
    assert (last["event"], last["accepted"], last["refusal"], last["request_id"]) == (
        "submit",
        False,
        "transition-not-allowed",
        "req-action",
    )
