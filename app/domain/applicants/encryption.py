"""Encryption of ID numbers at rest (个人信息加密存储).

AES-256-GCM under a key derived (HKDF-SHA256) from the personal data key, so one secret
(``QAWARD_PERSONAL_DATA_KEY``, required in production) keys both the lookup hash and the
ciphertext while the two uses never share key material. The record's id is the associated
data: a ciphertext copied onto another record does not decrypt.
"""

from __future__ import annotations

import os
import uuid

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.config import Settings
from app.domain import personal_data

_VERSION = b"\x01"
_INFO = b"qaward/id-number-encryption/v1"
_keys: dict[bytes, bytes] = {}


def _key(settings: Settings) -> bytes:
    master = personal_data.key(settings)
    derived = _keys.get(master)
    if derived is None:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(master)
        _keys[master] = derived
    return derived


def encrypt_id_number(settings: Settings, record_id: uuid.UUID, number: str) -> bytes:
    nonce = os.urandom(12)
    return _VERSION + nonce + AESGCM(_key(settings)).encrypt(nonce, number.encode(), record_id.bytes)


def decrypt_id_number(settings: Settings, record_id: uuid.UUID, blob: bytes) -> str:
    if blob[:1] != _VERSION:
        raise ValueError("unknown ciphertext version")
    return AESGCM(_key(settings)).decrypt(blob[1:13], blob[13:], record_id.bytes).decode()
