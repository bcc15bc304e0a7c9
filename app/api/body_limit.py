"""Every request bounded before it is read: its body by its operation's limit, its JSON by depth, its headers by size.

Each operation has one body limit, declared in the OpenAPI (``x-max-body-bytes`` and the 413
answer) and enforced here before anything parses the body: a declared ``Content-Length`` over
the limit is refused at once, a body without one is read chunk by chunk and refused as soon as
it passes the limit (``app.api.capped_body``). The limits:

- a JSON body: ``DEFAULT_JSON_BODY_BYTES`` (a form, an event's data, a calendar year);
- a JSON body carrying files in base64 (objection and verification evidence, unit-posting
  proofs): the most its files may be under their policy (``app.domain.files.policy``), and room
  for the texts;
- a streamed file (a material): its policy's size, enforced by the one file intake as it
  streams (that is where ``/file-too-large`` is answered), here only declared;
- an operation that takes no body: as a JSON body (it is read only if sent, and only that far).

A JSON body nested deeper than ``MAX_JSON_DEPTH`` is refused (400 naming ``body``) before any
parser recurses into it. Headers together over ``MAX_HEADER_BYTES`` are 431 (``app.api.header_limit``;
``qaward serve`` also sets uvicorn's h11 limit to it, see ``app.cli.server_limits``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from app.api.capped_body import read_capped
from app.api.content_length import declared_length
from app.config import Settings
from app.domain.errors import DomainError, FieldError
from app.domain.files.policy import MATERIAL, OBJECTION_EVIDENCE, UNIT_POSTING_PROOF, VERIFICATION_EVIDENCE, FilePolicy

KB = 1024
MB = 1024 * KB
DEFAULT_JSON_BODY_BYTES = 1 * MB
MAX_JSON_DEPTH = 32
MAX_HEADER_BYTES = 32 * KB
# the texts, names and punctuation of a body that also carries files
_TEXT_ROOM = 1 * MB


def files_in_json(policy: FilePolicy) -> int:
    """The largest JSON body whose files of ``policy`` are within their limits (base64, 4 characters per 3 bytes)."""
    total = policy.max_total_bytes or policy.max_bytes * policy.max_files
    return (total + 2) // 3 * 4 + policy.max_files * 4 + _TEXT_ROOM


# operations whose body is not a plain JSON document: operation id -> limit (for the given settings)
FILE_BODIES: dict[str, Callable[[Settings | None], int]] = {
    "lodge_objection": lambda _: files_in_json(OBJECTION_EVIDENCE),
    "record_objection_finding": lambda _: files_in_json(VERIFICATION_EVIDENCE),
    "submit_unit_posting_proof": lambda _: files_in_json(UNIT_POSTING_PROOF),
    "upload_material": MATERIAL.limit,
    "submit_duty_report": MATERIAL.limit,
}
# bodies the file intake reads as a stream and refuses itself (413 /file-too-large) as they pass its limit
STREAMED = frozenset({"upload_material", "submit_duty_report"})


def body_limit(route: APIRoute, settings: Settings | None = None) -> int:
    """The most bytes ``route``'s body may have."""
    if route.operation_id in FILE_BODIES:
        return FILE_BODIES[route.operation_id](settings)
    # an operation without a body gets the same bound: it reads none, but a route may read one by hand
    return DEFAULT_JSON_BODY_BYTES


def body_too_large(limit: int) -> DomainError:
    return DomainError(
        "request-too-large",
        413,
        f"请求体超过此操作的上限（{limit} 字节）",
        f"The request body is over this operation's limit ({limit} bytes)",
        title="Content Too Large",
        errors=[FieldError("body", f"不得超过 {limit} 字节", f"must be at most {limit} bytes", "too_large")],
        extra={"max_bytes": limit},
    )


def json_too_deep() -> DomainError:
    # 400 as any body the service will not parse (a body too deep for the parser always was)
    return DomainError(
        "bad-request",
        400,
        "请求无法解析：body",
        "The request could not be parsed: body",
        title="Bad Request",
        errors=[
            FieldError(
                "body",
                f"JSON 嵌套不得超过 {MAX_JSON_DEPTH} 层",
                f"JSON must not be nested deeper than {MAX_JSON_DEPTH} levels",
                "json_too_deep",
            )
        ],
    )


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text nests arrays and objects deeper than ``limit`` (brackets inside strings not counted)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # cannot be that deep: most bodies stop here
    depth, in_string, escaped = 0, False, False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


def _has_body(request: Request, length: int | None) -> bool:
    return length != 0 if length is not None else "transfer-encoding" in request.headers


async def cap_body(route: APIRoute, request: Request) -> Request:
    """The request with its body read within the operation's limit (413 over it, 400 for JSON too deep)."""
    limit = body_limit(route, request.app.state.settings)
    length = declared_length(request)
    if length is not None and length > limit:
        raise body_too_large(limit)
    if not _has_body(request, length):
        return request
    request = await read_capped(request, limit, lambda: body_too_large(limit))
    if "json" in request.headers.get("content-type", "") and json_depth_exceeds(await request.body()):
        raise json_too_deep()
    return request


def caps_body(route: APIRoute) -> bool:
    """Whether the route's body is capped here; a streamed upload is refused by the file intake instead
    (413 /file-too-large, announced or streamed)."""
    return route.operation_id not in STREAMED


class BodyLimitRoute(APIRoute):
    """Refuses a body over the operation's limit (413) before it is read, and JSON nested too deep."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()
        if not caps_body(self):
            return handler

        async def route(request: Request) -> Response:
            return await handler(await cap_body(self, request))

        return route
