"""A stored file as an HTTP answer, whichever store holds it; a document written for the answer.

Stored files are sealed (``app.domain.files.sealing``): the plaintext is streamed as it is opened,
frame by frame, with the size and the name the row recorded, from local disk or S3 alike (no byte
ranges: a range of plaintext is not a range of the sealed file).

A large document made for one answer (a round's export) is written to an anonymous temporary file
(``written_file_response``) and streamed from it: its size is never held in memory, and the file is
gone when closed, whether the answer was sent or the client went away.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import IO
from urllib.parse import quote

import anyio
from starlette.responses import Response, StreamingResponse

from app.config import Settings
from app.domain.errors import DomainError
from app.domain.files import blobs, sealing


async def file_response(
    settings: Settings, key: str, *, media_type: str, filename: str, size: int, headers: dict[str, str] | None = None
) -> Response:
    try:
        chunks = await sealing.open_plain(settings, key)
    except blobs.BlobNotFound:
        # the retention purge deletes the file and keeps its row (issue 17, changning-37)
        raise DomainError(
            "file-purged",
            410,
            "该文件已不再保存（保存期限届满后已删除），其记录仍在",
            "the stored file is no longer kept (deleted once its retention period ran out); its record remains",
            title="Gone",
        ) from None
    return StreamingResponse(
        chunks,
        media_type=media_type,
        headers={**(headers or {}), "Content-Disposition": _attachment(filename), "Content-Length": str(size)},
    )


def _attachment(filename: str) -> str:
    quoted = quote(filename)
    return f"attachment; filename*=utf-8''{quoted}" if quoted != filename else f'attachment; filename="{filename}"'


CHUNK_BYTES = 64 * 1024


async def written_file_response(
    write: Callable[[IO[bytes]], Awaitable[None]], *, media_type: str, filename: str
) -> Response:
    """The answer ``write`` makes, written to a temporary file first (all the request's reading done
    before the answer starts), then streamed from it with its length."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 -- closed by the answer's stream once sent
    try:
        await write(out)
        size = out.tell()
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return StreamingResponse(
        _chunks_of(out),
        media_type=media_type,
        headers={"Content-Disposition": _attachment(filename), "Content-Length": str(size)},
    )


async def _chunks_of(out: IO[bytes]) -> AsyncIterator[bytes]:
    async with anyio.wrap_file(out) as f:
        while chunk := await f.read(CHUNK_BYTES):
            yield chunk
