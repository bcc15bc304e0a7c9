"""Files sent with objections (佐证材料), verifications (核查材料) and unit postings (内部公示证明).

A file arrives base64-encoded inside the JSON request, so a retried request has the same body
and its ``Idempotency-Key`` replays instead of storing twice. It is accepted by its content
(``app.domain.uploads.filetypes``) and put in the blob store (``app.domain.blobs``: local disk or
S3), durably, before the request's transaction commits: a file is never lost once its request
answered. Each upload gets a key of its own (not its SHA-256), so a file whose transaction rolled
back or failed to commit is deleted (``after_rollback``) without touching another row's file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.config import Settings
from app.domain import blobs
from app.domain.errors import DomainError, FieldError
from app.domain.uploads.filetypes import ALLOWED_TYPES, EXECUTABLE, detect

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 10
# all the files of one public request together (an anonymous caller must not post 100 MB)
MAX_TOTAL_BYTES = 20 * 1024 * 1024
# base64 of MAX_FILE_BYTES, rounded up
MAX_BASE64_CHARS = (MAX_FILE_BYTES + 2) // 3 * 4
_TYPE_NAMES = "PDF、JPEG、PNG、DOCX、XLSX"


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes
    content_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def _refuse(field: str, zh: str, en: str, code: str) -> DomainError:
    return DomainError("invalid-file", 422, f"文件“{field}”不能接受：{zh}", f"File '{field}' cannot be accepted: {en}", title="Unprocessable Content", errors=[FieldError(field, zh, en, code)])


def decode(field: str, filename: str, content_base64: str) -> Upload:
    """Check one file: base64, size, and a type allowed by content (not by name)."""
    if len(content_base64) > MAX_BASE64_CHARS + 4:
        raise _refuse(field, f"超过{MAX_FILE_BYTES // (1024 * 1024)}MB", f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB", "too_large")
    try:
        data = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise _refuse(field, "不是有效的 base64 编码", "is not valid base64", "base64") from None
    if not data:
        raise _refuse(field, "文件为空", "is empty", "empty")
    if len(data) > MAX_FILE_BYTES:
        raise _refuse(field, f"超过{MAX_FILE_BYTES // (1024 * 1024)}MB", f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB", "too_large")
    kind = detect(data)
    if kind == EXECUTABLE:
        raise _refuse(field, "可执行文件不能作为材料上传", "executables are not accepted", "executable")
    if kind not in ALLOWED_TYPES:
        raise _refuse(field, f"只接受{_TYPE_NAMES}文件", "only PDF, JPEG, PNG, DOCX and XLSX files are accepted", "type")
    name = Path(filename.replace("\\", "/")).name.strip() or "file"
    return Upload(name[:255], data, kind, hashlib.sha256(data).hexdigest())


AREA = "files"


def blob_key(storage_key: str) -> str:
    """The blob store's key of a row's ``storage_key`` (which is relative to the files area)."""
    return f"{AREA}/{blobs.check_key(storage_key)}"


async def store(settings: Settings, after_rollback: list[Callable], area: str, upload: Upload) -> str:
    """Put ``upload`` durably under ``area``; its storage key. Deleted again if the request's transaction fails."""
    key = f"{area}/{upload.sha256[:2]}/{upload.sha256[:16]}-{uuid.uuid4().hex}"
    blob_store = blobs.store_for(settings)

    async def discard(_session) -> None:
        await blob_store.delete(blob_key(key))

    await blob_store.put(blob_key(key), upload.data)
    after_rollback.append(discard)
    return key
