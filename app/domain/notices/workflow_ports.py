"""What notices and objections tell the workflow (``app.workflow.ports``) and the calendar, registered on import.

- ``no_open_objection`` counts the objections still open against each application
  (INTERPRETATIONS §8: a notice ends for an application only when none is open);
- ``close_notice`` also needs the office's acceptance of the proof of posting inside the
  applicant's own unit where the notice has that audience (jinshan-18m); a refusal leaves the
  notice's deadline ``waiting``, and accepting the proof moves the application on;
- an application leaving a notice otherwise than by passing it (disqualified, withdrawn) records
  the outcome on the notice's entry and ends the objections still open against it;
- the calendar's list of deadlines a changed year affects includes open objections' verification
  targets (INTERPRETATIONS §5), computed with the period engine like the workflow's deadlines.

Registered by ``app.wiring.install()``; registering twice is a no-op.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.workflow import Application, Round
from app.domain.calendar import service as calendar
from app.domain.notices import objections, publication
from app.workflow import ports
from app.workflow.machine import NOTICE_STAGES
from app.workflow.states import FINAL_STATES


async def on_application_event(session: AsyncSession, app: Application, rnd: Round, event: str, from_state: str, data: dict) -> None:
    if event == "close_notice" or from_state not in NOTICE_STAGES or app.state == from_state:
        return  # passing a notice needs nothing here (and batches of them stay cheap)
    await publication.record_outcome(session, app, event, from_state)
    if app.state in FINAL_STATES:
        await objections.end_open_objections(session, app.id, app.state)


def register() -> None:
    if objections.open_counts not in ports.open_objection_counters:
        ports.open_objection_counters.append(objections.open_counts)
    checks = ports.event_checks.setdefault("close_notice", [])
    if publication.require_unit_posting not in checks:
        checks.append(publication.require_unit_posting)
    if on_application_event not in ports.after_event_hooks:
        ports.after_event_hooks.append(on_application_event)
    if objections.affected_targets not in calendar.affected_sources:
        calendar.affected_sources.append(objections.affected_targets)

