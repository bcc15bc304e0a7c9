"""Driving a committee through the API: members, the candidate list, a meeting, votes, the close.

Also the one helper other flows need to fire a recorded ``select`` (issue 15): ``select_by_committee``
takes applications at committee review through a candidate list and a meeting, by the programme's method.
"""

from __future__ import annotations

import uuid
from typing import Any

from tests.notices.driver import DIRECT, LINYI, RECOMMENDED, TO_COMMITTEE, NoticeFlow

TERM = {"term_starts_on": "2025-01-01", "term_ends_on": "2029-12-31"}


async def to_committee(flow: NoticeFlow, ids: list[str], **notice: Any) -> None:
    """The applications through qualification and the expert review into committee review
    (``notice``: more of the qualification notice's body, an individual's employer)."""
    p = flow.programme
    if p in ("changning", "jinshan"):
        await flow.act(ids, RECOMMENDED)
        await flow.at("2026-09-29T10:00:00+08:00")
        await flow.publish("qualification", ids, **notice)
        await flow.at("2026-10-13T00:00:00+08:00")
        await flow.run_deadlines()
        await flow.act(ids, TO_COMMITTEE[p])
    elif p == "hangzhou":
        await flow.act(ids, DIRECT)
        await flow.at("2026-09-29T10:00:00+08:00")
        await flow.publish("material_entrants", ids)
        await flow.at("2026-10-15T00:00:00+08:00")
        await flow.run_deadlines()
        await flow.act(ids, [("shortlist", "expert", {})])
        await flow.at("2026-10-19T10:00:00+08:00")
        await flow.publish("onsite_entrants", ids)
        await flow.at("2026-10-29T00:00:00+08:00")
        await flow.run_deadlines()
        await flow.act(ids, [("complete_onsite", "expert", {}), ("complete_evaluation", "expert", {})])
    else:
        await flow.act(ids, (LINYI if p == "linyi" else RECOMMENDED) + TO_COMMITTEE[p])
    assert {await flow.state(i) for i in ids} == {"committee_review"}


class Committee:
    """One programme's committee as its office and its members act."""

    def __init__(self, client, token, programme: str) -> None:
        self.client, self.token, self.programme = client, token, programme
        self.office = token("office", programme=programme, sub=f"{programme}-committee-clerk")
        self.members: dict[str, dict] = {}
        self.headers: dict[str, dict] = {}
        self.meeting: dict = {}

    async def member(self, name: str, position: str = "member", **over: Any) -> dict:
        subject = f"{self.programme}-{name}-{uuid.uuid4().hex[:8]}"
        body = {"subject": subject, "name": name, "position": position, **TERM, **over}
        r = await self.client.post("/api/v1/committees/members", json=body, headers=self.office)
        assert r.status_code == 201, r.text
        self.members[name] = r.json()
        self.headers[name] = self.token("committee", programme=self.programme, sub=subject)
        return r.json()

    def id(self, name: str) -> str:
        return self.members[name]["id"]

    async def body(self, count: int) -> list[str]:
        names = ["主任"] + [f"委员{i}" for i in range(1, count)]
        await self.member(names[0], "chair")
        for n in names[1:]:
            await self.member(n)
        return names

    async def propose(self, round_id: str, groups: list[dict], expect: int = 201):
        r = await self.client.post(
            f"/api/v1/committees/rounds/{round_id}/candidate-list", json={"groups": groups}, headers=self.office
        )
        assert r.status_code == expect, r.text
        return r

    async def convene(self, round_id: str, chair: str = "主任", held_on: str = "2026-11-01") -> dict:
        got = await self.client.get(f"/api/v1/committees/rounds/{round_id}/candidate-list", headers=self.office)
        assert got.status_code == 200, got.text
        r = await self.client.post(
            "/api/v1/committees/meetings",
            json={
                "list_id": got.json()["id"],
                "list_etag": got.headers["etag"],
                "chair_id": self.id(chair),
                "held_on": held_on,
            },
            headers=self.office,
        )
        assert r.status_code == 201, r.text
        self.meeting = r.json()
        self.etag = r.headers["etag"]
        return self.meeting

    async def attend(self, names: list[str], expect: int = 200):
        r = await self.client.put(
            f"/api/v1/committees/meetings/{self.meeting['id']}/attendance",
            json={"present": [self.id(n) for n in names]},
            headers={**self.office, "If-Match": self.etag},
        )
        assert r.status_code == expect, r.text
        if r.status_code == 200:
            self.etag = r.headers["etag"]
        return r

    async def hear_all(self) -> None:
        """Every report the programme's body hears before it decides."""
        proc = await self.client.get(
            f"/api/v1/committees/rounds/{self.meeting['round_id']}/procedure", headers=self.office
        )
        for report in proc.json()["reports_heard"]:
            await self.hear(report["kind"])

    async def hear(self, kind: str, text: str = "情况汇报：评审过程符合程序，未发现违规问题。"):
        r = await self.client.put(
            f"/api/v1/committees/meetings/{self.meeting['id']}/reports/{kind}",
            json={"text": text},
            headers={**self.office, "If-Match": self.etag},
        )
        assert r.status_code == 200, r.text
        self.etag = r.headers["etag"]
        return r

    async def vote(self, name: str, app_id: str, choice: str = "for"):
        return await self.client.post(
            f"/api/v1/committees/meetings/{self.meeting['id']}/votes",
            json={"application_id": app_id, "choice": choice},
            headers=self.headers[name],
        )

    async def deliberate(self, app_id: str, decision: str, chair: str = "主任", note: str = "经审议"):
        return await self.client.post(
            f"/api/v1/committees/meetings/{self.meeting['id']}/deliberations",
            json={"application_id": app_id, "decision": decision, "note": note},
            headers=self.headers[chair],
        )

    async def resolve(self, tier: str, category: str, selected: list[str], reason: str, chair: str = "主任"):
        return await self.client.post(
            f"/api/v1/committees/meetings/{self.meeting['id']}/resolutions",
            json={"tier": tier, "category": category, "selected": selected, "reason": reason},
            headers=self.headers[chair],
        )

    async def tally(self) -> dict:
        r = await self.client.get(f"/api/v1/committees/meetings/{self.meeting['id']}/tally", headers=self.office)
        assert r.status_code == 200, r.text
        return r.json()

    async def close(self, chair: str = "主任"):
        return await self.client.post(
            f"/api/v1/committees/meetings/{self.meeting['id']}/close", headers=self.headers[chair]
        )


async def select_by_committee(client, token, programme: str, round_id: str, ids: list[str], tier: str, category: str):
    """Record the committee's decision to select ``ids`` for ``tier`` and close its meeting: the
    recorded ``select`` (issue 15) for flows that need applications past committee review."""
    c = Committee(client, token, programme)
    names = await c.body(3)
    await c.propose(round_id, [{"tier": tier, "category": category, "chosen": ids}])
    await c.convene(round_id)
    await c.attend(names)
    proc = (await client.get(f"/api/v1/committees/rounds/{round_id}/procedure", headers=c.office)).json()
    await c.hear_all()
    method = proc["methods"][tier]["kind"]
    for app in ids:
        if method == "deliberation":
            assert (await c.deliberate(app, "select")).status_code == 200
        else:
            for n in names:
                assert (await c.vote(n, app)).status_code == 201
    r = await c.close()
    assert r.status_code == 200, r.text
    return c
