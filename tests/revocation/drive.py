"""Revocation cases through the API: open one on a commended award, record its steps, read what follows."""

from __future__ import annotations

from tests.awards.drive import PREFIX
from tests.commendation.drive import Approval, Winner

# per programme: a winner (changning's an individual), and the clauses its procedure cites
WINNERS = {
    "changning": Winner("achievement", "gold", "王晓明", individual=True),
    "jinshan": Winner("model", "gold", "上海金山某某化工有限公司"),
    "hangzhou": Winner("organisation", "quality", "杭州某某电子股份有限公司"),
    "linyi": Winner("organisation", "mayor", "临沂某某机械有限公司"),
    "tianning": Winner("organisation", "mayor", "常州某某纺织有限公司"),
}
# each text's procedure as the programme's data states it (verification → decision → government approval)
PROCEDURES = {
    "changning": ["verification", "decision"],
    "jinshan": ["verification", "decision", "government_approval"],
    "hangzhou": ["verification", "decision", "government_approval"],
    "linyi": ["verification", "decision", "government_approval"],
    "tianning": ["verification", "government_approval"],
}
# a fraud ground for an organisation (linyi-23b) or anyone else
FRAUD = {"linyi": "unit_fraud"}


def revocation_no(programme: str, n: int = 5) -> str:
    return f"{PREFIX[programme]}〔2027〕{n}号"


async def open_case(a: Approval, app_id: str, ground: str = "fraud", role: str = "office", **extra):
    body = {
        "application_id": app_id,
        "source": "report",
        "ground": ground,
        "evidence": "群众举报：申报材料中的检测报告系伪造，经区市场监管局核查属实",
        **extra,
    }
    return await a.flow.client.post("/api/v1/revocation-cases", json=body, headers=a.flow.headers[role])


async def read_case(a: Approval, case_id: str, role: str = "office"):
    return await a.flow.client.get(f"/api/v1/revocation-cases/{case_id}", headers=a.flow.headers[role])


async def step(a: Approval, case_id: str, body: dict, etag: str | None = None, role: str = "office"):
    if etag is None:
        etag = (await read_case(a, case_id)).headers["etag"]
    return await a.flow.client.post(
        f"/api/v1/revocation-cases/{case_id}/steps", json=body, headers={**a.flow.headers[role], "If-Match": etag}
    )


async def carry_through(a: Approval, case: dict, on: str, document_no: str) -> dict:
    """Every step of the case's procedure, proceeding; the numbered one with ``document_no``."""
    for s in case["procedure"]:
        body = {"step": s["step"], "result": "proceed", "decided_on": on, "note": f"{s['body_zh']}办理"}
        if s["document_no_required"]:
            body["document_no"] = document_no
        r = await step(a, case["id"], body)
        assert r.status_code == 200, r.text
        case = r.json()
    return case
