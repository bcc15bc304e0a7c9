"""One time zone in every answer: each instant in a JSON body is written with ``+08:00`` (Asia/Shanghai).

The legal dates are Shanghai dates, and a frontend that shows ``2026-12-31T16:00:00Z`` beside a
deadline "2027年1月1日" misleads the clerk. Instants are kept and computed in UTC (``app.domain.clock``);
what reaches a client is rewritten here, once, whatever produced it: a response model's ``datetime``,
an instant kept as text inside a JSON column (a decision's ``decided_at``), a problem's extra.
Only a whole JSON string that is an ISO 8601 date-time with an offset is rewritten, to the same
instant; dates, naive times and text that merely contains a time are left as they are.
"""

from __future__ import annotations

import re
from datetime import datetime

from app.domain.clock import SHANGHAI

_JSON_TYPES = (b"application/json", b"application/problem+json")
# a whole JSON string (not one escaped inside another) holding a date-time with an offset; the quote comes first
# and the escape is looked behind it: a pattern led by a literal is searched for that byte, one led by a lookbehind
# is tried at every byte (issue 21: a 12 KB notice, 357 µs a search before, 71 after)
_INSTANT = re.compile(rb'"(?<!\\")(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)(Z|[+-]\d{2}:\d{2})"')
_SHANGHAI_OFFSET = b"+08:00"
# the same, only those not yet in Shanghai time: most answers have none (their schemas write +08:00), and one
# search in C is cheaper than a substitution calling back into Python for every instant (issue 21)
_NOT_SHANGHAI = re.compile(
    rb'"(?<!\\")\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-](?!08:00)\d{2}:\d{2})"'
)


def _to_shanghai(m: re.Match[bytes]) -> bytes:
    offset = m.group(2)
    if offset == _SHANGHAI_OFFSET:
        return m.group(0)
    try:
        instant = datetime.fromisoformat((m.group(1) + (b"+00:00" if offset == b"Z" else offset)).decode())
    except ValueError:
        return m.group(0)
    return b'"' + instant.astimezone(SHANGHAI).isoformat().encode() + b'"'


# set in a request's state by a route whose body is already in Shanghai time (kept rendered, app/api/notice_cache.py):
# the middleware does not search it again
WRITTEN = "instants_in_shanghai"


def in_shanghai(body: bytes) -> bytes:
    """``body`` (JSON) with every instant written in Asia/Shanghai time (``body`` itself when it has none to rewrite)."""
    if _NOT_SHANGHAI.search(body) is None:
        return body
    return _INSTANT.sub(_to_shanghai, body)


class ShanghaiTimesMiddleware:
    """Rewrites the instants of every JSON answer (the OpenAPI document excepted: it is the contract's text)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"].endswith("openapi.json"):
            return await self.app(scope, receive, send)
        start: dict | None = None
        chunks: list[bytes] = []

        async def send_in_shanghai(message):
            nonlocal start
            if message["type"] == "http.response.start":
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                if content_type.split(b";")[0].strip() in _JSON_TYPES and not scope.get("state", {}).get(WRITTEN):
                    start = message  # held until the whole body is in
                    return
                return await send(message)
            if start is None or message["type"] != "http.response.body":
                return await send(message)
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            whole = chunks[0] if len(chunks) == 1 else b"".join(chunks)
            body = in_shanghai(whole)
            if body is whole and len(chunks) == 1:
                # nothing rewritten: the answer goes out as it came, its length unchanged
                await send(start)
                return await send(message)
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, send_in_shanghai)
