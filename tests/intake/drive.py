"""Driving an application through its programme's whole pipeline with the test clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.workflow.flow import Flow

PASS = {
    "draft": ("submit", {}),
    "awaiting_recommendation": ("recommend", {"opinion": "同意推荐（盖章）"}),
    "preliminary_review": ("pass_preliminary", {}),
    "qualification_review": ("pass_qualification", {}),
    "material_review": ("shortlist", {}),
    "onsite_review": ("complete_onsite", {}),
    "defence": ("complete_defence", {}),
    "comprehensive_evaluation": ("complete_evaluation", {}),
}
NOTICES = {"qualification_notice", "onsite_notice", "award_notice"}


async def to_stage(
    flow: Flow, app_id: str, start: str, stop: str, tier: str | None = None, approved_on: str | None = None
) -> dict:
    """From where it is to ``stop`` (notices waited out by moving the clock 30 days at a time); ``tier`` is
    what ``select`` gives, ``approved_on`` the day of the government's approval (needed only to pass it)."""
    now = datetime.fromisoformat(start)
    for _ in range(40):
        app = (await flow.get(app_id)).json()
        state = app["state"]
        if state == stop:
            return app
        if state in NOTICES:
            now += timedelta(days=30)
            await flow.at(now.isoformat())
            await flow.run_deadlines()
            continue
        if app["outcome"].get("decision"):
            r = await flow.publish_notice(app["round_id"], [app_id])
            assert r.status_code == 201, (state, r.text)
            continue
        if state == "committee_review":
            event, data = "select", {"tier": tier}
        elif state == "government_approval":
            assert approved_on, "approved_on: the day of the government's approval"
            event, data = "approve", {"document_no": f"政府批复〔{approved_on[:4]}〕1号", "approved_on": approved_on}
        else:
            event, data = PASS[state]
        r = await flow.fire(app_id, event, data)
        assert r.status_code == 200, (state, event, r.text)
    raise AssertionError(f"did not reach {stop}")


async def to_awarded(flow: Flow, app_id: str, start: str, tier: str, approved_on: str) -> dict:
    """From draft to awarded."""
    return await to_stage(flow, app_id, start, "awarded", tier, approved_on)


async def open_round(flow: Flow, year: int, label: str | None = None) -> dict:
    await flow.at(f"{year}-09-01T09:00:00+08:00")
    return await flow.open_round(
        label or str(year), f"{year}-09-01", f"{year}-09-01T00:00:00+08:00", f"{year}-09-21T00:00:00+08:00"
    )
