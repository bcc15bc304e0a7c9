"""A round brought to its commendation decision, and what a certificate's holder and its verifier read."""

from __future__ import annotations

from tests.commendation.drive import Approval, Winner, to_government_approval

PREFIX = {"changning": "长府", "jinshan": "金府", "hangzhou": "杭政", "linyi": "临政", "tianning": "天政"}


async def commended(client, token, programme: str, winners: list[Winner]) -> Approval:
    """``winners`` through the government's approval and its commendation decision (numbers 〔2026〕81/82号)."""
    a = await to_government_approval(client, token, programme, winners)
    today = await a.today()
    for act, ok in (
        (a.submit(today), 201),
        (a.approve(f"{PREFIX[programme]}〔2026〕81号", today), 201),
        (a.commend(f"{PREFIX[programme]}〔2026〕82号", today), 201),
    ):
        r = await act
        assert r.status_code == ok, r.text
    return a


async def certificate(a: Approval, app_id: str, role: str = "office") -> dict:
    r = await a.flow.client.get(f"/api/v1/applications/{app_id}/certificate", headers=a.flow.headers[role])
    assert r.status_code == 200, r.text
    return r.json()


async def revoke(a: Approval, app_id: str, document_no: str, ground: str = "fraud") -> None:
    r = await a.flow.fire(
        app_id,
        "revoke",
        {"ground": ground, "evidence": "区市场监管局核查报告", "document_no": document_no},
        role="office",
    )
    assert r.status_code == 200, r.text
