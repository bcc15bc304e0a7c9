"""Text PostgreSQL cannot store (a NUL character, half of a surrogate pair), refused up front, field named.

Left to the database such text fails at the INSERT with no field to point at (or loses the
record of a refused event, written after the rollback); refused here it is an ordinary 422
naming the parameter or the body field. The v1 route (``app/api/v1/routing.py``) runs the check
before any other work of the request (before an idempotency key is claimed).

The body is read through ``Request.body()``: Starlette keeps it on the request, which the
endpoint is handed next, so it is read from the client once.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from app.domain.errors import DomainError, FieldError

# a JSON body can only carry such text escaped; the parse below runs only when one of these appears
_SUSPECT = (b"\\u0000", b"\\ud", b"\\uD", b"\x00")


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _refusal(field: str) -> DomainError:
    return DomainError(
        "validation-error",
        422,
        f"请求内容有误：{field}",
        f"Invalid request: {field}",
        title="Unprocessable Content",
        errors=[
            FieldError(
                field,
                "不能含有空字符（NUL）或无法编码的字符",
                "must not contain a NUL character or an unpaired surrogate",
                "unstorable_text",
            )
        ],
    )


def _first_bad(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return None if _storable(value) else (path or "body")
    if isinstance(value, dict):
        for key, item in value.items():
            if not _storable(str(key)):
                # named escaped: the answer (and the log) cannot carry the character itself
                shown = json.dumps(str(key))[1:-1]
                return f"{path}.{shown}" if path else shown
            here = f"{path}.{key}" if path else str(key)
            found = _first_bad(item, here)
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _first_bad(item, f"{path}[{i}]")
            if found:
                return found
    return None


async def refuse_unstorable(request: Request) -> None:
    """Raise a 422 naming the first path parameter, query parameter or JSON body field that cannot be stored."""
    for name, value in request.path_params.items():
        if isinstance(value, str) and not _storable(value):
            raise _refusal(name)
    for name, value in request.query_params.multi_items():
        if not (_storable(name) and _storable(value)):
            raise _refusal(name if _storable(name) else "query")
    if "json" not in request.headers.get("content-type", ""):
        return
    body = await request.body()
    if not any(s in body for s in _SUSPECT):
        return
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        return  # malformed: the framework answers it as such
    found = _first_bad(parsed, "")
    if found is not None:
        raise _refusal(found)
