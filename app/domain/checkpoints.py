"""Signed checkpoints of the event history (审计锚点): the record anchored outside the database.

A hash chain proves that nobody edited an entry without recomputing what follows; a database
superuser can recompute. A checkpoint folds the head of every chain (application id, length,
head hash) into one root, signs it with the service's Ed25519 key and is kept in its table and
exported as a file (``qaward audit checkpoint``). Whoever holds the file later finds any rewrite
made after it, however consistent: the chain no longer holds, at the anchored length, the
anchored hash (``qaward audit verify --since-checkpoint FILE``). docs/audit.md gives the bytes.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date
from pathlib import Path

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.config import Settings, development_secret
from app.db.repositories import audit as repo
from app.domain import clock, outbox

FORMAT = "qaward-audit-checkpoint/1"
DEV_KEY_FILE = "dev-audit-signing-key.pem"
_SIGNED = ("format", "day", "made_at", "chains", "entries", "root", "key_id")


class CheckpointInvalid(ValueError):
    """A checkpoint file that cannot be trusted: unreadable, its root or its signature wrong, another key."""


class NoSigningKey(RuntimeError):
    """Production without ``QAWARD_AUDIT_SIGNING_KEY_FILE``: no checkpoint can be signed."""


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    if settings.audit_signing_key_file is not None:
        pem = Path(settings.audit_signing_key_file).read_bytes()
    elif settings.production:
        raise NoSigningKey("QAWARD_AUDIT_SIGNING_KEY_FILE is not set: no audit checkpoint can be signed")
    else:

        def make() -> bytes:
            return Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )

        pem = development_secret(settings.data_dir / DEV_KEY_FILE, make)
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise NoSigningKey("the audit signing key must be an Ed25519 private key")
    return key


def key_id(public: Ed25519PublicKey) -> str:
    """SHA-256 of the raw 32-byte public key, in hex: names the key without shipping it."""
    return hashlib.sha256(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).hexdigest()


def public_key_pem(settings: Settings) -> str:
    """The checkpoints' public key (SubjectPublicKeyInfo PEM): what an auditor verifies signatures with."""
    public = signing_key(settings).public_key()
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def root_of(heads: list[list]) -> str:
    """SHA-256 of the RFC 8785 form of ``[[application id, seq, head], ...]`` sorted by id."""
    return hashlib.sha256(rfc8785.dumps(heads)).hexdigest()


def _signed_bytes(doc: dict) -> bytes:
    return rfc8785.dumps({k: doc[k] for k in _SIGNED})


@dataclass(frozen=True)
class Checkpoint:
    doc: dict

    @property
    def made_at(self) -> str:
        return self.doc["made_at"]

    def anchors(self) -> dict[str, tuple[int, str]]:
        return {app_id: (seq, head) for app_id, seq, head in self.doc["heads"]}

    def dumps(self) -> str:
        return json.dumps(self.doc, ensure_ascii=False, indent=1) + "\n"


def _document(row) -> Checkpoint:
    return Checkpoint(
        {
            "format": FORMAT,
            "day": row.day.isoformat(),
            "made_at": row.made_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "chains": row.chains,
            "entries": row.entries,
            "root": row.root,
            "key_id": row.key_id,
            "signature": row.signature,
            "heads": row.heads,
        }
    )


async def make(session, settings: Settings, made_by: str) -> Checkpoint:
    """Anchor every chain's head as it is now: fold, sign, store; the caller commits."""
    key = signing_key(settings)
    await repo.lock_checkpoints(session)
    now = clock.now()
    heads = [[app_id, seq, head] for app_id, seq, head in await repo.heads(session) if seq > 0]
    doc = {
        "format": FORMAT,
        "day": now.astimezone(clock.SHANGHAI).date().isoformat(),
        "made_at": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "chains": len(heads),
        "entries": sum(h[1] for h in heads),
        "root": root_of(heads),
        "key_id": key_id(key.public_key()),
    }
    doc["signature"] = base64.b64encode(key.sign(_signed_bytes(doc))).decode()
    row = await repo.add_checkpoint(
        session,
        {
            "day": now.astimezone(clock.SHANGHAI).date(),
            "made_at": now,
            "made_by": made_by,
            "chains": doc["chains"],
            "entries": doc["entries"],
            "root": doc["root"],
            "key_id": doc["key_id"],
            "signature": doc["signature"],
            "heads": heads,
        },
    )
    await outbox.emit(
        session,
        "audit.checkpoint_made",
        {k: doc[k] for k in ("format", "day", "made_at", "chains", "entries", "root", "key_id", "signature")},
        subject="audit",
    )
    return _document(row)


async def make_daily(db, settings: Settings) -> Checkpoint | None:
    """The worker's checkpoint: one per Asia/Shanghai day at most, however many workers run."""
    async with db.transaction() as session:
        await repo.lock_checkpoints(session)  # held to commit: a second worker waits, then sees this one
        if await repo.checkpoint_on(session, clock.today()) is not None:
            return None
        return await make(session, settings, "worker")


async def stored(session, day: str | None = None) -> Checkpoint | None:
    """A stored checkpoint, exported: the latest one, or the latest of ``day`` (YYYY-MM-DD)."""
    if day is None:
        row = await repo.latest_checkpoint(session)
    else:
        row = await repo.checkpoint_on(session, date.fromisoformat(day))
    return _document(row) if row is not None else None


def check(doc: dict, public: Ed25519PublicKey) -> Checkpoint:
    """``doc`` if its root folds its heads and ``public`` signed it; else ``CheckpointInvalid``."""
    try:
        if doc.get("format") != FORMAT:
            raise CheckpointInvalid(f"not a {FORMAT} document")
        heads = doc["heads"]
        if root_of(heads) != doc["root"] or len(heads) != doc["chains"]:
            raise CheckpointInvalid("its heads do not fold into its root")
        if doc["key_id"] != key_id(public):
            raise CheckpointInvalid("it was signed with another key than this service's")
        public.verify(base64.b64decode(doc["signature"], validate=True), _signed_bytes(doc))
    except InvalidSignature:
        raise CheckpointInvalid("its signature does not verify") from None
    except (KeyError, TypeError, ValueError, rfc8785.CanonicalizationError) as err:
        if isinstance(err, CheckpointInvalid):
            raise
        raise CheckpointInvalid(f"it is malformed ({err.__class__.__name__}: {err})") from None
    return Checkpoint(doc)


def load(path: Path, settings: Settings) -> Checkpoint:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise CheckpointInvalid(f"it cannot be read ({err})") from None
    if not isinstance(doc, dict):
        raise CheckpointInvalid(f"not a {FORMAT} document")
    return check(doc, signing_key(settings).public_key())
