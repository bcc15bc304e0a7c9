"""The clause catalogue (条款目录): every clause of the five regulations with system value.

``catalogue/clauses.yaml`` is a copy of ``shared/regulations/clauses.yaml`` shipped with the
service; its header explains the ids (article ids, and section paths for hangzhou). Programme
definitions and code cite these ids; the API serves them with where the service uses each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from app.domain.errors import not_found

CATALOGUE_FILE = Path(__file__).parent / "catalogue" / "clauses.yaml"


class CatalogueRegulation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title_zh: str
    issuer_zh: str | None = None
    document_no: str | None = None
    effective_from: date
    effective_until: date | None = None
    file: str


class Clause(BaseModel):
    """One catalogued clause: the exact quote, the requirement in English, and what the system does with it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    ref_zh: str
    quote_zh: str
    requirement: str
    kind: str
    system: Literal["enforce", "record", "display", "none"]
    params: dict[str, Any] = Field(default_factory=dict)

    @property
    def regulation(self) -> str:
        return self.id.split("-", 1)[0]


@dataclass(frozen=True)
class Catalogue:
    regulations: dict[str, CatalogueRegulation]
    clauses: dict[str, Clause]  # in catalogue order
    gaps: list[str] = field(default_factory=list)

    def __contains__(self, clause_id: object) -> bool:
        return clause_id in self.clauses

    def clause(self, clause_id: str) -> Clause:
        try:
            return self.clauses[clause_id]
        except KeyError:
            raise not_found("条款", "Clause", clause_id) from None

    def for_regulation(self, code: str) -> list[Clause]:
        """The clauses of one regulation (its id is the programme code), in text order."""
        return [c for c in self.clauses.values() if c.regulation == code]

    def gaps_for(self, code: str) -> list[str]:
        return [g for g in self.gaps if g.startswith(f"{code}:")]


def load_catalogue(path: Path = CATALOGUE_FILE) -> Catalogue:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    regulations = {r["id"]: CatalogueRegulation.model_validate(r) for r in raw["regulations"]}
    clauses: dict[str, Clause] = {}
    for entry in raw["clauses"]:
        clause = Clause.model_validate(entry)
        if clause.id in clauses:
            raise ValueError(f"{path.name}: clause id {clause.id} is listed twice")
        clauses[clause.id] = clause
    return Catalogue(regulations=regulations, clauses=clauses, gaps=list(raw.get("gaps") or []))


@cache
def get_catalogue() -> Catalogue:
    return load_catalogue()
