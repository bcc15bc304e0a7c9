"""A lean HTTP/1.1 client for the timed loops of ``bench/workflow.py``.

The load generator shares two cores with the server and PostgreSQL, so every millisecond it
spends is one the server does not get (httpx costs about 1 ms per request). Here a request is
bytes built once per application with only the ``If-Match`` ETag added, sent on a keep-alive
connection of its own (one request at a time, no pipelining), and the answer is parsed just
enough: status line, ``Content-Length``, ``Transfer-Encoding: chunked``, ``ETag``,
``Connection: close``. Anything else it cannot frame fails loudly instead of being guessed.
"""

from __future__ import annotations

import asyncio
import socket
from typing import NamedTuple


class ProtocolError(RuntimeError):
    """An answer this client cannot frame: the run stops rather than count garbage."""


class Reply(NamedTuple):
    status: int
    etag: bytes | None
    body: bytes
    close: bool  # the server will close the connection after this answer


def _dechunk(buf: bytearray, start: int) -> tuple[bytes, int] | None:
    """A chunked body from ``start``: (body, end offset), or None while incomplete."""
    body = bytearray()
    pos = start
    while True:
        eol = buf.find(b"\r\n", pos)
        if eol < 0:
            return None
        try:
            size = int(bytes(buf[pos:eol]).split(b";", 1)[0], 16)
        except ValueError:
            raise ProtocolError(f"bad chunk size line {bytes(buf[pos:eol])[:40]!r}") from None
        if size == 0:  # the last chunk, then trailers (ignored) up to an empty line
            end = buf.find(b"\r\n\r\n", eol)
            if end == eol:
                return bytes(body), eol + 4
            return (bytes(body), end + 4) if end >= 0 else None
        if len(buf) < eol + 2 + size + 2:
            return None
        body += buf[eol + 2 : eol + 2 + size]
        pos = eol + 2 + size + 2


def parse_response(buf: bytearray) -> Reply | None:
    """One whole answer from the front of ``buf`` (consumed), or None while it is incomplete."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = bytes(buf[:end]).split(b"\r\n")
    status_line = lines[0]
    if not status_line.startswith(b"HTTP/1.") or len(status_line) < 12:
        raise ProtocolError(f"not an HTTP/1.x status line: {status_line[:80]!r}")
    status = int(status_line[9:12])
    if status < 200:  # 1xx: we never send Expect, so an interim answer means a confused server
        raise ProtocolError(f"unexpected interim answer {status_line[:80]!r}")
    length = etag = None
    chunked = close = False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"etag":
            etag = value.strip()
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            close = b"close" in value.lower()
    start = end + 4
    if chunked:
        done = _dechunk(buf, start)
        if done is None:
            return None
        body, stop = done
    elif length is not None:
        stop = start + length
        if len(buf) < stop:
            return None
        body = bytes(buf[start:stop])
    elif status in (204, 304):
        body, stop = b"", start
    else:  # a body delimited by the connection closing: never from uvicorn on keep-alive
        raise ProtocolError(f"answer {status} has neither Content-Length nor chunked encoding")
    del buf[:stop]
    return Reply(status, etag, body, close)


class _Protocol(asyncio.Protocol):
    """The connection's bytes in, one waiting request's answer out."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.waiter: asyncio.Future | None = None
        self.lost: Exception | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        sock = transport.get_extra_info("socket")
        try:  # small requests must leave at once, not wait for Nagle
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, AttributeError):
            pass

    def data_received(self, data: bytes) -> None:
        self.buf += data
        waiter = self.waiter
        if waiter is None or waiter.done():
            return  # unasked-for bytes stay in the buffer: the next request refuses them
        try:
            reply = parse_response(self.buf)
        except Exception as exc:
            self.waiter = None
            waiter.set_exception(exc)
            return
        if reply is not None:
            self.waiter = None
            waiter.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = exc or ConnectionResetError("the server closed the connection")
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(self.lost)
        self.waiter = None


class Connection:
    """One keep-alive connection, reopened when the server closes it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.proto: _Protocol | None = None

    async def open(self) -> Connection:
        loop = asyncio.get_running_loop()
        _, self.proto = await loop.create_connection(_Protocol, self.host, self.port)
        return self

    async def request(self, data: bytes) -> Reply:
        if self.proto is None or self.proto.lost is not None:
            await self.open()
        proto = self.proto
        if proto.buf:
            raise ProtocolError(f"{len(proto.buf)} bytes arrived before the request: {bytes(proto.buf[:80])!r}")
        proto.waiter = waiter = asyncio.get_running_loop().create_future()
        proto.transport.write(data)
        try:
            reply = await waiter
        except BaseException:
            self.close()  # a half-read answer would be taken for the next one
            raise
        if reply.close:
            self.close()
        return reply

    def close(self) -> None:
        if self.proto is not None and self.proto.transport is not None:
            self.proto.transport.close()
        self.proto = None


class EventRequests:
    """``POST`` requests as bytes: built once per application, the ETag added per request."""

    def __init__(self, host: str, port: int, path_template: str, headers: dict[str, str], body: bytes) -> None:
        self.path_template = path_template
        self.fixed = (
            f"Host: {host}:{port}\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            + f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nIf-Match: "
        ).encode()
        self.tail = b"\r\n\r\n" + body
        self.heads: dict[str, bytes] = {}

    def head(self, app_id: str) -> bytes:
        head = self.heads.get(app_id)
        if head is None:
            head = self.heads[app_id] = (
                f"POST {self.path_template.format(id=app_id)} HTTP/1.1\r\n".encode() + self.fixed
            )
        return head

    def build(self, app_id: str, etag: str) -> bytes:
        return b"".join((self.head(app_id), etag.encode(), self.tail))
