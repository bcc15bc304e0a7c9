"""An office taking a member off a panel while the member recuses (changning-28c, jinshan-21c): whichever
commits first decides, and the other sees it: a recusal answered 200 is never rewritten as closed."""

from __future__ import annotations

from tests.review_flow.test_confidentiality import P, _world
from tests.review_flow.world import Review


def _status(sync_db, assignment_id: str) -> str:
    with sync_db.cursor() as cur:
        cur.execute("SELECT status FROM review_assignments WHERE id = %s", (assignment_id,))
        return cur.fetchone()[0]


async def test_a_recusal_racing_the_members_removal_is_kept_or_refused_never_overwritten__changning_28c(
    client, token, sync_db, concurrently
):
    flow, apps, _ = await _world(client, token)
    review = Review(client, token, P)
    names = ["甲", "乙", "丙", "丁", "戊", "己"]
    for name in names:
        await review.expert(name)
    panel = await review.panel(flow.round["id"], "material", "甲", names[1:])
    members = names[1:]
    for app_id in apps:
        await review.assign(panel["id"], app_id, members)
    for name in names:
        await review.pledge(panel["id"], name)
    outcomes = []
    for name in members:  # five races, each on its own member's three assignments
        ids = [await review.assignment_of(name, a) for a in apps]

        def race(i: int, name=name, ids=ids):
            if i == 0:
                return client.post(
                    f"/api/v1/review/panels/{panel['id']}/members/{review.id(name)}/removal",
                    json={"reason": "调整分工"},
                    headers=review.office,
                )
            return client.post(
                f"/api/v1/review/assignments/{ids[i - 1]}/recusal",
                json={"reason": "与申报单位存在利害关系"},
                headers=review.headers[name],
            )

        answers = await concurrently(1 + len(ids), race)
        assert answers[0].status_code == 200, answers[0].text
        for assignment_id, r in zip(ids, answers[1:], strict=True):
            # a recusal answered 200 stays recused; one refused (404: no open assignment) found it closed
            assert r.status_code in (200, 404), r.text
            want = "recused" if r.status_code == 200 else "closed"
            assert _status(sync_db, assignment_id) == want, (name, r.status_code, r.text)
            outcomes.append(r.status_code)
    assert outcomes, outcomes
