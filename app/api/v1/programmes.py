"""Programmes (评奖项目): the five regulations as data, public, no login."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from app.api.deps import PUBLIC
from app.api.problems import problem_responses
from app.api.v1.routing import v1_router
from app.api.v1.schemas_programmes import ProgrammeClausesOut, ProgrammeOut, ProgrammeSummary
from app.api.v1.schemas_workflow import EventCatalogueOut
from app.domain.programmes import service
from app.domain.programmes.registry import get_registry
from app.workflow.catalogue import event_catalogue

# Load the definitions when the app is built: a malformed one stops start-up with a message
# naming the file, the field and the problem.
get_registry()

router = v1_router(prefix="/programmes", tags=["programmes"])

Code = Annotated[str, Path(min_length=1, max_length=40, description="programme code, e.g. changning")]


@router.get("", operation_id="list_programmes", dependencies=[PUBLIC], response_model=list[ProgrammeSummary])
async def list_programmes() -> list[ProgrammeSummary]:
    """Every programme with its names, level, the version in force today and its effective period."""
    return [ProgrammeSummary.of(p) for p in service.list_programmes()]


@router.get(
    "/{code}",
    operation_id="get_programme",
    dependencies=[PUBLIC],
    response_model=ProgrammeOut,
    responses=problem_responses(404),
)
async def get_programme(
    code: Code,
    version: Annotated[
        str | None, Query(max_length=40, description="a version id (e.g. 2023); default: the version in force today")
    ] = None,
) -> ProgrammeOut:
    """The full definition of a programme version; values the text does not state carry ``stated: false``."""
    return ProgrammeOut.of(service.get_programme(code, version))


@router.get(
    "/{code}/clauses",
    operation_id="list_programme_clauses",
    dependencies=[PUBLIC],
    response_model=ProgrammeClausesOut,
    responses=problem_responses(404),
)
async def list_programme_clauses(code: Code) -> ProgrammeClausesOut:
    """The catalogue entries of the programme's regulation, each with where the service cites it (or "not yet")."""
    return ProgrammeClausesOut.of(service.list_programme_clauses(code))


@router.get(
    "/{code}/events",
    operation_id="list_programme_events",
    dependencies=[PUBLIC],
    response_model=EventCatalogueOut,
    responses=problem_responses(404),
)
async def list_programme_events(
    code: Code,
    version: Annotated[
        str | None, Query(max_length=40, description="a version id (e.g. 2023); default: the version in force today")
    ] = None,
) -> EventCatalogueOut:
    """The events of a programme version (事件目录): each event's code and names (the ones error messages use), who may fire it
    from which state to which, its guards with their clauses and the JSON Schema of its `data`; then the round events."""
    return EventCatalogueOut.of(event_catalogue(code, version))
