"""The expert review's tables (the only SQL for them): pool, conflicts, panels, assignments, scores."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Exists, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.review import (
    Assignment,
    ConflictDeclaration,
    ConflictOverride,
    Consensus,
    Expert,
    OnsiteList,
    Panel,
    PanelMember,
    ScoreSheet,
    StageReport,
)
from app.db.models.workflow import Application


async def add(session: AsyncSession, row: object) -> None:
    session.add(row)
    await session.flush()


async def insert_expert(session: AsyncSession, values: dict) -> Expert | None:
    """The new expert, or None when the programme's pool already holds the subject (however requests race)."""
    stmt = (
        insert(Expert)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[Expert.programme, Expert.subject])
        .returning(Expert.id)
    )
    new_id = (await session.execute(stmt)).scalar_one_or_none()
    return None if new_id is None else await get_expert(session, new_id)


async def insert_override(session: AsyncSession, values: dict) -> ConflictOverride | None:
    """The override, or None when one is already recorded for the expert and application (however requests race)."""
    stmt = (
        insert(ConflictOverride)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[ConflictOverride.expert_id, ConflictOverride.application_id])
        .returning(ConflictOverride.id)
    )
    new_id = (await session.execute(stmt)).scalar_one_or_none()
    if new_id is None:
        return None
    return (await session.execute(select(ConflictOverride).where(ConflictOverride.id == new_id))).scalar_one()


async def insert_report(session: AsyncSession, values: dict) -> StageReport | None:
    """The stage report, or None when the application already has one of its kind (however panels race)."""
    stmt = (
        insert(StageReport)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[StageReport.application_id, StageReport.kind])
        .returning(StageReport.id)
    )
    new_id = (await session.execute(stmt)).scalar_one_or_none()
    if new_id is None:
        return None
    return (await session.execute(select(StageReport).where(StageReport.id == new_id))).scalar_one()


# --- experts -------------------------------------------------------------------------------------


async def get_expert(session: AsyncSession, expert_id: uuid.UUID, *, for_update: bool = False) -> Expert | None:
    stmt = select(Expert).where(Expert.id == expert_id)
    if for_update:
        # the row as locked replaces a copy an earlier read left in the session (else a lost update)
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def expert_by_subject(session: AsyncSession, programme: str, subject: str) -> Expert | None:
    stmt = select(Expert).where(Expert.programme == programme, Expert.subject == subject)
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_experts(
    session: AsyncSession, where: ColumnElement[bool], offset: int, limit: int
) -> tuple[list[Expert], int]:
    total = (await session.execute(select(func.count()).select_from(Expert).where(where))).scalar_one()
    rows = (
        (
            await session.execute(
                select(Expert).where(where).order_by(Expert.name, Expert.id).offset(offset).limit(limit)
            )
        )
        .scalars()
        .all()
    )
    return list(rows), total


async def experts(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Expert]:
    return list((await session.execute(select(Expert).where(Expert.id.in_(list(ids))))).scalars().all())


# --- conflicts -----------------------------------------------------------------------------------


async def declarations_about(
    session: AsyncSession, expert_id: uuid.UUID, application_id: uuid.UUID, credit_code: str | None
) -> list[ConflictDeclaration]:
    """The expert's declarations naming the application or its applicant's credit code."""
    target = [ConflictDeclaration.application_id == application_id]
    if credit_code:
        target.append(ConflictDeclaration.credit_code == credit_code)
    stmt = (
        select(ConflictDeclaration)
        .where(ConflictDeclaration.expert_id == expert_id, or_(*target))
        .order_by(ConflictDeclaration.declared_at, ConflictDeclaration.id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def declarations_of(session: AsyncSession, expert_id: uuid.UUID) -> list[ConflictDeclaration]:
    stmt = (
        select(ConflictDeclaration)
        .where(ConflictDeclaration.expert_id == expert_id)
        .order_by(ConflictDeclaration.declared_at, ConflictDeclaration.id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def override_for(
    session: AsyncSession, expert_id: uuid.UUID, application_id: uuid.UUID
) -> ConflictOverride | None:
    stmt = select(ConflictOverride).where(
        ConflictOverride.expert_id == expert_id, ConflictOverride.application_id == application_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def overrides_of_round(session: AsyncSession, round_id: uuid.UUID) -> list[ConflictOverride]:
    """Every conflict override on an application of the round, oldest first."""
    stmt = (
        select(ConflictOverride)
        .join(Application, Application.id == ConflictOverride.application_id)
        .where(Application.round_id == round_id)
        .order_by(ConflictOverride.decided_at, ConflictOverride.id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def overrides_of(session: AsyncSession, expert_id: uuid.UUID) -> list[ConflictOverride]:
    stmt = (
        select(ConflictOverride)
        .where(ConflictOverride.expert_id == expert_id)
        .order_by(ConflictOverride.decided_at, ConflictOverride.id)
    )
    return list((await session.execute(stmt)).scalars().all())


# --- panels and assignments ----------------------------------------------------------------------


async def get_panel(session: AsyncSession, panel_id: uuid.UUID, *, for_update: bool = False) -> Panel | None:
    stmt = select(Panel).where(Panel.id == panel_id)
    if for_update:
        # the row as locked replaces a copy an earlier read left in the session (else a lost update)
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def members(session: AsyncSession, panel_id: uuid.UUID) -> list[PanelMember]:
    stmt = select(PanelMember).where(PanelMember.panel_id == panel_id).order_by(PanelMember.expert_id)
    return list((await session.execute(stmt)).scalars().all())


async def member(session: AsyncSession, panel_id: uuid.UUID, expert_id: uuid.UUID) -> PanelMember | None:
    stmt = select(PanelMember).where(PanelMember.panel_id == panel_id, PanelMember.expert_id == expert_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_assignment(
    session: AsyncSession, assignment_id: uuid.UUID, *, for_update: bool = False
) -> Assignment | None:
    stmt = select(Assignment).where(Assignment.id == assignment_id)
    if for_update:
        # the row as locked replaces a copy an earlier read left in the session (else a lost update)
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def assignments_of(
    session: AsyncSession,
    panel_id: uuid.UUID,
    application_id: uuid.UUID | None = None,
    status: str | None = None,
    *,
    for_update: bool = False,
) -> list[Assignment]:
    """``for_update``: locked in id order (an expert's recusal or sheet racing the change waits, then is seen)."""
    stmt = select(Assignment).where(Assignment.panel_id == panel_id)
    if application_id is not None:
        stmt = stmt.where(Assignment.application_id == application_id)
    if status is not None:
        stmt = stmt.where(Assignment.status == status)
    if for_update:
        locked = stmt.order_by(Assignment.id).with_for_update().execution_options(populate_existing=True)
        return list((await session.execute(locked)).scalars().all())
    return list((await session.execute(stmt.order_by(Assignment.created_at, Assignment.id))).scalars().all())


async def open_assignments_of_expert(
    session: AsyncSession, expert_id: uuid.UUID, *, for_update: bool = False
) -> list[Assignment]:
    stmt = select(Assignment).where(Assignment.expert_id == expert_id, Assignment.status == "open")
    if for_update:
        # locked in id order, as ``assignments_of``: a recusal racing the voiding waits, then is seen
        locked = stmt.order_by(Assignment.id).with_for_update().execution_options(populate_existing=True)
        return list((await session.execute(locked)).scalars().all())
    return list((await session.execute(stmt.order_by(Assignment.created_at, Assignment.id))).scalars().all())


async def open_loads(session: AsyncSession, panel_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """Open assignments per expert of the panel (the load an assignment balances)."""
    stmt = (
        select(Assignment.expert_id, func.count())
        .where(Assignment.panel_id == panel_id, Assignment.status == "open")
        .group_by(Assignment.expert_id)
    )
    return {e: n for e, n in (await session.execute(stmt)).all()}


async def get_application(session: AsyncSession, application_id: uuid.UUID) -> Application | None:
    return (await session.execute(select(Application).where(Application.id == application_id))).scalar_one_or_none()


async def applications(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Application]:
    stmt = select(Application).where(Application.id.in_(list(ids)))
    return list((await session.execute(stmt)).scalars().all())


# --- scores, consensus, reports ------------------------------------------------------------------


async def score_of(session: AsyncSession, assignment_id: uuid.UUID) -> ScoreSheet | None:
    stmt = select(ScoreSheet).where(ScoreSheet.assignment_id == assignment_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def scores_of(session: AsyncSession, panel_id: uuid.UUID, application_id: uuid.UUID) -> list[ScoreSheet]:
    stmt = (
        select(ScoreSheet)
        .where(ScoreSheet.panel_id == panel_id, ScoreSheet.application_id == application_id)
        .order_by(ScoreSheet.submitted_at, ScoreSheet.id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def consensus_of(session: AsyncSession, panel_id: uuid.UUID, application_id: uuid.UUID) -> Consensus | None:
    stmt = select(Consensus).where(Consensus.panel_id == panel_id, Consensus.application_id == application_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def consensus_for_stage(session: AsyncSession, application_id: uuid.UUID, stage: str) -> Consensus | None:
    stmt = (
        select(Consensus)
        .where(Consensus.application_id == application_id, Consensus.stage == stage)
        .order_by(Consensus.recorded_at.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def consensus_in_round(
    session: AsyncSession, round_id: uuid.UUID, stage: str
) -> list[tuple[Consensus, Application]]:
    stmt = (
        select(Consensus, Application)
        .join(Panel, Panel.id == Consensus.panel_id)
        .join(Application, Application.id == Consensus.application_id)
        .where(Panel.round_id == round_id, Consensus.stage == stage)
    )
    return [(c, a) for c, a in (await session.execute(stmt)).all()]


async def report_kinds(session: AsyncSession, application_id: uuid.UUID) -> set[str]:
    stmt = select(StageReport.kind).where(StageReport.application_id == application_id)
    return set((await session.execute(stmt)).scalars().all())


async def report_of(session: AsyncSession, application_id: uuid.UUID, kind: str) -> StageReport | None:
    stmt = select(StageReport).where(StageReport.application_id == application_id, StageReport.kind == kind)
    return (await session.execute(stmt)).scalar_one_or_none()


async def onsite_list(
    session: AsyncSession, round_id: uuid.UUID, stage: str, tier: str, category: str
) -> OnsiteList | None:
    stmt = select(OnsiteList).where(
        OnsiteList.round_id == round_id,
        OnsiteList.stage == stage,
        OnsiteList.tier == tier,
        OnsiteList.category == category,
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def onsite_lists(session: AsyncSession, round_id: uuid.UUID, stage: str) -> list[OnsiteList]:
    stmt = select(OnsiteList).where(OnsiteList.round_id == round_id, OnsiteList.stage == stage)
    return list((await session.execute(stmt)).scalars().all())


async def previous_consensus(
    session: AsyncSession, app: Application, stage: str
) -> tuple[Consensus, Application] | None:
    """The latest consensus of the same applicant's earlier application in the same programme."""
    same = []
    if app.credit_code:
        same.append(Application.credit_code == app.credit_code)
    if app.id_number_hash:
        same.append(Application.id_number_hash == app.id_number_hash)
    if not same:
        return None
    stmt = (
        select(Consensus, Application)
        .join(Application, Application.id == Consensus.application_id)
        .where(
            or_(*same),
            Application.programme == app.programme,
            Application.id != app.id,
            Application.created_at < app.created_at,
            Consensus.stage == stage,
        )
        .order_by(Application.created_at.desc(), Consensus.recorded_at.desc())
        .limit(1)
    )
    row = (await session.execute(stmt)).first()
    return None if row is None else (row[0], row[1])


def open_pledged_assignment(programme: str, subject: str, application_id: object) -> Exists:
    """The subject is an expert of the programme holding an open assignment of the application in a
    panel whose pledge it accepted, while active (jinshan-21a, hangzhou-6.2a, linyi-20a): the one SQL of the rule,
    for a single application (``application_id`` a value) and for a list (the correlated column)."""
    return (
        select(Assignment.id)
        .join(Expert, Expert.id == Assignment.expert_id)
        .join(PanelMember, (PanelMember.panel_id == Assignment.panel_id) & (PanelMember.expert_id == Expert.id))
        .where(
            Expert.programme == programme,
            Expert.subject == subject,
            Assignment.application_id == application_id,
            Assignment.status == "open",
            PanelMember.pledged_at.is_not(None),
            # a suspended or disqualified expert reads nothing through it (jinshan-21b, changning-28b)
            Expert.status == "active",
        )
        .exists()
    )


async def has_open_pledged_assignment(
    session: AsyncSession, programme: str, subject: str, application_id: uuid.UUID
) -> bool:
    return bool((await session.execute(select(open_pledged_assignment(programme, subject, application_id)))).scalar())


async def applications_with_open_pledged_assignment(
    session: AsyncSession, programme: str, subject: str, application_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Those of ``application_ids`` the subject holds an open, pledged assignment of."""
    if not application_ids:
        return set()
    stmt = select(Application.id).where(
        Application.id.in_(list(application_ids)),
        open_pledged_assignment(programme, subject, Application.id),
    )
    return set((await session.execute(stmt)).scalars().all())


async def panels_of_round(session: AsyncSession, round_id: uuid.UUID) -> list[Panel]:
    stmt = select(Panel).where(Panel.round_id == round_id).order_by(Panel.created_at, Panel.id)
    return list((await session.execute(stmt)).scalars().all())
