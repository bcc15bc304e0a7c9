"""Driving applications to a notice point, publishing notices, objecting: for the notice tests."""

from __future__ import annotations

import base64
from typing import Any

from stdnum.cn import ric

from app.domain.identifiers import credit_check_character
from tests.intake.completing import complete_application
from tests.workflow.flow import Flow

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EVIDENCE = [{"filename": "证据.pdf", "content_base64": base64.b64encode(PDF).decode()}]


def credit_code(n: int) -> str:
    first17 = f"913101{n:011d}"
    return first17 + credit_check_character(first17)


def id_number(n: int, born: str = "19850312") -> str:
    """A valid 居民身份证号 (Beijing Chaoyang, ``born``, sequence ``n``)."""
    first17 = f"110105{born}{n:03d}"
    return first17 + ric.calc_check_digit(first17 + "0")  # the check digit of the first 17


def person(n: int, **over: Any) -> dict:
    return {"kind": "person", "name": f"张{n}", "id_number": id_number(n), "phone": f"139{n:08d}", **over}


def organisation(n: int, **over: Any) -> dict:
    return {
        "kind": "organisation",
        "name": f"某某检测有限公司{n}",
        "credit_code": credit_code(5000 + n),
        "contact_person": f"李{n}",
        "phone": f"021-6{n:07d}",
        **over,
    }


def objection(app_id: str, objector: dict | None, **over: Any) -> dict:
    body = {
        "application_id": app_id,
        "objector": objector,
        "facts": "该企业2025年发生一起较大质量事故，被市场监管部门立案处罚。",
        "reasons": "不符合“近三年未发生重大质量、安全、环境事故”的申报条件。",
        "evidence": EVIDENCE,
    }
    body.update(over)
    return body


# the round actions that bring changning-like applications (recommendation first) to each point
RECOMMENDED = [
    ("submit", "applicant", {}),
    ("recommend", "recommender", {"opinion": "同意推荐"}),
    ("pass_qualification", "office", {}),
]
DIRECT = [("submit", "applicant", {}), ("pass_qualification", "office", {})]
LINYI = [("submit", "applicant", {}), ("pass_preliminary", "recommender", {}), ("pass_qualification", "office", {})]
TO_COMMITTEE = {
    "changning": [
        ("shortlist", "expert", {}),
        ("complete_onsite", "expert", {}),
        ("complete_evaluation", "expert", {}),
    ],
    "jinshan": [("shortlist", "expert", {}), ("complete_onsite", "expert", {}), ("complete_evaluation", "expert", {})],
    "linyi": [
        ("shortlist", "expert", {}),
        ("complete_onsite", "expert", {}),
        ("complete_defence", "expert", {}),
        ("complete_evaluation", "office", {}),
    ],
    "tianning": [
        ("shortlist", "expert", {}),
        ("complete_onsite", "expert", {}),
        ("complete_defence", "expert", {}),
        ("complete_evaluation", "office", {}),
    ],
}


class NoticeFlow(Flow):
    def __init__(self, client, token, programme: str) -> None:
        super().__init__(client, token, programme)
        self.round: dict = {}

    async def start(self, label: str = "2026", overrides: list[dict] | None = None) -> dict:
        await self.at("2026-09-01T09:00:00+08:00")
        self.round = await self.open_round(
            label, "2026-09-01", "2026-09-01T00:00:00+08:00", "2026-09-21T00:00:00+08:00", overrides
        )
        return self.round

    async def refused_round(self, overrides: list[dict], lang: str = "zh") -> dict:
        """Create a round with ``overrides`` expecting a 422; the problem body."""
        await self.at("2026-09-01T09:00:00+08:00")
        call = {
            "title": "2026年度申报通知",
            "published_on": "2026-09-01",
            "opens_at": "2026-09-01T00:00:00+08:00",
            "closes_at": "2026-09-21T00:00:00+08:00",
        }
        body = {"programme": self.programme, "label": "2026", "call": call, "overrides": overrides}
        r = await self.client.post(
            "/api/v1/rounds", json=body, headers={**self.headers["office"], "Accept-Language": lang}
        )
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), r.text
        return r.json()

    async def applications(self, count: int, category: str = "model", first: int = 0) -> list[str]:
        out = []
        for i in range(first, first + count):
            if category in ("achievement", "individual"):
                out.append(
                    (
                        await self.apply(
                            self.round["id"], category, name=f"王{i}", id_number=id_number(100 + i, "19800101")
                        )
                    )["id"]
                )
            else:
                out.append(
                    (
                        await self.apply(
                            self.round["id"], category, name=f"上海某某质量管理有限公司{i}", credit_code=credit_code(i)
                        )
                    )["id"]
                )
        return out

    async def act(self, ids: list[str], steps: list[tuple[str, str, dict]]) -> None:
        for event, role, data in steps:
            await self.review_pieces(ids, event)
            if event == "submit":
                # what a complete application holds (issue 19)
                for app_id in ids:
                    await complete_application(self.client, self.headers["office"], app_id)
            r = await self.client.post(
                f"/api/v1/rounds/{self.round['id']}/actions",
                json={"event": event, "applications": ids, "data": data},
                headers=self.headers[role],
            )
            assert r.status_code == 200, (event, r.text)

    async def publish(self, point: str, ids: list[str], expect: int = 201, **extra: Any):
        if point == "winners":
            await self.approve_publication(ids)
        r = await self.client.post(
            f"/api/v1/rounds/{self.round['id']}/notices",
            json={"point": point, "applications": ids, **extra},
            headers=self.headers["office"],
        )
        assert r.status_code == expect, r.text
        return r.json() if expect == 201 else r

    async def qualification_notice(self, count: int = 1) -> tuple[list[str], dict]:
        """A round, ``count`` recommended applications, their qualification notice published Tuesday 2026-09-29."""
        await self.start()
        ids = await self.applications(count)
        await self.act(ids, RECOMMENDED)
        await self.at("2026-09-29T10:00:00+08:00")
        return ids, await self.publish("qualification", ids)

    async def jinshan_winners(self, tiers: list[str]) -> tuple[list[str], dict]:
        """Jinshan: one application per tier in ``tiers`` through qualification and committee, the winners' notice published 2026-11-03."""
        ids, _ = await self.qualification_notice(len(tiers))
        await self.at("2026-10-13T00:00:00+08:00")
        await self.run_deadlines()
        await self.act(ids, TO_COMMITTEE["jinshan"])
        for tier in dict.fromkeys(tiers):
            await self.act(
                [i for i, t in zip(ids, tiers, strict=False) if t == tier], [("select", "committee", {"tier": tier})]
            )
        await self.at("2026-11-03T10:00:00+08:00")
        return ids, await self.publish("winners", ids)

    async def state(self, app_id: str) -> str:
        return (await self.get(app_id)).json()["state"]

    async def public_notice(self, notice_id: str) -> dict:
        r = await self.client.get(f"/api/v1/public/notices/{notice_id}")
        assert r.status_code == 200, r.text
        return r.json()

    async def object(self, notice_id: str, body: dict, headers: dict | None = None):
        return await self.client.post(
            f"/api/v1/public/notices/{notice_id}/objections", json=body, headers=headers or {}
        )

    async def office_objection(self, objection_id: str):
        return await self.client.get(f"/api/v1/objections/{objection_id}", headers=self.headers["office"])

    async def objection_id(self, receipt_no: str) -> str:
        r = await self.client.get("/api/v1/objections", params={"size": 100}, headers=self.headers["office"])
        assert r.status_code == 200, r.text
        return next(o["id"] for o in r.json()["items"] if o["receipt_no"] == receipt_no)

    async def decide(
        self, receipt_no: str, decision: str, reasons: str = "经核查，反映的情况属实。", result_zh: str | None = None
    ):
        oid = await self.objection_id(receipt_no)
        got = await self.office_objection(oid)
        body: dict[str, Any] = {"decision": decision, "reasons": reasons}
        if result_zh:
            body["result_zh"] = result_zh
        return await self.client.post(
            f"/api/v1/objections/{oid}/decision",
            json=body,
            headers={**self.headers["office"], "If-Match": got.headers["etag"]},
        )
