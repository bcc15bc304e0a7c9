"""ETags and ``If-Match`` for versioned resources: stale is 412, missing is 428."""

from __future__ import annotations

from starlette.requests import Request

from app.domain.errors import DomainError


def etag(version: int) -> str:
    return f'"v{version}"'


def require_if_match(request: Request, current_version: int) -> None:
    header = request.headers.get("if-match")
    if header is None:
        raise DomainError(
            "precondition-required", 428,
            "修改此资源须携带 If-Match 头（取自该资源的 ETag）", "This update requires an If-Match header with the resource's ETag",
            title="Precondition Required",
        )
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    if "*" in tags or etag(current_version) in tags:
        return
    raise DomainError(
        "precondition-failed", 412,
        "资源已被他人修改，请刷新后重试", "The resource has changed since you read it; reload and retry",
        title="Precondition Failed", extra={"current_etag": etag(current_version)},
    )
