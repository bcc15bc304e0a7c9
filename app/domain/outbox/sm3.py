"""HMAC-SM3 (GM/T 0004 hash in RFC 2104's HMAC), for partners that require the national algorithms.

The standard library's ``hmac`` does the construction; gmssl gives the SM3 digest (64-byte blocks,
32-byte digests). Sent beside the Standard Webhooks signature as ``webhook-signature-sm3``, over
the same content (``{webhook-id}.{webhook-timestamp}.{body}``) with the same secret bytes.
"""

from __future__ import annotations

import base64
import hmac
from datetime import datetime

from gmssl import func, sm3


class _SM3:
    """The hashlib-style object ``hmac`` expects, over gmssl's SM3."""

    digest_size = 32
    block_size = 64
    name = "sm3"

    def __init__(self, data: bytes = b"") -> None:
        self._data = bytearray(data)

    def update(self, data: bytes) -> None:
        self._data += data

    def copy(self) -> _SM3:
        return _SM3(bytes(self._data))

    def digest(self) -> bytes:
        return bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(bytes(self._data))))

    def hexdigest(self) -> str:
        return self.digest().hex()


def hmac_sm3(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, _SM3).digest()


def secret_bytes(secret: str) -> bytes:
    """A ``whsec_`` secret's key bytes (what Standard Webhooks signs with)."""
    raw = secret.removeprefix("whsec_")
    return base64.b64decode(raw + "==")


def sign(secret: str, msg_id: str, sent_at: datetime, body: str) -> str:
    content = f"{msg_id}.{int(sent_at.timestamp())}.{body}".encode()
    return "v1," + base64.b64encode(hmac_sm3(secret_bytes(secret), content)).decode()
