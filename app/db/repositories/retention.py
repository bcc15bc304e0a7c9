"""Legal holds, retention runs and the purge ledger (the only SQL of retention, issue 17)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String, and_, cast, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.intake import Applicant, ApplicationForm, ApplicationMaterial, ApplicationSnapshot
from app.db.models.notices import NoticeEntry, Objection, ObjectionFile, ObjectionFinding, UnitPostingProof
from app.db.models.retention import LegalHold, RetentionPurge, RetentionRun
from app.db.models.workflow import Application, ApplicationEvent, Round

# one key for every hold change and every purge: setting a hold waits for the purges running, and
# a purge started after the hold committed sees it (a purge takes it shared, a hold exclusive)
_HOLDS_LOCK = "SELECT pg_advisory_xact_lock{shared}(hashtext('qaward.legal_holds'))"


async def lock_holds(session: AsyncSession, *, shared: bool) -> None:
    await session.execute(text(_HOLDS_LOCK.format(shared="_shared" if shared else "")))


# --- holds -----------------------------------------------------------------------------------


async def target_exists(session: AsyncSession, scope: str, target_id: uuid.UUID) -> bool:
    model = {"application": Application, "applicant": Applicant, "round": Round}[scope]
    return (await session.scalar(select(func.count()).select_from(model).where(model.id == target_id))) > 0


# locked reads return the row as locked, replacing a copy an earlier read left in the session (else a lost update)
async def hold_for_update(session: AsyncSession, hold_id: uuid.UUID) -> LegalHold | None:
    return await session.scalar(
        select(LegalHold).where(LegalHold.id == hold_id).with_for_update().execution_options(populate_existing=True)
    )


async def get_hold(session: AsyncSession, hold_id: uuid.UUID) -> LegalHold | None:
    return await session.get(LegalHold, hold_id)


async def page_holds(
    session: AsyncSession, active: bool | None, scope: str | None, target_id: uuid.UUID | None, offset: int, limit: int
) -> tuple[list[LegalHold], int]:
    where = []
    if active is not None:
        where.append(LegalHold.lifted_at.is_(None) if active else LegalHold.lifted_at.is_not(None))
    if scope is not None:
        where.append(LegalHold.scope == scope)
    if target_id is not None:
        where.append(LegalHold.target_id == target_id)
    total = await session.scalar(select(func.count()).select_from(LegalHold).where(*where))
    rows = await session.scalars(
        select(LegalHold).where(*where).order_by(LegalHold.set_at.desc(), LegalHold.id).offset(offset).limit(limit)
    )
    return list(rows), total or 0


def _covering(app_id, applicant_id, round_id):
    return and_(
        LegalHold.lifted_at.is_(None),
        or_(
            and_(LegalHold.scope == "application", LegalHold.target_id == app_id),
            and_(LegalHold.scope == "applicant", LegalHold.target_id == applicant_id),
            and_(LegalHold.scope == "round", LegalHold.target_id == round_id),
        ),
    )


async def holds_covering(
    session: AsyncSession, app_id: uuid.UUID, applicant_id: uuid.UUID | None, round_id: uuid.UUID
) -> list[LegalHold]:
    """The holds in force on the application itself, its applicant's record or its round."""
    rows = await session.scalars(select(LegalHold).where(_covering(app_id, applicant_id, round_id)))
    return list(rows)


async def active_applicant_hold(session: AsyncSession, applicant_id: uuid.UUID) -> bool:
    found = await session.scalar(
        select(func.count())
        .select_from(LegalHold)
        .where(LegalHold.lifted_at.is_(None), LegalHold.scope == "applicant", LegalHold.target_id == applicant_id)
    )
    return bool(found)


# --- what retention looks at -----------------------------------------------------------------


async def closed_applications(session: AsyncSession, round_states: list[str]) -> list:
    """The applications of rounds in ``round_states`` not yet closed by a purge, oldest first,
    each with its round's programme binding."""
    closed = select(RetentionPurge.id).where(
        RetentionPurge.record_table == Application.__tablename__,
        RetentionPurge.record_id == cast(Application.id, String),
        RetentionPurge.action == "closed",
    )
    rows = await session.execute(
        select(
            Application.id,
            Application.round_id,
            Application.applicant_id,
            Application.applicant_kind,
            Application.state,
            Round.programme,
            Round.programme_version,
            Round.overrides,
            Round.label,
            Round.closes_at,
        )
        .join(Round, Round.id == Application.round_id)
        .where(Round.state.in_(round_states), ~closed.exists())
        .order_by(Application.created_at, Application.id)
    )
    return list(rows)


async def round_end(session: AsyncSession, round_id: uuid.UUID, final_states: list[str]) -> datetime | None:
    """When the round's last application got its final answer: per application, the first accepted
    entry of its history reaching one of ``final_states``; the latest of these."""
    first = (
        select(func.min(ApplicationEvent.occurred_at).label("at"))
        .join(Application, Application.id == ApplicationEvent.application_id)
        .where(
            Application.round_id == round_id,
            ApplicationEvent.accepted.is_(True),
            ApplicationEvent.to_state.in_(final_states),
        )
        .group_by(ApplicationEvent.application_id)
        .subquery()
    )
    return await session.scalar(select(func.max(first.c.at)))


async def application(session: AsyncSession, app_id: uuid.UUID) -> Application | None:
    return await session.get(Application, app_id)


# locked reads return the row as locked, replacing a copy an earlier read left in the session (else a lost update)
async def application_for_update(session: AsyncSession, app_id: uuid.UUID) -> Application | None:
    return await session.scalar(
        select(Application).where(Application.id == app_id).with_for_update().execution_options(populate_existing=True)
    )


async def applicant_for_update(session: AsyncSession, applicant_id: uuid.UUID) -> Applicant | None:
    return await session.scalar(
        select(Applicant)
        .where(Applicant.id == applicant_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def purged_keys(session: AsyncSession, table: str, ids: list[str], action: str) -> set[str]:
    if not ids:
        return set()
    rows = await session.scalars(
        select(RetentionPurge.record_id).where(
            RetentionPurge.record_table == table, RetentionPurge.record_id.in_(ids), RetentionPurge.action == action
        )
    )
    return set(rows)


async def stored_files_of(session: AsyncSession, app_id: uuid.UUID) -> list[tuple[str, object]]:
    """Every stored file an application's records name: its materials (review reports included), its
    objections' evidence and its unit-posting proofs, as (table, row)."""
    out: list[tuple[str, object]] = []
    for m in await session.scalars(
        select(ApplicationMaterial)
        .where(ApplicationMaterial.application_id == app_id)
        .order_by(ApplicationMaterial.created_at, ApplicationMaterial.id)
    ):
        out.append((ApplicationMaterial.__tablename__, m))
    for f in await session.scalars(
        select(ObjectionFile)
        .join(Objection, Objection.id == ObjectionFile.objection_id)
        .where(Objection.application_id == app_id)
        .order_by(ObjectionFile.uploaded_at, ObjectionFile.id)
    ):
        out.append((ObjectionFile.__tablename__, f))
    for p in await session.scalars(
        select(UnitPostingProof)
        .join(NoticeEntry, NoticeEntry.id == UnitPostingProof.entry_id)
        .where(NoticeEntry.application_id == app_id)
        .order_by(UnitPostingProof.uploaded_at, UnitPostingProof.id)
    ):
        out.append((UnitPostingProof.__tablename__, p))
    return out


async def personal_records_of(session: AsyncSession, app_id: uuid.UUID):
    """The rows of an application holding personal data besides the application itself."""
    form = await session.get(ApplicationForm, app_id)
    snapshots = list(
        await session.scalars(
            select(ApplicationSnapshot)
            .where(ApplicationSnapshot.application_id == app_id)
            .order_by(ApplicationSnapshot.seq)
        )
    )
    objections = list(
        await session.scalars(
            select(Objection).where(Objection.application_id == app_id).order_by(Objection.received_at, Objection.id)
        )
    )
    findings = list(
        await session.scalars(
            select(ObjectionFinding)
            .join(Objection, Objection.id == ObjectionFinding.objection_id)
            .where(Objection.application_id == app_id)
            .order_by(ObjectionFinding.recorded_at, ObjectionFinding.id)
        )
    )
    return form, snapshots, objections, findings


async def applications_of_applicant_not_closed(session: AsyncSession, applicant_id: uuid.UUID) -> int:
    """How many of the applicant's applications a purge has not closed yet (any round)."""
    closed = select(RetentionPurge.id).where(
        RetentionPurge.record_table == Application.__tablename__,
        RetentionPurge.record_id == cast(Application.id, String),
        RetentionPurge.action == "closed",
    )
    return (
        await session.scalar(
            select(func.count())
            .select_from(Application)
            .where(Application.applicant_id == applicant_id, ~closed.exists())
        )
    ) or 0


# --- runs and the ledger ---------------------------------------------------------------------


def add_run(session: AsyncSession, run: RetentionRun) -> None:
    session.add(run)


def add_purge(session: AsyncSession, line: RetentionPurge) -> None:
    session.add(line)


async def get_run(session: AsyncSession, run_id: uuid.UUID) -> RetentionRun | None:
    return await session.get(RetentionRun, run_id)


async def ledger_of_run(session: AsyncSession, run_id: uuid.UUID) -> list[RetentionPurge]:
    rows = await session.scalars(
        select(RetentionPurge).where(RetentionPurge.run_id == run_id).order_by(RetentionPurge.id)
    )
    return list(rows)
