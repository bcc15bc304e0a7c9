"""A stored file as an HTTP answer, whichever store holds it.

Stored files are sealed (``app.domain.files.sealing``): the plaintext is streamed as it is opened,
frame by frame, with the size and the name the row recorded, from local disk or S3 alike (no byte
ranges: a range of plaintext is not a range of the sealed file).
"""

from __future__ import annotations

from urllib.parse import quote

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
    quoted = quote(filename)
    disposition = (
        f"attachment; filename*=utf-8''{quoted}" if quoted != filename else f'attachment; filename="{filename}"'
    )
    return StreamingResponse(
        chunks,
        media_type=media_type,
        headers={**(headers or {}), "Content-Disposition": disposition, "Content-Length": str(size)},
    )
