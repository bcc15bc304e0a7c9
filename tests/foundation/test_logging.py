"""Logs are JSON, carry the request id, and never carry personal data."""

from __future__ import annotations

import io
import json
import logging

from app.observability import configure_logging, request_id_var


def test_log_lines_are_json_with_request_id_and_masked_personal_data():
    configure_logging("INFO")
    stream = io.StringIO()
    root = logging.getLogger()
    root.handlers[0].setStream(stream)
    token = request_id_var.set("rid-42")
    try:
        logging.getLogger("qaward.test").info("applicant %s phone %s", "11010519491231002X", "13812345678")
    finally:
        request_id_var.reset(token)
    line = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert line["request_id"] == "rid-42" and line["level"] == "INFO"
    assert "11010519491231002X" not in line["message"] and "13812345678" not in line["message"]
    assert "1101**********002X" in line["message"] and "138****5678" in line["message"]
