"""The committee's outcome into the workflow: closing a meeting fires ``select`` or ``not_select``
for each candidate on its agenda, by the committee (the chair's identity), in the request's one
transaction. ``select`` is guarded by ``committee_decided``: it rests on the decision recorded here
(changning-25b, jinshan-18l, hangzhou-2.2.3, linyi-14g, tianning-12h)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.decisions import Meeting
from app.db.repositories import workflow as repo
from app.domain.decisions import meetings
from app.domain.errors import not_found
from app.workflow.service import EventContext, apply_in_list, recording_refusals


async def close_meeting(session: AsyncSession, ctx: EventContext, meeting_id: uuid.UUID) -> Meeting:
    # all in one savepoint: a refused event undoes the close and the decisions with it (its
    # refusal is recorded against the application), so a meeting is never closed half-fired
    async with recording_refusals(session, ctx):
        meeting, outcomes = await meetings.close(session, ctx.principal, meeting_id)
        rnd = await repo.get_round(session, meeting.round_id, for_update=True)
        if rnd is None:
            raise not_found("届次", "Round", meeting.round_id)
        by_id = {uuid.UUID(o["application_id"]): o for o in outcomes}
        # the applications in id order, as a round action locks them (no deadlock with single events)
        for app in await repo.lock_applications(session, sorted(by_id)):
            o = by_id[app.id]
            if o["result"] == "select":
                event, data = "select", {"tier": o["tier"]}
                if o["quota_override_reason"]:
                    data["quota_override_reason"] = o["quota_override_reason"]
                reason = "评审委员会会议决定入选"
            else:
                event, data, reason = "not_select", {"reason": o["reason"]}, o["reason"]
            await apply_in_list(session, ctx, app, rnd, event, reason, data)
    ctx.attempt = None
    return meeting
