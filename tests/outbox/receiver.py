"""A real webhook receiver for tests: an HTTP server in a thread that verifies every signature.

It verifies with the ``standardwebhooks`` library itself (what a partner runs), and can be taken
down (its port closed: connection refused) and brought back on the same port.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError


@dataclass
class Received:
    webhook_id: str
    body: str
    headers: dict[str, str]
    verified_with: list[str]

    @property
    def envelope(self) -> dict:
        return json.loads(self.body)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Receiver:
    secrets: list[str] = field(default_factory=list)
    got: list[Received] = field(default_factory=list)
    # answer 500 to the first attempt of every n-th webhook-id (0: never)
    fail_first_of_every: int = 0
    port: int = field(default_factory=_free_port)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _seen_ids: dict[str, int] = field(default_factory=dict)
    _failed_once: set[str] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real endpoint

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
                headers = {k.lower(): v for k, v in self.headers.items()}
                verified = []
                for secret in receiver.secrets:
                    try:
                        Webhook(secret).verify(body, headers)
                        verified.append(secret)
                    except WebhookVerificationError:
                        pass
                wid = headers.get("webhook-id", "")
                with receiver._lock:
                    n = receiver._seen_ids.setdefault(wid, len(receiver._seen_ids) + 1)
                    every = receiver.fail_first_of_every
                    fail = bool(every) and n % every == 0 and wid not in receiver._failed_once
                    if fail:
                        # refused once: the service must send it again, with the same webhook-id
                        receiver._failed_once.add(wid)
                    elif verified:
                        receiver.got.append(Received(wid, body, headers, verified))
                self.send_response(500 if fail or not verified else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # the default 5 drops concurrent connections (1 s SYN retries)

        self._server = Server(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def first_of_each(self) -> list[Received]:
        """Each webhook-id's first arrival, in arrival order."""
        seen: set[str] = set()
        out = []
        with self._lock:
            for g in self.got:
                if g.webhook_id not in seen:
                    seen.add(g.webhook_id)
                    out.append(g)
        return out
