"""The rater of a rating, sealed: AES-256-GCM under a key derived (HKDF-SHA256, its own ``info``) from
the service's personal data key, which is never rotated, so an old rating still opens. The associated
data binds the seal to its round and rated party: moved onto another rating it does not open."""

from __future__ import annotations

import json
import os
import uuid

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.domain.keys.keyring import derive

_INFO = b"qaward supervision-rating rater v1"
_SCHEME = b"\x01"


def _aad(round_id: uuid.UUID, rated: uuid.UUID) -> bytes:
    return f"{round_id}|{rated}".encode()


def seal(secret: bytes, round_id: uuid.UUID, rated: uuid.UUID, rater: dict[str, str]) -> bytes:
    nonce = os.urandom(12)
    plain = json.dumps(rater, sort_keys=True).encode()
    return _SCHEME + nonce + AESGCM(derive(secret, _INFO)).encrypt(nonce, plain, _aad(round_id, rated))


def open_sealed(secret: bytes, round_id: uuid.UUID, rated: uuid.UUID, sealed: bytes) -> dict[str, str]:
    if sealed[:1] != _SCHEME:
        raise ValueError("unknown sealing scheme")
    nonce, ct = sealed[1:13], sealed[13:]
    return json.loads(AESGCM(derive(secret, _INFO)).decrypt(nonce, ct, _aad(round_id, rated)))
