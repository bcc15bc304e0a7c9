"""Reading programmes for the public API (评奖项目公开信息): one function per use case."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.programmes.catalogue import CatalogueRegulation, Clause, get_catalogue
from app.domain.programmes.citations import get_clause_usage
from app.domain.programmes.registry import get_registry
from app.domain.programmes.schema import Reading
from app.domain.programmes.version import ProgrammeVersion


@dataclass(frozen=True)
class ProgrammeListing:
    current: ProgrammeVersion
    version_ids: list[str]


@dataclass(frozen=True)
class ProgrammeDetail:
    version: ProgrammeVersion
    version_ids: list[str]
    current_id: str


@dataclass(frozen=True)
class ClauseWithUsage:
    clause: Clause
    used_by: list[str]


@dataclass(frozen=True)
class ProgrammeClauses:
    code: str
    regulation: CatalogueRegulation | None
    clauses: list[ClauseWithUsage]
    gaps: list[str]
    readings: list[Reading]


def list_programmes() -> list[ProgrammeListing]:
    """Every programme with the version in force today."""
    registry = get_registry()
    return [ProgrammeListing(registry.get(code), [v.id for v in registry.versions(code)]) for code in registry.codes()]


def get_programme(code: str, version: str | None = None) -> ProgrammeDetail:
    """One programme version (the one in force today without ``version``); 404 for an unknown code or version."""
    registry = get_registry()
    chosen = registry.get(code, version)
    return ProgrammeDetail(chosen, [v.id for v in registry.versions(code)], registry.get(code).id)


def list_programme_clauses(code: str) -> ProgrammeClauses:
    """The catalogue entries of a programme's regulation, each with where the service cites it."""
    registry = get_registry()
    registry.versions(code)  # 404 for an unknown programme
    catalogue, usage = get_catalogue(), get_clause_usage()
    return ProgrammeClauses(
        code=code,
        regulation=catalogue.regulations.get(code),
        clauses=[ClauseWithUsage(c, usage.get(c.id, [])) for c in catalogue.for_regulation(code)],
        gaps=catalogue.gaps_for(code),
        readings=list(registry.get(code).readings),
    )
