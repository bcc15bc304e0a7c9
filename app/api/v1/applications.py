"""Applications (申报): creation, reading, events, history."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import Query, Request, Response

from app.api.deps import ApplicationsCreate, AppSettings, Session, SignedIn
from app.api.filters import ProgrammeFilter
from app.api.pagination import KeysetPaging, Page, cursor_errors, keyset_page
from app.api.preconditions import etag
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.api.v1.schemas_workflow import ApplicationIn, ApplicationOut, EventIn, HistoryEntryOut
from app.db.repositories import workflow as repo
from app.domain.states import ApplicationState
from app.identity import Principal
from app.workflow import applications, service

router = v1_router(prefix="/applications", tags=["applications"])

ApplicationSort = Literal[
    "created_at", "-created_at", "updated_at", "-updated_at", "state", "-state", "score", "-score"
]


def _ctx(request: Request, principal: Principal) -> service.EventContext:
    return service.EventContext(principal, request.state.request_id, request.state.after_rollback)


@router.post(
    "",
    operation_id="create_application",
    status_code=201,
    response_model=ApplicationOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_application(
    body: ApplicationIn,
    request: Request,
    session: Session,
    settings: AppSettings,
    response: Response,
    principal: ApplicationsCreate,
) -> ApplicationOut:
    """A new application (申报) in `draft` for a round whose call is open: one live application per applicant and round (409 `/duplicate-application` naming the existing one). An individual's ID number is kept only as a keyed hash and a masked form."""
    a = body.applicant
    app = await applications.create_application(
        session,
        settings,
        _ctx(request, principal),
        body.round_id,
        body.category,
        body.tier_sought,
        a.name,
        a.credit_code,
        a.id_number,
        body.applicant_ref,
        body.recommending_unit,
    )
    response.headers["Location"] = f"/api/v1/applications/{app.id}"
    response.headers["ETag"] = etag(app.version)
    return ApplicationOut.of(app)


@router.get(
    "", operation_id="list_applications", response_model=Page[ApplicationOut], responses=problem_responses(401, 403)
)
async def list_applications(
    session: Session,
    paging: KeysetPaging,
    principal: SignedIn,
    round_id: uuid.UUID | None = None,
    state: Annotated[ApplicationState | None, Query(description="a state code (GET /api/v1/lookups/states)")] = None,
    programme: ProgrammeFilter = None,
    name: Annotated[
        str | None, Query(min_length=1, max_length=200, description="part of the applicant's name (any case)")
    ] = None,
    credit_code: Annotated[
        str | None,
        Query(min_length=1, max_length=18, pattern=r"^[0-9A-Za-z]+$", description="the start of the credit code"),
    ] = None,
    sort: Annotated[
        ApplicationSort,
        Query(
            description="`created_at`, `updated_at`, `state` or `score` (latest consensus total); `-` first: descending"
        ),
    ] = "created_at",
) -> Page[ApplicationOut]:
    """The applications the caller may see (an office its programme's, a recommender its unit's, an applicant its own), filtered by round, state, programme, applicant name and credit code, sorted (default: oldest first). Deep pages: follow `next_cursor` with `cursor`."""
    with cursor_errors():
        page = await applications.list_applications(
            session,
            principal,
            {
                "round_id": round_id,
                "state": state,
                "programme": programme,
                "name": name,
                "credit_code": credit_code,
            },
            paging.offset,
            paging.size,
            sort,
            paging.cursor,
        )
    return Page[ApplicationOut](**keyset_page(page, paging, [ApplicationOut.of(r) for r in page.rows]))


@router.get(
    "/{application_id}",
    operation_id="get_application",
    response_model=ApplicationOut,
    responses=problem_responses(401, 404),
)
async def get_application(
    application_id: uuid.UUID, session: Session, response: Response, principal: SignedIn
) -> ApplicationOut:
    """The application with `allowed_events` for this caller (guards evaluated) and its deadlines."""
    app, _, allowed, deadlines = await service.view(session, principal, application_id)
    response.headers["ETag"] = etag(app.version)
    return ApplicationOut.of(app, allowed, deadlines)


@router.post(
    "/{application_id}/events",
    operation_id="fire_application_event",
    response_model=ApplicationOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def fire_event(
    application_id: uuid.UUID,
    body: EventIn,
    request: Request,
    session: Session,
    response: Response,
    principal: SignedIn,
) -> ApplicationOut:
    """Fire an event (needs `If-Match`). The answer is the application as `GET` gives it, with the `allowed_events` and `deadlines` that follow the event.
    409 `/transition-not-allowed` with `allowed_events`, 409 `/guard-failed` naming the condition and clause; each event's data, guards and who may fire it: `GET /api/v1/programmes/{code}/events`."""
    app, allowed, deadlines = await service.fire_answered(
        session,
        _ctx(request, principal),
        application_id,
        body.event,
        body.reason,
        body.data,
        request.headers.get("if-match"),
    )
    response.headers["ETag"] = etag(app.version)
    return ApplicationOut.of(app, allowed, deadlines)


@router.get(
    "/{application_id}/history",
    operation_id="get_application_history",
    response_model=Page[HistoryEntryOut],
    responses=problem_responses(401, 404),
)
async def get_history(
    application_id: uuid.UUID, session: Session, paging: KeysetPaging, principal: SignedIn
) -> Page[HistoryEntryOut]:
    """Every event attempt, accepted or refused, chained by hash (verify with `qaward audit verify`)."""
    await service.view(session, principal, application_id)
    with cursor_errors():
        page = await repo.history(session, application_id, paging.offset, paging.size, paging.cursor)
    items = [HistoryEntryOut.model_validate(r, from_attributes=True) for r in page.rows]
    return Page[HistoryEntryOut](**keyset_page(page, paging, items))
