"""Applying for the fidelity tests (driving to a stage: tests.intake.drive.to_stage)."""

from __future__ import annotations

from tests.workflow.flow import Flow


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
