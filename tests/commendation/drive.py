"""Bringing a round's winners to the government's approval, then its acts through the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tests.intake.drive import NOTICES, PASS, open_round
from tests.notices.driver import EVIDENCE, credit_code, id_number
from tests.workflow.flow import Flow

START = "2026-09-01T09:00:00+08:00"
EMPLOYER = "某某质量技术研究院"


@dataclass
class Winner:
    """One application to bring to ``government_approval``: its category, the tier given, who applies."""

    category: str
    tier: str
    name: str
    individual: bool = False
    stop: str = "government_approval"
    credit_code: str | None = None


@dataclass
class Approval:
    flow: Flow
    round_id: str
    ids: list[str]
    id_numbers: dict[str, str]

    async def today(self) -> str:
        r = await self.flow.client.get("/api/v1/testing/clock", headers=self.flow.headers["admin"])
        return r.json()["now"][:10]

    async def post(self, act: str, body: dict, role: str = "office", headers: dict | None = None):
        return await self.flow.client.post(
            f"/api/v1/rounds/{self.round_id}/{act}", json=body, headers={**self.flow.headers[role], **(headers or {})}
        )

    async def submit(self, on: str, ids: list[str] | None = None, **extra):
        return await self.post("approval-submission", {"submitted_on": on, "applications": ids or self.ids, **extra})

    async def approve(self, number: str, on: str, headers: dict | None = None, **extra):
        return await self.post("approval", {"document_no": number, "approved_on": on, **extra}, headers=headers)

    async def commend(self, number: str, on: str, **extra):
        return await self.post("commendation", {"document_no": number, "decided_on": on, **extra})

    async def acts(self) -> dict:
        r = await self.flow.client.get(
            f"/api/v1/rounds/{self.round_id}/government-acts", headers=self.flow.headers["office"]
        )
        assert r.status_code == 200, r.text
        return r.json()


async def to_government_approval(client, token, programme: str, winners: list[Winner]) -> Approval:
    """A round of ``programme`` whose ``winners`` all passed the winners' notice (each in its own notice)."""
    flow = Flow(client, token, programme)
    rnd = await open_round(flow, 2026)
    ids, numbers = [], {}
    for i, w in enumerate(winners):
        if w.individual:
            number = id_number(300 + i, "19790615")
            app = await flow.apply(rnd["id"], w.category, name=w.name, id_number=number)
            numbers[app["id"]] = number
        else:
            code = w.credit_code or credit_code(700 + i)
            app = await flow.apply(rnd["id"], w.category, name=w.name, credit_code=code)
        ids.append(app["id"])
        # submitted inside the window: the others are driven on after it closed
        r = await flow.fire(app["id"], "submit")
        assert r.status_code == 200, r.text
    start = START
    for app_id, w in zip(ids, winners, strict=True):
        await _to_approval(flow, app_id, start, w)
        r = await client.get("/api/v1/testing/clock", headers=flow.headers["admin"])
        start = r.json()["now"]
    return Approval(flow, rnd["id"], ids, numbers)


async def _to_approval(flow: Flow, app_id: str, start: str, w: Winner) -> None:
    """As ``tests.intake.drive.to_stage``, an individual's notices naming its employer (工作单位)."""
    now = datetime.fromisoformat(start)
    for _ in range(40):
        app = (await flow.get(app_id)).json()
        state = app["state"]
        if state == w.stop:
            return
        if state in NOTICES:
            # to the notice's end (not a month on: the second winner of a round would run into 2027)
            ends = max(d["ends_at"] for d in app["deadlines"] if d["kind"] == "notice_end" and d["status"] == "pending")
            now = max(now, datetime.fromisoformat(ends)) + timedelta(hours=9)
            await flow.at(now.isoformat())
            await flow.run_deadlines()
            continue
        if app["outcome"].get("decision"):
            await flow.approve_publication([app_id])
            programme = (await flow.client.get(f"/api/v1/programmes/{flow.programme}")).json()
            following = {
                "qualification_review": "qualification_notice",
                "material_review": "onsite_notice",
                "committee_review": "award_notice",
            }[state]
            point = next(n["point"] for n in programme["notices"] if n["stage"] == following)
            body: dict = {"point": point, "applications": [app_id]}
            if w.individual:
                body["employers"] = {app_id: EMPLOYER}
            r = await flow.client.post(
                f"/api/v1/rounds/{app['round_id']}/notices", json=body, headers=flow.headers["office"]
            )
            assert r.status_code == 201, (state, r.text)
            notice = r.json()
            if "applicant_unit" in [x["code"] for x in notice["audiences"]]:
                # jinshan-18m: the proof of posting inside the applicant's own unit, accepted by the office
                url = f"/api/v1/notices/{notice['id']}/entries/{app_id}/unit-posting"
                proof = await flow.client.post(url, json=EVIDENCE[0], headers=flow.headers["applicant"])
                assert proof.status_code == 201, proof.text
                r = await flow.client.post(
                    f"{url}/{proof.json()['id']}/review", json={"accepted": True}, headers=flow.headers["office"]
                )
                assert r.status_code == 200, r.text
            continue
        event, data = ("select", {"tier": w.tier}) if state == "committee_review" else PASS[state]
        r = await flow.fire(app_id, event, data)
        assert r.status_code == 200, (state, event, r.text)
    raise AssertionError(f"did not reach {w.stop}: {(await flow.get(app_id)).json()}")
