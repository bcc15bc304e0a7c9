"""The one family of domain errors.

Every refusal the service gives is a ``DomainError``: it carries a stable problem ``type``
slug, an HTTP status, a message in Chinese and in English, and, where a regulation demands
the refusal, the clause id. ``app/api/problems.py`` renders it as RFC 9457 problem+json.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PROBLEM_BASE = "https://qaward.gov.cn/problems/"


@dataclass
class FieldError:
    """One invalid input field: where it is, and why, in both languages."""

    field: str
    zh: str
    en: str
    code: str = "invalid"

    def render(self, lang: str) -> dict[str, Any]:
        return {"field": self.field, "code": self.code, "message": self.en if lang == "en" else self.zh}


@dataclass
class DomainError(Exception):
    """A refusal: ``slug`` becomes the problem type ``https://qaward.gov.cn/problems/<slug>``."""

    slug: str
    status: int
    zh: str
    en: str
    title: str | None = None
    clause: str | None = None
    errors: list[FieldError] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.en)

    @property
    def type_uri(self) -> str:
        return PROBLEM_BASE + self.slug


def not_found(what_zh: str, what_en: str, ident: object) -> DomainError:
    return DomainError(
        "not-found", 404, f"{what_zh}“{ident}”不存在", f"{what_en} '{ident}' was not found", title="Not Found"
    )


def invalid(field_name: str, zh: str, en: str, code: str = "invalid", slug: str = "validation-error") -> DomainError:
    """A 422 for one bad field."""
    return DomainError(
        slug,
        422,
        f"请求参数“{field_name}”无效：{zh}",
        f"Invalid value for '{field_name}': {en}",
        title="Unprocessable Content",
        errors=[FieldError(field_name, zh, en, code)],
    )


def conflict(slug: str, zh: str, en: str, **extra: Any) -> DomainError:
    return DomainError(slug, 409, zh, en, title="Conflict", extra=extra)
