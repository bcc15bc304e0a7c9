"""Driving an application up to a stage with the test clock (the fidelity tests' own copy of intake's driver)."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.intake.drive import NOTICES, PASS
from tests.workflow.flow import Flow


async def to_stage(flow: Flow, app_id: str, start: str, stop: str, tier: str | None = None) -> dict:
    """From where it is to ``stop`` (notices waited out 30 days at a time); ``tier`` is what ``select`` gives."""
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
        else:
            event, data = PASS[state]
        r = await flow.fire(app_id, event, data)
        assert r.status_code == 200, (state, event, r.text)
    raise AssertionError(f"did not reach {stop}")


async def apply_for(flow: Flow, round_id: str, category: str, tier_sought: str | None, credit_code: str) -> dict:
    r = await flow.client.post(
        "/api/v1/applications",
        json={
            "round_id": round_id,
            "category": category,
            "tier_sought": tier_sought,
            "applicant": {"name": "某某质量管理有限公司", "credit_code": credit_code},
            "recommending_unit": "unit-1",
        },
        headers=flow.proving(credit_code=credit_code),
    )
    assert r.status_code == 201, r.text
    return r.json()
