"""Reward money (奖金/资助, issue 16): each programme's rule with its clause, the office's approval, the disbursement,
and a revocation's reclaim; bad amounts; who reads and who writes."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.awards.drive import commended, revoke
from tests.commendation.drive import Approval, Winner
from tests.intake.drive import open_round
from tests.workflow.flow import Flow


def _url(app_id: str, step: str = "") -> str:
    return f"/api/v1/applications/{app_id}/reward" + (f"/{step}" if step else "")


async def reward(a: Approval, app_id: str, role: str = "office") -> dict:
    r = await a.flow.client.get(_url(app_id), headers=a.flow.headers[role])
    assert r.status_code == 200, r.text
    return r.json()


async def approve(a: Approval, app_id: str, amount, reason: str | None = None, headers: dict | None = None):
    body = {"amount_yuan": amount} | ({"reason": reason} if reason else {})
    return await a.flow.client.post(_url(app_id, "approval"), json=body, headers=headers or a.flow.headers["office"])


async def disburse(a: Approval, app_id: str, etag: str, on: str, voucher: str = "财拨〔2026〕0153号"):
    return await a.flow.client.post(
        _url(app_id, "disbursement"),
        json={"paid_on": on, "voucher_no": voucher},
        headers={**a.flow.headers["office"], "If-Match": etag},
    )


async def reclaim(a: Approval, app_id: str, etag: str, on: str, voucher: str = "财缴〔2026〕0021号"):
    return await a.flow.client.post(
        _url(app_id, "reclaim"),
        json={"reclaimed_on": on, "voucher_no": voucher},
        headers={**a.flow.headers["office"], "If-Match": etag},
    )


async def hold(a: Approval, app_id: str, award: str, year: int, document_no: str, received=None):
    """The office records an award the winner already holds (已获奖项)."""
    body = {"award": award, "year": year, "document_no": document_no}
    if received is not None:
        body["amount_received_yuan"] = received
    r = await a.flow.client.post(
        f"/api/v1/applications/{app_id}/held-awards", json=body, headers=a.flow.headers["office"]
    )
    assert r.status_code == 201, r.text
    return r.json()


def _steps(r: dict) -> list[tuple[str, str | None, str | None]]:
    return [(line["step"], line["clause"], line["amount_yuan"]) for line in r["entitlement"]["breakdown"]]


@pytest.mark.parametrize(
    ("programme", "winner", "amount", "document_no"),
    [
        ("changning", Winner("model", "mayor", "上海长宁某某科技有限公司"), "500000.00", "长府〔2027〕3号"),
        ("jinshan", Winner("model", "gold", "上海金山某某化工有限公司"), "200000.00", "金府〔2027〕3号"),
    ],
)
async def test_fixed_reward_approved_paid_then_revoked_to_reclaim_and_reclaimed__changning_26b_jinshan_19b(
    client, token, sync_db, programme, winner, amount, document_no
):
    """A fixed amount per tier and category (changning-26b, jinshan-19b): the entitlement cites its clause; the office
    approves it, records its disbursement (拨付) with the voucher; ``revoke`` moves the paid money to "to reclaim" in
    the event's own transaction; the reclaim is recorded with its day and voucher. Each step is an outbox event."""
    a = await commended(client, token, programme, [winner])
    app_id = a.ids[0]
    today = await a.today()
    r = await reward(a, app_id)
    clause = f"{programme}-{'26b' if programme == 'changning' else '19b'}"
    assert r["entitlement"]["winner"] and r["entitlement"]["payable"]
    assert (r["entitlement"]["kind"], r["entitlement"]["entitlement_yuan"]) == ("fixed", amount)
    assert _steps(r) == [("base", clause, amount)]
    assert (r["state"], r["amount_yuan"]) == ("not_approved", None)

    ok = await approve(a, app_id, amount)
    assert ok.status_code == 201, ok.text
    assert (ok.json()["state"], ok.json()["amount_yuan"], ok.headers["etag"]) == ("approved", amount, '"v1"')
    paid = await disburse(a, app_id, ok.headers["etag"], today)
    assert paid.status_code == 200, paid.text
    assert (paid.json()["state"], paid.json()["paid_on"], paid.json()["payment_voucher"]) == (
        "paid",
        today,
        "财拨〔2026〕0153号",
    )
    # a second payment with the same (now stale) tag is refused: the money is paid once
    assert (await disburse(a, app_id, ok.headers["etag"], today)).status_code == 412
    again = await disburse(a, app_id, paid.headers["etag"], today)
    assert again.status_code == 409 and again.json()["type"].endswith("/reward-state"), again.text

    await revoke(a, app_id, document_no)
    r = await reward(a, app_id)
    assert (r["state"], r["revoked_on"], r["revocation_document_no"]) == ("to_reclaim", today, document_no)
    assert r["paid_on"] == today and r["amount_yuan"] == amount
    # a revoked award is no winner any more: no second approval, no entitlement
    assert not r["entitlement"]["winner"]
    back = await reclaim(a, app_id, f'"v{r["version"]}"', today)
    assert back.status_code == 200, back.text
    assert (back.json()["state"], back.json()["reclaimed_on"], back.json()["reclaim_voucher"]) == (
        "reclaimed",
        today,
        "财缴〔2026〕0021号",
    )
    with sync_db.cursor() as cur:
        cur.execute(
            "SELECT type FROM outbox_events WHERE type LIKE 'reward.%%' AND payload->>'application_id' = %s ORDER BY id",
            (app_id,),
        )
        assert [t for (t,) in cur.fetchall()] == [
            "reward.approved",
            "reward.paid",
            "reward.to_reclaim",
            "reward.reclaimed",
        ]


async def test_hangzhou_up_to_cap_less_what_was_received_for_earlier_awards__hangzhou_4_3a_4_4a(client, token):
    """Hangzhou's Quality Award: up to 600,000 (hangzhou-4.3a), less what the organisation already received for an
    earlier Innovation Award and for excellence-model project funding (就高不重复, hangzhou-4.4a); the office approves
    at most the cap (above: 422 naming amount_yuan), less than the entitlement only with a reason."""
    a = await commended(client, token, "hangzhou", [Winner("organisation", "quality", "杭州某某电子股份有限公司")])
    app_id = a.ids[0]
    await hold(a, app_id, "innovation", 2023, "杭政〔2023〕50号", "300000.00")
    await hold(a, app_id, "excellence_model_project", 2024, "杭市监〔2024〕12号", 100000)
    r = await reward(a, app_id)
    e = r["entitlement"]
    assert (e["kind"], e["base_yuan"], e["deducted_yuan"], e["cap_yuan"]) == (
        "up_to",
        "600000.00",
        "400000.00",
        "200000.00",
    )
    assert _steps(r) == [
        ("base", "hangzhou-4.3a", "600000.00"),
        ("deduction", "hangzhou-4.4a", "300000.00"),
        ("deduction", "hangzhou-4.4a", "100000.00"),
        ("cap", "hangzhou-4.4a", "200000.00"),
    ]
    assert "创新奖" in e["breakdown"][1]["zh"] and "2023" in e["breakdown"][1]["zh"]

    above = await approve(a, app_id, "200000.01")
    assert above.status_code == 422, above.text
    assert above.json()["errors"][0]["field"] == "amount_yuan" and above.json()["clause"] == "hangzhou-4.3a"
    no_reason = await approve(a, app_id, 150000)
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason", no_reason.text
    ok = await approve(a, app_id, 150000, reason="按项目实际投入核定")
    assert ok.status_code == 201, ok.text
    assert (ok.json()["amount_yuan"], ok.json()["reason"]) == ("150000.00", "按项目实际投入核定")


async def test_tianning_only_a_first_time_winner_is_rewarded__tianning_13b(client, token):
    """Tianning rewards an organisation winning for the first time (首次获得, tianning-13b) with 100,000 once; one that
    won before (an earlier win the office recorded) is entitled to nothing, and an approval says why (409)."""
    a = await commended(
        client,
        token,
        "tianning",
        [
            Winner("organisation", "mayor", "常州某某纺织有限公司"),
            Winner("organisation", "mayor", "常州某某机械有限公司"),
        ],
    )
    first, again = a.ids
    await hold(a, again, "mayor", 2023, "天政〔2023〕40号")
    r = await reward(a, first)
    assert (r["entitlement"]["entitlement_yuan"], _steps(r)) == ("100000.00", [("base", "tianning-13b", "100000.00")])
    r = await reward(a, again)
    assert not r["entitlement"]["payable"] and r["entitlement"]["entitlement_yuan"] == "0.00"
    assert _steps(r) == [("first_time_only", "tianning-13b", None)]
    refused = await approve(a, again, "100000.00")
    assert refused.status_code == 409, refused.text
    assert refused.json()["type"].endswith("/no-reward-entitlement") and refused.json()["clause"] == "tianning-13b"
    assert (await approve(a, first, "100000.00")).status_code == 201


async def test_linyi_unit_deducted_by_the_governor_award_and_an_individual_amount_set_by_the_office__linyi_15b_15c(
    client, token
):
    """Linyi: a unit gets up to 300,000 (linyi-15b), less what it received for the Shandong Governor Quality Award
    (就高不重复, linyi-15c): a higher award leaves nothing; an individual's "certain material reward" has no amount in
    the text, so the office records the amount it approves (no cap)."""
    a = await commended(
        client,
        token,
        "linyi",
        [
            Winner("organisation", "mayor", "临沂某某机械有限公司"),
            Winner("individual", "mayor", "张某某", individual=True),
        ],
    )
    unit, person = a.ids
    await hold(a, unit, "shandong_governor_quality_award", 2024, "鲁政〔2024〕8号", "500000.00")
    r = await reward(a, unit)
    assert (r["entitlement"]["cap_yuan"], r["entitlement"]["payable"]) == ("0.00", False)
    assert [s[:2] for s in _steps(r)] == [("base", "linyi-15b"), ("deduction", "linyi-15c"), ("cap", "linyi-15c")]
    refused = await approve(a, unit, "1000.00")
    assert refused.status_code == 409 and refused.json()["clause"] == "linyi-15c", refused.text

    r = await reward(a, person)
    assert (r["entitlement"]["kind"], r["entitlement"]["cap_yuan"], r["entitlement"]["payable"]) == (
        "office_sets",
        None,
        True,
    )
    assert _steps(r) == [("office_sets", "linyi-15b", None)]
    ok = await approve(a, person, "8000")
    assert ok.status_code == 201 and ok.json()["amount_yuan"] == "8000.00", ok.text


async def test_bad_amounts_and_a_non_winner_are_refused_naming_the_field__jinshan_6a(client, token, sync_db):
    """Negative, zero, more than two decimals, not a number: 422 naming amount_yuan (nothing is ever charged to an
    applicant, jinshan-6a); an application that is no commended winner: 409 /not-a-winner naming the field."""
    a = await commended(client, token, "changning", [Winner("achievement", "gold", "王晓明", individual=True)])
    app_id = a.ids[0]
    for amount, code in (
        ("-1", "not_positive"),
        (-5000, "not_positive"),
        ("0", "not_positive"),
        ("1.005", "decimal_places"),
        (1.005, "decimal_places"),
        ("1e3", "decimal_parsing"),
        ("一万元", "decimal_parsing"),
        ("10000.00 ", "decimal_parsing"),
    ):
        r = await approve(a, app_id, amount)
        assert r.status_code == 422, (amount, r.text)
        assert (r.json()["errors"][0]["field"], r.json()["errors"][0]["code"]) == ("amount_yuan", code), amount
        assert r.json()["errors"][0]["message"], amount
    # a boolean is no amount (JSON true is not 1 yuan)
    r = await approve(a, app_id, True)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "amount_yuan", r.text
    en = await a.flow.client.post(
        _url(app_id, "approval"),
        json={"amount_yuan": "-1"},
        headers={**a.flow.headers["office"], "Accept-Language": "en"},
    )
    assert "above zero" in en.json()["errors"][0]["message"]
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM rewards")
        assert cur.fetchone()[0] == 0
    # a held award the programme does not know, or a negative amount received: 422 naming the field
    held = f"/api/v1/applications/{app_id}/held-awards"
    for body, field in (
        ({"award": "nobel_prize", "year": 2020, "document_no": "X"}, "award"),
        (
            {"award": "gold", "year": 2020, "document_no": "长府〔2020〕1号", "amount_received_yuan": "-1"},
            "amount_received_yuan",
        ),
    ):
        r = await a.flow.client.post(held, json=body, headers=a.flow.headers["office"])
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field, r.text

    flow = Flow(client, token, "changning")
    rnd = await open_round(flow, 2026, label="2026-b")
    draft = await flow.apply(rnd["id"], "model", name="上海某某未获奖公司")
    r = await approve(a, draft["id"], "10000.00", headers=flow.headers["office"])
    assert r.status_code == 409 and r.json()["type"].endswith("/not-a-winner"), r.text
    assert r.json()["field"] == "application_id"
    # nothing approved: no disbursement either
    r = await disburse(a, draft["id"], '"v1"', "2026-09-01")
    assert r.status_code == 409 and r.json()["type"].endswith("/reward-not-approved"), r.text


async def test_two_clerks_approving_at_once_one_wins__changning_26b(client, token, sync_db, concurrently):
    """Two clerks approve the same winner's reward at the same moment: one 201, the other 409, one approval row."""
    a = await commended(client, token, "changning", [Winner("model", "gold", "上海长宁某某设计有限公司")])
    app_id = a.ids[0]
    clerks = [token("office", programme="changning", sub=f"clerk-{i}") for i in range(2)]
    answers = await concurrently(2, lambda i: approve(a, app_id, "100000.00", headers=clerks[i]))
    assert sorted(r.status_code for r in answers) == [201, 409], [r.text for r in answers]
    loser = next(r for r in answers if r.status_code == 409)
    assert loser.json()["type"].endswith(("/reward-already-approved", "/concurrent-update")), loser.text
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM rewards WHERE application_id = %s", (app_id,))
        assert cur.fetchone()[0] == 1


async def test_a_revocation_racing_a_disbursement_leaves_a_consistent_state__changning_26b(
    client, token, sync_db, concurrently
):
    """``revoke`` and the disbursement at once: either the payment came first (paid, then to reclaim) or the
    revocation did (the approval cancelled, the payment refused, nothing paid); never paid money left unreclaimed."""
    a = await commended(client, token, "changning", [Winner("model", "gold", "上海长宁某某材料有限公司")])
    app_id = a.ids[0]
    today = await a.today()
    ok = await approve(a, app_id, "100000.00")
    assert ok.status_code == 201, ok.text
    app = (await a.flow.get(app_id)).json()
    app_etag = (await a.flow.get(app_id)).headers["etag"]
    assert app["state"] == "awarded"

    async def revoking():
        return await a.flow.client.post(
            f"/api/v1/applications/{app_id}/events",
            json={
                "event": "revoke",
                "data": {"ground": "fraud", "evidence": "核查报告", "document_no": "长府〔2027〕9号"},
            },
            headers={**a.flow.headers["office"], "If-Match": app_etag},
        )

    pay, rev = await concurrently(2, lambda i: disburse(a, app_id, ok.headers["etag"], today) if i == 0 else revoking())
    assert rev.status_code == 200, rev.text
    r = await reward(a, app_id)
    if pay.status_code == 200:
        assert (r["state"], r["paid_on"]) == ("to_reclaim", today)
    else:
        assert pay.status_code in (409, 412), pay.text
        assert (r["state"], r["paid_on"]) == ("cancelled", None)
    with sync_db.cursor() as cur:
        cur.execute("SELECT state, paid_on IS NOT NULL FROM rewards WHERE application_id = %s", (app_id,))
        state, paid = cur.fetchone()
        assert (state, paid) in (("to_reclaim", True), ("cancelled", False))


async def test_supervisor_and_winner_read_only_the_office_writes_and_the_export_matches__changning_26b(client, token):
    """The supervision team reads a winner's reward and the round's list and export, writes nothing (403); the
    winner's own account reads its reward; the office's .xlsx of the round reads back with the API's totals."""
    a = await commended(
        client,
        token,
        "changning",
        [
            Winner("model", "mayor", "上海长宁某某集团有限公司"),
            Winner("achievement", "gold", "李某某", individual=True),
        ],
    )
    model, person = a.ids
    today = await a.today()
    ok = await approve(a, model, "500000.00")
    assert (await disburse(a, model, ok.headers["etag"], today)).status_code == 200
    assert (await approve(a, person, "8000.00", reason="区政府常务会议核定")).status_code == 201

    # only money to reclaim is reclaimed
    r = await reward(a, person)
    wrong = await reclaim(a, person, f'"v{r["version"]}"', today)
    assert wrong.status_code == 409 and wrong.json()["state"] == "approved", wrong.text

    supervisor = token("supervisor", programme="changning", sub="discipline-1")
    assert (await client.get(_url(model), headers=supervisor)).status_code == 200
    refused = await approve(a, person, "1.00", headers=supervisor)
    assert refused.status_code == 403, refused.text
    assert (await reward(a, model, role="applicant"))["state"] == "paid"
    assert (await approve(a, model, "1.00", headers=a.flow.headers["applicant"])).status_code == 403
    other_office = token("office", programme="jinshan", sub="jinshan-clerk")
    assert (await client.get(_url(model), headers=other_office)).status_code == 404

    listed = await client.get(f"/api/v1/rounds/{a.round_id}/rewards", headers=supervisor)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert [i["state"] for i in body["items"]] == ["paid", "approved"]
    assert body["totals"] == {"approved": "508000.00", "paid": "500000.00", "to_reclaim": "0.00", "reclaimed": "0.00"}

    x = await client.get(f"/api/v1/rounds/{a.round_id}/rewards.xlsx", headers=a.flow.headers["office"])
    assert x.status_code == 200 and x.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(x.content), read_only=True)["奖金"].iter_rows(values_only=True))
    heading = rows[1]
    amount_col, state_col = heading.index("核定金额（元）"), heading.index("状态")
    winners = [r for r in rows[2:] if r and isinstance(r[0], int)]
    assert [(r[1], Decimal(str(r[amount_col])), r[state_col]) for r in winners] == [
        ("上海长宁某某集团有限公司", Decimal("500000"), "已拨付"),
        ("李某某", Decimal("8000"), "已核定"),
    ]
    totals = {r[0]: Decimal(str(r[amount_col])) for r in rows if r and r[0] and str(r[0]).endswith("合计")}
    assert totals == {
        "核定合计": Decimal(body["totals"]["approved"]),
        "已拨付合计": Decimal(body["totals"]["paid"]),
        "待追回合计": Decimal(body["totals"]["to_reclaim"]),
        "已追回合计": Decimal(body["totals"]["reclaimed"]),
    }
    assert sum(Decimal(str(r[amount_col])) for r in winners) == Decimal(body["totals"]["approved"])
