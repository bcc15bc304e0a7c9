"""Winners' post-award duties as durable deadlines (获奖后义务期限): scheduled, received, overdue.

At the commendation decision (表彰决定: the act that names the winners and dates the award) each
winner's scheduled duties become rows with their due days (``schedule``): jinshan-24b's three
yearly performance reports, hangzhou-6.4a's two-yearly self-assessment reports, the office's
follow-up visits (changning-36a, jinshan-28a) and periodic evaluations (linyi-25a). A winner's
report is a material (kind ``duty_report``) through the one file intake; it makes the duty
``received``. The deadline worker makes a duty whose last day has passed ``overdue`` and announces
it in the outbox (``duty.overdue``), in the same transaction.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import aftercare as access
from app.config import Settings
from app.db.models.aftercare import AwardDuty
from app.db.models.intake import ApplicationMaterial
from app.db.models.workflow import Application, Round
from app.db.repositories import aftercare as repo
from app.db.repositories import commendation as commendation_repo
from app.db.repositories import materials as materials_repo
from app.db.repositories import workflow as workflow_repo
from app.domain import clock, outbox
from app.domain.aftercare import schedule
from app.domain.calendar.service import current_calendar
from app.domain.errors import DomainError, conflict, invalid, not_found
from app.domain.files import intake
from app.domain.files.policy import MATERIAL
from app.domain.materials.records import material_of
from app.domain.programmes.version import ProgrammeVersion
from app.domain.review import confidentiality
from app.domain.states import ApplicationState
from app.identity import Principal

log = logging.getLogger("qaward.aftercare")

REPORT_KIND = "duty_report"  # the material kind of a duty's report
STATUSES = ("due", "overdue", "received", "cancelled")
OVERDUE_BATCH = 500


async def schedule_at_award(
    session: AsyncSession, rnd: Round, prog: ProgrammeVersion, winners: list[Application], awarded_on: date
) -> int:
    """Every scheduled duty of each winner the decision names, as rows (in the decision's transaction)."""
    cal = await current_calendar(session)
    now = clock.now()
    rows = []
    for duty in prog.post_award_duties:
        kind = schedule.kind_of(duty)
        if kind is None or duty.schedule is None:
            continue
        dues = [schedule.due_day(cal, y) for y in schedule.years(duty.schedule, awarded_on)]
        for app in winners:
            for seq, due in enumerate(dues, start=1):
                rows.append(
                    AwardDuty(
                        application_id=app.id,
                        round_id=rnd.id,
                        programme=rnd.programme,
                        duty=duty.id,
                        who=duty.who,
                        kind=kind,
                        clause=duty.clause,
                        sequence=seq,
                        year=due.nominal.year,
                        nominal_due_on=due.nominal,
                        due_on=due.day,
                        due_at=due.at,
                        calendar_revision=due.revision,
                        stated=schedule.stated(duty),
                        reading=duty.schedule.reading,
                        status="due",
                        received_late=False,
                        version=1,
                        created_at=now,
                    )
                )
    await repo.add_all(session, rows)
    return len(rows)


def _readable(principal: Principal):
    readable = access.readable_duties(principal)
    if readable is None:
        raise DomainError(
            "forbidden",
            403,
            "只有评审办公室、评审监督人员和获奖者本人可以查看获奖后义务",
            "Only the office, the supervision team and the winner itself read post-award duties",
            title="Forbidden",
        )
    return readable


async def list_duties(
    session: AsyncSession, principal: Principal, filters: dict, offset: int, limit: int
) -> tuple[list[tuple[AwardDuty, str]], int]:
    readable = _readable(principal)
    if filters.get("status") is not None and filters["status"] not in STATUSES:
        raise invalid("status", f"可选：{'、'.join(STATUSES)}", f"one of: {', '.join(STATUSES)}", "enum")
    return await repo.page_duties(session, readable, filters, offset, limit)


async def summary(session: AsyncSession, principal: Principal, filters: dict) -> dict[str, dict[str, int]]:
    """Per duty, how many are in each status (and ``all``, the total per status): what is due, overdue, received."""
    out: dict[str, dict[str, int]] = {"all": dict.fromkeys(STATUSES, 0)}
    for duty, status, n in await repo.duty_counts(session, _readable(principal), filters):
        out.setdefault(duty, dict.fromkeys(STATUSES, 0))[status] = n
        out["all"][status] += n
    return out


async def winner(
    session: AsyncSession,
    principal: Principal,
    app_id: uuid.UUID,
    may: Callable[[Principal, Application], bool],
    refusal: DomainError,
    *,
    for_update: bool = False,
):
    """The application the caller may see (404 otherwise) and act on (``may``, else ``refusal``), with its
    commendation's date; 409 ``/not-a-winner`` when it holds no award."""
    app = await workflow_repo.get_application(session, app_id, for_update=for_update)
    if app is None or not await confidentiality.may_view(session, principal, app, read=False):
        raise not_found("申报", "Application", app_id)
    if not may(principal, app):
        raise refusal
    commended = await commendation_repo.commendation_of(session, app.id)
    if commended is None or app.state != ApplicationState.AWARDED:
        raise conflict(
            "not-a-winner",
            "该申报不是（或已不再是）获奖者，没有获奖后义务",
            "This application holds no award (or no longer does): nothing follows an award",
            state=app.state,
        )
    return app, commended[1].issued_on


async def winner_name(session: AsyncSession, app_id: uuid.UUID) -> str:
    app = await workflow_repo.get_application(session, app_id)
    return app.applicant_name if app is not None else ""


def _forbidden(zh: str, en: str) -> DomainError:
    return DomainError("forbidden", 403, zh, en, title="Forbidden")


async def submit_report(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    after_rollback: list[Callable],
    app_id: uuid.UUID,
    duty_id: uuid.UUID,
    filename: str | None,
    content_length: int | None,
    chunks: AsyncIterator[bytes],
) -> tuple[AwardDuty, ApplicationMaterial]:
    """A winner's report against its duty (jinshan-24b, hangzhou-6.4a): a material, and the duty received."""
    app, _ = await winner(
        session,
        principal,
        app_id,
        access.submits_for,
        _forbidden("只有获奖者本人或评审办公室可以报送报告", "Only the winner or the office submits its report"),
    )
    await _open_duty(session, app.id, duty_id)
    upload = await intake.receive(settings, MATERIAL, filename, chunks, content_length)
    stored = await intake.store(settings, after_rollback, upload)
    # the duty locked once the file is stored: a report racing another finds it received
    duty = await _open_duty(session, app.id, duty_id, for_update=True)
    now = clock.now()
    material = await materials_repo.add_material(
        session,
        material_of(app.id, REPORT_KIND, stored, principal.sub, now),
    )
    _receive(duty, now, principal.sub)
    duty.material_id = material.id
    return duty, material


def _receive(duty: AwardDuty, now: datetime, by: str) -> None:
    duty.received_late = duty.status == "overdue" or now >= duty.due_at
    duty.status = "received"
    duty.received_at = now
    duty.received_by = by
    duty.version += 1


async def _open_duty(session: AsyncSession, app_id: uuid.UUID, duty_id: uuid.UUID, *, for_update: bool = False):
    duty = await repo.get_duty(session, duty_id, for_update=for_update)
    if duty is None or duty.application_id != app_id:
        raise invalid("duty_id", "不是该获奖者的义务", "is not a duty of this winner", "unknown")
    if duty.who != "winner":
        raise invalid(
            "duty_id",
            "该义务由评审办公室履行（跟踪管理），以登记回访完成",
            "is the office's duty (a follow-up), fulfilled by recording the visit",
            "office_duty",
        )
    if duty.status not in repo.OPEN:
        raise conflict(
            "duty-closed",
            "该义务已报送或已终止",
            "This duty was already received or has ended",
            duty_status=duty.status,
        )
    today = clock.today()
    if today.year < duty.year:
        raise conflict(
            "duty-not-open",
            f"该报告属于{duty.year}年，{duty.year}年1月1日起方可报送",
            f"This report is the one of {duty.year}; it is taken from 1 January {duty.year}",
            opens_on=date(duty.year, 1, 1).isoformat(),
        )
    return duty


async def receive_by_follow_up(
    session: AsyncSession, app_id: uuid.UUID, follow_up_id: uuid.UUID, by: str
) -> AwardDuty | None:
    """A recorded visit fulfils the winner's earliest open follow-up duty (changning-36a, jinshan-28a, linyi-25a)."""
    duty = await repo.earliest_open(session, app_id, "follow_up")
    if duty is None:
        return None
    _receive(duty, clock.now(), by)
    duty.follow_up_id = follow_up_id
    return duty


async def mark_overdue(session: AsyncSession, now: datetime) -> int:
    """Duties whose last day has passed become ``overdue``, each announced as ``duty.overdue`` (the worker's
    transaction). A provisional 31 December (its year's calendar was not loaded) is settled first: a
    rest day moves it on and it waits; still unknown, it waits too (the legal last day is never guessed)."""
    cal = None
    marked = 0
    claimed = await repo.claim_due(session, now, OVERDUE_BATCH, provisional=False)
    claimed += await repo.claim_due(session, now, OVERDUE_BATCH, provisional=True)
    for duty in claimed:
        if duty.calendar_revision is None:
            cal = cal or await current_calendar(session)
            due = schedule.due_day(cal, duty.year)
            if due.revision is None:
                continue
            duty.due_on, duty.due_at, duty.calendar_revision = due.day, due.at, due.revision
            if due.at > now:
                continue
        duty.status = "overdue"
        duty.overdue_at = now
        duty.version += 1
        marked += 1
        await outbox.emit(
            session,
            "duty.overdue",
            {
                "duty_id": str(duty.id),
                "application_id": str(duty.application_id),
                "programme": duty.programme,
                "round_id": str(duty.round_id),
                "duty": duty.duty,
                "clause": duty.clause,
                "who": duty.who,
                "year": duty.year,
                "due_on": duty.due_on.isoformat(),
                "due_at": duty.due_at.astimezone(clock.SHANGHAI).isoformat(),
                "overdue_at": now.astimezone(clock.SHANGHAI).isoformat(),
            },
            # the duty's own order: the worker holds its row, not the application's
            subject=f"duty:{duty.id}",
        )
    if marked:
        log.info("post-award duties overdue: %s", marked, extra={"overdue": marked})
    return marked


async def after_event(session: AsyncSession, app, rnd, event: str, from_state: str, data: dict) -> None:
    """``revoke`` ends the award's open duties (a title no longer held owes no report)."""
    if event == "revoke" and app.state != from_state:
        await repo.cancel_open(session, app.id)
