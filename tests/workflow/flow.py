"""A small driver for workflow tests: principals per role, the test clock, events with ETags."""

from __future__ import annotations

from typing import Any

from statemachine.exceptions import InvalidDefinition

from app.domain.errors import DomainError
from app.domain.programmes.registry import get_registry
from app.workflow.machine import workflow_for
from tests.intake.completing import complete_application
from tests.review_flow.world import record_review_pieces

# the state each guarded pass event leaves (its review pieces are recorded first)
REVIEW_STAGE_OF = {
    "shortlist": "material_review",
    "complete_onsite": "onsite_review",
    "complete_defence": "defence",
    "complete_evaluation": "comprehensive_evaluation",
}
ORG_CODES = ["91350100M000100Y43", "91110000600037341L"]
ROLES = ("office", "expert", "committee", "recommender", "applicant")


class Flow:
    def __init__(self, client, token, programme: str, unit: str = "unit-1", applicant: str = "org-1") -> None:
        self.client, self.programme, self.token = client, programme, token
        self._applicant = applicant
        # the flow's expert in the programme's pool, and the panel per round seating it (see seat_expert)
        self._expert_id: str | None = None
        self._seat_panels: dict[str, str] = {}
        self._seated: set[str] = set()
        self.headers = {
            "office": token("office", programme=programme, sub=f"{programme}-clerk"),
            "expert": token("expert", programme=programme, sub=f"{programme}-expert"),
            "committee": token("committee", programme=programme, sub=f"{programme}-committee"),
            "recommender": token("recommender", unit=unit, sub=f"{unit}-recommender"),
            "applicant": token("applicant", applicant=applicant, sub=f"{applicant}-user"),
            "admin": token("admin", sub="admin-1"),
        }

    def proving(self, credit_code: str | None = None, id_number: str | None = None) -> dict[str, str]:
        """The applicant account's headers, its token verifying the identity it applies in (real names, issue 13)."""
        proof = {"verified_id_number": id_number} if id_number else {"verified_credit_code": credit_code}
        return self.token("applicant", applicant=self._applicant, sub=f"{self._applicant}-user", **proof)

    async def at(self, instant: str) -> None:
        r = await self.client.put("/api/v1/testing/clock", json={"now": instant}, headers=self.headers["admin"])
        assert r.status_code == 200, r.text

    async def run_deadlines(self) -> int:
        r = await self.client.post("/api/v1/testing/deadlines/run", headers=self.headers["admin"])
        assert r.status_code == 200, r.text
        return r.json()["fired"]

    async def open_round(
        self, label: str, published_on: str, opens_at: str, closes_at: str, overrides: list | None = None
    ) -> dict:
        body = {
            "programme": self.programme,
            "label": label,
            "call": {
                "title": f"{label}年度申报通知",
                "published_on": published_on,
                "opens_at": opens_at,
                "closes_at": closes_at,
            },
            "overrides": overrides or [],
        }
        r = await self.client.post("/api/v1/rounds", json=body, headers=self.headers["office"])
        assert r.status_code == 201, r.text
        r = await self.client.post(
            f"/api/v1/rounds/{r.json()['id']}/events",
            json={"event": "publish"},
            headers={**self.headers["office"], "If-Match": r.headers["etag"]},
        )
        assert r.status_code == 200, r.text
        return r.json()

    async def september_round(self, label: str = "2026") -> dict:
        """A round whose call is published 2026-09-01 and open until 2026-09-21, the clock at 09-01."""
        await self.at("2026-09-01T09:00:00+08:00")
        return await self.open_round(label, "2026-09-01", "2026-09-01T00:00:00+08:00", "2026-09-21T00:00:00+08:00")

    async def apply(
        self,
        round_id: str,
        category: str,
        name: str = "上海某某质量管理有限公司",
        credit_code: str = ORG_CODES[0],
        id_number: str | None = None,
        unit: str = "unit-1",
    ) -> dict:
        applicant: dict[str, Any] = {"name": name}
        if id_number:
            applicant["id_number"] = id_number
        else:
            applicant["credit_code"] = credit_code
        headers = self.proving(credit_code=None if id_number else credit_code, id_number=id_number)
        r = await self.client.post(
            "/api/v1/applications",
            json={"round_id": round_id, "category": category, "applicant": applicant, "recommending_unit": unit},
            headers=headers,
        )
        assert r.status_code == 201, r.text
        return r.json()

    async def get(self, app_id: str, role: str = "office"):
        return await self.client.get(f"/api/v1/applications/{app_id}", headers=self.headers[role])

    async def fire(
        self, app_id: str, event: str, data: dict | None = None, reason: str | None = None, role: str | None = None
    ):
        """Fire ``event`` as the first role allowed to (or ``role``), with a fresh ETag; a review
        stage's pass event first gets what the expert review must have produced for its guard."""
        await self.review_pieces([app_id], event)
        if role == "expert":
            await self.seat_expert([app_id])
        if event == "submit":
            # what a complete application holds (issue 19), uploaded by the programme's office
            await complete_application(self.client, self.headers["office"], app_id)
        candidates = [role] if role else list(ROLES)
        for r in candidates:
            got = (
                await self.get(app_id, r)
                if r != "applicant"
                else await self.client.get(f"/api/v1/applications/{app_id}", headers=self.headers["applicant"])
            )
            if got.status_code != 200:
                continue
            if role or event in got.json()["allowed_events"]:
                return await self.client.post(
                    f"/api/v1/applications/{app_id}/events",
                    json={"event": event, "reason": reason, "data": data or {}},
                    headers={**self.headers[r], "If-Match": got.headers["etag"]},
                )
        raise AssertionError(f"no role may fire {event}: {(await self.get(app_id)).json()}")

    async def complete(self, *app_ids: str) -> None:
        """Fill in the form and upload the materials submit requires (issue 19), as the programme's office."""
        for app_id in app_ids:
            await complete_application(self.client, self.headers["office"], app_id)

    async def review_pieces(self, app_ids: list[str], event: str) -> None:
        """The expert review's result ``event`` is guarded by (issue 14), for the applications in its
        stage; and, where the expert fires ``event``, the flow's expert seated on the applications."""
        stage = REVIEW_STAGE_OF.get(event)
        if stage is None and event not in self._expert_events():
            return
        apps = [(await self.get(a)).json() for a in app_ids]
        seat = [a["id"] for a in apps if "expert" in self._actors(a, event)]
        if seat:
            await self.seat_expert(seat)
        due = [a["id"] for a in apps if a.get("state") == stage]
        if stage is not None and due:
            await record_review_pieces(self.client, self.token, self.programme, apps[0]["round_id"], due, event)

    def _expert_events(self) -> set[str]:
        """The events an expert fires in any version of the programme's machine this process compiles."""
        try:
            versions = get_registry().versions(self.programme)
        except DomainError:  # a programme the registry of this process does not hold
            return set(REVIEW_STAGE_OF)
        events: set[str] = set()
        for v in versions:
            try:
                wf = workflow_for(self.programme, v.id)
            except InvalidDefinition:  # a test's broken version: no application of this flow runs on it
                continue
            events |= {e.event for e in wf.edges.values() if "expert" in e.actors}
        return events

    @staticmethod
    def _actors(app: dict, event: str) -> frozenset[str]:
        if "state" not in app:
            return frozenset()
        try:
            edge = workflow_for(app["programme"], app["programme_version"]).edge(app["state"], event)
        except DomainError:  # a programme only the service's process holds: seat the expert anyway
            return frozenset({"expert"})
        return frozenset() if edge is None else edge.actors

    async def expert_record(self) -> str:
        """The id of the flow's expert (``<programme>-expert``) in the programme's pool, added once."""
        if self._expert_id is None:
            subject = f"{self.programme}-expert"
            body = {
                "subject": subject,
                "name": "评审专家",
                "term_starts_on": "2000-01-01",
                "term_ends_on": "2099-12-31",
            }
            r = await self.client.post("/api/v1/review/experts", json=body, headers=self.headers["office"])
            if r.status_code == 201:
                self._expert_id = r.json()["id"]
            else:  # already in the pool (another driver of the same programme added it)
                assert r.status_code == 409, r.text
                listed = await self.client.get(
                    "/api/v1/review/experts", params={"size": 100}, headers=self.headers["office"]
                )
                self._expert_id = next(e["id"] for e in listed.json()["items"] if e["subject"] == subject)
        return self._expert_id

    async def seat_expert(self, app_ids: list[str]) -> None:
        """Give the flow's expert an open assignment of each application, after the pledge: an expert
        sees, and so acts on, only what is assigned to it (jinshan-21a, hangzhou-6.2a, linyi-20a)."""
        expert = await self.expert_record()
        for app_id in app_ids:
            if app_id in self._seated:
                continue
            round_id = (await self.get(app_id)).json()["round_id"]
            panel = self._seat_panels.get(round_id)
            if panel is None:
                r = await self.client.post(
                    "/api/v1/review/panels",
                    json={"round_id": round_id, "stage": "material", "name": "评审组", "leader_id": expert},
                    headers=self.headers["office"],
                )
                assert r.status_code == 201, r.text
                panel = self._seat_panels[round_id] = r.json()["id"]
                r = await self.client.post(f"/api/v1/review/panels/{panel}/pledge", headers=self.headers["expert"])
                assert r.status_code == 200, r.text
            # already assigned there: nothing new (201, an empty list)
            r = await self.client.post(
                f"/api/v1/review/panels/{panel}/assignments",
                json={"application_id": app_id, "expert_ids": [expert]},
                headers=self.headers["office"],
            )
            assert r.status_code == 201, r.text
            self._seated.add(app_id)

    async def step(
        self, app_id: str, event: str, expect_state: str, data: dict | None = None, reason: str | None = None
    ) -> dict:
        r = await self.fire(app_id, event, data, reason)
        assert r.status_code == 200, r.text
        assert r.json()["state"] == expect_state, r.json()
        return r.json()

    async def approve_publication(self, app_ids: list[str]) -> None:
        """Where the programme has the list approved before its notice (报批, changning-25c), approve it."""
        for app_id in app_ids:
            got = await self.get(app_id)
            if got.status_code == 200 and "approve_publication" in got.json()["allowed_events"]:
                data = {"approved_by": "区政府分管领导", "approved_on": "2026-11-01"}
                r = await self.fire(app_id, "approve_publication", data, role="office")
                assert r.status_code == 200, r.text

    async def publish_notice(self, round_id: str, app_ids: list[str], point: str | None = None):
        """Publish the notice list the applications are due for (the point read from the programme)."""
        await self.approve_publication(app_ids)
        if point is None:
            programme = (await self.client.get(f"/api/v1/programmes/{self.programme}")).json()
            state = (await self.get(app_ids[0])).json()["state"]
            following = {
                "qualification_review": "qualification_notice",
                "material_review": "onsite_notice",
                "committee_review": "award_notice",
            }[state]
            point = next(n["point"] for n in programme["notices"] if n["stage"] == following)
        return await self.client.post(
            f"/api/v1/rounds/{round_id}/notices",
            json={"point": point, "applications": app_ids},
            headers=self.headers["office"],
        )

    async def notice_deadline(self, app_id: str) -> dict:
        body = (await self.get(app_id)).json()
        pending = [d for d in body["deadlines"] if d["kind"] == "notice_end" and d["status"] == "pending"]
        assert len(pending) == 1, body["deadlines"]
        return pending[0]
