"""Headers for browsers and proxies on every answer: no sniffing, no referrer, no framing, a strict CSP.

The API answers JSON, which a browser must never run or render as a page: ``nosniff`` keeps a
problem body from being read as HTML, the CSP forbids everything (``default-src 'none'``), and
``frame-ancestors 'none'`` with ``X-Frame-Options: DENY`` keeps any answer out of a frame
(clickjacking). The URLs hold ids of applications and notices: ``Referrer-Policy: no-referrer``.
The docs page is the one HTML page: it sets its own CSP (``docs_csp``), which this middleware keeps.
"""

from __future__ import annotations

import base64
import hashlib
import re

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
_HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",
    b"x-frame-options": b"DENY",
    b"content-security-policy": API_CSP.encode(),
}
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)


def docs_csp(html: bytes) -> str:
    """The CSP of the offline Swagger UI page ``html``: its assets from this origin only, its one inline
    script allowed by hash (no ``'unsafe-inline'`` scripts), inline styles and ``data:`` images as
    Swagger UI draws them, requests to this origin only (the spec and "Try it out")."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(html)
    )
    return (
        f"default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )


class SecurityHeadersMiddleware:
    """Adds the headers above to every HTTP answer that does not set its own."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in _HEADERS.items() if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
