"""A file sent as ``multipart/form-data`` (what a browser form sends), read as it streams.

The raw-body upload hands the file intake the request's chunks; a browser form wraps the file in
a multipart body. Here the body is parsed as it arrives (``python-multipart``'s push parser) and
only the file part's bytes are handed on, chunk by chunk, so the intake enforces the file's own
limit while it streams, exactly as for a raw body: nothing is buffered whole, in memory or on disk.
Around the file a multipart body carries boundaries, part headers and perhaps small fields; they
may take ``MULTIPART_ROOM`` bytes together, beyond which the request is 413 (and a declared
``Content-Length`` over the file's limit plus that room is refused before anything is read).

The file part is the one named ``file`` (or, failing that, the first that carries a file name).
Its name comes from ``filename*`` (RFC 5987/8187, ``UTF-8''%E7%94%B3...``) when present, else
``filename`` (browsers send it as raw UTF-8 bytes).
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import unquote

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from app.domain.errors import DomainError, FieldError
from app.domain.files.policy import FilePolicy
from app.domain.files.refusals import BODY, Reason, refusal

FILE_FIELD = "file"
MULTIPART_ROOM = 16 * 1024


def is_multipart(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() == "multipart/form-data"


def disposition_filename(value: str | bytes | None) -> str | None:
    """The file name a ``Content-Disposition`` value gives: ``filename*`` (RFC 8187) first, then ``filename``.

    ``value`` as the parser gives it (each byte a latin-1 character): a plain ``filename`` a browser
    sent as UTF-8 is decoded as such."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    for param in text.split(";")[1:]:
        key, _, raw = param.strip().partition("=")
        if key.strip().lower() == "filename*":
            charset, _, rest = raw.strip().strip('"').partition("'")
            _lang, _, encoded = rest.partition("'")
            try:
                return unquote(encoded, encoding=charset or "utf-8", errors="strict")
            except (LookupError, UnicodeDecodeError):
                return None
    _, options = parse_options_header(text)
    plain = options.get(b"filename")
    if plain is None:
        return None
    try:
        return plain.decode("utf-8")
    except UnicodeDecodeError:
        return plain.decode("latin-1")


def _malformed(why_zh: str, why_en: str, code: str = "multipart") -> DomainError:
    return DomainError(
        "bad-request",
        400,
        "请求无法解析：body",
        "The request could not be parsed: body",
        title="Bad Request",
        errors=[FieldError("body", why_zh, why_en, code)],
    )


def _too_large(limit: int) -> DomainError:
    return DomainError(
        "request-too-large",
        413,
        f"请求体超过此操作的上限（文件 {limit} 字节，另加 {MULTIPART_ROOM} 字节的表单内容）",
        f"The request body is over this operation's limit (a file of {limit} bytes and {MULTIPART_ROOM} bytes of form)",
        title="Content Too Large",
        errors=[
            FieldError(
                "body",
                f"表单中文件以外的内容不得超过 {MULTIPART_ROOM} 字节",
                f"what surrounds the file must be at most {MULTIPART_ROOM} bytes",
                "too_large",
            )
        ],
        extra={"max_bytes": limit + MULTIPART_ROOM},
    )


@dataclass
class MultipartFile:
    filename: str | None
    chunks: AsyncIterator[bytes]


class _Reader:
    """Feeds the request's chunks to the push parser and keeps the file part's bytes until they are asked for."""

    def __init__(self, boundary: bytes, source: AsyncIterator[bytes], policy: FilePolicy, limit: int) -> None:
        self.source, self.policy, self.limit = source, policy, limit
        self.pending: deque[bytes] = deque()
        self.headers: dict[str, str] = {}
        self._name = bytearray()
        self._value = bytearray()
        self.in_file = self.file_seen = self.file_done = self.ended = False
        self.filename: str | None = None
        self.fed = self.file_bytes = 0
        self.parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._part_begin,
                "on_header_field": lambda d, s, e: self._name.extend(d[s:e]),
                "on_header_value": lambda d, s, e: self._value.extend(d[s:e]),
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._part_data,
                "on_part_end": self._part_end,
                "on_end": self._end,
            },
        )

    def _part_begin(self) -> None:
        self.headers = {}

    def _header_end(self) -> None:
        self.headers[self._name.decode("latin-1").lower()] = self._value.decode("latin-1")
        self._name.clear()
        self._value.clear()

    def _headers_finished(self) -> None:
        disposition = self.headers.get("content-disposition")
        _, options = parse_options_header(disposition)
        named_file = options.get(b"name") == FILE_FIELD.encode()
        has_name = b"filename" in options or "filename*" in (disposition or "").lower()
        if not self.file_seen and (named_file or has_name):
            self.file_seen = self.in_file = True
            self.filename = disposition_filename(disposition)

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self.in_file:
            self.pending.append(bytes(data[start:end]))
            self.file_bytes += end - start

    def _part_end(self) -> None:
        if self.in_file:
            self.in_file, self.file_done = False, True

    def _end(self) -> None:
        self.ended = True

    async def pump(self) -> bool:
        """One more chunk of the request through the parser; False once the request has no more."""
        chunk = await anext(self.source, None)
        if chunk is None:
            return False
        self.fed += len(chunk)
        try:
            self.parser.write(chunk)
        except MultipartParseError:
            raise _malformed("multipart/form-data 格式不正确", "malformed multipart/form-data") from None
        if self.fed - self.file_bytes > MULTIPART_ROOM:
            raise _too_large(self.limit)
        return True

    async def file_chunks(self) -> AsyncIterator[bytes]:
        while True:
            while self.pending:
                yield self.pending.popleft()
            if self.file_done:
                break
            if not await self.pump():
                raise refusal(self.policy, Reason.INTERRUPTED, BODY, streamed=True)
        # the closing boundary and whatever follows the file (bounded by MULTIPART_ROOM)
        while await self.pump():
            pass
        if not self.ended:
            raise _malformed("multipart/form-data 缺少结束边界", "multipart/form-data without its closing boundary")


async def multipart_file(
    content_type: str, declared_length: int | None, source: AsyncIterator[bytes], policy: FilePolicy, limit: int
) -> MultipartFile:
    """The file part of a multipart body: its name (read before the file's bytes) and its bytes as they stream."""
    if declared_length is not None and declared_length > limit + MULTIPART_ROOM:
        raise refusal(policy, Reason.TOO_LARGE, BODY, streamed=True, limit=limit)
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary or len(boundary) > 70:  # RFC 2046: 1 to 70 characters
        raise _malformed("multipart/form-data 缺少 boundary", "multipart/form-data without a boundary")
    reader = _Reader(boundary, source, policy, limit)
    while not reader.file_seen:
        if not await reader.pump():
            raise DomainError(
                "validation-error",
                422,
                f"表单中没有文件（字段“{FILE_FIELD}”）",
                f"The form carries no file (field '{FILE_FIELD}')",
                title="Unprocessable Content",
                errors=[FieldError(FILE_FIELD, "必填", "required", "missing")],
            )
    return MultipartFile(reader.filename, reader.file_chunks())
