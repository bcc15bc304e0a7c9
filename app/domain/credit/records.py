"""Records from the public credit platform (信用记录): 失信, administrative penalties, accidents.

A record is a fact with its source, kept once per the platform's own id (a re-send changes
nothing, or applies what changed: a withdrawal). It is written into the applicant's look-back
records (the registry's ``records``, the facts the eligibility criteria read), then:

- every open application of that applicant is re-assessed; each criterion the record now makes
  fail is flagged for the office with its clause (``credit_flags``), and a flag whose criterion
  passes again is cleared;
- a current winner (``awarded``) gets a revocation candidate (撤销线索) for the office, with the
  programme's revocation grounds it may fall under: never an automatic revocation;
- a withdrawn record (信用修复) carries its repair date as the record's exception
  (``credit_repaired_before_deadline``): where the text excepts repaired credit (tianning-11h
  "至申报截止日期之前已完成信用修复的除外") and the repair came in time, the criterion passes again
  and the flag is cleared; elsewhere the record still counts and the flag stays.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.db.models.outbox import CreditFlag, CreditRecord, RevocationCandidate
from app.db.repositories import credit as repo
from app.db.repositories import workflow as workflow_repo
from app.domain import clock, outbox, personal_data
from app.domain.eligibility import service as eligibility
from app.domain.eligibility.criteria import FAIL
from app.domain.errors import DomainError, FieldError, not_found
from app.domain.identifiers import IdentifierError, validate_credit_code, validate_id_number
from app.domain.programmes.effective import effective_programme
from app.domain.programmes.facts import FACTS, RECORD_ATTRIBUTES
from app.domain.review import confidentiality
from app.domain.states import FINAL_STATES
from app.domain.states import ApplicationState as S
from app.identity import Principal

RECORD_KINDS = sorted(f for f, t in FACTS.items() if t == "records")
REPAIRED = "credit_repaired_before_deadline"


@dataclass
class CreditRecordIn:
    record_id: str
    kind: str
    occurred_on: date
    source: str
    credit_code: str | None = None
    id_number: str | None = None
    ended_on: date | None = None
    withdrawn_on: date | None = None
    attributes: dict = field(default_factory=dict)
    summary: str | None = None


@dataclass
class Applied:
    record: CreditRecord
    status: str  # created | updated | unchanged
    flags: list[CreditFlag]
    candidates: list[RevocationCandidate]


def _bad(errors: list[FieldError]) -> DomainError:
    return DomainError(
        "validation-error",
        422,
        "信用记录有误：" + "；".join(f"{e.field}{e.zh}" for e in errors),
        "Invalid credit record: " + "; ".join(f"{e.field} {e.en}" for e in errors),
        title="Unprocessable Content",
        errors=errors,
    )


def _identity(settings: Settings, body: CreditRecordIn) -> tuple[str | None, str | None]:
    """The credit code, or the ID number as its keyed hash (the number itself is never stored)."""
    if bool(body.credit_code) == bool(body.id_number):
        raise _bad(
            [
                FieldError(
                    "credit_code",
                    "须填写统一社会信用代码或身份证号之一",
                    "give either a credit code or an ID number",
                    "one_of",
                )
            ]
        )
    try:
        if body.credit_code:
            return validate_credit_code(body.credit_code), None
        number = validate_id_number(body.id_number or "").number
    except IdentifierError as err:
        where = "credit_code" if body.credit_code else "id_number"
        raise _bad([FieldError(where, err.zh, str(err), err.code)]) from None
    return None, personal_data.id_number_hash(settings, number)


def _check(body: CreditRecordIn) -> None:
    errors = []
    if body.kind not in RECORD_KINDS:
        errors.append(
            FieldError("kind", f"可选：{'、'.join(RECORD_KINDS)}", f"one of: {', '.join(RECORD_KINDS)}", "enum")
        )
    allowed = RECORD_ATTRIBUTES.get(body.kind, {})
    for name, value in body.attributes.items():
        if name not in allowed:
            errors.append(
                FieldError(f"attributes.{name}", "该类记录没有此属性", f"not an attribute of {body.kind}", "unknown")
            )
        elif value not in allowed[name]:
            errors.append(
                FieldError(
                    f"attributes.{name}",
                    f"可选：{'、'.join(map(str, allowed[name]))}",
                    f"one of: {', '.join(map(str, allowed[name]))}",
                    "enum",
                )
            )
    for name, value in (("ended_on", body.ended_on), ("withdrawn_on", body.withdrawn_on)):
        if value is not None and value < body.occurred_on:
            errors.append(FieldError(name, "不能早于记录日期", "is before occurred_on", "before_record"))
    if errors:
        raise _bad(errors)


def _marker(record: CreditRecord) -> str:
    return f"信用平台记录 {record.client}/{record.record_id}"


def _fact_entry(record: CreditRecord) -> dict:
    """The record as one of the registry's look-back records (the keys the registry's records take)."""
    what = record.summary or record.kind
    entry = {
        "on": record.occurred_on.isoformat(),
        "description": f"{what}（来源：{record.source}；{_marker(record)}）",
        **record.attributes,
    }
    if record.ended_on is not None:
        entry["ended_on"] = record.ended_on.isoformat()
    if record.withdrawn_on is not None:
        entry["excepted"] = REPAIRED
        entry["excepted_on"] = record.withdrawn_on.isoformat()
    return entry


def _same(record: CreditRecord, values: dict) -> bool:
    return all(getattr(record, k) == v for k, v in values.items())


async def receive(session: AsyncSession, settings: Settings, principal: Principal, body: CreditRecordIn) -> Applied:
    if not principal.client:
        raise DomainError(
            "forbidden",
            403,
            "令牌未载明集成客户端（client）",
            "The token names no integration client (client scope)",
            title="Forbidden",
        )
    _check(body)
    credit_code, id_hash = _identity(settings, body)
    now = clock.now()
    values = {
        "credit_code": credit_code,
        "id_number_hash": id_hash,
        "kind": body.kind,
        "attributes": body.attributes,
        "occurred_on": body.occurred_on,
        "ended_on": body.ended_on,
        "withdrawn_on": body.withdrawn_on,
        "source": body.source,
        "summary": body.summary,
    }
    new_id = await repo.insert_new(
        session,
        {
            "id": uuid.uuid4(),
            "client": principal.client,
            "record_id": body.record_id,
            "programme": principal.programme,
            "received_at": now,
            "updated_at": now,
            **values,
        },
    )
    record = await repo.get_by_record_id(session, principal.client, body.record_id)
    assert record is not None
    if new_id is not None:
        status = "created"
    elif _same(record, values):
        # idempotent by the platform's id: the same record twice is one fact
        return Applied(
            record,
            "unchanged",
            await repo.flags_of_record(session, record.id),
            await repo.candidates_of_record(session, record.id),
        )
    else:
        if (record.credit_code, record.id_number_hash, record.kind) != (credit_code, id_hash, body.kind):
            raise DomainError(
                "credit-record-conflict",
                409,
                f"信用记录“{body.record_id}”已以不同的主体或类别报送，不能更改",
                f"Credit record '{body.record_id}' was sent about another subject or kind; it cannot change",
                title="Conflict",
            )
        for k, v in values.items():
            setattr(record, k, v)
        record.updated_at = now
        status = "updated"
    await session.flush()
    await _into_registry(session, record)
    flags, candidates = await _reassess(session, record, now)
    await outbox.emit(
        session,
        "credit.record_applied",
        {
            "record_id": record.record_id,
            "client": record.client,
            "kind": record.kind,
            "status": status,
            "withdrawn_on": record.withdrawn_on.isoformat() if record.withdrawn_on else None,
            "flags": [
                {
                    "application_id": str(f.application_id),
                    "criterion": f.criterion,
                    "clause": f.clause,
                    "status": f.status,
                }
                for f in flags
            ],
            "revocation_candidates": [
                {"application_id": str(c.application_id), "status": c.status} for c in candidates
            ],
        },
        subject=f"credit:{record.client}/{record.record_id}",
        programme=record.programme,
    )
    return Applied(record, status, flags, candidates)


async def _into_registry(session: AsyncSession, record: CreditRecord) -> None:
    """The record as a look-back fact of every registry record it names (replacing its earlier form)."""
    marker = _marker(record)
    for applicant in await repo.registry_records(session, record.credit_code, record.id_number_hash):
        records = dict(applicant.records or {})
        kept = [r for r in records.get(record.kind) or [] if marker not in str(r.get("description", ""))]
        records[record.kind] = [*kept, _fact_entry(record)]
        applicant.records = records
    await session.flush()


async def _reassess(
    session: AsyncSession, record: CreditRecord, now
) -> tuple[list[CreditFlag], list[RevocationCandidate]]:
    existing = {(f.application_id, f.criterion): f for f in await repo.flags_of_record(session, record.id)}
    candidates = {c.application_id: c for c in await repo.candidates_of_record(session, record.id)}
    for app in await repo.applications_of(session, record.credit_code, record.id_number_hash, record.programme):
        rnd = await workflow_repo.get_round(session, app.round_id)
        if app.state == S.AWARDED:
            await _candidate(session, record, app, rnd, candidates, now)
            continue
        if app.state in FINAL_STATES:
            continue
        assessment = await eligibility.assess(session, app, rnd)
        reads = {c.id: set(c.facts or ()) for c in assessment.programme.eligibility}
        failing = {
            e.criterion: e for e in assessment.entries if e.result == FAIL and record.kind in reads.get(e.criterion, ())
        }
        for criterion, entry in failing.items():
            flag = existing.get((app.id, criterion))
            if flag is None:
                flag = CreditFlag(
                    application_id=app.id,
                    credit_record_id=record.id,
                    programme=app.programme,
                    criterion=criterion,
                    clause=entry.clause,
                    status="open",
                    raised_at=now,
                )
                await repo.add(session, flag)
                existing[(app.id, criterion)] = flag
            elif flag.status != "open":
                flag.status, flag.cleared_at, flag.cleared_why = "open", None, None
        for (app_id, criterion), flag in existing.items():
            if app_id == app.id and criterion not in failing and flag.status == "open":
                flag.status, flag.cleared_at = "cleared", now
                flag.cleared_why = (
                    "信用修复，该项申报条件不再不符合" if record.withdrawn_on else "该项申报条件不再不符合"
                )
    for c in candidates.values():
        if record.withdrawn_on is not None and c.status == "open":
            c.status, c.withdrawn_at = "withdrawn", now
    await session.flush()
    return list(existing.values()), list(candidates.values())


async def _candidate(session: AsyncSession, record: CreditRecord, app, rnd, candidates: dict, now) -> None:
    """A current winner: the office weighs revoking (not done here: #16 builds revocation cases)."""
    if app.id in candidates or record.withdrawn_on is not None:
        return
    prog = effective_programme(rnd.programme, rnd.programme_version, rnd.overrides)
    grounds = [
        {"ground": g.id, "kind": g.kind, "clause": g.clause, "text_zh": g.text_zh}
        for g in prog.revocation_grounds
        if g.kind != "periodic_evaluation" and g.applies_to in ("all", app.applicant_kind)
    ]
    c = RevocationCandidate(
        application_id=app.id,
        credit_record_id=record.id,
        programme=app.programme,
        grounds=grounds,
        status="open",
        raised_at=now,
    )
    await repo.add(session, c)
    candidates[app.id] = c


# --- what the office reads ---------------------------------------------------------------------


async def flags_for(session: AsyncSession, principal: Principal, application_id: uuid.UUID):
    """The credit flags of one application the caller may see (404 otherwise), with their records."""
    app = await workflow_repo.get_application(session, application_id)
    if app is None or not await confidentiality.may_view(session, principal, app):
        raise not_found("申报", "Application", application_id)
    return await repo.flags_of_application(session, application_id)


async def revocation_candidates(
    session: AsyncSession, principal: Principal, status: str | None, offset: int, limit: int
):
    """An office's programme's candidates (an admin: all), newest first."""
    programme = None if principal.has("admin") else (principal.programme or "")
    return await repo.candidates(session, programme, status, offset, limit)
