"""From a follow-up's finding to a revocation case (撤销): the one place the two meet.

changning-36c ("发现存在应撤销奖励情况的，及时报告评审办"), jinshan-28c (reported to the 区审定办, "由区审定办按照
相应程序处理") and linyi-25b ("对不符合条件的按程序撤销其市长质量奖称号"): a follow-up finding that a
winner no longer meets the conditions is recorded with the result ``revocation_recommended`` and
referred here. Revocation cases and their procedure are built apart (``app/domain/revocation/``);
until they are wired in, the referral is the visit's own record (its outcome, its id) and this
function opens nothing.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.aftercare import FollowUpVisit
from app.db.models.workflow import Application
from app.identity import Principal


async def open_revocation_case(
    session: AsyncSession, principal: Principal, app: Application, visit: FollowUpVisit
) -> uuid.UUID | None:
    """Open the revocation case a follow-up recommends, in the visit's transaction; returns its id (stored on
    ``visit.revocation_case_id``), or None while revocation cases are not wired in.

    Wire here: open a case for ``app`` on the programme's revocation ground ``periodic_evaluation``
    (else ``post_award_incident``), naming the visit (``visit.id``, ``visit.clause``, ``visit.findings``)
    as its source.
    """
    return None
