"""Two-way supervision (双向监督, changning-29, jinshan-22) and the experts' record (信誉档案, issue 17):
parties who met rate each other once the review is over, once per pair however requests race; a
rated expert never learns who rated it (its API answers and the tables: the secret ballot's
separation, hangzhou-3.3.6b's test); the supervision team sees all; a disqualification keeps the
expert out of future assignments (changning-28b, jinshan-21b, linyi-22b)."""

from __future__ import annotations

import ast
import uuid
from pathlib import Path

from tests.notices.driver import TO_COMMITTEE, NoticeFlow
from tests.review_flow.world import Review

RATE = "/api/v1/supervision-ratings"
ROOT = Path(__file__).resolve().parents[2]


async def _reviewed(client, token, count: int = 3) -> tuple[NoticeFlow, list[str], str]:
    """Jinshan: ``count`` applications of one applicant account past the expert review (at the
    committee), the flow's expert having reviewed each; one more still in the material review."""
    flow = NoticeFlow(client, token, "jinshan")
    ids, _ = await flow.qualification_notice(count + 1)
    await flow.at("2026-10-13T00:00:00+08:00")
    await flow.run_deadlines()
    await flow.act(ids[:count], TO_COMMITTEE["jinshan"])
    await flow.seat_expert([ids[count]])
    return flow, ids, await flow.expert_record()


async def _rate(client, headers, app_id: str, score: int, expert_id: str | None = None, comment: str | None = None):
    body = {"application_id": app_id, "score": score, "comment": comment}
    if expert_id is not None:
        body["expert_id"] = expert_id
    return await client.post(RATE, json=body, headers=headers)


async def test_a_rated_expert_cannot_learn_who_rated_it_and_the_supervisor_sees_all_changning_29_jinshan_22(
    client, token, sync_db
):
    flow, ids, expert = await _reviewed(client, token)
    applicant, expert_headers = flow.headers["applicant"], flow.headers["expert"]
    # the review of the fourth is still running: no rating yet
    r = await _rate(client, applicant, ids[3], 3, expert)
    assert r.status_code == 409 and r.json()["type"].endswith("/review-not-over") and r.json()["clause"] == "jinshan-22"
    scores = {ids[0]: 2, ids[1]: 5, ids[2]: 4}
    for n, app_id in enumerate(ids[:2]):
        r = await _rate(client, applicant, app_id, scores[app_id], expert, f"意见{n}")
        assert r.status_code == 201, r.text
        assert r.json()["direction"] == "applicant_rates_expert" and r.json()["clause"] == "jinshan-22"
    record = f"/api/v1/review/experts/{expert}/record"
    # two ratings would all but name their raters: the expert is shown nothing of them
    mine = (await client.get(record, headers=expert_headers)).json()
    assert mine["ratings"] == {"shown": False, "count": None, "mean": None, "distribution": None}
    assert mine["comments"] is None
    r = await _rate(client, applicant, ids[2], scores[ids[2]], expert, "意见2")
    assert r.status_code == 201, r.text
    r = await client.get(record, headers=expert_headers)
    mine = r.json()
    assert mine["ratings"] == {"shown": True, "count": 3, "mean": "3.67", "distribution": None}
    assert mine["comments"] is None and "意见" not in r.text
    assert not any(app_id in r.text for app_id in ids), "the expert's record names an application"
    # the round's ratings are not the expert's to read; its own list shows only whom it rates
    rnd = flow.round["id"]
    assert (await client.get(f"/api/v1/rounds/{rnd}/supervision-ratings", headers=expert_headers)).status_code == 404
    pending = (await client.get(f"{RATE}/pending", headers=expert_headers)).json()
    assert {p["direction"] for p in pending} == {"expert_rates_applicant"}
    assert sorted(p["application_id"] for p in pending) == sorted(ids)
    # the expert rates an applicant in turn; the rated applicant is shown nothing of it
    r = await _rate(client, expert_headers, ids[0], 1, comment="提供不实材料")
    assert r.status_code == 201 and r.json()["direction"] == "expert_rates_applicant", r.text
    mine = (await client.get(f"{RATE}/pending", headers=applicant)).json()
    assert {p["direction"] for p in mine} == {"applicant_rates_expert"} and "提供不实材料" not in str(mine)

    # the office: every rating, no rater
    office = (await client.get(f"/api/v1/rounds/{rnd}/supervision-ratings", headers=flow.headers["office"])).json()
    assert office["total"] == 4
    assert all(i["rater"] is None for i in office["items"])
    # the supervision team: who rated whom, and how
    supervisor = token("supervisor", programme="jinshan", sub="jinshan-discipline")
    seen = (await client.get(f"/api/v1/rounds/{rnd}/supervision-ratings", headers=supervisor)).json()
    assert seen["total"] == 4 and all(i["rater"] is not None for i in seen["items"])
    of_expert = {i["rater"]["application_id"]: i["score"] for i in seen["items"] if i["rated_expert_id"] == expert}
    assert of_expert == scores
    (of_app,) = [i for i in seen["items"] if i["rated_application_id"] == ids[0]]
    assert of_app["rater"] == {"direction": "expert_rates_applicant", "application_id": ids[0], "expert_id": expert}
    full = (await client.get(record, headers=supervisor)).json()
    assert full["ratings"]["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}

    with sync_db.cursor() as cur:
        # the rating names the rated party only; who rated whom holds no score
        cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'supervision_ratings'")
        assert {r[0] for r in cur.fetchall()} == {
            "id",
            "programme",
            "round_id",
            "rated_expert_id",
            "rated_application_id",
            "score",
            "comment",
            "rater_sealed",
        }
        cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'supervision_rating_participation'"
        )
        assert {r[0] for r in cur.fetchall()} == {"round_id", "application_id", "expert_id", "direction"}
        cur.execute(
            "SELECT id, rater_sealed, xmin::text FROM supervision_ratings WHERE rated_expert_id = %s", (expert,)
        )
        rows = cur.fetchall()
        assert len(rows) == 3 and all(uuid.UUID(str(r[0])).version == 4 for r in rows)
        # sealed: no application id is readable in it, in any spelling
        for _, sealed, _ in rows:
            raw = bytes(sealed)
            assert not any(a.encode() in raw or uuid.UUID(a).bytes in raw for a in ids)
        # every rating of the expert was re-issued by the last one: the rows' transaction is one,
        # shared with the last participation only, so it tells no rating from another
        assert len({r[2] for r in rows}) == 1
        cur.execute(
            "SELECT xmin::text FROM supervision_rating_participation WHERE expert_id = %s"
            " AND direction = 'applicant_rates_expert'",
            (expert,),
        )
        assert len({r[0] for r in cur.fetchall()} & {rows[0][2]}) == 1
        # no foreign key or any other constraint ties a rating to a participation
        cur.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'supervision_ratings'::regclass"
        )
        assert not [d for (d,) in cur.fetchall() if "participation" in d]


def test_only_the_supervision_teams_read_path_opens_a_raters_seal():
    """No module but the ratings service opens a seal, and there only in ``round_ratings``, behind
    ``access.reads_raters`` (the supervision team)."""
    openers = []
    for path in (ROOT / "app").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                calls = {
                    n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", "")
                    for n in ast.walk(fn)
                    if isinstance(n, ast.Call)
                }
                if "open_sealed" in calls:
                    openers.append((path.relative_to(ROOT).as_posix(), fn.name, "reads_raters" in calls))
    assert openers == [("app/domain/ratings/service.py", "round_ratings", True)]


async def test_only_parties_who_met_rate_once_per_pair_however_requests_race(client, token, concurrently, sync_db):
    flow, ids, expert = await _reviewed(client, token, count=1)
    applicant = flow.headers["applicant"]
    review = Review(client, token, "jinshan")
    stranger = (await review.expert("未参评专家"))["id"]
    r = await _rate(client, applicant, ids[0], 3, stranger)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "expert_id", r.text
    assert r.json()["errors"][0]["code"] == "not_met"
    # an expert who did not review the application, another account: the application is not theirs
    assert (await _rate(client, review.headers["未参评专家"], ids[0], 3)).status_code == 404
    other = token("applicant", applicant="org-9", sub="org-9-user")
    assert (await _rate(client, other, ids[0], 3, expert)).status_code == 404
    assert (await _rate(client, flow.headers["office"], ids[0], 3, expert)).status_code == 403
    # bad input, named
    for body, field in (
        ({"application_id": ids[0], "expert_id": expert, "score": 0}, "score"),
        ({"application_id": ids[0], "expert_id": expert, "score": 6}, "score"),
        ({"application_id": ids[0], "expert_id": expert, "score": "good"}, "score"),
        ({"application_id": "nope", "expert_id": expert, "score": 3}, "application_id"),
        ({"application_id": ids[0], "score": 3}, "expert_id"),
    ):
        r = await client.post(RATE, json=body, headers={**applicant, "Accept-Language": "en"})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field, (body, r.text)
    # the same rating six times at once: one is recorded
    answers = await concurrently(6, lambda i: _rate(client, applicant, ids[0], 4, expert))
    assert sorted(r.status_code for r in answers) == [201] + [409] * 5
    assert {r.json()["type"].rsplit("/", 1)[1] for r in answers if r.status_code == 409} == {"already-rated"}
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM supervision_ratings WHERE rated_expert_id = %s", (expert,))
        assert cur.fetchone() == (1,)
        cur.execute("SELECT count(*) FROM supervision_rating_participation WHERE expert_id = %s", (expert,))
        assert cur.fetchone() == (1,)
    pending = (await client.get(f"{RATE}/pending", headers=applicant)).json()
    assert [p["rated"] for p in pending if p["expert_id"] == expert and p["application_id"] == ids[0]] == [True]


async def test_a_programme_without_two_way_supervision_takes_no_rating(client, token):
    flow = NoticeFlow(client, token, "hangzhou")
    await flow.start()
    (app_id,) = await flow.applications(1, "organisation")
    await flow.seat_expert([app_id])
    r = await _rate(client, flow.headers["expert"], app_id, 3)
    assert r.status_code == 409 and r.json()["type"].endswith("/two-way-supervision-not-provided"), r.text


async def test_a_disqualification_keeps_the_expert_out_of_future_assignments_jinshan_21b(client, token):
    flow = NoticeFlow(client, token, "jinshan")
    ids, _ = await flow.qualification_notice(2)
    await flow.at("2026-10-13T00:00:00+08:00")
    await flow.run_deadlines()
    review = Review(client, token, "jinshan")
    await review.expert("张专家")
    await review.expert("组长")
    panel = await review.panel(flow.round["id"], "material", "组长", ["张专家"])
    await review.pledge(panel["id"], "张专家")
    await review.assign(panel["id"], ids[0], ["张专家"])
    sanctions = f"/api/v1/review/experts/{review.id('张专家')}/sanctions"
    # bad input, and another programme's office
    r = await client.post(
        sanctions,
        json={"kind": "warning", "breach": "私下接触申报单位", "decided_on": "2099-01-01"},
        headers=review.office,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "decided_on"
    r = await client.post(
        sanctions, json={"kind": "fine", "breach": "x", "decided_on": "2026-10-12"}, headers=review.office
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "kind"
    other = token("office", programme="changning", sub="changning-clerk")
    body = {"kind": "warning", "breach": "私下接触申报单位", "decided_on": "2026-10-11"}
    assert (await client.post(sanctions, json=body, headers=other)).status_code == 404
    # a warning: jinshan's text names only disqualification, so it is the office's record without a clause
    r = await client.post(sanctions, json=body, headers=review.office)
    assert r.status_code == 201, r.text
    assert [(s["kind"], s["clause"]) for s in r.json()["sanctions"]] == [("warning", None)]
    assert r.json()["expert"]["status"] == "active"
    r = await client.post(
        sanctions,
        json={"kind": "disqualification", "breach": "泄露评审信息", "decided_on": "2026-10-12"},
        headers=review.office,
    )
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["expert"]["status"] == "disqualified" and got["expert"]["status_log"][-1]["clause"] == "jinshan-21b"
    assert [(s["kind"], s["clause"]) for s in got["sanctions"]] == [
        ("warning", None),
        ("disqualification", "jinshan-21b"),
    ]
    # the open assignment is voided, and no new one may name the expert
    listed = (await client.get(f"/api/v1/review/panels/{panel['id']}/assignments", headers=review.office)).json()
    assert [a["status"] for a in listed if a["expert_id"] == review.id("张专家")] == ["voided"]
    r = await review.assign(panel["id"], ids[1], ["张专家"], expect=409)
    assert r.json()["type"].endswith("/expert-not-active") and r.json()["clause"] == "jinshan-21b"
    r = await client.post(
        sanctions,
        json={"kind": "disqualification", "breach": "再次", "decided_on": "2026-10-12"},
        headers=review.office,
    )
    assert r.status_code == 409 and r.json()["type"].endswith("/already-disqualified")
    # the expert reads its own record: its sanctions, not another's record
    mine = await client.get(f"/api/v1/review/experts/{review.id('张专家')}/record", headers=review.headers["张专家"])
    assert mine.status_code == 200 and len(mine.json()["sanctions"]) == 2
    r = await client.get(f"/api/v1/review/experts/{review.id('组长')}/record", headers=review.headers["张专家"])
    assert r.status_code == 404


async def test_lesser_sanctions_cite_changning_28b(client, token):
    review = Review(client, token, "changning")
    await review.expert("王专家")
    r = await client.post(
        f"/api/v1/review/experts/{review.id('王专家')}/sanctions",
        json={"kind": "criticism", "breach": "评审中迟到早退", "decided_on": "2026-10-12"},
        headers=review.office,
    )
    assert r.status_code == 201 and r.json()["sanctions"][0]["clause"] == "changning-28b", r.text
