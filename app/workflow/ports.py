"""What the workflow asks of the modules around it, as lists of functions they register.

The workflow stays ignorant of intake and objections: intake registers the checks that
``submit`` and ``pass_qualification`` run (eligibility, bans), objections registers how many are
open against an application, and anything that follows an accepted event (bans after a
revocation, post-award duties) registers an ``after_event`` hook. Each runs inside the event's
transaction; a check refuses by raising a ``DomainError``. In the deadline worker's batch path
(``close_notice`` for many applications at once) checks and hooks receive a read-only view of
the application rather than the ORM row.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from app.db.models.workflow import Application, Round

# (session, application ids) → {application id: open objections}; ids absent count 0
OpenObjectionCounter = Callable[[AsyncSession, list[uuid.UUID]], Awaitable[dict[uuid.UUID, int]]]
# (session, application, round, event, data) → None, or raise DomainError
EventCheck = Callable[[AsyncSession, "Application", "Round", str, dict], Awaitable[None]]
# (session, application, round, event, from_state, data) after the transition was taken
AfterEvent = Callable[[AsyncSession, "Application", "Round", str, str, dict], Awaitable[None]]

open_objection_counters: list[OpenObjectionCounter] = []
# checks per event name, e.g. {"submit": [...], "pass_qualification": [...]}
event_checks: dict[str, list[EventCheck]] = {}
after_event_hooks: list[AfterEvent] = []
_installed = False


def mark_installed() -> None:
    global _installed
    _installed = True


def require_installed() -> None:
    """Refuse to fire anything until the modules around the workflow have registered (``app.wiring``).

    Empty lists would otherwise read as "no objection open, nothing to check": a notice closed over
    an open objection (INTERPRETATIONS §8), a qualification passed unchecked.
    """
    if not _installed:
        raise RuntimeError("the workflow's ports are not installed: call app.wiring.install() when the process starts")


async def open_objections_many(session: AsyncSession, application_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    require_installed()
    totals: dict[uuid.UUID, int] = {}
    for count in open_objection_counters:
        for app_id, n in (await count(session, application_ids)).items():
            totals[app_id] = totals.get(app_id, 0) + n
    return totals


async def open_objections(session: AsyncSession, application_id: uuid.UUID) -> int:
    return (await open_objections_many(session, [application_id])).get(application_id, 0)


async def run_checks(session: AsyncSession, app: Application, rnd: Round, event: str, data: dict) -> None:
    require_installed()
    for check in event_checks.get(event, []):
        await check(session, app, rnd, event, data)


async def after_event(session: AsyncSession, app: Application, rnd: Round, event: str, from_state: str, data: dict) -> None:
    for hook in after_event_hooks:
        await hook(session, app, rnd, event, from_state, data)
