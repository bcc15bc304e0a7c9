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


async def to_awarded(flow: Flow, app_id: str, start: str, tier: str, approved_on: str) -> dict:
    """From draft to awarded; notices are waited out by moving the clock 30 days at a time."""
    now = datetime.fromisoformat(start)
    for _ in range(40):
        app = (await flow.get(app_id)).json()
        state = app["state"]
        if state == "awarded":
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
        elif state == "committee_review":
            event, data = "select", {"tier": tier}
        elif state == "government_approval":
            event, data = "approve", {"document_no": f"政府批复〔{approved_on[:4]}〕1号", "approved_on": approved_on}
        else:
            event, data = PASS[state]
        r = await flow.fire(app_id, event, data)
        assert r.status_code == 200, (state, event, r.text)
    raise AssertionError("did not reach awarded")


async def open_round(flow: Flow, year: int, label: str | None = None) -> dict:
    await flow.at(f"{year}-09-01T09:00:00+08:00")
    return await flow.open_round(
        label or str(year), f"{year}-09-01", f"{year}-09-01T00:00:00+08:00", f"{year}-09-21T00:00:00+08:00"
    )
