"""Why an uploaded file is refused (文件不予接收的原因): one vocabulary for every upload.

Each reason has one ``code`` and one wording (Chinese and English), whichever way the file came:

- as the request's own body (materials): the problem type names the reason and keeps the status
  HTTP gives it (413 too large, 415 an executable or a type not accepted: the request's content
  itself is of an unsupported media type, 422 empty, 400 interrupted);
- inside a JSON body (evidence, proofs): the request is well-formed but one of its fields is
  wrong, so it is ``422 /invalid-file`` (or the caller's own problem that gathers every field, as
  an objection's ``/objection-incomplete`` does).

Both carry ``errors: [{field, code, message}]`` naming the offending field (``body`` for the
request's own body) with the same code and message, and the same ``detail``; ``max_bytes``,
``detected_type`` and ``allowed_types`` where they apply. A client handles a file refusal by its
``code``, whatever the route.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from app.domain.errors import DomainError, FieldError
from app.domain.files import filetypes
from app.domain.files.policy import MB, FilePolicy

# the field a refusal names when the file is the request's own body
BODY = "body"


class Reason(StrEnum):
    """The codes a file refusal carries in ``errors[].code`` (stable: clients branch on them)."""

    TOO_LARGE = "too_large"
    EMPTY = "empty"
    EXECUTABLE = "executable"
    UNSUPPORTED_TYPE = "type"
    NOT_BASE64 = "base64"
    TOO_MANY = "too_many"
    INTERRUPTED = "interrupted"


def _size(limit: int) -> tuple[str, str]:
    if limit % MB == 0:
        return f"{limit // MB}MB", f"{limit // MB} MB"
    return f"{limit}字节", f"{limit} bytes"


def _type_names(policy: FilePolicy) -> tuple[str, str]:
    kinds = [t for t in filetypes.TYPE_NAMES if t in policy.allowed_types]
    return "、".join(filetypes.TYPE_NAMES[t] for t in kinds), ", ".join(filetypes.TYPE_NAMES_EN[t] for t in kinds)


def wording(policy: FilePolicy, reason: Reason, limit: int | None = None) -> tuple[str, str]:
    """The reason in Chinese and English, as ``errors[].message`` says it."""
    if reason is Reason.TOO_LARGE:
        zh, en = _size(limit if limit is not None else policy.max_bytes)
        return f"超过大小上限（{zh}）", f"exceeds the size limit ({en})"
    if reason is Reason.EMPTY:
        return "文件为空", "is empty"
    if reason is Reason.EXECUTABLE:
        return (
            "文件内容是可执行程序，不予接收（与文件名或扩展名无关）",
            "its content is an executable program, never accepted whatever its name",
        )
    if reason is Reason.UNSUPPORTED_TYPE:
        zh, en = _type_names(policy)
        return f"只接受{zh}文件（按文件内容判断）", f"only {en} files are accepted, judged by content"
    if reason is Reason.NOT_BASE64:
        return "不是有效的 base64 编码", "is not valid base64"
    if reason is Reason.TOO_MANY:
        return f"最多{policy.max_files}个文件", f"at most {policy.max_files} files"
    return "上传中断，文件未保存", "the upload was interrupted; nothing was stored"


def field_error(policy: FilePolicy, reason: Reason, field: str, limit: int | None = None) -> FieldError:
    zh, en = wording(policy, reason, limit)
    return FieldError(field, zh, en, reason.value)


def total_too_large(policy: FilePolicy, field: str) -> FieldError:
    """The files of one request together over the kind's total (``max_total_bytes``)."""
    assert policy.max_total_bytes is not None
    zh, en = _size(policy.max_total_bytes)
    return FieldError(
        field, f"合计超过大小上限（{zh}）", f"exceed the size limit in all ({en})", Reason.TOO_LARGE.value
    )


def refusal(
    policy: FilePolicy,
    reason: Reason,
    field: str,
    *,
    streamed: bool,
    limit: int | None = None,
    detected: str | None = None,
) -> DomainError:
    """The problem for one refused file: ``streamed`` when it was the request's body, else a field of a JSON body."""
    error = field_error(policy, reason, field, limit)
    subject_zh = policy.name_zh if field == BODY else f"{policy.name_zh}“{field}”"
    subject_en = f"The {policy.name_en}" if field == BODY else f"The {policy.name_en} '{field}'"
    zh, en = f"{subject_zh}不能接受：{error.zh}", f"{subject_en} cannot be accepted: {error.en}"
    extra: dict[str, Any] = {}
    if reason is Reason.TOO_LARGE:
        extra["max_bytes"] = limit if limit is not None else policy.max_bytes
    if reason in (Reason.EXECUTABLE, Reason.UNSUPPORTED_TYPE):
        extra.update(detected_type=detected, allowed_types=sorted(policy.allowed_types))
    errors = [error]
    if not streamed:
        return DomainError("invalid-file", 422, zh, en, title="Unprocessable Content", errors=errors, extra=extra)
    if reason is Reason.TOO_LARGE:
        return DomainError("file-too-large", 413, zh, en, title="Content Too Large", errors=errors, extra=extra)
    if reason is Reason.EXECUTABLE:
        return DomainError(
            "executable-refused", 415, zh, en, title="Unsupported Media Type", errors=errors, extra=extra
        )
    if reason is Reason.UNSUPPORTED_TYPE:
        return DomainError(
            "unsupported-file-type", 415, zh, en, title="Unsupported Media Type", errors=errors, extra=extra
        )
    if reason is Reason.EMPTY:
        return DomainError("empty-file", 422, zh, en, title="Unprocessable Content", errors=errors, extra=extra)
    return DomainError("upload-interrupted", 400, zh, en, title="Bad Request", errors=errors, extra=extra)


def request_too_large(policy: FilePolicy, max_request_bytes: int) -> DomainError:
    """A JSON request larger than its files of ``policy`` could ever make it: refused before it is read."""
    assert policy.max_total_bytes is not None
    error = total_too_large(policy, BODY)
    zh, en = f"请求过大：{policy.name_zh}{error.zh}", f"The request is too large: the {policy.name_en} files {error.en}"
    return DomainError(
        "file-too-large", 413, zh, en, title="Content Too Large", errors=[error], extra={"max_bytes": max_request_bytes}
    )
