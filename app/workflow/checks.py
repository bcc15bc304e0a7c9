"""What runs around each event (事件检查), in one file: the checks that may refuse it and the hooks that follow it.

The machine (``app/workflow/machine.py``) decides whether a transition is taken from the facts it
is given; what needs the database beyond those facts is here, named per event, importing the
domain functions it calls (the workflow depends on the domain, never the reverse):

- checks run once the machine accepted the event, before anything is written; each refuses by
  raising a ``DomainError`` (422 ``/ineligible``, 403, 409 ``/unit-posting-unconfirmed``);
- hooks run after the transition is taken, inside the event's transaction;
- ``open_objections_many`` is the fact ``no_open_objection`` reads: a notice never closes over an
  open objection (INTERPRETATIONS §8, changning-21c);
- ``bans_on_award`` is the fact ``not_banned`` reads at ``select`` and ``approve``: the bans in
  force against the tier and category actually given (changning-18b, jinshan-17b, linyi-13a).

In the deadline worker's batch path checks and hooks receive a read-only view of the application
rather than the ORM row.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain import clock
from app.domain.aftercare import duties
from app.domain.awards import rewards_service as rewards
from app.domain.batch_reads import BatchReads
from app.domain.eligibility import bans
from app.domain.eligibility import service as eligibility
from app.domain.materials import completeness
from app.domain.materials import service as materials
from app.domain.outbox import hooks as outbox
from app.domain.programmes.effective import effective_programme
from app.domain.recommendation import coverage
from app.workflow import certificates
from app.workflow.notices import events as notices
from app.workflow.notices import objections, publication

if TYPE_CHECKING:
    from app.db.models.intake import ReapplicationBan
    from app.db.models.workflow import Application, Round

# (session, application, round, event, data) → None, or raise DomainError
EventCheck = Callable[[AsyncSession, "Application", "Round", str, dict], Awaitable[None]]
# (session, application, round, event, from_state, data) after the transition was taken
AfterEvent = Callable[[AsyncSession, "Application", "Round", str, str, dict], Awaitable[None]]


def checks_for(event: str) -> tuple[EventCheck, ...]:
    """The checks ``event`` runs (looked up when called: the domain modules import the workflow's service)."""
    match event:
        case "submit":
            # the form and the materials the text requires (changning-20a, jinshan-18a,
            # hangzhou-3.3.1, linyi-14b), then the regulations bar ineligible applicants from applying
            return (completeness.check_submit, eligibility.check_event)
        case "pass_qualification":
            # facts and bans may have changed by the qualification review (a revocation, a declared
            # application elsewhere)
            return (eligibility.check_event,)
        case "recommend" | "pass_preliminary":
            # a recommending unit acts only for the applicants it covers
            return (coverage.check_recommender,)
        case "close_notice":
            # jinshan's winners' list is also posted inside the applicant's own unit (jinshan-18m)
            return (publication.require_unit_posting,)
        case _:
            return ()


def after_event_hooks() -> tuple[AfterEvent, ...]:
    """What follows every accepted event; each hook returns at once for the events it does not concern.

    - bans after ``approve`` and ``revoke``;
    - the certificate shows revoked after ``revoke``;
    - the reward money after ``revoke``: paid → to reclaim, approved → cancelled;
    - ``submit`` freezes the form and materials as a version;
    - leaving a notice other than by passing it records the outcome on the notice's entry and ends
      the objections still open against the application;
    - the outbox's events (the state change; the notice closed by its last application; a
      revocation's bans and credit-platform listing), written in the event's transaction;
    - ``revoke`` ends the award's open post-award duties.

    None writes the application's deadlines: an event's answer shows them as its writes' statement read
    them (``service.apply_event``). A hook that must, makes ``apply_event`` read them again after the hooks.
    """
    return (
        bans.after_event,
        materials.after_event,
        notices.on_application_event,
        certificates.after_event,
        outbox.emit_state_changed,
        outbox.after_event,
        rewards.after_event,
        duties.after_event,
    )


async def run_checks(
    session: AsyncSession, app: Application, rnd: Round, event: str, data: dict, pre: BatchReads | None = None
) -> None:
    """``pre``: what the checks read, read for a round action's whole batch (``app.domain.batch_reads``)."""
    for check in checks_for(event):
        if pre is None:
            await check(session, app, rnd, event, data)
        else:
            await check(session, app, rnd, event, data, pre)  # type: ignore[call-arg]


async def after_event(
    session: AsyncSession,
    app: Application,
    rnd: Round,
    event: str,
    from_state: str,
    data: dict,
    *,
    state_change_written: bool = False,
) -> None:
    """``state_change_written``: the caller wrote ``application.state_changed`` with the event's own writes (one
    statement, issue 21); no hook before it emits anything, so the outbox's order is the same either way."""
    for hook in after_event_hooks():
        if state_change_written and hook is outbox.emit_state_changed:
            continue
        await hook(session, app, rnd, event, from_state, data)


async def after_events(
    session: AsyncSession, apps: list, rnd: Round, event: str, from_states: list[str], data: dict, pre: BatchReads
) -> None:
    """``after_event`` for every application of a round action's batch: the hooks that write for the events a
    batch fires have a batch entry point (one statement for all); the others return at once for them."""
    for hook in after_event_hooks():
        if hook is outbox.emit_state_changed:
            continue  # written with the rest of the batch's outbox rows by ``outbox.after_events``, in one INSERT
        if hook is materials.after_event:
            await materials.after_events(session, apps, event, from_states, pre)
        elif hook is outbox.after_event:
            await outbox.after_events(session, apps, rnd, event, from_states, data)
        else:
            for app, from_state in zip(apps, from_states, strict=True):
                await hook(session, app, rnd, event, from_state, data)


async def open_objections_many(session: AsyncSession, application_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Objections still open per application (ids absent count 0)."""
    return await objections.open_counts(session, application_ids)


async def open_objections(session: AsyncSession, application_id: uuid.UUID) -> int:
    return (await open_objections_many(session, [application_id])).get(application_id, 0)


async def bans_on_award(
    session: AsyncSession, app: Application, rnd: Round, tier: str | None
) -> list[ReapplicationBan]:
    """The bans in force today that bar ``app`` from the award ``tier`` of its category."""
    prog = effective_programme(rnd.programme, rnd.programme_version, rnd.overrides)
    return await bans.barring(session, app, prog, tier, clock.today())
