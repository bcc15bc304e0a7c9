"""Where uploaded files live: the local disk under the data folder, or an S3-compatible bucket by setting.

One protocol (``BlobStore``), two backends, chosen by ``QAWARD_STORAGE``:

- ``local``: ``<data_dir>/<key>``, written to a temporary name in the final folder, fsynced, renamed
  into place and the folder fsynced, so after ``put`` returns the file survives a crash. Files are
  0600 and folders 0700: uploads carry personal data (ID cards, objectors' evidence) that no other
  account on the machine may read (``private_folder``, ``open_private``);
- ``s3``: one ``PutObject`` carrying the body's MD5 (``Content-MD5``) and SHA-256
  (``x-amz-checksum-sha256``): the server refuses a body that does not match, and answers only
  once the object is stored, so after ``put`` returns the object is there whole.

``put`` is durable when it returns; that is what lets an upload answer 201 (issue #6: "a file is
never lost once the upload answered 201"). Callers delete what they put if the request's
transaction does not commit (``after_rollback``), so every key they put is new (never shared
by two rows): deleting it cannot lose another row's file. boto3 is blocking: its calls run in a
thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import os
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from app.config import Settings

CHUNK = 256 * 1024


class BlobNotFound(LookupError):
    """No object under that key."""


@dataclass(frozen=True)
class Listed:
    """An object in the store: its key, when it was written, and whether it is a half-written temporary."""

    key: str
    modified_at: datetime
    temporary: bool = False


class BlobStore(Protocol):
    async def put(self, key: str, data: bytes | Path | AsyncIterable[bytes]) -> None:
        """Store ``data`` under ``key``, durably when this returns.

        A ``Path`` is a complete, fsynced local file the store takes over: moved into place or
        uploaded, then gone.
        """

    async def get(self, key: str) -> bytes: ...

    async def open(self, key: str) -> AsyncIterator[bytes]:
        """The object's bytes in chunks; ``BlobNotFound`` is raised here, before the first chunk."""

    async def delete(self, key: str) -> None:
        """Remove the object; nothing happens if it is absent."""

    def local_path(self, key: str) -> Path | None:
        """The file on this machine's disk, when the store keeps one (sealed: downloads read it through ``sealing``)."""

    async def listing(self, prefix: str) -> list[Listed]:
        """Every object under ``prefix/``, with when it was last written (for the sweep of orphans)."""


def check_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or "\\" in key or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"invalid storage key {key!r}")
    return key


FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(base: Path, folder: Path) -> None:
    """Make ``folder`` (inside ``base``) and each folder between them, readable by the service's user only.

    Folders made before this rule (0755) are narrowed as uploads pass through them.
    """
    base.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    current = base
    for part in folder.relative_to(base).parts:
        current = current / part
        with contextlib.suppress(FileExistsError):
            current.mkdir(mode=FOLDER_MODE)
        # mkdir's mode is narrowed by the umask only; an existing folder keeps whatever it had
        if current.stat().st_mode & 0o777 != FOLDER_MODE:
            os.chmod(current, FOLDER_MODE)


def open_private(path: Path):
    """A new file (never an existing one) open for writing, readable by the service's user only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)  # whatever the umask
        return os.fdopen(fd, "wb")
    except BaseException:
        os.close(fd)
        raise


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalBlobStore:
    """Files under ``root`` (the data folder); a file is whole or absent."""

    TMP_PREFIX = ".put-"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        base = self.root.resolve()
        path = (base / check_key(key)).resolve()
        if base not in path.parents:
            raise ValueError("storage key outside the data folder")
        return path

    def _entry(self, key: str) -> Path:
        """The directory entry ``key`` names, its last component not followed: what ``delete``
        removes. A symlink there is removed itself, never the file it points to (which a record
        may name, or which may lie outside the data folder)."""
        base = self.root.resolve()
        path = base / check_key(key)
        parent = path.parent.resolve()
        if parent != base and base not in parent.parents:
            raise ValueError("storage key outside the data folder")
        return parent / path.name

    def local_path(self, key: str) -> Path | None:
        return self._path(key)

    async def put(self, key: str, data: bytes | Path | AsyncIterable[bytes]) -> None:
        final = self._path(key)
        private_folder(self.root.resolve(), final.parent)
        if isinstance(data, Path):
            await asyncio.to_thread(self._adopt, data, final)
            return
        tmp = final.with_name(f"{self.TMP_PREFIX}{final.name}.{uuid.uuid4().hex}")
        try:
            if isinstance(data, bytes | bytearray | memoryview):
                await asyncio.to_thread(self._write_all, tmp, bytes(data))
            else:
                with open_private(tmp) as f:
                    async for chunk in data:
                        f.write(chunk)
                    f.flush()
                    os.fsync(f.fileno())
            await asyncio.to_thread(self._rename, tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    @staticmethod
    def _write_all(tmp: Path, data: bytes) -> None:
        with open_private(tmp) as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())

    @staticmethod
    def _rename(tmp: Path, final: Path) -> None:
        os.replace(tmp, final)
        _fsync_dir(final.parent)

    def _adopt(self, source: Path, final: Path) -> None:
        with open(source, "rb") as f:
            os.fsync(f.fileno())
        os.chmod(source, FILE_MODE)  # a staged file is already; a file handed over from elsewhere may not be
        try:
            os.replace(source, final)  # same file system (the staging folder is under the data folder)
        except OSError:
            tmp = final.with_name(f"{self.TMP_PREFIX}{final.name}.{uuid.uuid4().hex}")
            try:
                with open(source, "rb") as src, open_private(tmp) as dst:
                    while chunk := src.read(CHUNK):
                        dst.write(chunk)
                    dst.flush()
                    os.fsync(dst.fileno())
                os.replace(tmp, final)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            source.unlink(missing_ok=True)
        _fsync_dir(final.parent)

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise BlobNotFound(key) from None

    async def open(self, key: str) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            f = await asyncio.to_thread(open, path, "rb")
        except FileNotFoundError:
            raise BlobNotFound(key) from None

        async def chunks() -> AsyncIterator[bytes]:
            try:
                while chunk := await asyncio.to_thread(f.read, CHUNK):
                    yield chunk
            finally:
                f.close()

        return chunks()

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._entry(key).unlink, missing_ok=True)

    async def listing(self, prefix: str) -> list[Listed]:
        return await asyncio.to_thread(self._listing, prefix)

    def _listing(self, prefix: str) -> list[Listed]:
        base = self.root.resolve()
        top = self._path(prefix)
        out = []
        for path in top.rglob("*") if top.is_dir() else ():
            if not path.is_file():
                continue
            try:
                mtime = path.lstat().st_mtime  # a symlink's own age, not its target's
            except FileNotFoundError:  # deleted meanwhile
                continue
            # a put interrupted before its rename, or an upload's staging file (".upload-"): keys never start with "."
            temporary = path.name.startswith(".")
            out.append(Listed(path.relative_to(base).as_posix(), datetime.fromtimestamp(mtime, UTC), temporary))
        return out


class S3BlobStore:
    """Objects in one bucket of an S3-compatible service (AWS S3, MinIO, Ceph RGW, OSS/COS/OBS S3 APIs)."""

    def __init__(self, client, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_settings(cls, settings: Settings) -> S3BlobStore:
        import boto3
        from botocore.config import Config

        if not settings.s3_bucket:
            raise ValueError("QAWARD_STORAGE=s3 needs QAWARD_S3_BUCKET")

        config = Config(
            retries={"max_attempts": 5, "mode": "standard"},
            connect_timeout=10,
            read_timeout=60,
            # path style: what S3-compatible servers on an intranet accept without wildcard DNS
            s3={"addressing_style": "path" if settings.s3_endpoint_url else "auto"},
        )
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id,
            config=config,
            aws_secret_access_key=settings.s3_secret_access_key.get_secret_value()
            if settings.s3_secret_access_key
            else None,
        )
        return cls(client, settings.s3_bucket)

    def local_path(self, key: str) -> Path | None:
        return None

    def _put_object(self, key: str, body, md5: bytes, sha256: bytes) -> None:
        expected = base64.b64encode(sha256).decode()
        try:
            answer = self.client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=body,
                ContentMD5=base64.b64encode(md5).decode(),
                ChecksumSHA256=expected,
            )
            # S3 refuses a body whose digests differ (BadDigest); a server that echoes another checksum is not trusted either
            if answer.get("ChecksumSHA256") not in (None, expected):
                raise OSError(f"S3 stored {key!r} with another SHA-256 than was sent")
        except BaseException:
            # the object may be stored all the same (a timeout after the server stored it, a checksum
            # refused here): the caller gets no key to delete, so it goes now. Keys are never shared.
            with contextlib.suppress(Exception):
                self.client.delete_object(Bucket=self.bucket, Key=key)
            raise

    def _put_file(self, key: str, path: Path) -> None:
        md5, sha = hashlib.md5(usedforsecurity=False), hashlib.sha256()
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                md5.update(chunk)
                sha.update(chunk)
            f.seek(0)
            self._put_object(key, f, md5.digest(), sha.digest())

    async def put(self, key: str, data: bytes | Path | AsyncIterable[bytes]) -> None:
        check_key(key)
        if isinstance(data, bytes | bytearray | memoryview):
            data = bytes(data)
            await asyncio.to_thread(
                self._put_object,
                key,
                data,
                hashlib.md5(data, usedforsecurity=False).digest(),
                hashlib.sha256(data).digest(),
            )
        elif isinstance(data, Path):
            await asyncio.to_thread(self._put_file, key, data)
            data.unlink(missing_ok=True)
        else:
            import tempfile

            # the checksums go in the request's headers: the body is spooled first
            with tempfile.NamedTemporaryFile(prefix=".s3-put-") as spool:
                async for chunk in data:
                    spool.write(chunk)
                spool.flush()
                await asyncio.to_thread(self._put_file, key, Path(spool.name))

    def _get_body(self, key: str):
        try:
            return self.client.get_object(Bucket=self.bucket, Key=check_key(key))["Body"]
        except self.client.exceptions.NoSuchKey:
            raise BlobNotFound(key) from None

    async def get(self, key: str) -> bytes:
        body = await asyncio.to_thread(self._get_body, key)
        try:
            return await asyncio.to_thread(body.read)
        finally:
            body.close()

    async def open(self, key: str) -> AsyncIterator[bytes]:
        body = await asyncio.to_thread(self._get_body, key)

        async def chunks() -> AsyncIterator[bytes]:
            try:
                while chunk := await asyncio.to_thread(body.read, CHUNK):
                    yield chunk
            finally:
                body.close()

        return chunks()

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket, Key=check_key(key))

    async def listing(self, prefix: str) -> list[Listed]:
        return await asyncio.to_thread(self._listing, prefix)

    def _listing(self, prefix: str) -> list[Listed]:
        out = []
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=f"{check_key(prefix)}/"
        ):
            out += [Listed(o["Key"], o["LastModified"]) for o in page.get("Contents", [])]
        return out


_stores: dict[tuple, BlobStore] = {}


def store_for(settings: Settings) -> BlobStore:
    """The store the settings name (one per configuration: a boto3 client is costly to build and thread-safe)."""
    ident = (
        settings.storage,
        str(Path(settings.data_dir).resolve()),
        settings.s3_endpoint_url,
        settings.s3_bucket,
        settings.s3_region,
        settings.s3_access_key_id,
        settings.s3_secret_access_key.get_secret_value() if settings.s3_secret_access_key else None,
    )
    found = _stores.get(ident)
    if found is None:
        found = (
            S3BlobStore.from_settings(settings) if settings.storage == "s3" else LocalBlobStore(Path(settings.data_dir))
        )
        _stores[ident] = found
    return found
