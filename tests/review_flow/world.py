"""Driving the expert review through the API: experts, panels, pledges, assignments, sheets, consensus, reports."""

from __future__ import annotations

import uuid
from typing import Any

from app.domain.programmes.registry import get_registry
from app.domain.review.registry import get_review_registry

STAGE_OF_EVENT = {
    "shortlist": "material",
    "complete_onsite": "onsite",
    "complete_defence": "defence",
    "complete_evaluation": "evaluation",
}

PIPELINE_STAGE_OF_EVENT = {
    "shortlist": "material_review",
    "complete_onsite": "onsite_review",
    "complete_defence": "defence",
    "complete_evaluation": "comprehensive_evaluation",
}


def items(programme: str, category: str) -> list[str]:
    review = get_review_registry()
    use = next(u for u in review.programme(programme).books if u.category == category)
    return list(review.book(use.book, use.edition).items)


class Review:
    """One programme's review, as its office and its experts do it."""

    def __init__(self, client, token, programme: str) -> None:
        self.client, self.token, self.programme = client, token, programme
        self.office = token("office", programme=programme, sub=f"{programme}-review-clerk")
        self.experts: dict[str, dict] = {}  # name → record
        self.headers: dict[str, dict] = {}  # name → expert token

    async def expert(self, name: str, employer_credit_code: str | None = None, **over: Any) -> dict:
        subject = f"{self.programme}-{name}-{uuid.uuid4().hex}"
        body = {
            "subject": subject,
            "name": name,
            "qualifications": ["provincial_examiner"],
            "industries": ["制造业"],
            "employer_name": "某某单位" if employer_credit_code else None,
            "employer_credit_code": employer_credit_code,
            "term_starts_on": "2024-01-01",
            "term_ends_on": "2028-12-31",
            **over,
        }
        r = await self.client.post("/api/v1/review/experts", json=body, headers=self.office)
        assert r.status_code == 201, r.text
        self.experts[name] = r.json()
        self.headers[name] = self.token("expert", programme=self.programme, sub=subject)
        return r.json()

    def id(self, name: str) -> str:
        return self.experts[name]["id"]

    async def panel(self, round_id: str, stage: str, leader: str, members: list[str]) -> dict:
        r = await self.client.post(
            "/api/v1/review/panels",
            json={
                "round_id": round_id,
                "stage": stage,
                "name": f"{stage}评审组",
                "leader_id": self.id(leader),
                "member_ids": [self.id(m) for m in members],
            },
            headers=self.office,
        )
        assert r.status_code == 201, r.text
        return r.json()

    async def pledge(self, panel_id: str, name: str) -> dict:
        r = await self.client.post(f"/api/v1/review/panels/{panel_id}/pledge", headers=self.headers[name])
        assert r.status_code == 200, r.text
        return r.json()

    async def assign(
        self, panel_id: str, app_id: str, names: list[str] | None = None, count: int = 3, expect: int = 201
    ):
        body: dict[str, Any] = {"application_id": app_id, "count": count}
        if names is not None:
            body["expert_ids"] = [self.id(n) for n in names]
        r = await self.client.post(f"/api/v1/review/panels/{panel_id}/assignments", json=body, headers=self.office)
        assert r.status_code == expect, r.text
        return r

    async def assignment_of(self, name: str, app_id: str) -> str:
        r = await self.client.get("/api/v1/review/my-assignments", headers=self.headers[name])
        assert r.status_code == 200, r.text
        return next(a["id"] for a in r.json() if a["application_id"] == app_id)

    def sheet(self, programme_items: list[str], band: int = 60, **over: int) -> dict:
        return {i: over.get(i.replace(".", "_"), band) for i in programme_items}

    async def score(self, name: str, assignment_id: str, scores: dict, comments: dict | None = None):
        return await self.client.post(
            f"/api/v1/review/assignments/{assignment_id}/score",
            json={"scores": scores, "comments": comments or {}},
            headers=self.headers[name],
        )

    async def consensus(self, name: str, panel_id: str, app_id: str, scores: dict, rationale: dict | None = None):
        return await self.client.post(
            f"/api/v1/review/panels/{panel_id}/applications/{app_id}/consensus",
            json={"scores": scores, "rationale": rationale or dict.fromkeys(scores, "组内讨论一致")},
            headers=self.headers[name],
        )

    async def report(self, name: str, panel_id: str, app_id: str, **content: Any):
        body = {
            "summary": "评审组意见：达到要求",
            "strengths": ["领导重视质量"],
            "improvements": ["加强数据分析"],
            **content,
        }
        return await self.client.post(
            f"/api/v1/review/panels/{panel_id}/applications/{app_id}/report", json=body, headers=self.headers[name]
        )


async def record_review_pieces(client, token, programme: str, round_id: str, app_ids: list[str], event: str) -> None:
    """Before ``event`` (shortlist, complete_onsite, complete_defence, complete_evaluation): what the
    review must have produced for it to pass its guard, done as a panel of one expert would."""
    stage = STAGE_OF_EVENT.get(event)
    if stage is None:
        return
    review = Review(client, token, programme)
    await review.expert("组长")
    panel = await review.panel(round_id, stage, "组长", [])
    await review.pledge(panel["id"], "组长")
    for app_id in app_ids:
        app = (await client.get(f"/api/v1/applications/{app_id}", headers=review.office)).json()
        await review.assign(panel["id"], app_id, ["组长"])
        if stage == "material":
            sheet = review.sheet(items(programme, app["category"]))
            r = await review.score("组长", await review.assignment_of("组长", app_id), sheet)
            assert r.status_code == 201, r.text
            r = await review.consensus("组长", panel["id"], app_id, sheet)
        else:
            r = await review.report("组长", panel["id"], app_id)
        assert r.status_code == 201, r.text
    if "opinion_survey" in get_registry().get(programme).review_conditions.get(PIPELINE_STAGE_OF_EVENT[event], []):
        for app_id in app_ids:
            await record_opinion_survey(client, review.office, token, app_id)


async def record_opinion_survey(client, office: dict, token, app_id: str, **over: Any):
    """The public-opinion survey (舆情调查, linyi-14e) of ``app_id``, by the office, dated the service's today."""
    today = (await client.get("/api/v1/testing/clock", headers=token("admin"))).json()["now"][:10]
    body = {"sources": ["新闻媒体", "信用中国"], "conducted_on": today, "finding": "clear", **over}
    r = await client.post(f"/api/v1/review/applications/{app_id}/opinion-survey", json=body, headers=office)
    assert r.status_code == 201, r.text
    return r.json()
