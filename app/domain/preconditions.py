"""Optimistic concurrency for versioned resources: ``If-Match`` against the current version."""

from __future__ import annotations

import re

from app.domain.errors import DomainError, FieldError

# RFC 9110 §8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE
_ENTITY_TAG = re.compile(r'^(?:W/)?"[\x21\x23-\x7e\x80-\uffff]*"$')


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
    if tags != {"*"} and not all(_ENTITY_TAG.match(t) for t in tags):
        # a tag written without its quotes (v1) is not a stale version but a malformed header: saying
        # "someone changed it" would send the clerk reloading for nothing
        raise DomainError(
            "bad-request",
            400,
            f'If-Match 请求头格式不正确：应为带双引号的 ETag（取自该资源响应的 ETag 头），如 "v{current_version}"，或 *',
            f'The If-Match header is malformed: send the resource\'s ETag with its double quotes, e.g. "v{current_version}", or *',
            title="Bad Request",
            errors=[
                FieldError(
                    "If-Match",
                    f'应为带双引号的 ETag，如 "v{current_version}"',
                    f'a quoted entity tag, e.g. "v{current_version}"',
                    "malformed",
                )
            ],
        )
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
