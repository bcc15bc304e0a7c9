"""Settings: one class, ``QAWARD_`` prefix, fail fast on unsafe production defaults."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QAWARD_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    # No URL: an embedded PostgreSQL (pgserver) runs under ``data_dir``.
    database_url: str | None = None
    # a streaming replica of it, for public reads and exports only (never for what decides); unset = the primary
    read_database_url: str | None = None
    # an export waits at most this long for the replica to replay what the primary had committed when
    # the request began (so an office's own writes are in it), then reads the primary instead
    read_replica_wait_seconds: float = Field(1.0, ge=0, le=30)
    data_dir: Path = Path(".qaward")
    db_pool_size: int = 10
    # once started, the objects alive then (programme definitions, routes, schemas) leave the garbage collector's
    # reach (gc.freeze), so a full collection no longer walks them mid-request; unset = on outside tests, whose
    # many short-lived apps would keep their cycles frozen
    gc_freeze: bool | None = None
    # public notices kept in each process, fresh by a LISTEN connection to the primary (app/api/notice_cache.py);
    # false: every read asks the database (a pooler that cannot LISTEN, e.g. PgBouncer in transaction mode)
    public_notice_cache: bool = True

    # Identity: production verifies tokens against the provincial identity platform's JWKS.
    jwt_issuer: str = "qaward-dev"
    jwt_audience: str = "qaward"
    jwks_url: str | None = None
    jwt_algorithms: list[str] = Field(default_factory=lambda: ["EdDSA", "RS256", "ES256"])

    # Idempotency keys are kept at least this long (IETF httpapi idempotency-key draft).
    idempotency_ttl_hours: int = 24
    # A key whose first request died without answering is free again after this lease.
    idempotency_lease_seconds: int = 120

    # keys the hash by which ID numbers are found (and, with the registry, their encryption)
    personal_data_key: str | None = None
    # encryption keys by version ({"1": "...", "2": "..."}, JSON); unset = version 1 is the personal data
    # key (development: more versions under the data folder, ``qaward keys new``); see app/domain/keys
    encryption_keys: dict[int, SecretStr] | None = None
    # the version new ciphertexts use; unset = the highest listed
    encryption_key_version: int | None = Field(None, ge=1, le=65535)
    # read audit records (GB/T 22239) are kept this long: 6 calendar months are at most 184 days
    read_audit_retention_days: int = Field(184, ge=184)

    # uploaded files: ``local`` = under ``data_dir``; ``s3`` = a bucket of any S3-compatible service
    storage: Literal["local", "s3"] = "local"
    s3_endpoint_url: str | None = None  # unset = AWS S3 itself
    s3_bucket: str | None = None
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None

    # application materials: the largest file accepted (bytes)
    material_max_bytes: int = 20 * 1024 * 1024
    # a stored file no record names is deleted once older than this (an upload commits its row
    # within seconds of storing the file; one older than this never will)
    orphan_file_grace_hours: int = Field(24, ge=1)

    # Ed25519 private key (PEM) signing the history's daily checkpoints (qaward audit checkpoint);
    # unset outside production: a development key under ``data_dir``; unset in production: none made
    audit_signing_key_file: Path | None = None

    # browser origins allowed to call the API (CORS), comma-separated; empty: no cross-origin browser access
    cors_origins: str = ""

    # the address citizens reach the service at: certificates' QR codes and printed links point here
    public_base_url: str = "http://127.0.0.1:8000"

    run_worker: bool = True
    worker_poll_seconds: float = 0.5
    log_level: str = "INFO"
    # auto: a human-readable line on a terminal, JSON lines otherwise (a file, a pipe, a container)
    log_format: Literal["auto", "json", "console"] = "auto"
    # a worker whose heartbeat is older than this is reported stale by /ready
    worker_stale_seconds: int = Field(30, ge=5)
    # /ready fails (503) without a fresh worker heartbeat; unset = only where this process runs one
    ready_requires_worker: bool | None = None
    # /metrics without a token (a scraper on an internal port); off: the admin role's token is needed.
    # unset = open outside production, closed in production
    metrics_public: bool | None = None

    @property
    def worker_expected(self) -> bool:
        return self.run_worker if self.ready_requires_worker is None else self.ready_requires_worker

    @property
    def metrics_open(self) -> bool:
        return (not self.production) if self.metrics_public is None else self.metrics_public

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip()]

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def freezes_gc(self) -> bool:
        return self.environment != "test" if self.gc_freeze is None else self.gc_freeze

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.encryption_keys is not None:
            if not self.encryption_keys or min(self.encryption_keys) < 1 or max(self.encryption_keys) > 65535:
                raise ValueError("QAWARD_ENCRYPTION_KEYS must list versions 1 to 65535")
            if self.encryption_key_version is not None and self.encryption_key_version not in self.encryption_keys:
                raise ValueError("QAWARD_ENCRYPTION_KEY_VERSION must name a version of QAWARD_ENCRYPTION_KEYS")
        if self.production:
            problems = []
            if not self.database_url:
                problems.append("QAWARD_DATABASE_URL must point at the production PostgreSQL (no embedded database)")
            if not self.jwks_url:
                problems.append("QAWARD_JWKS_URL must be set (the development signing key is refused in production)")
            if self.jwt_issuer == "qaward-dev":
                problems.append("QAWARD_JWT_ISSUER must name the identity platform, not 'qaward-dev'")
            if not self.personal_data_key or len(self.personal_data_key) < 32:
                problems.append("QAWARD_PERSONAL_DATA_KEY must be set (32+ characters)")
            if self.encryption_keys is not None and any(
                len(k.get_secret_value()) < 32 for k in self.encryption_keys.values()
            ):
                problems.append("every key of QAWARD_ENCRYPTION_KEYS must have 32+ characters")
            if self.encryption_keys is None and self.encryption_key_version not in (None, 1):
                problems.append("QAWARD_ENCRYPTION_KEY_VERSION above 1 needs QAWARD_ENCRYPTION_KEYS listing it")
            if self.storage == "s3" and not (self.s3_bucket and self.s3_access_key_id and self.s3_secret_access_key):
                problems.append(
                    "QAWARD_STORAGE=s3 needs QAWARD_S3_BUCKET, QAWARD_S3_ACCESS_KEY_ID and QAWARD_S3_SECRET_ACCESS_KEY"
                )
            if problems:
                raise ValueError("unsafe production settings: " + "; ".join(problems))
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()


def development_secret(path: Path, make: Callable[[], bytes]) -> bytes:
    """A development secret kept at ``path`` under the data folder, made by the first process that asks.

    Processes started together (``serve --workers N``, the test suite's live server) race to make
    it. Each writes its candidate to a private file and links it into place, which fails when
    another process got there first; every process then reads the one file that won. Replacing
    the file instead let two workers keep different keys: ID-number hashes that never match
    across workers (two live applications of one applicant) or tokens one worker refuses.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, candidate = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(make())
            with contextlib.suppress(FileExistsError):
                os.link(candidate, path)
        finally:
            os.unlink(candidate)
    return path.read_bytes()
