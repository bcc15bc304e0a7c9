"""Encryption keys by version (密钥版本): what encrypts ID numbers and stored files, and what decrypts them.

Every ciphertext names the key version it was made with; new ones use the *current* version. The
versions come from ``QAWARD_ENCRYPTION_KEYS`` (JSON, ``{"1": "...", "2": "..."}``) and the current one
from ``QAWARD_ENCRYPTION_KEY_VERSION`` (unset: the highest listed). Unset, version 1 is the personal
data key, which is what encrypted ID numbers before versions existed; development adds versions as
files under the data folder (``qaward keys new``), the current one being the highest.

Rotating (``qaward keys rotate``, ``rotation``) moves every record to the current version; the older
versions must stay listed until it reports none left. The keyed *hash* of ID numbers is not
versioned: it is a lookup key (unique indexes, the identity platform's hashed claims), and stays
under ``QAWARD_PERSONAL_DATA_KEY``.

Each use derives its own key (HKDF-SHA256, a distinct ``info``), so one secret never keys two
purposes.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.config import Settings, development_secret
from app.domain import personal_data

DEV_FOLDER = "encryption-keys"


class UnknownKeyVersion(LookupError):
    """A ciphertext names a key version the settings no longer (or not yet) list."""


def derive(secret: bytes, info: bytes, salt: bytes | None = None) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(secret)


@dataclass(frozen=True)
class Keyring:
    secrets: Mapping[int, bytes]
    current: int
    _derived: dict = field(default_factory=dict, compare=False, repr=False)

    def secret(self, version: int) -> bytes:
        try:
            return self.secrets[version]
        except KeyError:
            raise UnknownKeyVersion(f"encryption key version {version} is not configured") from None

    def key(self, version: int, info: bytes) -> bytes:
        """The key of one purpose (``info``) under ``version``, derived once per process."""
        found = self._derived.get((version, info))
        if found is None:
            found = self._derived[(version, info)] = derive(self.secret(version), info)
        return found

    @property
    def retired(self) -> list[int]:
        """Versions older than the current one: what a finished rotation lets the operator remove."""
        return sorted(v for v in self.secrets if v < self.current)


_cache: dict[tuple, Keyring] = {}


def _dev_folder(settings: Settings) -> Path:
    return Path(settings.data_dir) / DEV_FOLDER


def _dev_versions(settings: Settings) -> dict[int, bytes]:
    folder = _dev_folder(settings)
    found: dict[int, bytes] = {}
    if folder.is_dir():
        for path in folder.iterdir():
            if path.name.isdigit() and int(path.name) >= 2:
                found[int(path.name)] = path.read_bytes().strip()
    return found


def keyring(settings: Settings) -> Keyring:
    if settings.encryption_keys is not None:
        listed = {v: s.get_secret_value() for v, s in settings.encryption_keys.items()}
        ident: tuple = ("listed", tuple(sorted(listed.items())), settings.encryption_key_version)
        found = _cache.get(ident)
        if found is None:
            found = _cache[ident] = Keyring(
                {v: s.encode() for v, s in listed.items()}, settings.encryption_key_version or max(listed)
            )
        return found
    folder = _dev_folder(settings)
    try:
        stamp = folder.stat().st_mtime_ns  # a version added by ``qaward keys new`` changes the folder
    except FileNotFoundError:
        stamp = None
    ident = ("dev", str(folder.resolve()), stamp, settings.personal_data_key, settings.encryption_key_version)
    found = _cache.get(ident)
    if found is None:
        versions = {1: personal_data.key(settings), **({} if settings.production else _dev_versions(settings))}
        current = settings.encryption_key_version or max(versions)
        if current not in versions:
            raise UnknownKeyVersion(f"QAWARD_ENCRYPTION_KEY_VERSION={current} is not configured")
        found = _cache[ident] = Keyring(versions, current)
    return found


def new_development_version(settings: Settings) -> int:
    """Add the next key version under the data folder (development and test only)."""
    if settings.production or settings.encryption_keys is not None:
        raise ValueError("key versions are configured by QAWARD_ENCRYPTION_KEYS here, not generated")
    folder = _dev_folder(settings)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    version = max([1, *_dev_versions(settings)]) + 1
    development_secret(folder / str(version), lambda: secrets.token_hex(32).encode())
    os.utime(folder)  # the listing's time changes even on file systems with coarse timestamps
    return version
