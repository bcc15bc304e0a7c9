"""JSON logs carrying the request id, with personal data redacted before anything is written."""

from __future__ import annotations

import logging
import re
import sys
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# Defence in depth: code must not log personal data, and if it does the redaction of free text
# (app.domain.personal_data.redact: ID numbers, mobiles and landlines) masks it, and bearer tokens too.
from app.domain.personal_data import redact as _redact_personal  # noqa: E402

# a JWT (header.payload.signature, base64url; the header always starts "eyJ"): a credential
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


# PostgreSQL's DETAIL quotes the values of the row or key it refused ("Failing row contains (...)",
# "Key (name)=(...)"): names, addresses, anything no pattern recognises. The constraint and
# relation stay in the message; the values never reach a log.
_PG_DETAIL = re.compile(r"(DETAIL:\s*)[^\n]*")


# the same in a serialised JSON line, where the detail ends at the string's closing quote
_PG_DETAIL_JSON = re.compile(r'(DETAIL:\s*)(?:[^\n"\\]|\\[^n])*')


def redact(text: str, *, serialised: bool = False) -> str:
    """``text`` fit for a log: personal data masked, JWTs replaced, database error details dropped.
    ``serialised``: ``text`` is a JSON line (a detail's end is an escaped newline or the closing quote)."""
    text = (_PG_DETAIL_JSON if serialised else _PG_DETAIL).sub(r"\1[redacted]", text)
    return _JWT.sub("[jwt]", _redact_personal(text))


def _redact_value(value):
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(v) for v in value]
    return value


class _ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        if record.args:
            try:
                record.msg = record.msg % record.args
            except (TypeError, ValueError):
                record.msg = f"{record.msg} {record.args!r}"
            record.args = None
        record.msg = redact(str(record.msg))
        return True


class _RedactingJsonFormatter(JsonFormatter):
    """Redacts every field (message, extras, traceback) before it is JSON-escaped — escaping glues
    letters to a number (``\\u53f7110105...``, ``\\n138...``) so the masking patterns miss it — and
    the serialised line once more."""

    def process_log_record(self, log_data):
        return _redact_value(super().process_log_record(log_data))

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), serialised=True)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        _RedactingJsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"levelname": "level", "asctime": "time"},
        )
    )
    handler.addFilter(_ContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        lg.handlers[:] = []
        lg.propagate = True
    # our access log below replaces uvicorn's (which logs raw query strings)
    logging.getLogger("uvicorn.access").disabled = True
