"""Encryption of ID numbers at rest (个人信息加密存储), under a versioned key.

AES-256-GCM under a key derived (HKDF-SHA256) from the key version's secret (``app.domain.keys``),
the record's id as associated data: a ciphertext copied onto another record does not decrypt.

Two layouts, told apart by the first byte:

- ``01 | nonce(12) | ciphertext``: before key versions, always version 1 (the personal data key);
- ``02 | version(2, big-endian) | nonce(12) | ciphertext``: the version is also in the associated
  data, so a ciphertext relabelled with another version does not decrypt.

The database derives ``applicants.id_number_key_version`` from these bytes (a generated column),
so the rotation finds what is left to re-encrypt without the writers keeping a second column.
"""

from __future__ import annotations

import os
import uuid

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.config import Settings
from app.domain.keys.keyring import keyring

_LEGACY = b"\x01"
_VERSIONED = b"\x02"
_INFO = b"qaward/id-number-encryption/v1"


def key_version(blob: bytes) -> int:
    if blob[:1] == _LEGACY:
        return 1
    if blob[:1] == _VERSIONED:
        return int.from_bytes(blob[1:3], "big")
    raise ValueError("unknown ciphertext layout")


def encrypt_id_number(settings: Settings, record_id: uuid.UUID, number: str, version: int | None = None) -> bytes:
    ring = keyring(settings)
    version = version or ring.current
    label = version.to_bytes(2, "big")
    nonce = os.urandom(12)
    sealed = AESGCM(ring.key(version, _INFO)).encrypt(nonce, number.encode(), record_id.bytes + label)
    return _VERSIONED + label + nonce + sealed


def decrypt_id_number(settings: Settings, record_id: uuid.UUID, blob: bytes) -> str:
    version = key_version(blob)
    key = keyring(settings).key(version, _INFO)
    if blob[:1] == _LEGACY:
        return AESGCM(key).decrypt(blob[1:13], blob[13:], record_id.bytes).decode()
    return AESGCM(key).decrypt(blob[3:15], blob[15:], record_id.bytes + blob[1:3]).decode()
