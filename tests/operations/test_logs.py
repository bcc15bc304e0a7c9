"""Logs an operator can read: a line per record on a terminal, JSON elsewhere; the access log's fields;
no embedded-database noise; the worker's start and batches; a loud warning when a test clock is set."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from datetime import datetime

import httpx
from asgi_lifespan import LifespanManager

from app.observability import configure_logging, request_id_var
from tests.workflow.flow import Flow
from tests.workflow.test_worker_and_audit import _seed_due_notices


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _capture(stream=None, fmt: str | None = None):
    configure_logging("INFO", fmt)
    stream = stream or io.StringIO()
    logging.getLogger().handlers[0].setStream(stream)
    return stream


def _json_lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]


def test_a_terminal_gets_one_readable_line_per_record_and_personal_data_stays_masked(monkeypatch):
    monkeypatch.delenv("QAWARD_LOG_FORMAT", raising=False)
    stream = _capture(_Terminal())
    token = request_id_var.set("rid-7")
    try:
        logging.getLogger("qaward.test").warning("applicant %s", "11010519491231002X", extra={"phone": "13812345678"})
    finally:
        request_id_var.reset(token)
    out = stream.getvalue()
    assert not out.lstrip("\x1b[0123456789m").startswith("{"), out
    assert "WARNING" in out and "qaward.test" in out and "[rid-7]" in out
    assert "1101**********002X" in out and "138****5678" in out
    assert "11010519491231002X" not in out and "13812345678" not in out


def test_a_pipe_or_file_gets_json_and_the_format_can_be_forced(monkeypatch):
    monkeypatch.delenv("QAWARD_LOG_FORMAT", raising=False)
    stream = _capture()
    logging.getLogger("qaward.test").info("to a file")
    assert _json_lines(stream)[-1]["message"] == "to a file"
    forced = _capture(_Terminal(), fmt="json")
    logging.getLogger("qaward.test").info("forced")
    assert _json_lines(forced)[-1]["message"] == "forced"
    console = _capture(fmt="console")
    logging.getLogger("qaward.test").info("plain")
    assert "INFO" in console.getvalue() and not console.getvalue().startswith("{")


async def test_the_access_log_carries_method_path_status_duration_principal_and_request_id(client, token):
    stream = _capture()
    headers = token("applicant", applicant="acct-9", sub="acct-9-user", verified_id_number="11010519491231002X")
    r = await client.get(
        "/api/v1/applications?size=5&name=13812345678", headers={**headers, "X-Request-ID": "rid-access-1"}
    )
    assert r.status_code in (200, 403), r.text
    access = [line for line in _json_lines(stream) if line["name"] == "qaward.access"]
    assert len(access) == 1, stream.getvalue()
    line = access[0]
    assert line["method"] == "GET" and line["path"] == "/api/v1/applications" and line["status"] == r.status_code
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["principal"] == "acct-9-user" and line["roles"] == ["applicant"]
    assert line["request_id"] == "rid-access-1"
    out = stream.getvalue()
    # the real-name claim and the query string never reach the log
    assert "11010519491231002X" not in out and "1101**********002X" not in out and "13812345678" not in out


async def test_an_anonymous_request_is_logged_without_a_principal(client):
    stream = _capture()
    await client.get("/api/v1/health")
    line = [x for x in _json_lines(stream) if x["name"] == "qaward.access"][-1]
    assert line["principal"] is None and line["roles"] == [] and line["status"] == 200


def test_the_embedded_databases_command_lines_stay_out_of_the_service_log():
    stream = _capture()
    logging.getLogger("pgserver").info("Running commandline:\n['/x/pg_ctl', '-D', '/data']")
    logging.getLogger("pgserver").warning("Failed to stop server, killing it instead.")
    out = stream.getvalue()
    assert "Running commandline" not in out and "killing it instead" in out


def test_no_cli_call_warns_about_xdg_runtime_dir(tmp_path):
    """pgserver's import asked platformdirs for a runtime folder, which warned on every command without XDG_RUNTIME_DIR."""
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    code = "from app.db.embedded import import_pgserver; import_pgserver(); print('imported')"
    done = subprocess.run(
        [sys.executable, "-W", "default", "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "imported" in done.stdout, done.stderr
    assert "XDG_RUNTIME_DIR" not in done.stderr, done.stderr


async def test_a_test_clock_left_set_is_warned_of_at_start_and_shown_by_ready(settings, client, token):
    """The clock is stored, so it survives a restart: the restarted service says so loudly, and /ready shows it."""
    from app.main import create_app

    flow = Flow(client, token, "changning")
    await flow.at("2026-10-14T09:00:00+08:00")
    stream = _capture()
    restarted = create_app(settings, migrate=False)
    async with LifespanManager(restarted):
        warning = [x for x in _json_lines(stream) if x["level"] == "WARNING" and "TEST CLOCK SET" in x["message"]]
        assert warning and warning[0]["test_clock"].startswith("2026-10-14T01:00:00"), stream.getvalue()
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=restarted), base_url="http://t") as c:
            body = (await c.get("/api/v1/ready")).json()
    # answers write instants in +08:00 (issue 18): the same instant
    assert body["status"] == "ready" and datetime.fromisoformat(body["test_clock"]) == datetime.fromisoformat(
        "2026-10-14T09:00:00+08:00"
    )
    r = await client.delete("/api/v1/testing/clock", headers=token("admin"))
    assert r.status_code == 200
    assert (await client.get("/api/v1/ready")).json()["test_clock"] is None


async def test_each_deadline_batch_is_logged(client, token, sync_db):
    flow = Flow(client, token, "changning")
    _seed_due_notices(sync_db, 3)
    await flow.at("2026-10-14T09:00:00+08:00")
    stream = _capture()
    assert await flow.run_deadlines() == 3
    batch = [x for x in _json_lines(stream) if x["name"] == "qaward.deadlines" and "batch" in x]
    assert len(batch) == 1 and batch[0]["batch"] == 3 and batch[0]["close_notice"] == 3, stream.getvalue()


async def test_a_readiness_check_logs_its_request_only(client):
    """A health check every few seconds: one access line, not alembic's migration-context chatter."""
    stream = _capture()
    assert (await client.get("/api/v1/ready")).status_code == 200
    names = [x["name"] for x in _json_lines(stream)]
    assert names == ["qaward.access"], stream.getvalue()
