"""The ranking by consensus score, the on-site list "best among the good" (changning-22b, jinshan-18f), the exports."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from tests.notices.driver import credit_code
from tests.review_flow.world import Review, items
from tests.workflow.flow import Flow

P = "changning"


async def test_a_departure_from_rank_order_needs_its_reason_and_the_exports_hold_the_api_s_totals_changning_22b(
    client, token
):
    flow = Flow(client, token, P)
    rnd = await flow.september_round()
    apps = [
        (await flow.apply(rnd["id"], "model", name=f"企业{i}", credit_code=credit_code(40 + i)))["id"] for i in range(3)
    ]
    review = Review(client, token, P)
    await review.expert("组长")
    panel = await review.panel(rnd["id"], "material", "组长", [])
    await review.pledge(panel["id"], "组长")
    book = items(P, "model")
    for app, band in zip(apps, (80, 70, 60), strict=True):
        await review.assign(panel["id"], app, ["组长"])
        sheet = review.sheet(book, band)
        assert (await review.score("组长", await review.assignment_of("组长", app), sheet)).status_code == 201
        assert (await review.consensus("组长", panel["id"], app, sheet)).status_code == 201
    r = await client.get(f"/api/v1/review/rounds/{rnd['id']}/ranking", headers=review.office)
    assert r.status_code == 200, r.text
    (group,) = r.json()
    assert [e["application_id"] for e in group["entries"]] == apps
    assert [e["rank"] for e in group["entries"]] == [1, 2, 3]
    totals = {e["application_id"]: Decimal(e["total"]) for e in group["entries"]}
    assert totals[apps[0]] == Decimal("800.0")
    url = f"/api/v1/review/rounds/{rnd['id']}/lists"
    body = {"tier": "", "category": "model", "chosen": [apps[0], apps[2]]}
    r = await client.post(url, json=body, headers=review.office)
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == [f"reasons.{apps[2]}"], r.text
    r = await client.post(
        url, json={**body, "reasons": {apps[2]: "行业代表性更强，经评审会研究"}}, headers=review.office
    )
    assert r.status_code == 201, r.text
    assert r.json()["departures"] == [{"chosen": apps[2], "passed_over": [apps[1]]}]
    assert (await client.post(url, json={**body, "reasons": {apps[2]: "x"}}, headers=review.office)).status_code == 409
    # the office's exports: the workbook's totals are the API's
    r = await client.get(
        f"/api/v1/review/rounds/{rnd['id']}/ranking/export", params={"format": "xlsx"}, headers=review.office
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats"), r.text
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    header = rows[0]
    at = {h: i for i, h in enumerate(header)}
    got = {row[at["申报编号"]]: Decimal(str(row[at["总分"]])) for row in rows[1:]}
    assert got == totals
    chosen = {row[at["申报编号"]]: (row[at["入选"]], row[at["理由"]]) for row in rows[1:]}
    assert chosen[apps[2]] == ("是", "行业代表性更强，经评审会研究") and chosen[apps[1]][0] == "否"
    r = await client.get(
        f"/api/v1/review/rounds/{rnd['id']}/ranking/export", params={"format": "csv"}, headers=review.office
    )
    assert r.status_code == 200
    lines = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert {line[4]: Decimal(line[6]) for line in lines[1:]} == totals
    # another programme's office sees neither
    other = token("office", programme="jinshan")
    assert (await client.get(f"/api/v1/review/rounds/{rnd['id']}/ranking", headers=other)).status_code == 404


async def test_a_re_applicant_s_consensus_is_shown_beside_its_previous_one_per_category_linyi_13b(client, token):
    flow = Flow(client, token, "linyi")
    review = Review(client, token, "linyi")
    await review.expert("组长")
    book = items("linyi", "organisation")
    apps = []
    # linyi-4a 每两年: the review years 2026 and 2028 (issue 20 refuses a round in an off year)
    for year, band in ((2026, 50), (2028, 70)):
        await flow.at(f"{year}-09-01T09:00:00+08:00")
        rnd = await flow.open_round(
            str(year), f"{year}-09-01", f"{year}-09-01T00:00:00+08:00", f"{year}-09-21T00:00:00+08:00"
        )
        app = (await flow.apply(rnd["id"], "organisation", name="临沂某某集团", credit_code=credit_code(70)))["id"]
        panel = await review.panel(rnd["id"], "material", "组长", [])
        await review.pledge(panel["id"], "组长")
        await review.assign(panel["id"], app, ["组长"])
        sheet = review.sheet(book, band)
        assert (await review.score("组长", await review.assignment_of("组长", app), sheet)).status_code == 201
        assert (await review.consensus("组长", panel["id"], app, sheet)).status_code == 201
        apps.append(app)
    r = await client.get(f"/api/v1/review/applications/{apps[1]}/comparison", headers=review.office)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["previous_application_id"] == apps[0]
    assert (Decimal(body["previous_total"]), Decimal(body["current_total"])) == (Decimal("500.0"), Decimal("700.0"))
    results = next(c for c in body["categories"] if c["points"] == 400)
    assert Decimal(results["change"]) == Decimal("80.0")
    first = await client.get(f"/api/v1/review/applications/{apps[0]}/comparison", headers=review.office)
    assert first.json()["previous_application_id"] is None
