"""What notices and objections do when an application leaves a notice (公示).

- an application leaving a notice otherwise than by passing it (disqualified, withdrawn) records
  the outcome on the notice's entry and ends the objections still open against it (a hook named
  in ``app/workflow/checks.py``, as are the open-objection count and the unit-posting check);
- the calendar's list of deadlines a changed year affects includes open objections' verification
  targets (INTERPRETATIONS §5): ``objections`` adds them to the calendar's list when it is loaded.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.workflow import Application, Round
from app.domain.states import FINAL_STATES, NOTICE_STAGES
from app.workflow.notices import objections, publication


async def on_application_event(
    session: AsyncSession, app: Application, rnd: Round, event: str, from_state: str, data: dict
) -> None:
    if event == "close_notice" or from_state not in NOTICE_STAGES or app.state == from_state:
        return  # passing a notice needs nothing here (and batches of them stay cheap)
    await publication.record_outcome(session, app, event, from_state)
    if app.state in FINAL_STATES:
        await objections.end_open_objections(session, app.id, app.state)
