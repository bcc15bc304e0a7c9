"""A revocation case, not a bare ``revoke``, carries the award's money with it: the paid reward moves to
"to reclaim" under the case's own decision (its day and document number), its reclaim is recorded, and
the re-application ban is written (jinshan-26b, 26c, 27b; issue 16)."""

from __future__ import annotations

from tests.awards.drive import commended
from tests.awards.test_rewards import approve, disburse, reclaim, reward
from tests.revocation.drive import WINNERS, carry_through, open_case, revocation_no


async def test_a_case_revoking_a_paid_award_puts_the_money_to_reclaim_and_writes_the_ban__jinshan_19b_26b_26c(
    client, token
):
    a = await commended(client, token, "jinshan", [WINNERS["jinshan"]])
    app_id = a.ids[0]
    today = await a.today()
    ok = await approve(a, app_id, "200000.00")
    assert ok.status_code == 201, ok.text
    paid = await disburse(a, app_id, ok.headers["etag"], today)
    assert paid.status_code == 200 and paid.json()["state"] == "paid", paid.text

    r = await open_case(a, app_id, "fraud")
    assert r.status_code == 201, r.text
    number = revocation_no("jinshan", 9)
    case = await carry_through(a, r.json(), today, number)
    assert case["status"] == "revoked", case

    money = await reward(a, app_id)
    assert (money["state"], money["revoked_on"], money["revocation_document_no"]) == ("to_reclaim", today, number)
    assert (money["amount_yuan"], money["paid_on"]) == ("200000.00", today)
    back = await reclaim(a, app_id, f'"v{money["version"]}"', today)
    assert back.status_code == 200 and back.json()["state"] == "reclaimed", back.text

    # the ban after a revocation for fraud: five years in the programme (jinshan-26c)
    bans = await client.get("/api/v1/bans", params={"programme": "jinshan"}, headers=a.flow.headers["office"])
    assert bans.status_code == 200, bans.text
    mine = [b for b in bans.json()["items"] if b.get("clause") == "jinshan-26c"]
    assert len(mine) == 1, bans.json()
