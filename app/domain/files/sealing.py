"""Stored files encrypted at rest (文件加密存储): materials hold business secrets (jinshan-21a, hangzhou-6.2a, linyi-20a).

A stored file is a header and frames, each frame a chunk of at most 64 KiB of the file sealed with
AES-256-GCM, so a file of any size is sealed and opened in bounded memory, as it streams:

- header: ``00 'Q' 'A' 'E'``, layout ``01``, the key version (2 bytes), a random salt (16 bytes);
- the file's own key: HKDF-SHA256 of the version's secret with that salt: no two files share a key,
  so the nonce can be a counter: 11 bytes of frame number and a last-frame flag (the STREAM
  construction), which makes a reordered, dropped or truncated frame fail to open;
- associated data: the header and the blob key, so a file moved under another key does not open.

A file stored before encryption has no header (no accepted type starts with a NUL byte): it is key
version 0 and reads as it is, until the rotation seals it. The row keeps the SHA-256 of the
*plaintext*: what the uploader sent, what a download is checked against, what a frozen version names.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.config import Settings
from app.domain.files import blobs
from app.domain.keys.keyring import Keyring, derive, keyring

MAGIC = b"\x00QAE"
LAYOUT = b"\x01"
HEADER = len(MAGIC) + len(LAYOUT) + 2 + 16
PLAIN_FRAME = 64 * 1024
TAG = 16
SEALED_FRAME = PLAIN_FRAME + TAG
PLAINTEXT = 0  # the key version of a file stored before encryption
_INFO = b"qaward/file-encryption/v1"


class Unreadable(ValueError):
    """A stored file that does not open: tampered with, truncated, or under another key."""


def version_of(first_bytes: bytes) -> int:
    if first_bytes[:4] != MAGIC:
        return PLAINTEXT
    return int.from_bytes(first_bytes[5:7], "big")


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class _Frames:
    """One file's AES-GCM under its own key; ``seal``/``open`` one frame at a time, in order."""

    def __init__(self, ring: Keyring, header: bytes, blob_key: str) -> None:
        if header[:4] != MAGIC or header[4:5] != LAYOUT or len(header) != HEADER:
            raise Unreadable("not a sealed file of a known layout")
        version = int.from_bytes(header[5:7], "big")
        self.aead = AESGCM(derive(ring.secret(version), _INFO, salt=header[7:]))
        self.aad = header + blob_key.encode()
        self.counter = 0

    def seal(self, chunk: bytes, last: bool) -> bytes:
        out = self.aead.encrypt(_nonce(self.counter, last), chunk, self.aad)
        self.counter += 1
        return out

    def open(self, frame: bytes, last: bool) -> bytes:
        try:
            out = self.aead.decrypt(_nonce(self.counter, last), frame, self.aad)
        except Exception:
            raise Unreadable(f"frame {self.counter} does not open") from None
        self.counter += 1
        return out


def _new_header(ring: Keyring, version: int | None) -> bytes:
    return MAGIC + LAYOUT + (version or ring.current).to_bytes(2, "big") + os.urandom(16)


def seal_bytes(settings: Settings, blob_key: str, data: bytes, version: int | None = None) -> bytes:
    ring = keyring(settings)
    header = _new_header(ring, version)
    frames = _Frames(ring, header, blob_key)
    out = [header]
    for start in range(0, max(len(data), 1), PLAIN_FRAME):
        chunk = data[start : start + PLAIN_FRAME]
        out.append(frames.seal(chunk, last=start + PLAIN_FRAME >= len(data)))
    return b"".join(out)


class Sealer:
    """Seals a file written to it piece by piece into ``out``: bounded memory, the plaintext's SHA-256 at ``close``."""

    def __init__(self, settings: Settings, blob_key: str, out: BinaryIO, version: int | None = None) -> None:
        ring = keyring(settings)
        header = _new_header(ring, version)
        self.frames = _Frames(ring, header, blob_key)
        self.out = out
        self.pending = bytearray()
        self.digest = hashlib.sha256()
        out.write(header)

    def write(self, data: bytes) -> None:
        self.pending += data
        # the last frame is sealed as such: a frame is sealed only once a byte beyond it is known
        while len(self.pending) > PLAIN_FRAME:
            self._frame(bytes(self.pending[:PLAIN_FRAME]), last=False)
            del self.pending[:PLAIN_FRAME]

    def close(self) -> str:
        self._frame(bytes(self.pending), last=True)
        self.pending.clear()
        return self.digest.hexdigest()

    def _frame(self, chunk: bytes, last: bool) -> None:
        self.digest.update(chunk)
        self.out.write(self.frames.seal(chunk, last))


def seal_file(
    settings: Settings,
    blob_key: str,
    read: Callable[[int], bytes],
    target: Path,
    version: int | None = None,
) -> str:
    """Seal what ``read`` gives into ``target`` (a new private file, fsynced); the plaintext's SHA-256.

    Blocking: run it in a thread.
    """
    with blobs.open_private(target) as out:
        sealer = Sealer(settings, blob_key, out, version)
        while chunk := read(PLAIN_FRAME):
            sealer.write(chunk)
        digest = sealer.close()
        out.flush()
        os.fsync(out.fileno())
    return digest


async def open_plain(settings: Settings, blob_key: str) -> AsyncIterator[bytes]:
    """The stored file's plaintext in chunks; ``blobs.BlobNotFound`` is raised here, before the first one."""
    chunks = await blobs.store_for(settings).open(blob_key)
    return _plain(settings, blob_key, chunks)


async def _plain(settings: Settings, blob_key: str, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    buffer = bytearray()
    async for chunk in chunks:
        buffer += chunk
        if len(buffer) >= HEADER:
            break
    if version_of(bytes(buffer[:HEADER])) == PLAINTEXT:
        if buffer:
            yield bytes(buffer)
        async for chunk in chunks:
            yield chunk
        return
    frames = _Frames(keyring(settings), bytes(buffer[:HEADER]), blob_key)
    del buffer[:HEADER]
    while True:
        # a frame is known not to be the last only once a byte beyond it has arrived
        while len(buffer) > SEALED_FRAME:
            yield frames.open(bytes(buffer[:SEALED_FRAME]), last=False)
            del buffer[:SEALED_FRAME]
        chunk = await anext(chunks, None)
        if chunk is None:
            break
        buffer += chunk
    yield frames.open(bytes(buffer), last=True)
