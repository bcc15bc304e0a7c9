"""Per programme: a round's review driven by three experts through every review stage (issue 14).

Conflicts derived (an expert employed by an applicant) and declared (a guidance filing), a recusal,
independent scores, the leader's consensus with an outlier flagged, each stage's report, the
ranking and the on-site list with a departure's reason; each pass event then goes through on the
review's own result (no driver shortcut).
"""

from __future__ import annotations

import pytest

from app.domain.programmes.registry import get_registry
from tests.notices.driver import DIRECT, LINYI, RECOMMENDED, NoticeFlow, credit_code
from tests.review_flow.world import Review, items, record_opinion_survey
from tests.workflow.flow import REVIEW_STAGE_OF

TO_MATERIAL = {
    "changning": RECOMMENDED,
    "jinshan": RECOMMENDED,
    "hangzhou": DIRECT,
    "linyi": LINYI,
    "tianning": RECOMMENDED,
}
CATEGORY = {
    "changning": "model",
    "jinshan": "model",
    "hangzhou": "organisation",
    "linyi": "organisation",
    "tianning": "organisation",
}
PANEL_STAGE = {
    "material_review": "material",
    "onsite_review": "onsite",
    "defence": "defence",
    "comprehensive_evaluation": "evaluation",
}
CLOCK = [
    "2026-09-29T10:00:00+08:00",
    "2026-10-20T10:00:00+08:00",
    "2026-11-20T10:00:00+08:00",
    "2026-12-20T10:00:00+08:00",
]


async def _settle(flow: NoticeFlow, ids: list[str], clock: list[str]) -> str:
    """Publish recorded decisions and wait out notices until the applications stand in a working state."""
    for _ in range(8):
        apps = [(await flow.get(i, "office")).json() for i in ids]
        states = {a["state"] for a in apps}
        assert len(states) == 1, states
        state = states.pop()
        if state.endswith("_notice"):
            await flow.at(clock.pop(0))
            await flow.run_deadlines()
        elif apps[0]["outcome"].get("decision"):
            r = await flow.publish_notice(flow.round["id"], ids)
            assert r.status_code == 201, r.text
        else:
            return state
    raise AssertionError("did not settle")


async def _pass(flow: NoticeFlow, ids: list[str], event: str) -> None:
    """The stage's pass event as a round action, by whichever of the programme's people fires it."""
    r = None
    for role in ("expert", "office"):
        if role == "expert":
            # an expert acts only on what is assigned to it (jinshan-21a, hangzhou-6.2a, linyi-20a)
            await flow.seat_expert(ids)
        r = await flow.client.post(
            f"/api/v1/rounds/{flow.round['id']}/actions",
            json={"event": event, "applications": ids, "data": {}},
            headers=flow.headers[role],
        )
        if r.status_code != 403:
            break
    assert r is not None and r.status_code == 200, (event, r.text)


@pytest.mark.parametrize("programme", ["changning", "jinshan", "hangzhou", "linyi", "tianning"])
async def test_three_experts_take_a_round_through_its_review_stages(client, token, programme):
    flow = NoticeFlow(client, token, programme)
    await flow.start()
    ids = await flow.applications(3, CATEGORY[programme], first=20)
    await flow.act(ids, TO_MATERIAL[programme])
    clock = list(CLOCK)
    review = Review(client, token, programme)
    await review.expert("组长")
    await review.expert("乙")
    await review.expert("丙")
    await review.expert("同单位", employer_credit_code=credit_code(20))  # works for the first applicant
    await review.expert("辅导")
    r = await client.post(
        f"/api/v1/review/experts/{review.id('辅导')}/conflicts",
        json={"kind": "guidance", "credit_code": credit_code(21), "detail": "辅导备案"},
        headers=review.headers["辅导"],
    )
    assert r.status_code == 201, r.text
    book = items(programme, CATEGORY[programme])
    stages_done = []
    state = await _settle(flow, ids, clock)
    while state in REVIEW_STAGE_OF.values():
        stage = PANEL_STAGE[state]
        event = next(e for e, s in REVIEW_STAGE_OF.items() if s == state)
        if stage == "material":
            panel = await review.panel(flow.round["id"], stage, "组长", ["乙", "丙", "同单位", "辅导"])
            for n in ("组长", "乙", "丙", "同单位", "辅导"):
                await review.pledge(panel["id"], n)
            # the conflicted are never assigned: named, refused; automatic assignment passes them over
            refused = await review.assign(panel["id"], ids[0], ["同单位"], expect=409)
            assert refused.json()["conflicts"][0]["source"] == "derived"
            refused = await review.assign(panel["id"], ids[1], ["辅导"], expect=409)
            assert refused.json()["conflicts"][0]["kind"] == "guidance"
            for app in ids[:2]:
                made = (await review.assign(panel["id"], app, None, count=3)).json()
                assert len(made) == 3
            await review.assign(panel["id"], ids[2], ["组长", "乙", "丙"])
            # 乙 recuses from the third application (changning-28c, jinshan-21c) and loses sight of it
            theirs = await review.assignment_of("乙", ids[2])
            r = await client.post(
                f"/api/v1/review/assignments/{theirs}/recusal",
                json={"reason": "近亲属任职"},
                headers=review.headers["乙"],
            )
            assert r.status_code == 200
            assert (
                await client.get(f"/api/v1/review/assignments/{theirs}/application", headers=review.headers["乙"])
            ).status_code == 404
            for app, band in zip(ids, (75, 60, 85), strict=True):
                sheet = review.sheet(book, band)
                scores = (
                    await client.get(
                        f"/api/v1/review/panels/{panel['id']}/applications/{app}/scores", headers=review.office
                    )
                ).json()
                members = scores["members"]
                by_id = {v["id"]: k for k, v in review.experts.items()}
                for i, member in enumerate(members):
                    name = by_id[member]
                    mine = await review.assignment_of(name, app)
                    assert (
                        await client.get(f"/api/v1/review/assignments/{mine}/application", headers=review.headers[name])
                    ).status_code == 200
                    own = {**sheet, book[0]: 100} if i == 0 and band == 60 else sheet  # one far from the others
                    assert (
                        await review.score(name, mine, own, {book[0]: {"strengths": "优势", "improvements": "改进"}})
                    ).status_code == 201
                r = await review.consensus("组长", panel["id"], app, sheet)
                assert r.status_code == 201, r.text
                if band == 60:
                    assert [o["item_id"] for o in r.json()["outliers"]] == [book[0]]
            ranking = (
                await client.get(f"/api/v1/review/rounds/{flow.round['id']}/ranking", headers=review.office)
            ).json()
            (group,) = ranking
            assert [e["application_id"] for e in group["entries"]] == [ids[2], ids[0], ids[1]]
            chosen = [ids[2], ids[1]]
            r = await client.post(
                f"/api/v1/review/rounds/{flow.round['id']}/lists",
                json={
                    "tier": group["tier"],
                    "category": group["category"],
                    "chosen": chosen,
                    "reasons": {ids[1]: "行业代表性"},
                },
                headers=review.office,
            )
            assert r.status_code == 201 and r.json()["departures"][0]["passed_over"] == [ids[0]], r.text
        else:
            panel = await review.panel(flow.round["id"], stage, "组长", ["丙"])
            await review.pledge(panel["id"], "组长")
            for app in ids:
                await review.assign(panel["id"], app, ["组长"])
                r = await review.report("组长", panel["id"], app, held_on="2026-10-25")
                assert r.status_code == 201, r.text
                assert r.json()["content"]["document"]["sha256"]
        if "opinion_survey" in get_registry().get(programme).review_conditions.get(state, []):
            for app in ids:  # linyi-14e's public-opinion survey, a piece of the defence stage
                await record_opinion_survey(client, review.office, token, app)
        await _pass(flow, ids, event)
        stages_done.append(stage)
        state = await _settle(flow, ids, clock)
    assert state == "committee_review", state
    assert stages_done[0] == "material" and stages_done[-1] == "evaluation", stages_done
    audit = await client.get(
        "/api/v1/admin/read-audit", params={"record_kind": "review_application", "size": 100}, headers=token("admin")
    )
    assert audit.json()["total"] >= 8
