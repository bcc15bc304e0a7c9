"""Each review stage passes only on the review's result: 409 /guard-failed naming the piece and its clause.

changning-22a/23/24, jinshan-18e/18h/18i, hangzhou-3.3.3/3.3.4/3.3.5a, tianning-12d-g, linyi-14e.
"""

from __future__ import annotations

import pytest

from app.domain.programmes.registry import get_registry
from tests.notices.driver import DIRECT, LINYI, RECOMMENDED, NoticeFlow
from tests.workflow.flow import REVIEW_STAGE_OF

GUARDS = {
    "shortlist": "material_consensus",
    "complete_onsite": "onsite_report",
    "complete_defence": "defence_record",
    "complete_evaluation": "evaluation_report",
}
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


@pytest.mark.parametrize("programme", ["changning", "jinshan", "hangzhou", "linyi", "tianning"])
async def test_every_review_stage_refuses_to_pass_without_its_piece_naming_it_and_the_stage_clause(
    client, token, programme
):
    flow = NoticeFlow(client, token, programme)
    await flow.start()
    version = get_registry().get(programme, flow.round["programme_version"])
    clauses = {str(s.stage): s.clause for s in version.pipeline}
    (app,) = await flow.applications(1, CATEGORY[programme])
    steps = TO_MATERIAL[programme]
    # hangzhou and linyi may have no recommender step; whatever the programme has, in order
    await flow.act([app], steps)
    refused = []
    clock = ["2026-09-29T10:00:00+08:00", "2026-10-20T10:00:00+08:00", "2026-11-20T10:00:00+08:00"]
    for _ in range(12):
        got = await flow.get(app, "office")
        body = got.json()
        state = body["state"]
        if state.endswith("_notice"):
            await flow.at(clock.pop(0) if clock else "2026-12-20T10:00:00+08:00")
            await flow.run_deadlines()
            continue
        if body["outcome"].get("decision"):
            published = await flow.publish_notice(flow.round["id"], [app])
            assert published.status_code == 201, published.text
            continue
        event = next((e for e, s in REVIEW_STAGE_OF.items() if s == state), None)
        if event is None:
            break
        r = None
        for role in ("expert", "office"):
            if role == "expert":
                # an expert acts only on what is assigned to it (jinshan-21a, hangzhou-6.2a, linyi-20a)
                await flow.seat_expert([app])
            r = await client.post(
                f"/api/v1/applications/{app}/events",
                json={"event": event, "data": {}},
                headers={**flow.headers[role], "If-Match": got.headers["etag"]},
            )
            if r.status_code != 403:
                break
        assert r is not None and r.status_code == 409 and r.json()["type"].endswith("/guard-failed"), (event, r.text)
        assert (r.json()["condition"], r.json()["clause"]) == (GUARDS[event], clauses[state]), r.json()
        refused.append(event)
        r = await flow.fire(app, event)  # records the piece first
        assert r.status_code == 200, r.text
    assert "shortlist" in refused and "complete_evaluation" in refused, refused
