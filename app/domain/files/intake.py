"""The one intake of uploaded files (文件接收): materials, objection and verification evidence, unit-posting proofs.

Every upload takes the same steps, whatever its kind (``policy``) and however it arrives:

1. **received**: a streamed body (``receive``) is written to a staging file under the data folder
   while its size and SHA-256 are counted, refused the moment it passes its kind's limit; a file
   sent base64 inside JSON (``decode``) is decoded in memory (the JSON schema bounds its length);
2. **checked** (``check``) against its kind's policy: not empty, within the size limit, of an
   allowed type judged by content (``filetypes.detect``); an executable is named as such. A
   refusal uses the one vocabulary of ``refusals``;
3. **named** (``names.clean``): the client's name without bidirectional or invisible characters,
   with the extension of the sniffed type;
4. **stored** (``store``) sealed (``sealing``: AES-GCM under the current key version) in the blob
   store (local disk or S3), durable when it returns, under a key of its own (never shared, so deleting it cannot lose another row's file); the request's
   ``after_rollback`` deletes it again if the transaction does not commit.

Files at rest, staging files included, are readable by the service's user only (``blobs``).
A process killed between storing and committing leaves a file no record names: ``sweep`` finds it.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from app.config import Settings
from app.domain.files import blobs, filetypes, names, sealing
from app.domain.files.policy import POLICIES, FilePolicy
from app.domain.files.refusals import BODY, Reason, refusal
from app.domain.keys.keyring import keyring

# staging files start with a dot: no blob key does, so a listing tells them from stored files
TMP_PREFIX = ".upload-"


@dataclass(frozen=True)
class AcceptedFile:
    """A file its kind accepts, named and hashed, not stored yet: its bytes in memory or in a staging file."""

    policy: FilePolicy
    filename: str
    content_type: str
    size: int
    sha256: str
    content: bytes | Path


@dataclass(frozen=True)
class StoredFile:
    """What a row records of a stored file: ``storage_key`` is relative to the kind's storage area;
    ``key_version`` the encryption key it is sealed under (what the rotation moves on)."""

    filename: str
    content_type: str
    size: int
    sha256: str
    storage_key: str
    key_version: int


def blob_key(policy: FilePolicy, storage_key: str) -> str:
    """The blob store's key of a row's ``storage_key``."""
    return f"{policy.area}/{blobs.check_key(storage_key)}"


def _accept(
    policy: FilePolicy,
    field: str,
    filename: str | None,
    detected: str | None,
    size: int,
    sha256: str,
    content: bytes | Path,
    *,
    streamed: bool,
) -> AcceptedFile:
    if detected == filetypes.EXECUTABLE:
        raise refusal(policy, Reason.EXECUTABLE, field, streamed=streamed, detected=detected)
    if detected not in policy.allowed_types:
        raise refusal(policy, Reason.UNSUPPORTED_TYPE, field, streamed=streamed, detected=detected)
    assert detected is not None
    return AcceptedFile(policy, names.clean(filename, detected, policy.fallback_name), detected, size, sha256, content)


def check(
    policy: FilePolicy, field: str, filename: str | None, data: bytes, settings: Settings | None = None
) -> AcceptedFile:
    """A file held in memory (a field of a JSON body), checked against its kind's policy."""
    limit = policy.limit(settings)
    if not data:
        raise refusal(policy, Reason.EMPTY, field, streamed=False)
    if len(data) > limit:
        raise refusal(policy, Reason.TOO_LARGE, field, streamed=False, limit=limit)
    return _accept(
        policy,
        field,
        filename,
        filetypes.detect(data),
        len(data),
        hashlib.sha256(data).hexdigest(),
        data,
        streamed=False,
    )


def decode(policy: FilePolicy, field: str, filename: str | None, content_base64: str) -> AcceptedFile:
    """A file sent base64 inside JSON (a retried request has the same body, so its ``Idempotency-Key`` replays)."""
    # refused before decoding: a text this long cannot decode to a file within the limit
    if len(content_base64) > policy.base64_chars() + 4:
        raise refusal(policy, Reason.TOO_LARGE, field, streamed=False)
    try:
        data = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise refusal(policy, Reason.NOT_BASE64, field, streamed=False) from None
    return check(policy, field, filename, data)


def _staging_file(settings: Settings, policy: FilePolicy) -> Path:
    return staging_file(settings, policy.area)


def staging_file(settings: Settings, area: str) -> Path:
    """A new private file name under the data folder, which ``leftovers`` finds should its writer die."""
    file_id = uuid.uuid4().hex
    base = Path(settings.data_dir)
    folder = base / area / file_id[:2]
    blobs.private_folder(base, folder)
    return folder / f"{TMP_PREFIX}{file_id}"


async def receive(
    settings: Settings,
    policy: FilePolicy,
    filename: str | None,
    chunks: AsyncIterator[bytes],
    declared_length: int | None = None,
) -> AcceptedFile:
    """A file streamed as the request's body, staged on disk and checked; refused before it is read when its
    declared length is over the limit, and the moment it passes the limit when it is not declared."""
    limit = policy.limit(settings)
    if declared_length is not None and declared_length > limit:
        raise refusal(policy, Reason.TOO_LARGE, BODY, streamed=True, limit=limit)
    tmp = _staging_file(settings, policy)
    digest, size = hashlib.sha256(), 0
    try:
        with blobs.open_private(tmp) as f:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise refusal(policy, Reason.TOO_LARGE, BODY, streamed=True, limit=limit)
                digest.update(chunk)
                f.write(chunk)
        if size == 0:
            raise refusal(policy, Reason.EMPTY, BODY, streamed=True)
        # the staged file's first bytes, on local disk like the writes above: no thread hop for them
        with open(tmp, "rb") as f:  # noqa: ASYNC230
            detected = filetypes.detect(f)
        return _accept(policy, BODY, filename, detected, size, digest.hexdigest(), tmp, streamed=True)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


async def store(settings: Settings, after_rollback: list[Callable], accepted: AcceptedFile) -> StoredFile:
    """Put an accepted file durably in the blob store; deleted again if the request's transaction does not commit."""
    policy = accepted.policy
    name = f"{accepted.sha256[:2]}/{accepted.sha256[:16]}-{uuid.uuid4().hex}"
    storage_key = f"{policy.folder}/{name}" if policy.folder else name
    key = blob_key(policy, storage_key)
    blob_store = blobs.store_for(settings)
    version = keyring(settings).current
    content = accepted.content
    try:
        if isinstance(content, Path):
            # sealed next to the staging file (a ".upload-" name too: a crash leaves it to the sweep)
            sealed = content.with_name(f"{content.name}.sealed")
            try:
                with open(content, "rb") as plain:  # noqa: ASYNC230 (read in the thread below)
                    await asyncio.to_thread(sealing.seal_file, settings, key, plain.read, sealed, version)
                await blob_store.put(key, sealed)
            finally:
                sealed.unlink(missing_ok=True)
        else:
            await blob_store.put(key, sealing.seal_bytes(settings, key, content, version))
    finally:
        if isinstance(content, Path):  # stored sealed, or not stored: the staging file goes either way
            content.unlink(missing_ok=True)

    async def discard(_session) -> None:
        await blob_store.delete(key)

    after_rollback.append(discard)
    return StoredFile(accepted.filename, accepted.content_type, accepted.size, accepted.sha256, storage_key, version)


def leftovers(settings: Settings) -> list[Path]:
    """Staging files (of a process killed mid-upload) in every storage area: what a sweep may delete."""
    base = Path(settings.data_dir)
    found: list[Path] = []
    for area in sorted({p.area for p in POLICIES.values()}):
        if (base / area).is_dir():
            found += (base / area).glob(f"*/{TMP_PREFIX}*")
    return sorted(found)
