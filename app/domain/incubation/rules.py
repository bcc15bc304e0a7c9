"""Each programme's incubation pool rules, read from ``rules.yaml`` and checked against the clause catalogue."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, field_validator

from app.domain.errors import DomainError, invalid
from app.domain.programmes.catalogue import get_catalogue
from app.domain.programmes.registry import get_registry

RULES_FILE = Path(__file__).parent / "rules.yaml"
ROUTES = ("self_application", "industry_recommendation", "expert_recommendation", "other")


class PoolRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    admission_clause: str
    routes_clause: str | None
    free_training_clause: str | None
    cultivation_review_clause: str | None

    @field_validator("admission_clause", "routes_clause", "free_training_clause", "cultivation_review_clause")
    @classmethod
    def _known(cls, v: str | None) -> str | None:
        if v is not None and v not in get_catalogue():
            raise ValueError(f"unknown clause '{v}'")
        return v


@cache
def _all() -> dict[str, PoolRules]:
    raw = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    return {code: PoolRules.model_validate(v) for code, v in raw.items()}


def rules(programme: str) -> PoolRules:
    """The programme's pool, or 409 when its text sets up none (422 for a programme that does not exist)."""
    if programme not in get_registry().codes():
        raise invalid("programme", "没有这个项目", "no such programme", "unknown")
    found = _all().get(programme)
    if found is None:
        raise DomainError(
            "incubation-not-provided",
            409,
            f"项目“{programme}”的办法未设立培育孵化池",
            f"The regulation of programme '{programme}' sets up no incubation pool",
            title="Conflict",
            extra={"programme": programme},
        )
    return found
