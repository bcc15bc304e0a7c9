"""Personal data (个人信息): ID numbers are found by a keyed hash and shown masked.

The key is ``QAWARD_PERSONAL_DATA_KEY`` (required in production); development keeps a random
key under the data folder.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from app.config import Settings

_KEY_FILE = "personal-data-key"
_cache: dict[str, bytes] = {}


def key(settings: Settings) -> bytes:
    if settings.personal_data_key:
        return settings.personal_data_key.encode()
    path = Path(settings.data_dir) / _KEY_FILE
    cached = _cache.get(str(path))
    if cached:
        return cached
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(secrets.token_hex(32))
        tmp.chmod(0o600)
        tmp.replace(path)
    _cache[str(path)] = path.read_text().strip().encode()
    return _cache[str(path)]


def id_number_hash(settings: Settings, number: str) -> str:
    return hmac.new(key(settings), number.upper().encode(), hashlib.sha256).hexdigest()
