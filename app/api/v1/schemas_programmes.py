"""Response schemas of /api/v1/programmes: the public, stable shape of a programme definition.

The fields portals rely on (``tiers``, ``categories``, ``quotas``, ``rewards``, ``notices``,
``pipeline``) have their own models here; the rest reuse the definition's models. Amounts are
strings in yuan with two decimals (``"500000.00"``). ``stated: false`` marks a value the
regulation does not state ("not stated by the regulation"); ``unstated`` lists them all.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from app.domain.programmes import schema as s
from app.domain.programmes.service import ProgrammeClauses, ProgrammeDetail, ProgrammeListing


def _yuan(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount.quantize(Decimal('0.01')):f}"


class JurisdictionOut(BaseModel):
    code: str
    name_zh: str
    parent: str | None = Field(
        description="the jurisdiction above (e.g. shanghai), whose own award is not a programme here"
    )
    parent_name_zh: str | None


class ProgrammeSummary(BaseModel):
    code: str
    name_zh: str
    name_en: str
    level: str
    jurisdiction: JurisdictionOut
    current_version: str = Field(description="the version in force today")
    effective_from: date
    effective_until: date | None
    versions: list[str]

    @classmethod
    def of(cls, listing: ProgrammeListing) -> ProgrammeSummary:
        v = listing.current
        return cls(
            code=v.code,
            name_zh=v.name_zh,
            name_en=v.name_en,
            level=v.level,
            jurisdiction=JurisdictionOut(**v.jurisdiction.model_dump()),
            current_version=v.id,
            effective_from=v.effective_from,
            effective_until=v.effective_until,
            versions=listing.version_ids,
        )


class TierOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    rank: int
    vote_method: str | None
    clause: str | None
    stated: bool


class CategoryOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    applicant_kind: Literal["organisation", "individual"]
    clause: str | None


class QuotaOut(BaseModel):
    id: str
    tiers: list[str]
    categories: list[str]
    max: int
    soft: bool = Field(description="原则上: exceeding it needs an explicit override with reasons")
    clause: str | None
    stated: bool
    note_en: str | None


class RewardOut(BaseModel):
    id: str
    tier: str
    category: str
    amount_yuan: str | None = Field(description='yuan, two decimals ("500000.00"); null where the text gives no amount')
    kind: Literal["fixed", "up_to"]
    one_off: bool
    first_time_only: bool
    deduct_received: bool
    deducts: list[str] = Field(
        description="就高不重复: the awards (tiers, held_awards codes) whose amounts received are deducted"
    )
    clause: str | None
    rule_clauses: list[str]
    stated: bool
    granted: bool = Field(description="false: the text grants no money for this award; no round may set an amount")
    note_en: str | None


class ExternalRewardOut(BaseModel):
    id: str
    award_zh: str
    award_en: str
    amount_yuan: str | None
    kind: Literal["fixed", "up_to"]
    one_off: bool
    clause: str | None
    stated: bool
    note_en: str | None


class VerificationOut(BaseModel):
    length: int
    unit: Literal["working_day", "calendar_day"]
    stated: bool
    clause: str | None


class NoticeOut(BaseModel):
    stage: str
    point: Literal["qualification", "material_entrants", "onsite_entrants", "winners"]
    name_zh: str
    length: int
    unit: Literal["working_day", "calendar_day"]
    minimum: bool = Field(description="不少于: the period is a minimum")
    audiences: list[Literal["public", "applicant_unit"]]
    objections: bool
    verification: VerificationOut
    refill: bool
    refill_stated: bool
    clause: str | None
    stated: bool = Field(description="false: the length is the service's default, not the regulation's")
    approval: s.PublicationApproval | None = Field(
        default=None,
        description="the approval (报批) the list needs before it is published, fired as approve_publication",
    )


class PipelineStageOut(BaseModel):
    stage: str
    actors: list[str]
    clause: str | None
    all_proceed_clause: str | None = Field(
        default=None, description="the clause by which every application in this stage goes on (none is dropped here)"
    )


class RegulationOut(BaseModel):
    title_zh: str
    issuer_zh: str | None
    issuer_stated: bool
    document_no: str | None
    document_no_stated: bool
    repealed_zh: str | None
    repealed_clause: str | None


class ProgrammeOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    level: str
    jurisdiction: JurisdictionOut
    version: str
    current_version: str
    versions: list[str]
    regulation: RegulationOut
    effective_from: date
    effective_until: date | None
    effective_clause: str | None
    tiers: list[TierOut]
    categories: list[CategoryOut]
    structure_clause: str | None
    cycle: s.Cycle
    quotas: list[QuotaOut]
    quota_rules: s.QuotaRules
    pipeline: list[str] = Field(description="ordered stage codes; draft comes before and awarded after")
    pipeline_stages: list[PipelineStageOut]
    submit_actors: list[str]
    application_clause: str | None
    procedure_clause: str | None
    notices: list[NoticeOut]
    rejection_notices: list[s.RejectionNotice]
    objections: s.ObjectionRules
    bodies: list[s.Body]
    standards: list[s.Standard]
    fees: s.FeeRule
    eligibility: list[s.EligibilityCriterion]
    reapplication: list[s.ReapplicationRule]
    rewards: list[RewardOut]
    external_rewards: list[ExternalRewardOut]
    held_awards: list[s.HeldAwardKind] = Field(
        description="awards an office may record a winner already holds, read by the reward rules"
    )
    post_award_duties: list[s.PostAwardDuty]
    revocation_grounds: list[s.RevocationGround]
    revocation_procedure: s.RevocationProcedure | None = Field(
        default=None, description="the steps a revocation case (撤销案件) follows; the last, numbered, revokes"
    )
    honour_rules: list[s.HonourRule]
    records: s.Records
    adjustments: list[s.Adjustment] = Field(
        description="stated values a round may change because a clause grants the power; nothing else stated moves"
    )
    readings: list[s.Reading] = Field(description="how the service reads what the text leaves open (stated: false)")
    notes_en: list[str]
    unstated: list[str] = Field(
        description="paths of the values the regulation does not state (shown as 'not stated by the regulation')"
    )

    @classmethod
    def of(cls, detail: ProgrammeDetail) -> ProgrammeOut:
        v = detail.version
        data: dict[str, Any] = v.model_dump(
            exclude={"id", "pipeline", "rewards", "external_rewards", "applied_overrides"}
        )
        return cls(
            **data,
            version=v.id,
            current_version=detail.current_id,
            versions=detail.version_ids,
            pipeline=v.stage_codes,
            pipeline_stages=[
                PipelineStageOut(
                    stage=str(p.stage),
                    actors=[str(a) for a in p.actors],
                    clause=p.clause,
                    all_proceed_clause=p.all_proceed_clause,
                )
                for p in v.pipeline
            ],
            rewards=[
                RewardOut(**r.model_dump(exclude={"amount_yuan"}), amount_yuan=_yuan(r.amount_yuan)) for r in v.rewards
            ],
            external_rewards=[
                ExternalRewardOut(**r.model_dump(exclude={"amount_yuan"}), amount_yuan=_yuan(r.amount_yuan))
                for r in v.external_rewards
            ],
            unstated=v.unstated(),
        )


class RegulationRefOut(BaseModel):
    title_zh: str
    issuer_zh: str | None
    document_no: str | None
    effective_from: date
    effective_until: date | None


class ClauseOut(BaseModel):
    id: str
    ref_zh: str
    quote_zh: str
    requirement: str
    kind: str
    system: Literal["enforce", "record", "display", "none"]
    params: dict[str, Any]
    used_by: list[str] = Field(
        description="definition fields (<code>@<version> <path>) and files (app/...:line) citing the clause"
    )
    status: Literal["cited", "not yet"]


class ProgrammeClausesOut(BaseModel):
    programme: str
    regulation: RegulationRefOut | None = Field(description="null for a programme whose regulation is not catalogued")
    clauses: list[ClauseOut]
    gaps: list[str] = Field(description="what this regulation leaves unstated that another one states")
    readings: list[s.Reading] = Field(
        description="the service's readings of what the text leaves open (version in force), each stated: false with its reason"
    )
    enforce_not_yet_cited: int

    @classmethod
    def of(cls, found: ProgrammeClauses) -> ProgrammeClausesOut:
        reg = found.regulation
        clauses = [
            ClauseOut(
                **c.clause.model_dump(mode="json"),
                used_by=c.used_by,
                status="cited" if c.used_by else "not yet",
            )
            for c in found.clauses
        ]
        return cls(
            programme=found.code,
            regulation=None if reg is None else RegulationRefOut(**reg.model_dump(exclude={"id", "file"})),
            clauses=clauses,
            gaps=found.gaps,
            readings=found.readings,
            enforce_not_yet_cited=sum(1 for c in clauses if c.system == "enforce" and not c.used_by),
        )
