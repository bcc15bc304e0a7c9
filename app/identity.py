"""Who is calling: principals, and the bearer tokens that carry them.

Production verifies tokens issued by the provincial unified identity platform against its
JWKS; development and tests sign with an Ed25519 key kept under ``QAWARD_DATA_DIR``.

Real-name claims (实名认证): the platform states whom it verified. ``verified_id_number`` is a
natural person's ID number (or ``verified_id_number_hash``, its keyed hash under
``QAWARD_PERSONAL_DATA_KEY``, for a platform that shares the key and keeps the number off the
wire); ``verified_credit_code`` is a legal person's 统一社会信用代码. An applicant account may
register only the identity its token verifies, and a signed-in objector naming that identity is
identity-verified.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.config import Settings, development_secret
from app.domain.errors import DomainError

DEV_KEY_FILE = "dev-signing-key.pem"


class Role(StrEnum):
    admin = "admin"
    office = "office"  # 评审办 / 审定办 / 质发办 / 质量强市办 of one programme
    recommender = "recommender"  # 推荐单位: 街镇 / 园区 / 主管部门 / 县区
    expert = "expert"
    committee = "committee"
    applicant = "applicant"
    integration = "integration"  # a system client: portal, credit platform
    # 第三方评审机构 (linyi-8a): acts in its programme's expert review only, as the body its ``body`` claim names
    review_body = "review_body"
    # 评审监督小组 / 纪检监察 of one programme: reads its whole review, writes nothing (hangzhou-6.1)
    supervisor = "supervisor"


@dataclass(frozen=True)
class Principal:
    """The caller. ``sub`` is empty for the anonymous public."""

    sub: str = ""
    roles: frozenset[str] = field(default_factory=frozenset)
    programme: str | None = None
    unit: str | None = None
    applicant: str | None = None
    client: str | None = None
    body: str | None = None  # the review body's code, with role review_body
    # the identity platform's real-name claims; kept out of repr so that no log line carries them
    verified_id_number: str | None = field(default=None, repr=False)
    verified_id_number_hash: str | None = field(default=None, repr=False)
    verified_credit_code: str | None = field(default=None, repr=False)

    @property
    def anonymous(self) -> bool:
        return not self.sub

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def key(self) -> str:
        """Stable scope for per-principal records (idempotency keys)."""
        return self.sub or "anonymous"


ANONYMOUS = Principal()


def _unauthorized(zh: str, en: str) -> DomainError:
    return DomainError("unauthorized", 401, zh, en, title="Unauthorized", headers={"WWW-Authenticate": "Bearer"})


def dev_private_key(data_dir: Path) -> Ed25519PrivateKey:
    def make() -> bytes:
        new = Ed25519PrivateKey.generate()
        return new.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    key = serialization.load_pem_private_key(development_secret(data_dir / DEV_KEY_FILE, make), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def issue_dev_token(
    settings: Settings,
    sub: str,
    roles: list[str],
    programme: str | None = None,
    unit: str | None = None,
    applicant: str | None = None,
    client: str | None = None,
    ttl_seconds: int = 8 * 3600,
    verified_id_number: str | None = None,
    verified_id_number_hash: str | None = None,
    verified_credit_code: str | None = None,
    body: str | None = None,
) -> str:
    if settings.production:
        raise RuntimeError("development tokens are not issued in production")
    now = int(time.time())
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": sub,
        "roles": roles,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    for name, value in (
        ("programme", programme),
        ("unit", unit),
        ("applicant", applicant),
        ("client", client),
        ("body", body),
        ("verified_id_number", verified_id_number),
        ("verified_id_number_hash", verified_id_number_hash),
        ("verified_credit_code", verified_credit_code),
    ):
        if value:
            claims[name] = value
    return jwt.encode(claims, dev_private_key(settings.data_dir), algorithm="EdDSA")


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        if settings.jwks_url:
            self._jwks = jwt.PyJWKClient(settings.jwks_url, cache_keys=True, lifespan=3600)
            self._dev_public = None
        else:
            self._jwks = None
            self._dev_public = dev_private_key(settings.data_dir).public_key()

    def verify(self, authorization: str | None) -> Principal:
        if not authorization:
            return ANONYMOUS
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized(
                "Authorization 头必须是 Bearer 令牌", "The Authorization header must carry a Bearer token"
            )
        return _principal_of(self._decode(token.strip()))

    @lru_cache(maxsize=4096)  # noqa: B019 - tokens are immutable; expiry is rechecked below
    def _decode_cached(self, token: str) -> dict:
        return self._decode_uncached(token)

    def _decode(self, token: str) -> dict:
        claims = self._decode_cached(token)
        if claims.get("exp", 0) < time.time():
            self._decode_cached.cache_clear()
            raise _unauthorized("令牌已过期", "The token has expired")
        return claims

    def _decode_uncached(self, token: str) -> dict:
        try:
            key = self._jwks.get_signing_key_from_jwt(token).key if self._jwks else self._dev_public
            return jwt.decode(
                token,
                key=key,
                algorithms=self.settings.jwt_algorithms,
                audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer,
                options={"require": ["exp", "sub", "iss"]},
            )
        except jwt.ExpiredSignatureError:
            raise _unauthorized("令牌已过期", "The token has expired") from None
        except (jwt.PyJWTError, ValueError):
            raise _unauthorized(
                "令牌无效或签名不正确", "The token is invalid or its signature does not verify"
            ) from None


_SCOPE_CLAIMS = ("programme", "unit", "applicant", "client", "body")
# what the identity platform verified; upper-cased (a trailing x and letter codes compare as written on the card)
IDENTITY_CLAIMS = ("verified_id_number", "verified_id_number_hash", "verified_credit_code")


def _principal_of(claims: dict) -> Principal:
    """The principal a verified token names; a claim of the wrong shape makes the token invalid (401).

    A signed token is still input: a numeric ``programme`` or a ``roles`` list holding objects
    would otherwise reach queries and comparisons as something other than text.
    """
    sub = claims.get("sub")
    roles = claims.get("roles") or []
    if isinstance(roles, str):
        roles = roles.split()
    scopes = {name: claims.get(name) for name in _SCOPE_CLAIMS}
    verified = {name: claims.get(name) for name in IDENTITY_CLAIMS}
    if (
        not isinstance(sub, str)
        or not sub.strip()
        or not isinstance(roles, list)
        or not all(isinstance(r, str) for r in roles)
        or not all(v is None or (isinstance(v, str) and v) for v in scopes.values())
        or not all(v is None or (isinstance(v, str) and v.strip()) for v in verified.values())
    ):
        raise _unauthorized("令牌中的身份声明格式不正确", "The token's identity claims are malformed")
    known = {r.value for r in Role}
    proven = {
        name: v.strip().upper() if name != "verified_id_number_hash" else v.strip().lower()
        for name, v in verified.items()
        if v
    }
    return Principal(sub=sub, roles=frozenset(r for r in roles if r in known), **scopes, **proven)
