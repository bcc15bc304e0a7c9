"""Review discipline per programme (评审纪律): the pledge (承诺书) and the clauses of confidentiality,
guidance filings, recusal and disqualification, read from ``discipline.yaml``."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from app.domain.errors import not_found

DISCIPLINE_FILE = Path(__file__).parent / "discipline.yaml"


class Discipline(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pledge_zh: str
    confidentiality_clause: str | None
    confidentiality_stated: bool = True
    confidentiality_reason: str | None = None
    guidance_filing_clause: str | None
    guidance_recusal_clause: str | None
    recusal_clause: str | None
    disqualification_clause: str | None

    @property
    def pledge_sha256(self) -> str:
        return hashlib.sha256(self.pledge_zh.encode("utf-8")).hexdigest()


@cache
def _all() -> dict[str, Discipline]:
    raw = yaml.safe_load(DISCIPLINE_FILE.read_text(encoding="utf-8"))
    return {code: Discipline.model_validate(v) for code, v in raw.items()}


def discipline(programme: str) -> Discipline:
    try:
        return _all()[programme]
    except KeyError:
        raise not_found("评审纪律", "Review discipline of programme", programme) from None
