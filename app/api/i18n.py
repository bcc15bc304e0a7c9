"""Language of answers: Chinese by default, English when ``Accept-Language`` prefers it."""

from __future__ import annotations

from starlette.requests import Request


def _weight(params: list[str]) -> float | None:
    """The ``q`` parameter (RFC 9110 §12.4.2): 1 when absent, ``None`` when malformed or out of range."""
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return None
            return q if 0.0 <= q <= 1.0 else None
    return 1.0


def language(request: Request) -> str:
    """``en`` or ``zh``: the highest-weighted acceptable one (``en``, ``en-US``...; ``zh``, ``zh-CN``, ``zh-Hans``...).

    A weight of 0 means "not acceptable"; ``*`` stands for the default (Chinese); on a tie the first listed wins.
    """
    header = request.headers.get("accept-language", "")
    best, best_q = "zh", 0.0
    for part in header.split(","):
        tag, *params = part.split(";")
        primary = tag.strip().lower().split("-", 1)[0]
        lang = "en" if primary == "en" else "zh" if primary in {"zh", "*"} else None
        q = _weight(params)
        if lang and q is not None and q > best_q:
            best, best_q = lang, q
    return best


def content_language(lang: str) -> str:
    """The ``Content-Language`` of an answer in ``lang``."""
    return "en" if lang == "en" else "zh-CN"


# pydantic error types → (zh, en) sentences a clerk can act on
VALIDATION_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("必填项缺失", "Field required"),
    "string_type": ("应为字符串", "Input should be a valid string"),
    "int_type": ("应为整数", "Input should be a valid integer"),
    "int_parsing": ("应为整数", "Input should be a valid integer"),
    "bool_type": ("应为布尔值", "Input should be a valid boolean"),
    "bool_parsing": ("应为布尔值", "Input should be a valid boolean"),
    "date_from_datetime_parsing": ("应为有效的日期（YYYY-MM-DD）", "Input should be a valid date (YYYY-MM-DD)"),
    "date_parsing": ("应为有效的日期（YYYY-MM-DD）", "Input should be a valid date (YYYY-MM-DD)"),
    "date_type": ("应为 YYYY-MM-DD 格式的日期", "Input should be a date in YYYY-MM-DD format"),
    "datetime_parsing": ("应为带时区的 ISO 8601 时间", "Input should be an ISO 8601 date-time"),
    "datetime_from_date_parsing": ("应为带时区的 ISO 8601 时间", "Input should be an ISO 8601 date-time"),
    "timezone_aware": ("时间必须带时区", "The date-time must carry a time zone"),
    "decimal_parsing": ("应为十进制数", "Input should be a decimal number"),
    "greater_than_equal": ("数值过小", "Value is too small"),
    "greater_than": ("数值过小", "Value is too small"),
    "less_than_equal": ("数值过大", "Value is too large"),
    "less_than": ("数值过大", "Value is too large"),
    "string_too_short": ("内容过短", "Value is too short"),
    "string_too_long": ("内容过长", "Value is too long"),
    "too_short": ("条目过少", "Too few items"),
    "too_long": ("条目过多", "Too many items"),
    "literal_error": ("取值不在允许范围内", "Value is not one of the allowed values"),
    "enum": ("取值不在允许范围内", "Value is not one of the allowed values"),
    "extra_forbidden": ("不允许的字段", "Unknown field"),
    "json_invalid": ("请求体不是有效的 JSON", "The body is not valid JSON"),
    "model_attributes_type": ("应为对象", "Input should be an object"),
    "dict_type": ("应为对象", "Input should be an object"),
    "list_type": ("应为数组", "Input should be a list"),
    "uuid_parsing": ("应为 UUID", "Input should be a valid UUID"),
    "string_pattern_mismatch": ("格式不正确", "Value has the wrong format"),
    "value_error": ("取值无效", "Invalid value"),
}
