"""Optimistic concurrency for versioned resources: ``If-Match`` against the current version."""

from __future__ import annotations

from app.domain.errors import DomainError


def etag(version: int) -> str:
    return f'"v{version}"'


def check_if_match(header: str | None, current_version: int) -> None:
    """Missing header → 428; no listed tag strongly equal to the current one (and no ``*``) → 412."""
    if header is None:
        raise DomainError(
            "precondition-required",
            428,
            "修改此资源须携带 If-Match 头（取自该资源的 ETag）",
            "This update requires an If-Match header with the resource's ETag",
            title="Precondition Required",
        )
    # RFC 9110 §13.1.1: If-Match uses the strong comparison, so a weak tag (W/"v1") never
    # matches, even when its opaque part is the current version; it stays in the set as itself.
    tags = {t.strip() for t in header.split(",")}
    if "*" in tags or etag(current_version) in tags:
        return
    raise DomainError(
        "precondition-failed",
        412,
        "资源已被他人修改，请刷新后重试",
        "The resource has changed since you read it; reload and retry",
        title="Precondition Failed",
        extra={"current_etag": etag(current_version)},
    )
