"""Request and response bodies of rounds, applications and their events."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, field_validator

from app.domain import personal_data
from app.domain.calendar.periods import recorded_span, span_zh
from app.domain.clock import SHANGHAI
from app.domain.states import ROUND_STATE_NAMES_ZH, STATE_NAMES_ZH


class CallIn(BaseModel):
    model_config = {"extra": "forbid"}

    title: str = Field(min_length=1, max_length=300, description="申报通知标题")
    published_on: date = Field(description="申报通知发布日期 (Asia/Shanghai)")
    opens_at: AwareDatetime = Field(examples=["2026-09-01T00:00:00+08:00"])
    closes_at: AwareDatetime = Field(examples=["2026-09-21T00:00:00+08:00"])


class RoundSettingOverrideIn(BaseModel):
    model_config = {"extra": "forbid"}

    path: str = Field(min_length=1, max_length=200, examples=["notices.qualification.length"])
    value: Any
    reason: str = Field(min_length=1, max_length=2000)


class RoundIn(BaseModel):
    model_config = {"extra": "forbid"}

    programme: str = Field(min_length=1, max_length=40)
    label: str = Field(min_length=1, max_length=60, examples=["2026"])
    call: CallIn
    overrides: list[RoundSettingOverrideIn] = Field(default_factory=list, max_length=50)


class RoundEventIn(BaseModel):
    model_config = {"extra": "forbid"}

    event: str = Field(min_length=1, max_length=40, examples=["publish"])


class DeadlineOut(BaseModel):
    id: uuid.UUID
    kind: str
    stage: str | None
    rule: dict[str, Any]
    starts_on: date
    ends_at: datetime = Field(examples=["2026-10-13T00:00:00+08:00"], description="the instant, in Asia/Shanghai time")
    ends_on_display_zh: str
    calendar_revision: int | None
    status: str


class RoundOut(BaseModel):
    id: uuid.UUID
    programme: str
    programme_version: str
    label: str
    state: str
    state_name_zh: str
    call: CallIn
    overrides: dict[str, Any]
    override_log: list[dict[str, Any]]
    version: int
    allowed_events: list[str] | None = Field(
        default=None, description="the round events this caller may fire now (a round's GET, create and events)"
    )
    deadlines: list[DeadlineOut] | None = Field(default=None, description="the round's own deadlines (its window)")

    @classmethod
    def of(cls, r, allowed: list[str] | None = None, deadlines: list | None = None) -> RoundOut:
        return cls(
            id=r.id,
            programme=r.programme,
            programme_version=r.programme_version,
            label=r.label,
            state=r.state,
            state_name_zh=ROUND_STATE_NAMES_ZH[r.state],
            call=CallIn(
                title=r.call_title, published_on=r.call_published_on, opens_at=r.opens_at, closes_at=r.closes_at
            ),
            overrides=r.overrides,
            override_log=r.override_log,
            version=r.version,
            allowed_events=allowed,
            deadlines=None if deadlines is None else [deadline_out(d) for d in deadlines],
        )


class ApplicantIn(BaseModel):
    model_config = {"extra": "forbid"}

    name: str = Field(min_length=1, max_length=200)
    credit_code: str | None = Field(default=None, max_length=40, description="统一社会信用代码 (organisations)")
    id_number: str | None = Field(
        default=None, max_length=40, description="居民身份证号 (individuals); never shown unmasked"
    )


class ApplicationIn(BaseModel):
    model_config = {"extra": "forbid"}

    round_id: uuid.UUID
    category: str = Field(min_length=1, max_length=40)
    tier_sought: str | None = Field(default=None, max_length=40)
    applicant: ApplicantIn
    applicant_ref: str | None = Field(
        default=None, max_length=200, description="the applicant principal's scope (office-created applications)"
    )
    recommending_unit: str | None = Field(default=None, max_length=60)


MAX_DATA_BYTES = 64 * 1024


def _bounded(data: dict[str, Any]) -> dict[str, Any]:
    if len(json.dumps(data, ensure_ascii=False, default=str).encode()) > MAX_DATA_BYTES:
        raise ValueError(f"data is larger than {MAX_DATA_BYTES // 1024} KB; attach documents as materials")
    return data


class EventIn(BaseModel):
    model_config = {"extra": "forbid"}

    event: str = Field(min_length=1, max_length=40, examples=["submit"])
    reason: str | None = Field(default=None, max_length=5000)
    data: dict[str, Any] = Field(
        default_factory=dict, description=f"the event's data (at most {MAX_DATA_BYTES // 1024} KB)"
    )

    _data_size = field_validator("data")(_bounded)


class ApplicantOut(BaseModel):
    kind: str
    name: str
    credit_code: str | None
    id_number_masked: str | None


class ApplicationOut(BaseModel):
    id: uuid.UUID
    round_id: uuid.UUID
    programme: str
    programme_version: str
    category: str
    tier_sought: str | None
    tier: str | None
    applicant: ApplicantOut
    recommending_unit: str | None
    state: str
    state_name_zh: str
    version: int
    allowed_events: list[str] | None = None
    deadlines: list[DeadlineOut] | None = None
    outcome: dict[str, Any]
    created_at: datetime = Field(examples=["2026-09-01T09:00:00+08:00"])
    updated_at: datetime = Field(examples=["2026-09-29T10:00:00+08:00"])

    @classmethod
    def of(cls, a, allowed: list[str] | None = None, deadlines: list | None = None) -> ApplicationOut:
        return cls(
            id=a.id,
            round_id=a.round_id,
            programme=a.programme,
            programme_version=a.programme_version,
            category=a.category,
            tier_sought=a.tier_sought,
            tier=a.tier,
            applicant=ApplicantOut(
                kind=a.applicant_kind,
                name=a.applicant_name,
                credit_code=a.credit_code,
                id_number_masked=a.id_number_masked,
            ),
            recommending_unit=a.recommending_unit,
            state=a.state,
            state_name_zh=STATE_NAMES_ZH[a.state],
            version=a.version,
            allowed_events=allowed,
            deadlines=None if deadlines is None else [deadline_out(d) for d in deadlines],
            outcome=a.outcome,
            # written in Shanghai time here, so the answer's +08:00 pass has nothing to rewrite (issue 21)
            created_at=a.created_at.astimezone(SHANGHAI),
            updated_at=a.updated_at.astimezone(SHANGHAI),
        )


def deadline_out(d) -> DeadlineOut:
    display = span_zh(*recorded_span(d.starts_on, d.ends_at, bool(d.rule.get("count_start_day"))))
    return DeadlineOut(
        id=d.id,
        kind=d.kind,
        stage=d.stage,
        rule=d.rule,
        starts_on=d.starts_on,
        ends_at=d.ends_at.astimezone(SHANGHAI),
        ends_on_display_zh=display,
        calendar_revision=d.calendar_revision,
        status=d.status,
    )


class HistoryEntryOut(BaseModel):
    """An event of the application's history, as the applicant and the office read it.

    ``reason`` is shown with ID and phone numbers masked (an office may quote a contact in it);
    ``hash`` is that of the stored row, which keeps the reason as written, so the chain is
    verified on the server (``app/domain/history.py``), not from this body.
    """

    seq: int
    occurred_at: datetime
    actor: str
    role: str | None
    request_id: str | None
    event: str
    from_state: str
    to_state: str | None
    accepted: bool
    refusal: str | None
    reason: str | None
    data_digest: str
    prev_hash: str
    hash: str

    @field_validator("reason")
    @classmethod
    def _masked(cls, reason: str | None) -> str | None:
        # the history is readable by the applicant: personal data is masked in every view but the stored row
        return None if reason is None else personal_data.redact(reason)


class RoundActionIn(BaseModel):
    model_config = {"extra": "forbid"}

    event: str = Field(min_length=1, max_length=40, examples=["start_notice"])
    applications: list[uuid.UUID] = Field(min_length=1, max_length=500)
    reason: str | None = Field(default=None, max_length=5000)
    data: dict[str, Any] = Field(
        default_factory=dict, description=f"the event's data (at most {MAX_DATA_BYTES // 1024} KB)"
    )

    _data_size = field_validator("data")(_bounded)


class RoundActionOut(BaseModel):
    event: str
    applications: list[ApplicationOut]


class GuardOut(BaseModel):
    condition: str = Field(description="the guard's name, as `/guard-failed` gives it in `condition`")
    zh: str = Field(description="why it refuses, as the refusal says it")
    en: str
    clause: str | None = Field(description="the clause of the regulation that demands it")


class TransitionOut(BaseModel):
    source: str = Field(description="the state the event leaves")
    source_name_zh: str
    target: str = Field(description="the state it enters (the same for an event recording a decision)")
    target_name_zh: str
    roles: list[str] = Field(
        description="the token roles that may fire it from `source` (`system`: the deadline worker)"
    )
    guards: list[GuardOut]
    clause: str | None
    internal: bool = Field(description="the event records something and the state stays")


class CatalogueEventOut(BaseModel):
    code: str = Field(examples=["recommend"])
    name_zh: str = Field(examples=["推荐"], description="the name error messages use (“不能执行“推荐””)")
    name_en: str = Field(examples=["Recommend"])
    scope: str = Field(
        description="`application` (POST /applications/{id}/events) or `round` (POST /rounds/{id}/events)"
    )
    roles: list[str]
    reason_required: bool = Field(description="the event needs a `reason`")
    data_schema: dict[str, Any] = Field(description="JSON Schema of the event's `data`")
    transitions: list[TransitionOut]


class EventCatalogueOut(BaseModel):
    programme: str
    version: str
    events: list[CatalogueEventOut]

    @classmethod
    def of(cls, c) -> EventCatalogueOut:
        return cls.model_validate(c, from_attributes=True)
