"""The candidate list (changning-25a, jinshan-18k: ranked by score, each departure with its reason,
versioned until its meeting); a quota the votes exceed is resolved by the chair, never filled beyond
(changning-3b); a bare select is refused once the round's list is before the committee (changning-25b)."""

from __future__ import annotations

from tests.decisions.drive import Committee, to_committee
from tests.notices.driver import NoticeFlow


async def _changning(client, token, apps: int = 3) -> tuple[NoticeFlow, Committee, list[str], list[str]]:
    flow = NoticeFlow(client, token, "changning")
    await flow.start()
    ids = await flow.applications(apps, "model", first=70)
    await to_committee(flow, ids)
    c = Committee(client, token, "changning")
    return flow, c, ids, await c.body(3)


async def test_a_departure_from_rank_order_needs_its_reason_and_the_list_changes_only_with_if_match_changning_25a(
    client, token, sync_db
):
    flow, c, ids, _ = await _changning(client, token)
    # the consensus scores differ: ids[0] first, ids[1] second, ids[2] last
    with sync_db.cursor() as cur:
        for app, total in zip(ids, (880, 820, 760), strict=True):
            cur.execute("UPDATE review_consensus SET total = %s WHERE application_id = %s", (total, app))
    group = {"tier": "gold", "category": "model", "chosen": [ids[2], ids[0]]}
    r = await c.propose(flow.round["id"], [group], expect=422)
    assert [e["field"] for e in r.json()["errors"]] == [f"groups[0].reasons.{ids[2]}"]
    r = await c.propose(flow.round["id"], [{**group, "reasons": {ids[2]: "结合本区经济社会发展实际：重点产业"}}])
    listed = r.json()
    (g,) = listed["groups"]
    assert [e["rank"] for e in g["ranking"]] == [1, 2, 3] and g["departure_clause"] == "changning-25a"
    entry = g["entries"][0]
    assert entry["passed_over"] == [ids[1]] and entry["reason"].startswith("结合本区")
    assert g["quota"] == {"id": "gold_total", "max": 10, "soft": False, "clause": "changning-3c"}
    assert {x["kind"] for x in entry["reports"]} >= {"evaluation_report"}
    url = f"/api/v1/committees/candidate-lists/{listed['id']}"
    revised = {"groups": [{"tier": "gold", "category": "model", "chosen": ids}]}
    assert (await client.put(url, json=revised, headers=c.office)).status_code == 428
    assert (await client.put(url, json=revised, headers={**c.office, "If-Match": '"v9"'})).status_code == 412
    r = await client.put(url, json=revised, headers={**c.office, "If-Match": r.headers["etag"]})
    assert (
        r.status_code == 200 and r.headers["etag"] == '"v2"' and r.json()["groups"][0]["entries"][2]["reason"] is None
    )
    # once on a meeting's agenda the list no longer changes
    await c.convene(flow.round["id"])
    r = await client.put(url, json=revised, headers={**c.office, "If-Match": '"v3"'})
    assert r.status_code == 409 and r.json()["type"].endswith("/list-on-agenda")


async def test_more_passing_than_places_waits_for_the_chair_and_nothing_is_selected_beyond_the_quota_changning_3b(
    client, token
):
    flow, c, ids, names = await _changning(client, token)
    # 区长质量奖 (先进质量管理模式): at most 2 (changning-3b); the body passes all three
    await c.propose(flow.round["id"], [{"tier": "mayor", "category": "model", "chosen": ids}])
    await c.convene(flow.round["id"])
    await c.attend(names)
    for app in ids:
        assert (await c.deliberate(app, "select")).status_code == 200
    r = await c.close()
    body = r.json()
    assert r.status_code == 409 and body["type"].endswith("/chair-resolution-required"), r.text
    (g,) = body["groups"]
    assert g["places"] == 2 and sorted(g["passing"]) == sorted(ids)
    # equal at the cut: reported as a tie, not broken by the service
    assert [sorted(t) for t in g["ties"]] == [sorted(ids)]
    assert {(await flow.get(i)).json()["state"] for i in ids} == {"committee_review"}
    # only the chair resolves, never beyond the places
    r = await c.resolve("mayor", "model", ids[:2], "综合评价更优", chair="委员1")
    assert r.status_code == 403
    r = await c.resolve("mayor", "model", ids, "全部入选")
    assert (
        r.status_code == 409 and r.json()["type"].endswith("/quota-exceeded") and r.json()["clause"] == "changning-3b"
    )
    r = await c.resolve("mayor", "model", [ids[2], ids[0]], "综合评价更优，兼顾行业代表性")
    assert r.status_code == 200, r.text
    (res,) = r.json()["resolutions"]
    assert res["by_name"] == "主任" and res["ties"] == g["ties"]
    r = await c.close()
    assert r.status_code == 200, r.text
    states = [(await flow.get(i)).json() for i in ids]
    assert [s["state"] for s in states] == ["committee_review", "not_selected", "committee_review"]
    assert [states[0]["outcome"]["tier"], states[2]["outcome"]["tier"]] == ["mayor", "mayor"]


async def test_a_bare_select_is_refused_once_the_list_is_before_the_committee_changning_25b(client, token):
    flow, c, ids, names = await _changning(client, token, apps=2)
    await c.propose(flow.round["id"], [{"tier": "gold", "category": "model", "chosen": ids}])
    r = await flow.fire(ids[0], "select", {"tier": "gold"}, role="committee")
    body = r.json()
    assert r.status_code == 409 and body["condition"] == "committee_decided", r.text
    assert body["clause"] == "changning-25b"
    # the meeting's decision is what selects
    await c.convene(flow.round["id"])
    await c.attend(names)
    assert (await c.deliberate(ids[0], "select")).status_code == 200
    assert (await c.deliberate(ids[1], "not_select")).status_code == 200
    assert (await c.close()).status_code == 200
    assert (await flow.get(ids[0])).json()["outcome"]["decision"] == "select"
    # and the notice of the winners follows as before (changning-25c: approved first)
    await flow.at("2026-11-02T10:00:00+08:00")
    notice = await flow.publish("winners", [ids[0]])
    assert notice["clause"] == "changning-25c"


async def test_groups_under_one_quota_share_its_places_and_the_chair_resolves_them_together_changning_3c(client, token):
    flow = NoticeFlow(client, token, "changning")
    # 质量金奖 over both categories (changning-3c), adjusted for this round to two places (changning-3e)
    await flow.start(overrides=[{"path": "quotas.gold_total.max", "value": 2, "reason": "区政府根据上级规定调整名额"}])
    models = await flow.applications(2, "model", first=80)
    (person,) = await flow.applications(1, "achievement", first=82)
    ids = [*models, person]
    await to_committee(flow, ids, employers={person: "上海某某质量管理有限公司"})
    c = Committee(client, token, "changning")
    names = await c.body(3)
    await c.propose(
        flow.round["id"],
        [
            {"tier": "gold", "category": "model", "chosen": models},
            {"tier": "gold", "category": "achievement", "chosen": [person]},
        ],
    )
    await c.convene(flow.round["id"])
    await c.attend(names)
    for app in ids:
        assert (await c.deliberate(app, "select")).status_code == 200
    r = await c.close()
    assert r.status_code == 409 and r.json()["type"].endswith("/chair-resolution-required"), r.text
    assert {g["category"] for g in r.json()["groups"]} == {"model", "achievement"}
    assert (await c.resolve("gold", "model", [models[1]], "行业代表性更强")).status_code == 200
    # the other group now fits what is left: it needs no resolution of its own
    r = await c.resolve("gold", "achievement", [person], "入选")
    assert r.status_code == 409 and r.json()["type"].endswith("/no-resolution-needed")
    r = await c.close()
    assert r.status_code == 200, r.text
    assert [(await flow.get(i)).json()["state"] for i in ids] == [
        "not_selected",
        "committee_review",
        "committee_review",
    ]


async def test_a_soft_quota_yields_only_to_the_chair_s_stated_reason_tianning_4b(client, token):
    flow = NoticeFlow(client, token, "tianning")
    await flow.start()
    ids = await flow.applications(4, "organisation", first=90)  # three places, 原则上 (tianning-4b)
    await to_committee(flow, ids)
    c = Committee(client, token, "tianning")
    names = await c.body(3)
    await c.propose(flow.round["id"], [{"tier": "mayor", "category": "organisation", "chosen": ids}])
    await c.convene(flow.round["id"])
    await c.attend(names)
    for app in ids:
        assert (await c.deliberate(app, "select")).status_code == 200
    r = await c.close()
    assert r.status_code == 409 and r.json()["clause"] == "tianning-4b", r.text
    # "原则上": the chair may go beyond it, with the reason recorded and carried to select
    assert (await c.resolve("mayor", "organisation", ids, "四家企业成绩突出，确需突破名额")).status_code == 200
    assert (await c.close()).status_code == 200
    assert [(await flow.get(i)).json()["outcome"]["tier"] for i in ids] == ["mayor"] * 4
