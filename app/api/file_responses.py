"""A stored file as an HTTP answer, whichever store holds it.

Stored files are sealed (``app.domain.files.sealing``): the plaintext is streamed as it is opened,
frame by frame, with the size and the name the row recorded, from local disk or S3 alike (no byte
ranges: a range of plaintext is not a range of the sealed file).
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response, StreamingResponse

from app.config import Settings
from app.domain.files import sealing


async def file_response(
    settings: Settings, key: str, *, media_type: str, filename: str, size: int, headers: dict[str, str] | None = None
) -> Response:
    chunks = await sealing.open_plain(settings, key)
    quoted = quote(filename)
    disposition = (
        f"attachment; filename*=utf-8''{quoted}" if quoted != filename else f'attachment; filename="{filename}"'
    )
    return StreamingResponse(
        chunks,
        media_type=media_type,
        headers={**(headers or {}), "Content-Disposition": disposition, "Content-Length": str(size)},
    )
