"""Material files: received whole, checked, then put in the blob store (``app.domain.blobs``).

A file is streamed to a staging name under the data folder while its SHA-256 and size are
counted (the size limit refuses it mid-stream), checked by content
(``app/domain/uploads/filetypes.detect``), then handed to the store: on local disk it is fsynced
and renamed into place (no copy), on S3 it is uploaded with its checksums; either way it is
durable when ``store`` returns. A refused or interrupted upload never reaches the store. Until
the database row that names it commits, the caller keeps a way to remove it (``discard``), so a
failed transaction leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from app.config import Settings
from app.domain import blobs
from app.domain.errors import DomainError
from app.domain.uploads import filetypes

AREA = "materials"
TMP_PREFIX = ".upload-"


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    sha256: str
    content_type: str


def root(settings: Settings) -> Path:
    return Path(settings.data_dir) / AREA


def blob_key(key: str) -> str:
    """The blob store's key of a material's ``storage_key`` (which is relative to the materials area)."""
    return f"{AREA}/{blobs.check_key(key)}"


def too_large(limit: int) -> DomainError:
    return DomainError(
        "file-too-large", 413, f"文件超过大小上限（{limit // (1024 * 1024)} MB）", f"The file exceeds the size limit ({limit} bytes)",
        title="Content Too Large", extra={"max_bytes": limit},
    )


def _refused_type(detected: str | None) -> DomainError:
    allowed = sorted(filetypes.ALLOWED_TYPES)
    if detected == filetypes.EXECUTABLE:
        return DomainError(
            "executable-refused", 415, "文件内容是可执行程序，不能作为申报材料（与文件名或扩展名无关）",
            "The file's content is an executable program, which is never accepted as a material (whatever its name)",
            title="Unsupported Media Type", extra={"detected_type": detected, "allowed_types": allowed},
        )
    return DomainError(
        "unsupported-file-type", 415, "只接受 PDF、JPEG、PNG、Word（docx）、Excel（xlsx）文件（按文件内容判断）",
        "Only PDF, JPEG, PNG, Word (docx) and Excel (xlsx) files are accepted, judged by content",
        title="Unsupported Media Type", extra={"detected_type": detected, "allowed_types": allowed},
    )


async def store(settings: Settings, chunks: AsyncIterator[bytes], limit: int) -> StoredFile:
    """Receive ``chunks``; refuse over ``limit`` bytes or a type not allowed (nothing stored), else store durably."""
    file_id = uuid.uuid4().hex
    folder = root(settings) / file_id[:2]
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"{TMP_PREFIX}{file_id}"
    digest = hashlib.sha256()
    size = 0
    try:
        with open(tmp, "wb") as f:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise too_large(limit)
                digest.update(chunk)
                f.write(chunk)
        if size == 0:
            raise DomainError("empty-file", 422, "文件为空", "The file is empty", title="Unprocessable Content")
        with open(tmp, "rb") as f:
            detected = filetypes.detect(f)
        if detected not in filetypes.ALLOWED_TYPES:
            raise _refused_type(detected)
        key = f"{file_id[:2]}/{file_id}"
        await blobs.store_for(settings).put(blob_key(key), tmp)
    finally:
        tmp.unlink(missing_ok=True)
    return StoredFile(key, size, digest.hexdigest(), detected)


async def discard(settings: Settings, key: str) -> None:
    """Remove a stored file whose row did not commit."""
    try:
        await blobs.store_for(settings).delete(blob_key(key))
    except ValueError:
        pass


def leftovers(settings: Settings) -> list[Path]:
    """Temporary files (from a process killed mid-upload): what a sweep may delete."""
    base = root(settings)
    return sorted(base.glob(f"*/{TMP_PREFIX}*")) if base.exists() else []
