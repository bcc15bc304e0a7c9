"""Stored files sealed at rest (issue #13; jinshan-21a, hangzhou-6.2a, linyi-20a: materials hold business secrets).

The framing (``app/domain/files/sealing.py``) on its own: any size round-trips, streamed or whole;
a tampered, truncated, reordered or moved file does not open; a file stored before encryption
reads as it is; each file names its key version.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from pydantic import SecretStr

from app.config import Settings
from app.domain.files import blobs, sealing
from app.domain.keys.keyring import UnknownKeyVersion

pytestmark = pytest.mark.no_database
K1, K2 = "k" * 40, "q" * 40


def _settings(tmp_path: Path, keys: dict[int, str], current: int | None = None) -> Settings:
    return Settings(
        environment="test",
        database_url="postgresql://unused/unused",
        data_dir=tmp_path,
        encryption_keys={v: SecretStr(k) for v, k in keys.items()},
        encryption_key_version=current,
    )


async def _open(settings: Settings, key: str) -> bytes:
    return b"".join([c async for c in await sealing.open_plain(settings, key)])


@pytest.mark.parametrize(
    "size", [1, 100, sealing.PLAIN_FRAME - 1, sealing.PLAIN_FRAME, sealing.PLAIN_FRAME + 1, 200_000]
)
async def test_every_size_round_trips_whole_and_streamed_under_the_current_version(tmp_path, size):
    settings = _settings(tmp_path, {1: K1, 2: K2})
    data = bytes(i % 251 for i in range(size))
    store = blobs.store_for(settings)
    await store.put("materials/aa/whole", sealing.seal_bytes(settings, "materials/aa/whole", data))
    target = tmp_path / "sealed"
    digest = sealing.seal_file(settings, "materials/aa/streamed", io.BytesIO(data).read, target)
    await store.put("materials/aa/streamed", target)
    assert digest == hashlib.sha256(data).hexdigest()
    for key in ("materials/aa/whole", "materials/aa/streamed"):
        raw = (tmp_path / key).read_bytes()
        assert raw[:4] == sealing.MAGIC and sealing.version_of(raw) == 2  # the highest listed is current
        assert size < 64 or data[:64] not in raw  # no plaintext at rest
        assert await _open(settings, key) == data
    # whole and streamed seal the same way: header, then frames of 64 KiB + tag
    frames = max(1, -(-size // sealing.PLAIN_FRAME))
    assert len((tmp_path / "materials/aa/whole").read_bytes()) == sealing.HEADER + size + frames * sealing.TAG


async def test_a_tampered_truncated_or_moved_file_does_not_open(tmp_path):
    settings = _settings(tmp_path, {1: K1})
    data = bytes(range(256)) * 600  # 3 frames
    sealed = sealing.seal_bytes(settings, "materials/aa/one", data)
    store = blobs.store_for(settings)
    flipped = bytearray(sealed)
    flipped[sealing.HEADER + 10] ^= 1
    frame = sealing.SEALED_FRAME
    cases = {
        "materials/aa/flipped": bytes(flipped),
        "materials/aa/truncated": sealed[: sealing.HEADER + frame],  # the last frame dropped
        "materials/aa/swapped": sealed[: sealing.HEADER]
        + sealed[sealing.HEADER + frame : sealing.HEADER + 2 * frame]
        + sealed[sealing.HEADER : sealing.HEADER + frame]
        + sealed[sealing.HEADER + 2 * frame :],
        "materials/aa/moved": sealed,  # sealed for "materials/aa/one", stored under another key
    }
    for key, raw in cases.items():
        await store.put(key, raw)
        with pytest.raises(sealing.Unreadable):
            await _open(settings, key)


async def test_a_file_stored_before_encryption_reads_as_it_is_and_is_version_0(tmp_path):
    settings = _settings(tmp_path, {1: K1})
    await blobs.store_for(settings).put("materials/aa/legacy", b"%PDF-1.7 stored in 2026 before sealing")
    assert sealing.version_of(b"%PDF-1.7") == sealing.PLAINTEXT == 0
    assert await _open(settings, "materials/aa/legacy") == b"%PDF-1.7 stored in 2026 before sealing"


async def test_a_file_under_a_version_no_longer_configured_is_refused_by_name(tmp_path):
    old = _settings(tmp_path, {1: K1, 2: K2}, current=1)
    await blobs.store_for(old).put("materials/aa/v1", sealing.seal_bytes(old, "materials/aa/v1", b"%PDF secret"))
    assert await _open(_settings(tmp_path, {1: K1, 2: K2}), "materials/aa/v1") == b"%PDF secret"
    with pytest.raises(UnknownKeyVersion):
        await _open(_settings(tmp_path, {2: K2}), "materials/aa/v1")


def test_key_settings_are_checked():
    with pytest.raises(ValueError, match="QAWARD_ENCRYPTION_KEY_VERSION"):
        Settings(encryption_keys={1: SecretStr(K1)}, encryption_key_version=2)
    with pytest.raises(ValueError, match="32\\+ characters"):
        Settings(
            environment="production",
            database_url="postgresql://x/y",
            jwks_url="https://idp/jwks",
            jwt_issuer="idp",
            personal_data_key=K1,
            encryption_keys={1: SecretStr("short")},
        )
    with pytest.raises(ValueError, match="needs QAWARD_ENCRYPTION_KEYS"):
        Settings(
            environment="production",
            database_url="postgresql://x/y",
            jwks_url="https://idp/jwks",
            jwt_issuer="idp",
            personal_data_key=K1,
            encryption_key_version=2,
        )
