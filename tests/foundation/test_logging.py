"""Logs are JSON, carry the request id, and never carry personal data."""

from __future__ import annotations

import io
import json
import logging

from fastapi import Request

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


def _capture():
    configure_logging("INFO")
    stream = io.StringIO()
    logging.getLogger().handlers[0].setStream(stream)
    return stream


def test_landline_in_a_log_line_is_masked():
    stream = _capture()
    logging.getLogger("qaward.test").info("contact %s", "021-60000002")
    assert "60000002" not in stream.getvalue()


def test_personal_data_in_a_traceback_after_chinese_text_or_newline_is_masked():
    """The traceback is JSON-escaped before the final redaction: ``\\u53f7`` / ``\\n`` glue letters to the number."""
    stream = _capture()
    id_number, mobile, other = "11010519491231002X", "13812345678", "13912345678"
    try:
        raise ValueError(f"身份证号{id_number}\n{mobile} 电话{other}")
    except ValueError:
        logging.getLogger("qaward.test").exception("failed")
    out = stream.getvalue()
    assert "11010519491231002X" not in out and "13812345678" not in out and "13912345678" not in out, out


def test_extra_fields_are_masked_before_escaping():
    stream = _capture()
    logging.getLogger("qaward.test").info("x", extra={"body": "姓名张三 身份证11010519491231002X"})
    assert "11010519491231002X" not in stream.getvalue()


def test_jwt_is_never_logged():
    stream = _capture()
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    logging.getLogger("qaward.test").info("auth header Bearer %s", jwt)
    assert jwt not in stream.getvalue() and "eyJzdWIiOiIxMjMifQ" not in stream.getvalue()


async def test_a_500_whose_exception_carries_the_body_logs_no_personal_data_and_answers_a_localised_problem(settings):
    import httpx
    from asgi_lifespan import LifespanManager

    from app.api.v1.routing import v1_router
    from app.main import create_app

    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    app = create_app(settings, migrate=False)
    boom = v1_router()

    @boom.post("/api/v1/boom-pd/{who}")
    async def explode(who: str, request: Request):
        body = (await request.body()).decode()
        raise RuntimeError(f"cannot save {who}: {body} {request.headers.get('authorization')}")

    app.include_router(boom)
    async with LifespanManager(app):
        stream = _capture()
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://t"
        ) as c:
            r = await c.post(
                "/api/v1/boom-pd/0571-87654321?phone=13812345678&id=11010519491231002X",
                content=b'{"objector_id_number":"11010519491231002X","phone":"13812345678","landline":"021-60000002"}',
                headers={"Authorization": f"Bearer {jwt}", "Accept-Language": "en"},
            )
    assert r.status_code == 500, r.text
    assert r.headers["content-language"] == "en" and "Accept-Language" in r.headers["vary"]
    out = stream.getvalue()
    assert "unexpected error" in out and "boom-pd" in out
    for secret in ("11010519491231002X", "13812345678", "60000002", "87654321", jwt, "eyJzdWIiOiIxMjMifQ"):
        assert secret not in out, secret


def test_the_values_postgresql_quotes_in_an_error_detail_are_not_logged():
    """``Failing row contains (...)`` / ``Key (...)=(...)``: the row of an objection, its objector's name included."""
    import asyncpg
    from sqlalchemy.exc import DBAPIError

    stream = _capture()
    for detail in ("Failing row contains (7, 王小明, 上海某某公司).", "Key (name_zh)=(王小明) already exists."):
        orig = asyncpg.exceptions.CheckViolationError.new(
            {
                "M": 'new row for relation "objections" violates check constraint "ck"',
                "D": detail,
                "C": "23514",
                "S": "ERROR",
            }
        )
        try:
            raise DBAPIError("INSERT INTO objections ...", None, orig, hide_parameters=True) from orig
        except DBAPIError:
            logging.getLogger("qaward.errors").exception("unexpected error")
    out = stream.getvalue()
    lines = [json.loads(line) for line in out.strip().splitlines()]  # still JSON, to the closing brace
    assert len(lines) == 2 and all(
        line["message"] == "unexpected error" and "check constraint" in line["exc_info"] for line in lines
    )
    assert all("[SQL: INSERT INTO objections" in line["exc_info"] for line in lines)  # only the detail line went
    for name in ("王小明", "上海某某公司"):
        assert name not in out and json.dumps(name)[1:-1] not in out
