"""Votes (issue 15): the secret ballot cannot be attributed, even with full table access
(hangzhou-3.3.6b); 20 members voting at once are all counted; a member votes once however its
requests race; a conflicted member's vote is refused with the clause (hangzhou-6.2a); no vote
without the quorum."""

from __future__ import annotations

import uuid

from tests.decisions.drive import Committee, to_committee
from tests.notices.driver import NoticeFlow, credit_code


async def _hangzhou(client, token, members: int, apps: int = 1) -> tuple[NoticeFlow, Committee, list[str], list[str]]:
    flow = NoticeFlow(client, token, "hangzhou")
    await flow.start()
    ids = await flow.applications(apps, "organisation", first=50)
    await to_committee(flow, ids)
    c = Committee(client, token, "hangzhou")
    names = await c.body(members)
    await c.propose(flow.round["id"], [{"tier": "quality", "category": "organisation", "chosen": ids}])
    await c.convene(flow.round["id"])
    return flow, c, names, ids


async def test_twenty_members_vote_at_once_and_no_query_attributes_a_ballot_hangzhou_3_3_6b(
    client, token, concurrently, sync_db
):
    _, c, names, (app,) = await _hangzhou(client, token, 20)
    await c.attend(names)
    await c.hear_all()
    choices = ["for"] * 12 + ["against"] * 5 + ["abstain"] * 3
    # 20 members at once, and the chair trying four more times in the same instant
    attempts = [(n, ch) for n, ch in zip(names, choices, strict=True)] + [(names[0], "against")] * 4
    answers = await concurrently(len(attempts), lambda i: c.vote(attempts[i][0], app, attempts[i][1]))
    assert sorted(r.status_code for r in answers) == [201] * 20 + [409] * 4
    assert {r.json()["type"].rsplit("/", 1)[1] for r in answers if r.status_code == 409} == {"already-voted"}
    tally = await c.tally()
    (cand,) = tally["candidates"]
    assert cand["counts"] == {"for": 12, "against": 5, "abstain": 3} and cand["voted"] == 20 and cand["passed"]
    assert cand["named_votes"] == []
    r = await c.close()
    assert r.status_code == 200, r.text

    meeting = c.meeting["id"]
    with sync_db.cursor() as cur:
        # the ballots hold the candidate and the choice under a random key: nothing names the voter
        cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'committee_secret_ballots'")
        assert {r[0] for r in cur.fetchall()} == {"id", "meeting_id", "application_id", "choice"}
        cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'committee_vote_participation'"
        )
        assert {r[0] for r in cur.fetchall()} == {"meeting_id", "application_id", "member_id", "method", "choice"}
        # who voted is recorded, how is not
        cur.execute(
            "SELECT count(*), count(choice) FROM committee_vote_participation WHERE meeting_id = %s", (meeting,)
        )
        assert cur.fetchone() == (20, 0)
        cur.execute(
            "SELECT id, choice, xmin::text, ctid::text FROM committee_secret_ballots WHERE meeting_id = %s", (meeting,)
        )
        ballots = cur.fetchall()
        assert sorted(b[1] for b in ballots) == sorted(choices)
        assert all(uuid.UUID(str(b[0])).version == 4 for b in ballots)
        # the system columns: every ballot re-issued in one transaction at the count, none shares
        # the transaction that recorded a member's participation
        assert len({b[2] for b in ballots}) == 1
        cur.execute("SELECT xmin::text FROM committee_vote_participation WHERE meeting_id = %s", (meeting,))
        assert not {r[0] for r in cur.fetchall()} & {b[2] for b in ballots}
        # no foreign key or any other constraint ties a ballot to a member or a participation
        cur.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'committee_secret_ballots'::regclass"
        )
        assert not [d for (d,) in cur.fetchall() if "member" in d or "participation" in d]


async def test_a_conflicted_member_may_not_vote_on_that_candidate_hangzhou_6_2a(client, token):
    flow = NoticeFlow(client, token, "hangzhou")
    await flow.start()
    ids = await flow.applications(2, "organisation", first=60)
    await to_committee(flow, ids)
    c = Committee(client, token, "hangzhou")
    names = await c.body(3)
    # derived: employed by the first applicant; declared: a tie to the second
    await c.member("同单位", employer_name="某某公司", employer_credit_code=credit_code(60))
    await c.member("顾问")
    r = await client.post(
        f"/api/v1/committees/members/{c.id('顾问')}/conflicts",
        json={"kind": "consulting", "application_id": ids[1], "detail": "为该企业提供咨询服务"},
        headers=c.headers["顾问"],
    )
    assert r.status_code == 201 and r.json()["clause"] == "hangzhou-6.2a", r.text
    # a declaration is the member's own (本人应主动提出回避)
    r = await client.post(
        f"/api/v1/committees/members/{c.id('顾问')}/conflicts",
        json={"kind": "other", "application_id": ids[0], "detail": "代为申报"},
        headers=c.office,
    )
    assert r.status_code == 403
    await c.propose(flow.round["id"], [{"tier": "quality", "category": "organisation", "chosen": ids}])
    await c.convene(flow.round["id"])
    await c.attend([*names, "同单位", "顾问"])
    await c.hear_all()
    for who, app, kind, source in (
        ("同单位", ids[0], "employer", "derived"),
        ("顾问", ids[1], "consulting", "declared"),
    ):
        r = await c.vote(who, app)
        body = r.json()
        assert r.status_code == 409 and body["type"].endswith("/member-conflicted"), r.text
        assert body["clause"] == "hangzhou-6.2a" and body["conflicts"][0]["kind"] == kind
        assert body["conflicts"][0]["source"] == source
    # each votes on the other candidate; the recused are not counted among those who must vote
    assert (await c.vote("同单位", ids[1])).status_code == 201
    assert (await c.vote("顾问", ids[0])).status_code == 201
    tally = {x["application_id"]: x for x in (await c.tally())["candidates"]}
    assert tally[ids[0]]["eligible"] == 4 and tally[ids[0]]["recused"] == [c.id("同单位")]
    assert tally[ids[1]]["recused"] == [c.id("顾问")]


async def test_no_vote_and_no_close_without_the_quorum_which_the_text_leaves_unstated(client, token):
    _, c, names, (app,) = await _hangzhou(client, token, 6)
    await c.attend(names[:3])  # 3 of 6: two thirds is 4 (stated: false)
    await c.hear_all()
    r = await c.vote(names[0], app)
    body = r.json()
    assert r.status_code == 409 and body["type"].endswith("/guard-failed"), r.text
    assert body["condition"] == "quorum" and body["required"] == 4 and body["present"] == 3 and body["stated"] is False
    r = await c.close()
    assert r.status_code == 409 and r.json()["condition"] == "quorum"
    # an absent member does not vote even once the quorum is there
    await c.attend(names[:4])
    r = await c.vote(names[5], app)
    assert r.status_code == 409 and r.json()["type"].endswith("/not-present")
    assert (await c.vote(names[0], app)).status_code == 201
    # the attendance each vote was counted against is fixed once the first is cast
    r = await c.attend(names, expect=409)
    assert r.json()["type"].endswith("/voting-started")


async def test_the_office_may_override_a_members_conflict_with_a_reason_the_supervisor_reads_it_hangzhou_6_1_6_2a(
    client, token, concurrently
):
    """A derived tie that is not one (a member's employer, say, named by mistake) is the office's to
    clear, for one candidate, with a reason (hangzhou-6.2a); the supervision team reads every override
    (hangzhou-6.1); the member then votes on that candidate, and on no other it is tied to."""
    flow = NoticeFlow(client, token, "hangzhou")
    await flow.start()
    ids = await flow.applications(2, "organisation", first=70)
    await to_committee(flow, ids)
    c = Committee(client, token, "hangzhou")
    names = await c.body(3)
    await c.member("同单位", employer_name="某某公司", employer_credit_code=credit_code(70))
    member = c.id("同单位")
    url = "/api/v1/committees/conflict-overrides"
    # bad input: no reason; a candidate the member has no conflict with; a member may not clear its own
    for body, field, status in (
        ({"member_id": member, "application_id": ids[0], "reason": "  "}, "reason", 422),
        ({"member_id": member, "application_id": ids[1], "reason": "无"}, "application_id", 422),
        ({"member_id": member, "application_id": str(uuid.uuid4()), "reason": "无"}, "application_id", 422),
    ):
        r = await client.post(url, json=body, headers=c.office)
        assert r.status_code == status and r.json()["errors"][0]["field"] == field, r.text
    reason = "该委员已于2026年3月离职，任职单位信息未更新（附离职证明）"
    body = {"member_id": member, "application_id": ids[0], "reason": reason}
    assert (await client.post(url, json=body, headers=c.headers["同单位"])).status_code == 403
    # two clerks at once: one override, the other told it is recorded
    answers = await concurrently(2, lambda i: client.post(url, json=body, headers=c.office))
    assert sorted(r.status_code for r in answers) == [201, 409], [r.text for r in answers]
    await c.propose(flow.round["id"], [{"tier": "quality", "category": "organisation", "chosen": ids}])
    await c.convene(flow.round["id"])
    await c.attend([*names, "同单位"])
    await c.hear_all()
    assert (await c.vote("同单位", ids[0])).status_code == 201
    tally = {x["application_id"]: x for x in (await c.tally())["candidates"]}
    assert tally[ids[0]]["recused"] == [] and tally[ids[0]]["eligible"] == 4
    supervisor = token("supervisor", programme="hangzhou", sub="hangzhou-supervisor")
    r = await client.get(f"/api/v1/committees/rounds/{flow.round['id']}/conflict-overrides", headers=supervisor)
    assert r.status_code == 200, r.text
    (seen,) = r.json()
    assert seen["member_id"] == member and seen["application_id"] == ids[0] and seen["reason"] == reason
    r = await client.get(f"/api/v1/committees/members/{member}", headers=supervisor)
    assert [o["reason"] for o in r.json()["overrides"]] == [reason]
    other = token("supervisor", programme="changning", sub="changning-supervisor")
    r = await client.get(f"/api/v1/committees/rounds/{flow.round['id']}/conflict-overrides", headers=other)
    assert r.status_code == 404
