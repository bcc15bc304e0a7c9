"""Webhook signing secrets (签名密钥): made here, sealed at rest with the encryption keyring.

A secret is Standard Webhooks' ``whsec_`` + base64 of 32 random bytes. It is shown once, when
made (create, rotate); the row keeps it sealed (AES-GCM under the keyring's current version, the
subscription's id as associated data), so a database dump does not let anyone sign as us.
"""

from __future__ import annotations

import base64
import os
import uuid

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.config import Settings
from app.domain.keys.keyring import keyring

_INFO = b"qaward/webhook-secret/v1"


def new_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()


def seal(settings: Settings, subscription_id: uuid.UUID, secret: str) -> bytes:
    ring = keyring(settings)
    label = ring.current.to_bytes(2, "big")
    nonce = os.urandom(12)
    sealed = AESGCM(ring.key(ring.current, _INFO)).encrypt(nonce, secret.encode(), subscription_id.bytes + label)
    return label + nonce + sealed


def open_secret(settings: Settings, subscription_id: uuid.UUID, blob: bytes) -> str:
    label, nonce, sealed = blob[:2], blob[2:14], blob[14:]
    key = keyring(settings).key(int.from_bytes(label, "big"), _INFO)
    return AESGCM(key).decrypt(nonce, sealed, subscription_id.bytes + label).decode()
