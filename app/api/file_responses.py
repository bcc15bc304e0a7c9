"""A stored file as an HTTP answer, whichever store holds it.

On local disk the file is served by ``FileResponse`` (ranges, ``ETag``, ``Last-Modified``); from S3
the object is streamed as it arrives, with the size and the name the row recorded.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import FileResponse, Response, StreamingResponse

from app.config import Settings
from app.domain.files import blobs


async def file_response(
    settings: Settings, key: str, *, media_type: str, filename: str, size: int, headers: dict[str, str] | None = None
) -> Response:
    store = blobs.store_for(settings)
    path = store.local_path(key)
    if path is not None:
        return FileResponse(path, media_type=media_type, filename=filename, headers=headers)
    chunks = await store.open(key)
    quoted = quote(filename)
    disposition = (
        f"attachment; filename*=utf-8''{quoted}" if quoted != filename else f'attachment; filename="{filename}"'
    )
    return StreamingResponse(
        chunks,
        media_type=media_type,
        headers={**(headers or {}), "Content-Disposition": disposition, "Content-Length": str(size)},
    )
