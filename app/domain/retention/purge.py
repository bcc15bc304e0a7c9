"""Purging what is past its retention period (资料保存期满的处理, changning-37).

changning-37: "区政府质量奖申报评审材料一般保存10年" (application and review materials are kept
10 years). Elsewhere the programme's ``records.retention_years`` is the service's default of 10,
``stated: false``; a round may set another where the text is silent.

When the period runs (the service's reading, said in the README):

- an application is *closed* once its round is announced or archived (every application then has
  its final answer: awarded or an end state; a draft never submitted can no longer be);
- the round *ends* when its last application got its final answer: per application the first
  accepted history entry reaching ``awarded`` or an end state, the latest of these over the round
  (read from the hash-chained history, so nothing later can move it; the call's close when none);
- as archives count a period (from 1 January of the year after the file was formed), the years run
  from 1 January after the round's end: a round ended in 2026 is kept to 31 December 2036 and past
  retention from 1 January 2037 (Asia/Shanghai, the service's clock: the test clock where set).

What a purge removes, and keeps:

- every stored file the application's records name (materials and review reports, objection
  evidence, unit-posting proofs) is deleted from the store; its row stays (name, size, SHA-256);
- personal data (个人信息) is redacted: an individual applicant's name and ID number (hash and
  masked form), the form's personal fields (a contact's name, every phone) in the form and its
  frozen versions, an objector's name (a person's), ID number, phone and contact, and ID and phone
  numbers in the objection's free text; an individual's registry record once none of its
  applications is left unpurged (its name, ID number ciphertext, hash and masked form);
- the skeleton stays: states, dates, scores, decisions, notices and the government's acts (public
  documents), bans (a ban binds for its term), and the history: its chain is append-only and is
  never rewritten, so ``qaward audit verify`` still verifies. A purge appends one entry
  (``retention_purge``) to the application's chain naming what it removed (each file's SHA-256),
  and the run is recorded with its ledger (``retention_runs``, ``retention_purges``);
- nothing under a legal hold (the application, its applicant's record or its round).

Each application is purged in its own transaction (a long run commits as it goes and a re-run
finishes the job); a purged application is closed in the ledger, so a second run finds nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from app.config import Settings
from app.db.models.intake import Applicant
from app.db.models.retention import RetentionPurge, RetentionRun
from app.db.models.workflow import Application
from app.db.repositories import clock as clock_repo
from app.db.repositories import retention as repo
from app.db.repositories.stored_files import TABLES_BY_AREA
from app.db.session import Database
from app.domain import clock, history, personal_data
from app.domain.files import blobs
from app.domain.programmes.effective import effective_programme
from app.domain.states import FINAL_STATES, ApplicationState, RoundState

EVENT = "retention_purge"
ACTOR = history.Actor("system", "system")
PURGED_NAME = "（个人信息已删除）"
CLOSED_ROUNDS = [RoundState.ANNOUNCED.value, RoundState.ARCHIVED.value]
FINAL_ANSWERS = sorted([ApplicationState.AWARDED.value, *(s.value for s in FINAL_STATES)])

Progress = Callable[[str, int, int], None]
# the blob store's area of each table naming stored files (what the sweep of orphans lists too)
AREA_OF = {table: area for area, tables in TABLES_BY_AREA.items() for table in tables}


def _quiet(what: str, done: int, total: int) -> None:
    return None


@dataclass
class Due:
    """One closed application and its retention."""

    application_id: uuid.UUID
    round_id: uuid.UUID
    round_label: str
    programme: str
    state: str
    applicant_id: uuid.UUID | None
    applicant_kind: str
    retention_years: int | None
    clause: str | None
    stated: bool
    round_ended_on: date
    counted_from: date
    expires_on: date | None  # None: the programme keeps it (no period)
    holds: list[dict] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)
    redacted: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "application_id": str(self.application_id),
            "round_id": str(self.round_id),
            "round": self.round_label,
            "programme": self.programme,
            "state": self.state,
            "retention": {
                "years": self.retention_years,
                "clause": self.clause,
                "stated": self.stated,
                "round_ended_on": self.round_ended_on.isoformat(),
                "counted_from": self.counted_from.isoformat(),
                "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            },
            "files": self.files,
            "redacted": self.redacted,
        }


@dataclass
class RunReport:
    """What a run found (dry) or did (``--apply``)."""

    as_of: date
    applied: bool
    run_id: uuid.UUID | None = None
    due: list[Due] = field(default_factory=list)  # past retention, not held: purged when applied
    held: list[Due] = field(default_factory=list)
    not_yet: int = 0
    applicants: list[dict] = field(default_factory=list)

    @property
    def files(self) -> int:
        return sum(len(d.files) for d in self.due)

    @property
    def bytes(self) -> int:
        return sum(f["size"] for d in self.due for f in d.files)


def expiry(round_end_local: date, years: int | None) -> tuple[date, date | None]:
    """(the day the years are counted from, the first day past retention)."""
    counted_from = date(round_end_local.year + 1, 1, 1)
    if years is None:
        return counted_from, None
    return counted_from, counted_from.replace(year=counted_from.year + years)


def _personal_form_keys(prog) -> set[str]:
    return {f.key for f in prog.application.form.fields if f.personal or f.type == "phone"}


async def _judge(session, as_of: date) -> tuple[list[Due], list[Due], int]:
    """(past retention and not held, past retention but held, not yet past) among closed applications."""
    rows = await repo.closed_applications(session, CLOSED_ROUNDS)
    ends: dict[uuid.UUID, date] = {}
    due, held, not_yet = [], [], 0
    for r in rows:
        if r.round_id not in ends:
            end: datetime | None = await repo.round_end(session, r.round_id, FINAL_ANSWERS)
            ends[r.round_id] = max(end or r.closes_at, r.closes_at).astimezone(clock.SHANGHAI).date()
        prog = effective_programme(r.programme, r.programme_version, r.overrides)
        years = prog.records.retention_years
        counted_from, expires_on = expiry(ends[r.round_id], years)
        if expires_on is None or as_of < expires_on:
            not_yet += 1
            continue
        d = Due(
            r.id,
            r.round_id,
            r.label,
            r.programme,
            r.state,
            r.applicant_id,
            r.applicant_kind,
            years,
            prog.records.clause,
            prog.records.stated,
            ends[r.round_id],
            counted_from,
            expires_on,
        )
        holds = await repo.holds_covering(session, r.id, r.applicant_id, r.round_id)
        if holds:
            d.holds = [{"id": str(h.id), "scope": h.scope, "reason": h.reason} for h in holds]
            held.append(d)
        else:
            due.append(d)
    return due, held, not_yet


async def _files_to_delete(session, app_id: uuid.UUID) -> list[tuple[str, object]]:
    files = await repo.stored_files_of(session, app_id)
    done: set[str] = set()
    for table in {t for t, _ in files}:
        done |= {
            f"{table}:{k}"
            for k in await repo.purged_keys(
                session, table, [str(row.id) for t, row in files if t == table], "file_deleted"
            )
        }
    return [(t, row) for t, row in files if f"{t}:{row.id}" not in done]


def _file_line(table: str, row) -> dict:
    return {
        "table": table,
        "id": str(row.id),
        "kind": getattr(row, "kind", None) or getattr(row, "source", None) or "unit_posting_proof",
        "size": row.size,
        "sha256": row.sha256,
    }


def _redact_fields(fields: dict | None, keys: set[str]) -> tuple[dict | None, list[str]]:
    if not fields:
        return fields, []
    hit = sorted(k for k in keys if fields.get(k) not in (None, ""))
    return ({k: (None if k in hit else v) for k, v in fields.items()}, hit)


def _redact_text(value: str | None) -> str | None:
    return personal_data.redact(value) if value else value


async def _redact(session, app: Application, prog) -> list[str]:
    """Redact the application's personal data in place; the columns changed, as ``table.column``."""
    out: list[str] = []
    if app.applicant_kind == "individual":
        if app.applicant_name != PURGED_NAME:
            app.applicant_name = PURGED_NAME
            out.append("applications.applicant_name")
        if app.id_number_hash is not None or app.id_number_masked is not None:
            app.id_number_hash = app.id_number_masked = None
            out.append("applications.id_number")
    keys = _personal_form_keys(prog)
    form, snapshots, objections, findings = await repo.personal_records_of(session, app.id)
    if form is not None:
        form.fields, hit = _redact_fields(form.fields, keys)
        out += [f"application_forms.fields.{k}" for k in hit]
    for s in snapshots:
        if s.form and s.form.get("fields"):
            fields, hit = _redact_fields(s.form["fields"], keys)
            if hit:
                s.form = {**s.form, "fields": fields}
                out += [f"application_snapshots[{s.seq}].form.fields.{k}" for k in hit]
    for o in objections:
        changed = []
        if o.objector_kind == "person" and o.objector_name != PURGED_NAME:
            o.objector_name = PURGED_NAME
            changed.append("objector_name")
        for col in ("objector_id_number_hash", "objector_id_number_masked", "objector_contact_person"):
            if getattr(o, col) is not None:
                setattr(o, col, None)
                changed.append(col)
        if o.objector_phone:
            o.objector_phone = ""
            changed.append("objector_phone")
        for col in ("facts", "reasons", "decision_reasons", "identity_confirmation"):
            before = getattr(o, col)
            after = _redact_text(before)
            if after != before:
                setattr(o, col, after)
                changed.append(col)
        out += [f"objections[{o.receipt_no}].{c}" for c in changed]
    for f in findings:
        after = _redact_text(f.text)
        if after != f.text:
            f.text = after
            out.append(f"objection_findings[{f.id}].text")
    return out


async def _redact_applicant(applicant: Applicant) -> list[str]:
    out = []
    if applicant.kind != "individual":
        return out
    if applicant.name != PURGED_NAME:
        applicant.name = PURGED_NAME
        out.append("applicants.name")
    if applicant.id_number_ciphertext is not None or applicant.id_number_hash or applicant.id_number_masked:
        applicant.id_number_ciphertext = None
        applicant.id_number_hash = applicant.id_number_masked = None
        out.append("applicants.id_number")
    return out


async def _test_clock(session, settings: Settings) -> None:
    if not settings.production:
        clock.set_frozen(await clock_repo.read(session))


async def run(
    db: Database, settings: Settings, *, apply: bool = False, actor: str = "cli", progress: Progress = _quiet
) -> RunReport:
    """A retention run: what is past retention and not held; purged when ``apply``."""
    async with db.transaction() as session:
        await _test_clock(session, settings)
        as_of = clock.today()
        due, held, not_yet = await _judge(session, as_of)
        for d in due:
            d.files = [_file_line(t, row) for t, row in await _files_to_delete(session, d.application_id)]
    report = RunReport(as_of, apply, due=due, held=held, not_yet=not_yet)
    if not apply:
        await _what_would_be_redacted(db, due)
        return report
    store = blobs.store_for(settings)
    applicants: set[uuid.UUID] = set()
    report.due = []
    for i, d in enumerate(due, 1):
        if report.run_id is None:
            report.run_id = await _start_run(db, as_of, actor)
        outcome = await _purge_one(db, store, report.run_id, d)
        if outcome == "purged":
            report.due.append(d)
            if d.applicant_id is not None:
                applicants.add(d.applicant_id)
        elif outcome == "held":
            report.held.append(d)
        progress("purging", i, len(due))
    for applicant_id in sorted(applicants):
        line = await _purge_applicant(db, report.run_id, applicant_id)
        if line:
            report.applicants.append(line)
    if report.run_id is not None:
        async with db.transaction() as session:
            run_row = await repo.get_run(session, report.run_id)
            run_row.finished_at = clock.now()
            run_row.summary = {
                "applications": [d.summary() for d in report.due],
                "applicants": report.applicants,
                "held": [{"application_id": str(h.application_id), "holds": h.holds} for h in held],
                "files": report.files,
                "bytes": report.bytes,
            }
    return report


async def _what_would_be_redacted(db: Database, due: list[Due]) -> None:
    """The personal data a purge would redact, found by redacting in a transaction rolled back."""
    async with db.sessionmaker() as session:
        await session.begin()
        try:
            for d in due:
                app = await repo.application(session, d.application_id)
                if app is not None:
                    d.redacted = await _redact(
                        session, app, effective_programme(d.programme, app.programme_version, None)
                    )
        finally:
            await session.rollback()


async def _start_run(db: Database, as_of: date, actor: str) -> uuid.UUID:
    run_id = uuid.uuid4()
    async with db.transaction() as session:
        repo.add_run(
            session,
            RetentionRun(id=run_id, started_at=clock.now(), as_of=as_of, actor=actor, applied=True, summary={}),
        )
    return run_id


async def _purge_one(db: Database, store, run_id: uuid.UUID, d: Due) -> str:
    """``purged``, ``held`` (a hold set since the listing) or ``gone`` (another run purged it meanwhile)."""
    async with db.transaction() as session:
        await repo.lock_holds(session, shared=True)
        # a hold set since the listing wins: nothing of it is touched (its lock was taken first)
        holds = await repo.holds_covering(session, d.application_id, d.applicant_id, d.round_id)
        if holds:
            d.holds = [{"id": str(h.id), "scope": h.scope, "reason": h.reason} for h in holds]
            return "held"
        app = await repo.application_for_update(session, d.application_id)
        if app is None or await repo.purged_keys(session, "applications", [str(app.id)], "closed"):
            return "gone"
        now = clock.now()
        prog = effective_programme(d.programme, app.programme_version, None)
        files = await _files_to_delete(session, app.id)
        d.files = []
        for table, row in files:
            # deleting an absent object is a no-op: a run killed after this delete and before its
            # commit deletes nothing twice and records the file on the re-run
            await store.delete(f"{AREA_OF[table]}/{blobs.check_key(row.storage_key)}")
            line = _file_line(table, row)
            d.files.append(line)
            repo.add_purge(
                session,
                RetentionPurge(
                    run_id=run_id,
                    application_id=app.id,
                    record_table=table,
                    record_id=str(row.id),
                    action="file_deleted",
                    detail=line,
                    purged_at=now,
                ),
            )
        d.redacted = await _redact(session, app, prog)
        app.version += 1
        app.updated_at = now
        record = d.summary()
        await history.append(
            session,
            app,
            history.Actor(ACTOR.sub, ACTOR.role, f"retention:{run_id}"),
            EVENT,
            app.state,
            app.state,
            True,
            # the clause where the text states the period; the service's default otherwise
            f"保存期限届满（{d.retention_years}年，{d.clause or '办法未规定，默认'}），删除存储文件与个人信息",
            {"run_id": str(run_id), **{k: v for k, v in record.items() if k != "application_id"}},
            None,
            now,
        )
        repo.add_purge(
            session,
            RetentionPurge(
                run_id=run_id,
                application_id=app.id,
                record_table="applications",
                record_id=str(app.id),
                action="closed",
                detail={"files": len(d.files), "redacted": d.redacted, "history_seq": app.history_seq},
                purged_at=now,
            ),
        )
        await session.flush()
    return "purged"


async def _purge_applicant(db: Database, run_id: uuid.UUID, applicant_id: uuid.UUID) -> dict | None:
    """An individual's registry record, once none of its applications is left unpurged and none is held."""
    async with db.transaction() as session:
        await repo.lock_holds(session, shared=True)
        if await repo.active_applicant_hold(session, applicant_id):
            return None
        if await repo.applications_of_applicant_not_closed(session, applicant_id):
            return None
        applicant = await repo.applicant_for_update(session, applicant_id)
        if applicant is None or await repo.purged_keys(session, "applicants", [str(applicant_id)], "redacted"):
            return None
        changed = await _redact_applicant(applicant)
        if not changed:
            return None
        line = {"applicant_id": str(applicant_id), "redacted": changed}
        repo.add_purge(
            session,
            RetentionPurge(
                run_id=run_id,
                application_id=None,
                record_table="applicants",
                record_id=str(applicant_id),
                action="redacted",
                detail=line,
                purged_at=clock.now(),
            ),
        )
        applicant.version += 1
        await session.flush()
    return line
