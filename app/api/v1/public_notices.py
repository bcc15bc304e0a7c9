"""Notices and objections for the public, no login: read the lists, object, follow an objection.

``Idempotency-Key`` scope of an anonymous objection: the foundation scopes keys per principal,
and every anonymous caller is the one principal "anonymous", so two strangers choosing the
same key would collide (the second refused as ``/idempotency-key-reused``, or, with the same
body, served the first's receipt). Objections are therefore scoped to the objector they name
(a keyed hash of the ID number or credit code): a legitimate retry keeps it even when the
client's address changes (mobile networks), and strangers behind one address (an office's NAT)
never share a scope. A body naming no objector (refused anyway) falls back to the client's
address.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Header, Path, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request as StarletteRequest

from app.api import conditional, idempotency, notice_cache, shanghai_times
from app.api.body_limit import files_in_json
from app.api.caller import principal_of
from app.api.capped_body import read_capped
from app.api.deps import PUBLIC, AppSettings, Session, get_public_read_session
from app.api.filters import ProgrammeFilter
from app.api.pagination import Page, Paging
from app.api.problems import problem_responses
from app.api.v1.routing import V1Route, v1_router
from app.api.v1.schemas_notices import (
    NoticeSummaryOut,
    ObjectionFollowOut,
    ObjectionIn,
    ObjectionReceiptOut,
    PublicNoticeOut,
    follow_out,
    public_notice_out,
    receipt_out,
    summary_out,
)
from app.domain import clock
from app.domain.errors import DomainError
from app.domain.files.policy import OBJECTION_EVIDENCE
from app.domain.files.refusals import request_too_large
from app.identity import Principal
from app.workflow.notices import objections, publication

router = v1_router(prefix="/public", tags=["public"])


# a notice's answer by its version while this process's notice cache is not trusted (app/api/notice_cache.py)
_NOTICES = conditional.BodiesByVersion()


def _public_cache(max_age: int = publication.PUBLIC_MAX_AGE) -> str:
    """A public list or notice may be kept by a portal's CDN briefly, then must be asked again (issue 21)."""
    return f"public, max-age={max_age}, must-revalidate"


@dataclass(frozen=True)
class _PublicObjector(Principal):
    """The anonymous public, with the idempotency scope of the objector its request names."""

    scope: str = "anonymous"

    @property
    def key(self) -> str:
        return self.scope


def client_address(request: StarletteRequest) -> str:
    # behind a proxy, uvicorn puts the forwarded client here when the proxy is trusted
    # (--forwarded-allow-ips); see app/domain/notices/rate_limits.py
    return request.client.host if request.client else "unknown"


# the largest objection body that can be valid (its files in base64 and room for the texts): anything
# larger is refused before it is read, so an anonymous caller cannot make the server hold and parse
# hundreds of megabytes (the rate limits count a request only once it is parsed); the same limit the
# operation declares (app/api/body_limit.py), read here first because the objector's scope reads the body
MAX_OBJECTION_BODY_BYTES = files_in_json(OBJECTION_EVIDENCE)


def _body_too_large() -> DomainError:
    return request_too_large(OBJECTION_EVIDENCE, MAX_OBJECTION_BODY_BYTES)


class ObjectorScopedRoute(V1Route):
    """A ``V1Route`` whose anonymous callers' idempotency keys are scoped to the objector,
    and whose body is refused (413) beyond the largest an objection can be."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route(request: StarletteRequest) -> Response:
            request = await read_capped(request, MAX_OBJECTION_BODY_BYTES, _body_too_large)
            if "authorization" not in request.headers and idempotency.HEADER in request.headers:
                try:
                    body = json.loads(await request.body())
                except (ValueError, RecursionError):
                    # too deeply nested counts as malformed: the handler answers it as it answers any bad body
                    body = None
                scope = (
                    objections.objector_scope(request.app.state.settings, body)
                    or f"public-address:{client_address(request)}"
                )
                request.state.principal = _PublicObjector(scope=scope)
            response = await handler(request)
            # every answer, a replayed receipt too (the idempotency store keeps no Cache-Control), carries
            # the receipt's secret or the objector's own refusal: never stored by any cache
            response.headers["Cache-Control"] = "no-store"
            return response

        return route


_public_read_session = asynccontextmanager(get_public_read_session)


async def _notice_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The primary while the cache is trusted: a body it keeps under a version must be the primary's (a lagging
    replica's would pin an old body under a new tag); otherwise the public read session (a replica, if any)."""
    cache = notice_cache.of(request.app)
    if cache is not None and cache.trusted:
        yield request.state.session
        return
    async with _public_read_session(request) as session:
        yield session


NoticeSession = Annotated[AsyncSession, Depends(_notice_session, scope="function")]


class ListFromCacheRoute(V1Route):
    """A ``V1Route`` that answers a page of the public list from this process's cache, as ``NoticeFromCacheRoute``
    answers a notice: kept by its query string until any notice changes or a period ends."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route(request: StarletteRequest) -> Response:
            cache = notice_cache.of(request.app)
            held = cache.held_list(request.scope["query_string"]) if cache is not None else None
            if held is None:
                return await handler(request)
            if conditional.holds(request, held.tag):
                return conditional.not_modified(held.tag, _public_cache())
            setattr(request.state, shanghai_times.WRITTEN, True)
            return Response(
                held.body, media_type="application/json", headers={"ETag": held.tag, "Cache-Control": _public_cache()}
            )

        return route


async def list_public_notices(
    session: NoticeSession,
    paging: Paging,
    request: Request,
    programme: ProgrammeFilter = None,
    status: Annotated[
        Literal["current", "past"] | None, Query(description="current: still in its period; past: ended")
    ] = None,
) -> Response:
    """公示 (no login): current and past notices, newest first, by programme. Cacheable as a notice is (`ETag`,
    `304`, `public, max-age=30, must-revalidate`): a notice published or ended changes the page and its tag."""
    cache = notice_cache.of(request.app)
    keeping = cache is not None and cache.trusted and session is request.state.session
    if keeping:
        since = cache.generation
        # read before the page: a period ending while it is read makes the kept page expire early, never late
        changes_at = await publication.next_public_change(session, programme)
    rows, total, counts = await publication.page(
        session, programme=programme, round_id=None, status=status, offset=paging.offset, limit=paging.size
    )
    now = clock.now()
    page = Page[NoticeSummaryOut](
        items=[summary_out(n, counts.get(n.id, 0), now) for n in rows], page=paging.page, size=paging.size, total=total
    )
    body = page.model_dump_json().encode()
    if keeping:
        cache.keep_list(request.scope["query_string"], since, body, conditional.strong_tag(body), changes_at)
    # the page is small and read from one index: its tag is its bytes' (a portal's CDN revalidates it cheaply)
    return conditional.revalidated(request, body, "application/json", _public_cache())


router.add_api_route(
    "/notices",
    list_public_notices,
    methods=["GET"],
    operation_id="list_public_notices",
    dependencies=[PUBLIC],
    response_model=Page[NoticeSummaryOut],
    route_class_override=ListFromCacheRoute,
)


class NoticeFromCacheRoute(V1Route):
    """A ``V1Route`` that answers an unchanged notice from this process's cache before any of its steps run: no
    session, no transaction, no dependency (app/api/notice_cache.py). Anything else goes the whole way."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route(request: StarletteRequest) -> Response:
            cache = notice_cache.of(request.app)
            # a query string goes the whole way: its parameters are checked there as on any route
            if cache is not None and cache.trusted and not request.scope["query_string"]:
                answer = _from_cache(cache, request)
                if answer is not None:
                    return answer
            return await handler(request)

        return route


def _from_cache(cache: notice_cache.NoticeCache, request: StarletteRequest) -> Response | None:
    raw = request.path_params.get("notice_id", "")
    try:
        notice_id = uuid.UUID(raw)
    except ValueError:
        return None
    if len(raw) != 36:
        return None  # only the canonical form: any other the route's own validation judges
    held = cache.held(notice_id)
    if held is None:
        return None
    # the period's end decided here, from the kept end and the clock (the test clock as last heard)
    version = publication.version_at(held.digest, held.ends_at, cache.now())
    cache_control = _public_cache(version.max_age)
    if conditional.holds(request, version.tag):
        return conditional.not_modified(version.tag, cache_control)
    body = held.bodies.get(version.tag)
    if body is None:
        return None
    setattr(request.state, shanghai_times.WRITTEN, True)
    return Response(body, media_type="application/json", headers={"ETag": version.tag, "Cache-Control": cache_control})


async def get_public_notice(notice_id: uuid.UUID, session: NoticeSession, request: Request) -> Response:
    """A notice (no login): its list (organisations: name and credit code; individuals: name and employer; never an
    ID number, phone or address), its exact dates, the objection channel and the verification results.

    Cacheable by a portal's CDN: a strong `ETag` of the notice's version and `Cache-Control: public, max-age=30,
    must-revalidate` (less while the period ends sooner); `If-None-Match` with the current tag answers `304`
    without the list. Any change (an objection, an entry disqualified or withdrawn, the period over) changes the tag."""
    # 公示 is published to all by law: a shared cache may keep it, briefly, and must ask again once stale, so a
    # changed notice reaches a revalidating client at once (issue 21). The version is read before the list:
    # a body rendered after a change committed meanwhile is newer than its tag, never older
    cache = notice_cache.of(request.app)
    if cache is None or session is not request.state.session or not cache.trusted:
        return await _read_uncached(notice_id, session, request)
    since = cache.generation
    digest, ends_at = await publication.public_stamp(session, notice_id)
    version = publication.version_at(digest, ends_at, clock.now())
    if conditional.holds(request, version.tag):
        cache.keep(notice_id, since, digest, ends_at, version.tag, None)
        return conditional.not_modified(version.tag, _public_cache(version.max_age))
    held = cache.held(notice_id)
    body = held.bodies.get(version.tag) if held is not None and held.digest == digest else None
    if body is None:
        view = await publication.view(session, notice_id)
        body = public_notice_out(view).model_dump_json().encode()
        # the tag of what was rendered: the period's end as the render saw it
        version = publication.version_at(digest, ends_at, view.now)
        # kept only if nothing changed while it was read (else it may show a newer version)
        if (await publication.public_stamp(session, notice_id))[0] == digest:
            cache.keep(notice_id, since, digest, ends_at, version.tag, body)
    cache_control = _public_cache(version.max_age)
    return Response(body, media_type="application/json", headers={"ETag": version.tag, "Cache-Control": cache_control})


async def _read_uncached(notice_id: uuid.UUID, session: AsyncSession, request: Request) -> Response:
    """The read while this process's cache cannot be trusted (not listening): the version from the database each
    time, the body kept per version only (``_NOTICES``)."""
    version = await publication.public_version(session, notice_id)
    cache_control = _public_cache(version.max_age)
    if conditional.holds(request, version.tag):
        return conditional.not_modified(version.tag, cache_control)
    body = _NOTICES.get(version.tag)
    if body is None:
        body = public_notice_out(await publication.view(session, notice_id)).model_dump_json().encode()
        # kept under its tag only if nothing changed while it was read (else it may show a newer version)
        if (await publication.public_version(session, notice_id)).tag == version.tag:
            _NOTICES.put(version.tag, body)
    return Response(body, media_type="application/json", headers={"ETag": version.tag, "Cache-Control": cache_control})


router.add_api_route(
    "/notices/{notice_id}",
    get_public_notice,
    methods=["GET"],
    operation_id="get_public_notice",
    dependencies=[PUBLIC],
    response_model=PublicNoticeOut,
    responses=problem_responses(404),
    route_class_override=NoticeFromCacheRoute,
)


async def lodge_objection(
    notice_id: uuid.UUID,
    body: ObjectionIn,
    request: Request,
    session: Session,
    settings: AppSettings,
    response: Response,
) -> ObjectionReceiptOut:
    """异议 (no login, real name): refused naming what is missing (changning-31a; hangzhou-3.3.7b), 422 `/notice-closed`
    after the period, 429 `/rate-limited` beyond the limits per address (every request) and per objector (lodged
    objections only). Sent with a citizen's identity-platform token verifying the objector named
    (`verified_id_number` / `verified_credit_code`), the objection is identity-verified at once.

    The answer is the receipt: its number and a secret, shown once, to follow the objection. Send an
    `Idempotency-Key`: a retry replays the receipt instead of lodging twice.
    """
    data = objections.ObjectionRequest(
        application_id=body.application_id,
        objector=body.objector.model_dump() if body.objector else None,
        facts=body.facts,
        reasons=body.reasons,
        evidence=[objections.EvidenceFile(e.filename, e.content_base64) for e in body.evidence],
    )
    # the route stays public (no token needed); a citizen's token, when sent, only tells whether the
    # objector named is the person the identity platform verified (a bad token is 401 as anywhere)
    principal = principal_of(request)
    o, secret, notice, entry = await objections.lodge(
        session, settings, notice_id, data, client_address(request), request.state.after_rollback, principal
    )
    response.headers["Location"] = f"/api/v1/public/objections/{o.receipt_no}"
    response.headers["Cache-Control"] = "no-store"
    return receipt_out(o, secret, notice, entry)


router.add_api_route(
    "/notices/{notice_id}/objections",
    lodge_objection,
    methods=["POST"],
    operation_id="lodge_objection",
    dependencies=[PUBLIC],
    status_code=201,
    response_model=ObjectionReceiptOut,
    responses=problem_responses(404, 409, 413, 422, 429),
    route_class_override=ObjectorScopedRoute,
)


@router.get(
    "/objections/{receipt_no}",
    operation_id="follow_objection",
    dependencies=[PUBLIC],
    response_model=ObjectionFollowOut,
    responses=problem_responses(404),
)
async def follow_objection(
    receipt_no: Annotated[str, Path(max_length=32)],
    session: Session,
    response: Response,
    x_objection_secret: Annotated[str | None, Header(max_length=100, description="the secret of the receipt")] = None,
) -> ObjectionFollowOut:
    """The objector follows the objection with the receipt number and its secret (header `X-Objection-Secret`)."""
    o, notice, entry, evidence = await objections.follow(session, receipt_no, x_objection_secret)
    response.headers["Cache-Control"] = "no-store"
    return follow_out(o, notice, entry, evidence)
