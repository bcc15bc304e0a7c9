"""What the workflow writes to the outbox after an accepted event (named in ``app/workflow/checks.py``).

- every accepted event: ``application.state_changed`` (a refused one runs no hook: nothing is emitted),
  written by ``emit_state_changed``, or with the event's own writes when its path says so;
- the last application leaving a notice (公示): ``notice.closed``;
- ``revoke``: the bans it starts as ``credit.ban``, and, for a ground whose consequences list the
  credit platform (changning-34d "记入信用档案") or a fraud ground, ``credit.revocation``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.repositories import outbox as repo
from app.domain import clock
from app.domain.eligibility import bans
from app.domain.outbox.events import emit, row
from app.domain.programmes.effective import effective_programme
from app.domain.revocation import revocation_day
from app.domain.states import NOTICE_STAGES


def _iso(at: datetime) -> str:
    return at.astimezone(clock.SHANGHAI).isoformat()


def _payload(app, event: str, from_state: str, at: datetime) -> dict:
    return {
        "application_id": str(app.id),
        "programme": app.programme,
        "round_id": str(app.round_id),
        "event": event,
        "from": from_state,
        "to": app.state,
        "version": app.version,
        "category": app.category,
        "tier": app.tier,
        "at": _iso(at),
    }


def state_changed(app, event: str, from_state: str, at: datetime) -> repo.OutboxRow:
    """``application.state_changed`` for the event just taken: the event's own path writes it in the statement
    writing the application and its history entry (``app/workflow/service.py`` apply_event)."""
    return row("application.state_changed", _payload(app, event, from_state, at), at)


async def emit_state_changed(session: AsyncSession, app, rnd, event: str, from_state: str, data: dict) -> None:
    """The hook writing ``state_changed`` by itself, for the paths that do not write it with the change."""
    await repo.insert_row(session, state_changed(app, event, from_state, clock.now()))


async def after_event(session: AsyncSession, app, rnd, event: str, from_state: str, data: dict) -> None:
    await _after_state_change(session, app, rnd, event, from_state, data, clock.now())


async def after_events(session: AsyncSession, apps: list, rnd, event: str, from_states: list[str], data: dict) -> None:
    """``emit_state_changed`` and ``after_event`` for a round action's batch: every ``application.state_changed``
    in one INSERT, in the applications' order (each is emitted holding its application's lock, as a single
    event's)."""
    now = clock.now()
    rows = [state_changed(app, event, from_state, now) for app, from_state in zip(apps, from_states, strict=True)]
    await repo.insert_events_many(session, [(r.type, r.subject, r.programme, r.payload) for r in rows], now)
    for app, from_state in zip(apps, from_states, strict=True):
        await _after_state_change(session, app, rnd, event, from_state, data, now)


async def _after_state_change(session: AsyncSession, app, rnd, event: str, from_state: str, data: dict, now) -> None:
    if from_state in NOTICE_STAGES and app.state != from_state:
        closed = await repo.close_notice_if_last(session, app.id, from_state, now)
        if closed is not None:
            await emit(
                session,
                "notice.closed",
                {
                    "notice_id": str(closed.id),
                    "programme": closed.programme,
                    "round_id": str(closed.round_id),
                    "point": closed.point,
                    "stage": closed.stage,
                    "name_zh": closed.name_zh,
                    "ends_at": _iso(closed.ends_at),
                    "closed_at": _iso(now),
                },
                subject=f"notice:{closed.id}",
            )
    if event == "revoke":
        await _revocation(session, app, rnd, data, now)


async def _revocation(session: AsyncSession, app, rnd, data: dict, now: datetime) -> None:
    """Fraud revocations and the bans they start go to the credit platform (changning-34d)."""
    prog = effective_programme(rnd.programme, rnd.programme_version, rnd.overrides)
    ground = next((g for g in prog.revocation_grounds if g.id == data.get("ground")), None)
    who = {
        "application_id": str(app.id),
        "programme": app.programme,
        "applicant_kind": app.applicant_kind,
        "applicant_name": app.applicant_name,
        "credit_code": app.credit_code,
        # individuals by the keyed hash of the ID number (as the identity platform's hashed claim)
        "id_number_hash": app.id_number_hash,
    }
    starts = revocation_day(data)
    for rule in bans.rules_for_revocation(prog, str(data.get("ground"))):
        ends = bans.ban_end(rule.kind, rule.years, starts)
        await emit(
            session,
            "credit.ban",
            {
                **who,
                "rule": rule.id,
                "clause": rule.clause,
                "scope": rule.scope,
                "starts_on": starts.isoformat(),
                "ends_on": ends.isoformat() if ends else None,
            },
        )
    if ground is not None and (ground.kind == "fraud" or "credit_platform_listing" in ground.consequences):
        await emit(
            session,
            "credit.revocation",
            {
                **who,
                "ground": ground.id,
                "ground_kind": ground.kind,
                "clause": ground.clause,
                "procedure_clause": ground.procedure_clause,
                "tier": app.tier,
                "category": app.category,
                "revoked_on": starts.isoformat(),
            },
        )
