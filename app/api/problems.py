"""RFC 9457 problem details: the one renderer of every error the API answers."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request

from app.api.body_limit import body_limit
from app.api.i18n import VALIDATION_MESSAGES, content_language, language
from app.db.errors import DriverError, too_large, unstorable
from app.db.session import connect_failure
from app.domain.errors import PROBLEM_BASE, DomainError
from app.domain.lookups import service as lookups

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("qaward.database")


class InvalidField(BaseModel):
    field: str
    code: str
    message: str
    lookup: str | None = None  # a code field: where its allowed values are listed


# the bound a pydantic error reports in its context, and how a message names it
_BOUNDS = (
    ("le", "最大为", "at most"),
    ("lt", "应小于", "less than"),
    ("ge", "最小为", "at least"),
    ("gt", "应大于", "greater than"),
    ("max_length", "最多", "at most"),
    ("min_length", "至少", "at least"),
)
_UNITS = {
    "string_too_long": (" 个字符", " characters"),
    "string_too_short": (" 个字符", " characters"),
    "too_long": (" 项", " items"),
    "too_short": (" 项", " items"),
}


def with_limit(kind: str, ctx: dict[str, Any], zh: str, en: str) -> tuple[str, str]:
    """The message with the limit the value broke (``size`` over 100 says 100) or the values allowed."""
    if kind in ("literal_error", "enum"):
        if "expected" in ctx:
            return f"{zh}，可选：{ctx['expected']}", f"{en}; expected {ctx['expected']}"
        return zh, en
    for key, zh_word, en_word in _BOUNDS:
        if key in ctx:
            unit_zh, unit_en = _UNITS.get(kind, ("", ""))
            return f"{zh}，{zh_word} {ctx[key]}{unit_zh}", f"{en}: {en_word} {ctx[key]}{unit_en}"
    return zh, en


class Problem(BaseModel):
    """RFC 9457 problem details, with ``errors`` for invalid fields and other extension members."""

    model_config = {"extra": "allow"}

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    clause: str | None = None
    errors: list[InvalidField] | None = None


def problem_response(request: Request, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    if language(request) != "en":
        # the title is a short summary for a person too (RFC 9457 §3.1.4): in the caller's language
        body["title"] = TITLES_ZH.get(body.get("title", ""), body.get("title", ""))
    body.setdefault("instance", request.url.path)
    rid = getattr(request.state, "request_id", None)
    if rid:
        body.setdefault("request_id", rid)
    # the detail is in the caller's language: say which, and let caches key on it
    headers = {"Content-Language": content_language(language(request)), "Vary": "Accept-Language", **(headers or {})}
    return JSONResponse(body, status_code=body["status"], media_type=PROBLEM_JSON, headers=headers)


def render_domain_error(request: Request, exc: DomainError) -> JSONResponse:
    lang = language(request)
    body: dict[str, Any] = {
        "type": exc.type_uri,
        "title": exc.title or _TITLES.get(exc.status, "Error"),
        "status": exc.status,
        "detail": exc.en if lang == "en" else exc.zh,
    }
    if exc.clause:
        body["clause"] = exc.clause
    if exc.errors:
        body["errors"] = [e.render(lang) for e in exc.errors]
    # the problem's own members (type, status, detail...) are never overwritten by a refusal's facts:
    # an extra named ``status`` became the HTTP status and answered 500
    body.update({k: v for k, v in exc.extra.items() if k not in body})
    return problem_response(request, body, exc.headers or None)


_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    410: "Gone",
    412: "Precondition Failed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    428: "Precondition Required",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}

# the same titles in Chinese, for callers who do not prefer English
TITLES_ZH = {
    "Bad Request": "请求有误",
    "Unauthorized": "未登录或令牌无效",
    "Forbidden": "无权操作",
    "Not Found": "未找到",
    "Method Not Allowed": "不支持的请求方法",
    "Conflict": "冲突",
    "Precondition Failed": "资源已变更",
    "Content Too Large": "内容过大",
    "Unsupported Media Type": "不支持的文件类型",
    "Unprocessable Content": "请求内容有误",
    "Precondition Required": "缺少 If-Match 请求头",
    "Too Many Requests": "请求过于频繁",
    "Request Header Fields Too Large": "请求头过大",
    "Internal Server Error": "服务器内部错误",
    "Service Unavailable": "服务暂不可用",
    "Error": "错误",
}

_HTTP_ERRORS = {
    400: ("bad-request", "请求无法解析", "The request could not be parsed"),
    404: ("not-found", "请求的资源不存在", "The requested resource does not exist"),
    405: ("method-not-allowed", "该资源不支持此请求方法", "This method is not allowed on this resource"),
}


def _field_path(loc: tuple) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:] or parts
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else (("." if out else "") + p)
    return out or "body"


def install(app: FastAPI) -> None:
    document(app)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError):
        return render_domain_error(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        lang = language(request)
        errors = []
        for err in exc.errors():
            zh, en = VALIDATION_MESSAGES.get(err.get("type", ""), ("取值无效", err.get("msg", "Invalid value")))
            ctx = err.get("ctx") or {}
            if err.get("type") == "value_error" and ctx.get("error"):
                en = str(ctx["error"])
            field = _field_path(tuple(err.get("loc", ())))
            zh, en = with_limit(err.get("type", ""), ctx, zh, en)
            entry = {"field": field, "code": err.get("type", "invalid")}
            if err.get("type") in ("string_pattern_mismatch", "literal_error", "enum") and (
                hinted := lookups.hint(field)
            ):
                # a code field: say a code is expected, with examples and the list (issue 19)
                zh, en, entry["lookup"] = hinted
            entry["message"] = en if lang == "en" else zh
            errors.append(entry)
        fields = "、".join(e["field"] for e in errors) if lang != "en" else ", ".join(e["field"] for e in errors)
        return problem_response(
            request,
            {
                "type": PROBLEM_BASE + "validation-error",
                "title": "Unprocessable Content",
                "status": 422,
                "detail": f"Invalid request: {fields}" if lang == "en" else f"请求内容有误：{fields}",
                "errors": errors,
            },
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        lang = language(request)
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            # Starlette names the methods of the first route matching the path only; a path served by
            # several routes (GET in one, POST in another) must list them all (RFC 9110 §15.5.6)
            headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(request))}
        slug, zh, en = _HTTP_ERRORS.get(exc.status_code, ("http-error", str(exc.detail), str(exc.detail)))
        return problem_response(
            request,
            {
                "type": PROBLEM_BASE + slug,
                "title": _TITLES.get(exc.status_code, "Error"),
                "status": exc.status_code,
                "detail": en if lang == "en" else zh,
            },
            headers=headers,
        )

    async def _unreachable(request: Request, exc: Exception):
        if not connect_failure(exc):
            # the driver's own error, not wrapped by SQLAlchemy (a raw connection): the input's fault or unexpected
            problem = _input_refusal(getattr(exc, "sqlstate", None) or "")
            if problem is None:
                raise exc  # not the database: unexpected, answered 500 by the outermost middleware
            return render_domain_error(request, problem)
        # down, restarting or full: nothing was done, and the client may retry
        log.warning("database unreachable: %s", type(exc).__name__)
        return render_domain_error(request, DATABASE_PROBLEMS["database-unavailable"])

    app.add_exception_handler(OSError, _unreachable)
    app.add_exception_handler(DriverError, _unreachable)

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError):
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None) or ""
        if code in RETRYABLE_SQLSTATES:
            # two requests met on the same rows; the losing one changed nothing and may retry
            problem = DATABASE_PROBLEMS["concurrent-update"]
        elif exc.connection_invalidated or code.startswith("08"):
            # the database connection was lost (a restart, a failover): nothing was saved
            problem = DATABASE_PROBLEMS["database-unavailable"]
        elif (refusal := _input_refusal(code)) is not None:
            problem = refusal
        else:
            raise exc  # anything else is unexpected: the outermost middleware answers 500
        return render_domain_error(request, problem)


def _input_refusal(sqlstate: str) -> DomainError | None:
    """The refusal a database error about the request's own values stands for, or None."""
    if unstorable(sqlstate):
        # data exception (a NUL byte, a date out of range, a string or number too large): the input, not us
        return DATABASE_PROBLEMS["invalid-value"]
    if too_large(sqlstate):
        # beyond what PostgreSQL can hold (a JSONB over its limit): the input's size, not us
        return DATABASE_PROBLEMS["value-too-large"]
    return None


# What a database refusal means for the client (all of them: nothing was saved).
DATABASE_PROBLEMS = {
    "concurrent-update": DomainError(
        "concurrent-update",
        409,
        "该资源正被其他请求修改，本次请求未作任何更改，请重试",
        "The resource was being changed by another request; nothing was saved, retry",
        title="Conflict",
        headers={"Retry-After": "1"},
    ),
    "database-unavailable": DomainError(
        "database-unavailable",
        503,
        "数据库连接中断，本次请求未保存任何内容，请重试",
        "The database connection was lost; nothing was saved, retry",
        title="Service Unavailable",
        headers={"Retry-After": "1"},
    ),
    "value-too-large": DomainError(
        "value-too-large",
        413,
        "请求中的某个值过大，数据库无法保存，本次请求未保存任何内容",
        "A value of the request is larger than the database can store; nothing was saved",
        title="Content Too Large",
    ),
    "invalid-value": DomainError(
        "invalid-value",
        422,
        "请求中的某个值无法保存（例如含有空字符，或日期、数值超出范围）",
        "A value cannot be stored as given (for example a NUL character or a date or number out of range)",
        title="Unprocessable Content",
    ),
}
RETRYABLE_SQLSTATES = {"40P01", "40001", "55P03"}  # deadlock, serialization failure, lock not available


def internal_error(lang: str, path: str, request_id: str | None) -> dict[str, Any]:
    """The 500 body: no internals, the request id to quote."""
    return {
        "type": PROBLEM_BASE + "internal-error",
        "title": "Internal Server Error" if lang == "en" else TITLES_ZH["Internal Server Error"],
        "status": 500,
        "detail": "An unexpected error occurred; quote the request id when reporting it"
        if lang == "en"
        else "服务器内部错误，请联系管理员并提供请求编号",
        "instance": path,
        "request_id": request_id,
    }


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at the request's path (``HEAD`` with ``GET``)."""
    methods: set[str] = set()
    path = request.url.path
    for ctx in iter_route_contexts(request.app.routes):
        regex = getattr(ctx, "path_regex", None)
        if regex is not None and regex.match(path):
            methods |= set(getattr(ctx.original_route, "methods", None) or ())
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries declaring problem+json answers (the statuses the handler itself raises;
    those every route of its kind can answer are added by ``document``)."""
    return {
        s: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": _TITLES.get(s, "Error")} for s in statuses
    }


# ---- the problem types: every slug the service answers, with its one status and meaning ------------------

PROBLEM_TYPES: dict[str, tuple[int | None, str]] = {
    # retention (issue 17)
    "legal-hold-lifted": (409, "The legal hold has already been lifted"),
    "file-purged": (410, "The stored file was deleted once its retention period ran out; its record remains"),
    "review-body-not-provided": (
        409,
        "The programme's review is not run by a third-party body (only linyi's is: linyi-8a)",
    ),
    # committees (issue 15)
    "member-conflicted": (
        409,
        "The committee member has a conflict of interest with the candidate and may not vote on it",
    ),
    "already-voted": (409, "The member has already voted on this candidate"),
    "not-present": (409, "The member is not recorded as present at the meeting"),
    "wrong-method": (409, "The candidate is decided by another method (a vote or a deliberation)"),
    "meeting-closed": (409, "The meeting is closed"),
    "meeting-open": (409, "The meeting is still open: its minutes exist once it is closed"),
    "list-on-agenda": (409, "The candidate list is on a meeting's agenda and no longer changes"),
    "voting-started": (409, "Voting has started: the attendance no longer changes"),
    "votes-incomplete": (409, "Some candidates are not yet voted on or deliberated"),
    "chair-resolution-required": (409, "More passed than the places: the chair must resolve whom the body selects"),
    "no-resolution-needed": (409, "No more passed than the places: there is nothing to resolve"),
    "quota-exceeded": (409, "More selected than the places the quota leaves"),
    "scores-hidden": (403, "Other members' scores are shown only once the member submitted its own"),
    "pledge-required": (403, "The expert must accept the programme's review pledge (承诺书) first"),
    "read-only-role": (403, "A supervision token (评审监督, role `supervisor`) reads only: every write is refused"),
    "expert-not-active": (409, "The expert is suspended, disqualified or outside the term of appointment"),
    "expert-conflicted": (
        409,
        "The expert has a conflict of interest with the application (`conflicts` names each, with its clause)",
    ),
    "assignment-scored": (409, "The expert has scored the assignment; it can no longer be taken back"),
    "assignment-closed": (409, "The assignment is already closed"),
    "already-recorded": (409, "A score sheet, consensus, report or override is recorded once; this one already is"),
    "survey-not-recorded": (409, "The public-opinion survey (linyi-14e) is recorded before files are attached to it"),
    "application-closed": (409, "The application has ended; its eligibility can no longer be overridden"),
    "application-not-editable": (
        409,
        "The application's form and materials change only in its current editable state (draft)",
    ),
    "bad-request": (400, "The request cannot be parsed (a malformed body or header, named in `errors`)"),
    "calendar-year-invalid": (422, "A holiday arrangement loaded for a year is inconsistent (`errors` lists the days)"),
    "commit-failed": (503, "The change could not be committed; nothing was saved, retry (`Retry-After`)"),
    "concurrent-update": (409, "Another request was changing the same rows; nothing was saved, retry (`Retry-After`)"),
    "credit-record-conflict": (
        409,
        "A credit record id the client already sent about another subject or kind (a record's id names one fact)",
    ),
    "database-unavailable": (503, "The database connection was lost; nothing was saved, retry (`Retry-After`)"),
    "document-number-taken": (
        409,
        "The document number (文号) is already used by another government document of the programme (`errors` names it)",
    ),
    "government-act-recorded": (
        409,
        "The round's submission for approval, approval or commendation decision is recorded once; this one already is",
    ),
    "duplicate": (409, "A code or label that must be unique is already used (`errors` names the field)"),
    "duplicate-applicant": (
        409,
        "The credit code or ID number is already registered (`existing_id` when the caller may read it)",
    ),
    "duplicate-application": (409, "The applicant already applied in this round"),
    "empty-file": (422, "An uploaded file is empty"),
    "executable-refused": (415, "An uploaded file is an executable, whatever its name"),
    "file-too-large": (413, "An uploaded file is over the size limit"),
    "forbidden": (403, "The caller's role or scope does not allow this action"),
    "guard-failed": (409, "A condition of the event does not hold (named, with its clause)"),
    "headers-too-large": (431, "The request's headers together are over the limit (`max_bytes`)"),
    "http-error": (None, "Any other HTTP-level refusal, with the framework's status and message"),
    "idempotency-key-invalid": (400, "The Idempotency-Key header is empty or longer than 255 characters"),
    "idempotency-key-reused": (422, "The Idempotency-Key was already used for a different request"),
    "idempotency-key-taken-over": (
        409,
        "The request outlived its lease and a retry with the same key took over; nothing was saved",
    ),
    "idempotency-request-in-flight": (
        409,
        "A request with the same Idempotency-Key is still being processed; retry later (`Retry-After`)",
    ),
    "application-incomplete": (
        422,
        "The application lacks a piece its programme requires (`missing` names each, with its clause)",
    ),
    "ineligible": (422, "The application fails an eligibility criterion (named, with its clause)"),
    "internal-error": (500, "An unexpected error; quote `request_id` when reporting it"),
    "invalid-file": (
        422,
        "A file inside a JSON body is refused (`errors` names the field; the same codes as a streamed file's refusal)",
    ),
    "invalid-value": (422, "A value cannot be stored as given (a NUL character, a date or number out of range)"),
    "method-not-allowed": (405, "The method is not allowed on this resource"),
    "not-found": (404, "The resource (or the route) does not exist, or the caller may not see it"),
    "not-ready": (503, "Readiness: the database is unreachable or its schema is not at the latest migration"),
    "notice-closed": (422, "The notice's objection period is over"),
    "notice-not-published": (409, "A notice starts only by publishing its list (POST /api/v1/rounds/{id}/notices)"),
    "objection-already-taken": (409, "The objection is already being verified"),
    "objection-decided": (409, "The objection has already been decided"),
    "identity-already-verified": (409, "The objector's identity is already verified (by a token or the office)"),
    "identity-not-verified": (
        403,
        "An applicant account registers only the identity its identity-platform token verifies",
    ),
    "account-has-applicant": (409, "The applicant account already holds another registry record"),
    "objection-incomplete": (422, "A real-name objection lacks what the regulation requires (`errors` names it)"),
    "objections-not-accepted": (422, "This notice takes no objections"),
    "precondition-failed": (
        412,
        "`If-Match` does not match the resource's current ETag (someone changed it): read it again",
    ),
    "precondition-required": (428, "`If-Match` is required to change a versioned resource"),
    "rate-limited": (429, "Too many objections from this address or objector; retry after `Retry-After`"),
    "request-too-large": (
        413,
        "The request body is over its operation's limit (`max_bytes`; each operation declares it as `x-max-body-bytes`)",
    ),
    "round-closed": (409, "The round is announced or archived: only revocation remains possible"),
    "round-not-open": (409, "The round's call is not open for applications"),
    "round-not-ready": (409, "The round cannot take this event yet (its preconditions are named)"),
    "nothing-to-confirm": (409, "No calendar correction of this deadline waits for the office's confirmation"),
    "transition-not-allowed": (
        409,
        "The event is not allowed in the current state (`allowed_events` lists those that are)",
    ),
    "unauthorized": (401, "A valid Bearer token is required (missing, malformed, expired or wrongly signed)"),
    "unit-does-not-cover": (403, "The recommending unit does not cover this applicant"),
    "unit-posting-already-reviewed": (409, "The unit-posting proof has already been reviewed"),
    "unit-posting-closed": (
        409,
        "The unit-posting proof was already accepted, or the notice has ended for the application",
    ),
    "unit-posting-not-required": (409, "This notice is not posted inside the applicant's unit"),
    "unit-posting-unconfirmed": (409, "The proof of posting inside the applicant's unit has not been accepted yet"),
    "unsupported-file-type": (415, "An uploaded file is not of an accepted type (PDF, JPEG, PNG, docx, xlsx)"),
    "upload-interrupted": (400, "The upload was interrupted; nothing was stored"),
    "not-a-winner": (409, "The application is not a commended winner: no reward is approved for it (`field`)"),
    "reward-already-approved": (409, "The winner's reward is already approved (one approval per award)"),
    "no-reward-entitlement": (
        409,
        "The winner's reward rule gives nothing (not granted, not the first win, fully deducted): `clause`, `breakdown`",
    ),
    "reward-not-approved": (409, "The winner's reward has not been approved yet"),
    "reward-state": (409, "The reward's state does not allow this step (`state`, `requires`)"),
    "held-award-recorded": (409, "That award of that year is already recorded for the applicant"),
    "validation-error": (422, "The request is invalid; `errors` names each field (`field`, `code`, `message`)"),
    "value-too-large": (
        413,
        "A value is larger than the database can store (a text, a JSON document); nothing was saved",
    ),
    # revocation cases (issue 16)
    "not-awarded": (409, "The application holds no award in force (not `awarded`): no revocation case can be opened"),
    "revocation-case-open": (409, "The award already has an open revocation case (`case_id`)"),
    "revocation-case-closed": (409, "The revocation case has ended (revoked or dismissed); nothing more is recorded"),
    "revocation-step-out-of-order": (409, "Not the case's next step; `expected_step` names it"),
    "item-already-recovered": (409, "The plaque or certificate was already recorded as recovered"),
    # the incubation pool and two-way supervision (issue 17)
    "incubation-not-provided": (409, "The programme's regulation sets up no incubation pool (孵化池)"),
    "already-in-pool": (409, "The organisation is already a member of the programme's pool, or awaits the decision"),
    "already-decided": (409, "The pool proposal was already admitted or declined"),
    "not-a-member": (409, "The organisation is not (or no longer) a member of the pool"),
    "cultivation-review-not-provided": (
        409,
        "The programme's regulation provides no cultivation review (hangzhou-4.3b only)",
    ),
    "cultivation-review-recorded": (409, "The member's cultivation review is already recorded"),
    "two-way-supervision-not-provided": (409, "The programme's regulation provides no two-way supervision ratings"),
    "review-not-over": (409, "Two-way supervision ratings are given once the application's expert review is over"),
    "already-rated": (409, "The caller already rated this party of the review"),
    "already-disqualified": (409, "The expert is already disqualified"),
}


def _catalogue() -> str:
    rows = "\n".join(
        f"| `{slug}` | {status or 'any'} | {meaning} |" for slug, (status, meaning) in sorted(PROBLEM_TYPES.items())
    )
    return (
        "\n## Problem types\n\n"
        f"Every error is `application/problem+json` whose `type` is `{PROBLEM_BASE}<slug>`; the slug is stable and means one thing. "
        "`detail` and `errors[].message` are Chinese, English when `Accept-Language` prefers English (`en`, `en-US`, with q-values). "
        "Operations list the statuses they answer; any operation may also answer `internal-error` (500).\n\n"
        "| type slug | status | meaning |\n|---|---|---|\n" + rows + "\n"
    )


# Operations answering the resource's ETag (versioned resources: read it, send it back as If-Match).
SENDS_ETAG = frozenset(
    {
        # committees (issue 15): the candidate list and the meeting are versioned
        "propose_candidate_list",
        "get_round_candidate_list",
        "revise_candidate_list",
        "convene_meeting",
        "get_meeting",
        "record_attendance",
        "hear_meeting_report",
        "record_deliberation",
        "resolve_over_quota",
        "close_meeting",
        "register_organisation",
        "register_individual",
        "get_applicant",
        "update_applicant",
        "create_recommending_unit",
        "get_recommending_unit",
        "update_recommending_unit",
        "create_application",
        "get_application",
        "fire_application_event",
        "create_round",
        "get_round",
        "fire_round_event",
        "get_application_form",
        "put_application_form",
        "change_recommending_unit",
        "get_objection",
        "take_objection",
        "record_objection_finding",
        "decide_objection",
        "reassign_applicant",
        "confirm_objector_identity",
        # revocation cases (issue 16): the case is versioned
        "open_revocation_case",
        "get_revocation_case",
        "record_revocation_step",
        "record_item_recovered",
        # reward money (issue 16): the reward's version, once approved
        "get_application_reward",
        "approve_application_reward",
        "record_reward_disbursement",
        "record_reward_reclaim",
    }
)

BEARER = "bearerAuth"
_WRITES = {"post", "put", "patch", "delete"}
_RETRY_AFTER = {"description": "seconds to wait before retrying", "schema": {"type": "integer"}}
_HEADERS = {
    "Location": {
        "description": "the URL of the created resource",
        "schema": {"type": "string", "format": "uri-reference"},
    },
    "ETag": {
        "description": "the resource's version; send it as `If-Match` to change the resource",
        "schema": {"type": "string"},
    },
}


def _needs_token(route: APIRoute) -> bool:
    from app.api.deps import get_principal  # deps imports this module's neighbours; import late

    def walk(dependant) -> bool:
        return any(
            d.call is get_principal
            or getattr(d.call, "reads_token", False)
            or getattr(d.call, "__qualname__", "").startswith("require_roles.")
            or walk(d)
            for d in dependant.dependencies
        )

    return walk(route.dependant)


def _implied(route: APIRoute, method: str, op: dict[str, Any]) -> set[int]:
    """The statuses every route of this kind can answer, whatever its handler raises."""
    out: set[int] = set()
    if getattr(route, "uses_database", False):
        out |= {422, 503}  # text the database cannot store in any parameter; a lost connection or a failed commit
        if method in _WRITES:
            out.add(409)  # concurrent-update
    if op.get("parameters") or op.get("requestBody"):
        out.add(422)  # validation-error
    if method == "post":
        out |= {400, 409, 422}  # Idempotency-Key: invalid, in flight / taken over, reused
    if "application/json" in op.get("requestBody", {}).get("content", {}):
        out.add(400)  # a body that cannot be parsed
    if _needs_token(route):
        out.add(401)
        if method in _WRITES:
            out.add(403)  # read-only-role: a supervision token writes nothing (app.api.deps.Permission)
    out.add(413)  # any request may carry a body over its operation's limit (x-max-body-bytes)
    return out


def api_routes(app: FastAPI) -> dict[tuple[str, str], APIRoute]:
    """``(path, method)`` → the route as its router made it (its class, dependencies), for every operation."""
    out: dict[tuple[str, str], APIRoute] = {}
    for ctx in iter_route_contexts(app.routes):
        route = ctx.original_route
        if isinstance(route, APIRoute) and ctx.path_format:
            for m in route.methods:
                out[(ctx.path_format, m.lower())] = route
    return out


def _complete(doc: dict[str, Any], app: FastAPI) -> None:
    routes = api_routes(app)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    if "Problem" in schemas:
        schemas["Problem"]["properties"]["type"]["description"] = (
            f"`{PROBLEM_BASE}<slug>`: a stable slug of the catalogue in the API description"
        )
    doc["components"]["securitySchemes"] = {
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "a token of the identity platform (roles and scopes in its claims)",
        },
    }
    doc["info"]["description"] = doc["info"].get("description", "") + _catalogue()
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            route = routes.get((path, method))
            if route is None:
                continue
            responses = op.setdefault("responses", {})
            for status in sorted(_implied(route, method, op)):
                responses.setdefault(str(status), {"description": _TITLES.get(status, "Error")})
            if _needs_token(route):
                op["security"] = [{BEARER: []}]
            for status, resp in responses.items():
                code = int(status)
                if code >= 400:
                    resp["description"] = _TITLES.get(code, resp.get("description") or "Error")
                    resp["content"] = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
                    if code in (429, 503):
                        resp.setdefault("headers", {})["Retry-After"] = _RETRY_AFTER
                    if code == 401:
                        resp.setdefault("headers", {})["WWW-Authenticate"] = {
                            "description": "`Bearer`",
                            "schema": {"type": "string"},
                        }
                elif code < 300:
                    if code == 201:
                        resp.setdefault("headers", {})["Location"] = _HEADERS["Location"]
                    if op.get("operationId") in SENDS_ETAG:
                        resp.setdefault("headers", {})["ETag"] = _HEADERS["ETag"]
            op["responses"] = dict(sorted(responses.items()))
            op["x-max-body-bytes"] = body_limit(route)


def document(app: FastAPI) -> None:
    """Complete the generated OpenAPI document with what the foundation does for every route."""
    base = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        doc = base()
        _complete(doc, app)
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
