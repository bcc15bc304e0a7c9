"""Each programme's two-way supervision rules, read from ``rules.yaml`` and checked against the clause catalogue."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, field_validator

from app.domain.programmes.catalogue import get_catalogue

RULES_FILE = Path(__file__).parent / "rules.yaml"


class SupervisionRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    two_way_supervision_clause: str | None = None
    lesser_sanctions_clause: str | None = None

    @field_validator("two_way_supervision_clause", "lesser_sanctions_clause")
    @classmethod
    def _known(cls, v: str | None) -> str | None:
        if v is not None and v not in get_catalogue():
            raise ValueError(f"unknown clause '{v}'")
        return v


@cache
def _all() -> dict[str, SupervisionRules]:
    raw = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    return {code: SupervisionRules.model_validate(v) for code, v in raw.items()}


def rules(programme: str) -> SupervisionRules:
    return _all().get(programme) or SupervisionRules()
