"""What anyone may read without logging in: open calls (申报通知)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from fastapi import Query, Response
from pydantic import BaseModel

from app.api.deps import PUBLIC, ReadSession
from app.api.v1.routing import v1_router
from app.domain import clock
from app.domain.programmes.effective import effective_programme
from app.domain.states import RoundState
from app.workflow import rounds

router = v1_router(prefix="/public", tags=["public"])


class NoticeRuleOut(BaseModel):
    point: str
    name_zh: str
    length: int
    unit: str
    minimum: bool
    objections: bool
    stated: bool


class CallOut(BaseModel):
    round_id: uuid.UUID
    programme: str
    programme_name_zh: str
    programme_version: str
    label: str
    title: str
    published_on: date
    opens_at: datetime
    closes_at: datetime
    tiers: list[dict]
    categories: list[dict]
    notices: list[NoticeRuleOut]
    fee_free: bool


@router.get("/calls", operation_id="list_open_calls", dependencies=[PUBLIC], response_model=list[CallOut])
async def list_open_calls(
    session: ReadSession,
    response: Response,
    programme: Annotated[str | None, Query(max_length=40, description="programme code, e.g. changning")] = None,
) -> list[CallOut]:
    """Open calls with their rules and deadlines in Shanghai time (no login): a call is listed until it closes,
    even before the worker has moved its round on."""
    rows, _ = await rounds.list_rounds(session, programme, [RoundState.OPEN], 0, 100)
    now = clock.now()
    # a call changes (it closes, its round moves on): caches ask again every time
    response.headers["Cache-Control"] = "no-cache"
    out = []
    for r in rows:
        if r.closes_at <= now:
            continue
        p = effective_programme(r.programme, r.programme_version, r.overrides)
        out.append(
            CallOut(
                round_id=r.id,
                programme=r.programme,
                programme_name_zh=p.name_zh,
                programme_version=r.programme_version,
                label=r.label,
                title=r.call_title,
                published_on=r.call_published_on,
                opens_at=r.opens_at.astimezone(clock.SHANGHAI),
                closes_at=r.closes_at.astimezone(clock.SHANGHAI),
                tiers=[{"code": t.code, "name_zh": t.name_zh} for t in p.tiers],
                categories=[
                    {"code": c.code, "name_zh": c.name_zh, "applicant_kind": c.applicant_kind} for c in p.categories
                ],
                notices=[
                    NoticeRuleOut(
                        point=n.point,
                        name_zh=n.name_zh,
                        length=n.length,
                        unit=n.unit,
                        minimum=n.minimum,
                        objections=n.objections,
                        stated=n.stated,
                    )
                    for n in p.notices
                ],
                fee_free=p.fees.fee_free,
            )
        )
    return out
