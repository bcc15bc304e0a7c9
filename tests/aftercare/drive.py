"""A winner after its commendation: its duties, reports, follow-ups and role-model activities through the API."""

from __future__ import annotations

from tests.awards.drive import commended
from tests.commendation.drive import Approval, Winner
from tests.notices.driver import PDF

WINNERS = {
    "changning": Winner("model", "gold", "上海长宁某某科技有限公司"),
    "jinshan": Winner("model", "gold", "上海金山某某化工有限公司"),
    "hangzhou": Winner("organisation", "quality", "杭州某某电子股份有限公司"),
    "linyi": Winner("organisation", "mayor", "临沂某某机械有限公司"),
    "tianning": Winner("organisation", "mayor", "常州某某纺织有限公司"),
}


def year(n: int, holidays: list[tuple[str, str]] = ()) -> dict:
    """A calendar year's body for ``PUT /calendar/years/{n}``: its 元旦 and any other holidays given."""
    return {
        "holidays": [{"date": f"{n}-01-01", "name": "元旦"}, *({"date": d, "name": name} for d, name in holidays)],
        "makeup_workdays": [],
        "source": f"国务院办公厅关于{n}年部分节假日安排的通知",
    }


async def load_years(client, token, *years: int) -> None:
    for n in years:
        r = await client.put(f"/api/v1/calendar/years/{n}", json=year(n), headers=token("admin", sub="admin-1"))
        assert r.status_code in (200, 201), r.text


async def winner(client, token, programme: str) -> tuple[Approval, str]:
    a = await commended(client, token, programme, [WINNERS[programme]])
    return a, a.ids[0]


async def duties(a: Approval, role: str = "office", **params) -> dict:
    r = await a.flow.client.get("/api/v1/aftercare/duties", params=params, headers=a.flow.headers[role])
    assert r.status_code == 200, r.text
    return r.json()


async def submit_report(a: Approval, app_id: str, duty_id: str, role: str = "applicant", content: bytes = PDF):
    return await a.flow.client.post(
        f"/api/v1/applications/{app_id}/duty-reports",
        params={"duty_id": duty_id, "filename": "质量绩效报告.pdf"},
        content=content,
        headers={**a.flow.headers[role], "Content-Type": "application/octet-stream"},
    )


async def follow_up(a: Approval, app_id: str, body: dict, headers: dict | None = None):
    return await a.flow.client.post(
        f"/api/v1/applications/{app_id}/follow-ups", json=body, headers=headers or a.flow.headers["office"]
    )


async def counts(a: Approval, role: str = "office", **params) -> dict:
    """``all`` of the summary: how many duties are in each status."""
    r = await a.flow.client.get("/api/v1/aftercare/duties/summary", params=params, headers=a.flow.headers[role])
    assert r.status_code == 200, r.text
    return r.json()["counts"]["all"]
