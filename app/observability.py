"""Logs carrying the request id, with personal data redacted before anything is written.

JSON lines where a machine reads them (a file, a pipe, journald, a container's log driver);
one human-readable line per record on a terminal (``QAWARD_LOG_FORMAT`` overrides: ``json``,
``console``). The same redaction runs on both.
"""

from __future__ import annotations

import logging
import os
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


# what a LogRecord carries by itself: anything else on a record is an ``extra`` field
_RECORD_FIELDS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "color_message",
}


class _ConsoleFormatter(logging.Formatter):
    """``01:02:03.456 INFO  qaward.access GET /api/v1/ready 200 (duration_ms=3.1 …) [rid]`` for a person at a terminal."""

    _COLOURS = {"WARNING": "\x1b[33m", "ERROR": "\x1b[31m", "CRITICAL": "\x1b[41m"}

    def __init__(self, colour: bool) -> None:
        super().__init__()
        self.colour = colour

    def format(self, record: logging.LogRecord) -> str:
        when = self.formatTime(record, "%H:%M:%S") + f".{int(record.msecs):03d}"
        extras = {k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS and not k.startswith("_")}
        line = f"{when} {record.levelname:<7} {record.name} {record.getMessage()}"
        if extras:
            line += " (" + " ".join(f"{k}={v}" for k, v in extras.items()) + ")"
        if getattr(record, "request_id", None):
            line += f" [{record.request_id}]"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        colour = self._COLOURS.get(record.levelname) if self.colour else None
        line = redact(line)
        return f"{colour}{line}\x1b[0m" if colour else line


class _Handler(logging.StreamHandler):
    """Chooses the format by where its stream goes, when it writes (a test may swap the stream)."""

    def __init__(self, stream, fmt: str) -> None:
        super().__init__(stream)
        self.fmt = fmt
        self.json = _RedactingJsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"levelname": "level", "asctime": "time"},
        )
        self.console = _ConsoleFormatter(colour=fmt == "auto")

    def human(self) -> bool:
        if self.fmt != "auto":
            return self.fmt == "console"
        isatty = getattr(self.stream, "isatty", None)
        return bool(isatty and isatty())

    def format(self, record: logging.LogRecord) -> str:
        return (self.console if self.human() else self.json).format(record)


# libraries whose INFO is noise to an operator: the embedded PostgreSQL prints every command line
# it runs with its output (pgserver; the server's own log stays in <data folder>/pgdata/log);
# httpx a line per request it sends (the JWKS refresh)
_QUIET = {
    "pgserver": logging.WARNING,
    "asyncio": logging.WARNING,
    "botocore": logging.WARNING,
    "httpx": logging.WARNING,
}


class _DropChatter(logging.Filter):
    """Alembic's two lines each time a migration context is made: ``/ready`` makes one per call
    (a health check every few seconds); the upgrades' own lines at start stay."""

    CHATTER = frozenset({"Context impl %s.", "Will assume %s DDL."})

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg not in self.CHATTER


_DROP_CHATTER = _DropChatter()


def configure_logging(level: str = "INFO", fmt: str | None = None) -> None:
    """Every process's logging: ``fmt`` ``auto`` (terminal → console, else JSON), ``json`` or ``console``."""
    if fmt is None:
        fmt = os.environ.get("QAWARD_LOG_FORMAT", "auto").lower()
    handler = _Handler(sys.stderr, fmt if fmt in ("auto", "json", "console") else "auto")
    handler.addFilter(_ContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name, quiet in _QUIET.items():
        logging.getLogger(name).setLevel(quiet)
    migration_log = logging.getLogger("alembic.runtime.migration")
    if _DROP_CHATTER not in migration_log.filters:
        migration_log.addFilter(_DROP_CHATTER)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        lg.handlers[:] = []
        lg.propagate = True
    # our access log below replaces uvicorn's (which logs raw query strings)
    logging.getLogger("uvicorn.access").disabled = True
