"""The committee's procedure per programme (评审会议事规则): the body, how it decides, its quorum
and threshold, read from ``procedures.yaml`` and the programme's own data (bodies, tiers' vote methods).

A rule the text does not state is marked ``stated: false`` with the service's reading; nothing here
branches on a programme's name.
"""

from __future__ import annotations

from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from app.domain.errors import not_found
from app.domain.programmes.registry import get_registry

PROCEDURES_FILE = Path(__file__).parent / "procedures.yaml"
Method = Literal["secret_ballot", "show_of_hands", "deliberation"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MethodRule(_Model):
    kind: Method
    clause: str | None = None


class Quorum(_Model):
    """出席人数: at least numerator/denominator of the members in office."""

    numerator: int = Field(ge=1)
    denominator: int = Field(ge=1)
    stated: bool = True
    reason: str | None = None

    def required(self, members: int) -> int:
        # the smallest head count reaching the fraction (ceil), never fewer than one
        need = Fraction(self.numerator, self.denominator) * members
        return max(1, -(-need.numerator // need.denominator))


class Threshold(_Model):
    """通过票数: more than half of those present and not recused from the candidate."""

    rule: Literal["more_than_half_of_present"]
    stated: bool = True
    reason: str | None = None

    def passes(self, votes_for: int, eligible: int) -> bool:
        return eligible > 0 and 2 * votes_for > eligible


class ReportHeard(_Model):
    """A report the body hears before it decides (汇报): the office's, the supervision team's."""

    kind: str = Field(pattern=r"^[a-z_]{1,20}$")
    name_zh: str
    clause: str


class Procedure(_Model):
    list_clause: str
    decision_clause: str
    method: MethodRule
    quorum: Quorum
    threshold: Threshold
    reports_heard: list[ReportHeard] = Field(default_factory=list)
    recusal_clause: str | None
    recusal_stated: bool = True
    recusal_reason: str | None = None


@cache
def _all() -> dict[str, Procedure]:
    raw = yaml.safe_load(PROCEDURES_FILE.read_text(encoding="utf-8"))
    return {code: Procedure.model_validate(v) for code, v in raw.items()}


def procedure(programme: str) -> Procedure:
    try:
        return _all()[programme]
    except KeyError:
        raise not_found("评审会议事规则", "Committee procedure of programme", programme) from None


def method_for(programme: str, version: str, tier: str) -> MethodRule:
    """How the body decides on a candidate of ``tier``: the tier's own vote method where the text
    gives one (hangzhou-3.3.6b secret ballot, 3.3.6c show of hands), else the body's procedure."""
    prog = get_registry().get(programme, version)
    for t in prog.tiers:
        if t.code == tier and t.vote_method is not None:
            return MethodRule(kind=t.vote_method, clause=t.vote_clause)
    return procedure(programme).method


def body_of(programme: str, version: str) -> dict:
    """The committee body the programme names (its ``bodies`` entry with role committee)."""
    prog = get_registry().get(programme, version)
    body = next((b for b in prog.bodies if str(b.role) == "committee"), None)
    if body is None:
        return {"name_zh": None, "clause": None}
    return {"name_zh": body.name_zh, "clause": body.clause}


def describe(programme: str, version: str) -> dict:
    """The procedure as the API shows it: body, methods per tier, quorum, threshold, the clauses."""
    p = procedure(programme)
    prog = get_registry().get(programme, version)
    return {
        "programme": programme,
        "body": body_of(programme, version),
        "list_clause": p.list_clause,
        "decision_clause": p.decision_clause,
        "methods": {t.code: method_for(programme, version, t.code).model_dump() for t in prog.tiers},
        "quorum": p.quorum.model_dump(),
        "threshold": p.threshold.model_dump(),
        "reports_heard": [r.model_dump() for r in p.reports_heard],
        "recusal_clause": p.recusal_clause,
        "recusal_stated": p.recusal_stated,
        "quotas": [
            {"id": q.id, "tiers": list(q.tiers), "categories": list(q.categories), "max": q.max, "soft": q.soft}
            for q in prog.quotas
        ],
    }
