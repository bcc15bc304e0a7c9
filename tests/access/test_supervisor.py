"""The supervision role (评审监督小组: hangzhou-6.1; discipline inspection, issue 15): it reads the
whole review of its programme and writes nothing.

Every write operation of ``openapi/openapi.json`` (POST, PUT, PATCH, DELETE), walked from the
contract rather than listed by hand, answers 403 to a supervision token, before its body is read;
the only exceptions are the public operations, which read no caller at all (a supervisor may lodge
an objection as any member of the public may). Its reads of applications are read-audited.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from tests.notices.driver import PDF, RECOMMENDED, NoticeFlow, credit_code
from tests.review_flow.world import Review, items

ROOT = Path(__file__).resolve().parents[2]
OPENAPI = json.loads((ROOT / "openapi" / "openapi.json").read_text(encoding="utf-8"))
WRITES = ("post", "put", "patch", "delete")
P, Q = "jinshan", "changning"


def _routes():
    from app.api.problems import api_routes
    from app.config import Settings
    from app.main import create_app

    return api_routes(
        create_app(Settings(environment="development", database_url="postgresql://unused/unused"), migrate=False)
    )


def _writes() -> list[tuple[str, str, str]]:
    return [
        (op["operationId"], method, path)
        for path, item in OPENAPI["paths"].items()
        for method, op in item.items()
        if method in WRITES
    ]


def _concrete(path: str) -> str:
    """The path with each parameter filled: a year where one is asked, else a fresh id."""
    return re.sub(r"\{(\w+)\}", lambda m: "2030" if m.group(1) == "year" else str(uuid.uuid4()), path)


async def test_every_write_operation_of_the_contract_answers_403_to_the_supervisor_hangzhou_6_1(client, token):
    from app.api.deps import permission_of

    routes = _routes()
    writes = _writes()
    assert len(writes) > 40, len(writes)
    public = sorted(op for op, method, path in writes if permission_of(routes[(path, method)]).public)
    # the public's own operations read no caller: nobody's role is asked
    assert public == ["lodge_objection"], public
    callers = {
        "supervisor": token("supervisor", programme=P, sub="supervisor-1"),
        "supervisor of another programme": token("supervisor", programme=Q, sub="supervisor-2"),
        # a supervision token that also names another role is still read-only: the team takes no part
        "supervisor and office": token("supervisor", "office", programme=P, sub="supervisor-3"),
        "supervisor and expert": token("supervisor", "expert", programme=P, sub="supervisor-4"),
    }
    wrong = []
    for op, method, path in writes:
        if op in public:
            continue
        permission = permission_of(routes[(path, method)])
        if "403" not in OPENAPI["paths"][path][method]["responses"]:
            wrong.append(f"{op}: the contract does not declare its 403")
        for who, headers in callers.items():
            r = await client.request(method.upper(), _concrete(path), json={}, headers=headers)
            if r.status_code != 403 or not r.headers["content-type"].startswith("application/problem+json"):
                wrong.append(f"{op} as {who}: {r.status_code} {r.text[:120]}")
            elif (
                who == "supervisor and office"
                and (not permission.roles or "office" in permission.roles)
                and not r.json()["type"].endswith("/read-only-role")
            ):
                # its office role passes the route's permission: the read-only rule refuses
                wrong.append(f"{op} as {who}: {r.json()['type']}")
    assert not wrong, "\n".join(wrong)
    r = await client.post(
        "/api/v1/review/conflict-overrides",
        json={},
        headers={**callers["supervisor and office"], "Accept-Language": "en"},
    )
    assert r.json()["detail"] == "The supervision role reads only; it may not change anything"


async def _review_world(client, token):
    """P's round in material review: two submitted applications and a draft; a panel of two that
    scored the first with a consensus and a report; a derived conflict overridden with its reason."""
    flow = NoticeFlow(client, token, P)
    await flow.start()
    a1, a2 = await flow.applications(2)
    draft = (await flow.apply(flow.round["id"], "model", name="上海某某公司草稿", credit_code=credit_code(9)))["id"]
    r = await client.post(
        f"/api/v1/applications/{a1}/materials",
        params={"kind": "evidence", "filename": "证明.pdf"},
        content=PDF,
        headers=flow.headers["applicant"],
    )
    assert r.status_code == 201, r.text
    material = r.json()["id"]
    await flow.act([a1, a2], RECOMMENDED)
    await flow.at("2026-09-29T10:00:00+08:00")
    await flow.publish("qualification", [a1, a2])
    await flow.at("2026-10-13T00:00:00+08:00")
    await flow.run_deadlines()
    review = Review(client, token, P)
    await review.expert("甲", employer_credit_code=credit_code(0))  # employed by a1's applicant
    await review.expert("乙")
    panel = await review.panel(flow.round["id"], "material", "乙", ["甲"])
    r = await client.post(
        "/api/v1/review/conflict-overrides",
        json={"expert_id": review.id("甲"), "application_id": a1, "reason": "已离职三年，经研究不需回避"},
        headers=review.office,
    )
    assert r.status_code == 201, r.text
    await review.assign(panel["id"], a1, ["甲", "乙"])
    sheet = review.sheet(items(P, "model"))
    for name in ("甲", "乙"):
        await review.pledge(panel["id"], name)
        r = await review.score(name, await review.assignment_of(name, a1), sheet)
        assert r.status_code == 201, r.text
    assert (await review.consensus("乙", panel["id"], a1, sheet)).status_code == 201
    assert (await review.report("乙", panel["id"], a1)).status_code == 201
    return flow, review, panel["id"], (a1, a2, draft), material


async def test_the_supervisor_reads_the_whole_review_of_its_programme_and_its_reads_are_audited_hangzhou_6_1(
    client, token
):
    flow, review, panel, (a1, a2, draft), material = await _review_world(client, token)
    rnd = flow.round["id"]
    reads = [
        f"/api/v1/rounds/{rnd}",
        f"/api/v1/applications/{a1}",
        f"/api/v1/applications/{a1}/history",
        f"/api/v1/applications/{a1}/eligibility",
        f"/api/v1/applications/{a1}/materials",
        f"/api/v1/applications/{a1}/materials/{material}/content",
        f"/api/v1/applications/{a1}/versions",
        f"/api/v1/review/experts/{review.id('甲')}",
        f"/api/v1/review/experts/{review.id('甲')}/conflicts",
        f"/api/v1/review/conflict-overrides?round_id={rnd}",
        f"/api/v1/review/rounds/{rnd}/panels",
        f"/api/v1/review/panels/{panel}",
        f"/api/v1/review/panels/{panel}/assignments",
        f"/api/v1/review/panels/{panel}/applications/{a1}/scores",
        f"/api/v1/review/panels/{panel}/applications/{a1}/scores/export?format=csv",
        f"/api/v1/review/rounds/{rnd}/ranking",
        f"/api/v1/review/rounds/{rnd}/ranking/export?format=csv",
    ]
    mine = token("supervisor", programme=P, sub="discipline-1")
    theirs = token("supervisor", programme=Q, sub="discipline-2")
    for url in reads:
        r = await client.get(url, headers=mine)
        assert r.status_code == 200, (url, r.text)
        if "/rounds/" not in url or "/review/" in url:
            assert (await client.get(url, headers=theirs)).status_code == 404, url
    # what it reads is what the office reads: the override's reason, the sheets, the consensus, the report
    overrides = (await client.get(f"/api/v1/review/conflict-overrides?round_id={rnd}", headers=mine)).json()
    assert [(o["expert_id"], o["application_id"], o["reason"]) for o in overrides] == [
        (review.id("甲"), a1, "已离职三年，经研究不需回避")
    ]
    scores = (await client.get(f"/api/v1/review/panels/{panel}/applications/{a1}/scores", headers=mine)).json()
    office_scores = await client.get(f"/api/v1/review/panels/{panel}/applications/{a1}/scores", headers=review.office)
    assert scores == office_scores.json()
    listed_materials = (await client.get(f"/api/v1/applications/{a1}/materials", headers=mine)).json()
    assert "review_report" in {m["kind"] for m in listed_materials}
    assignments = (await client.get(f"/api/v1/review/panels/{panel}/assignments", headers=mine)).json()
    assert {a["expert_id"] for a in assignments} == {review.id("甲"), review.id("乙")}
    experts = (await client.get("/api/v1/review/experts", headers=mine)).json()
    assert {e["id"] for e in experts["items"]} >= {review.id("甲"), review.id("乙")}
    assert (await client.get("/api/v1/review/experts", headers=theirs)).json()["items"] == []
    # every submitted application of its programme, never a draft (it supervises the review, which
    # starts at submission: a draft is the applicant's and the office's working copy)
    listed = await client.get("/api/v1/applications", params={"size": 100}, headers=mine)
    assert {a["id"] for a in listed.json()["items"]} == {a1, a2}
    assert (await client.get(f"/api/v1/applications/{draft}", headers=mine)).status_code == 404
    assert (await client.get("/api/v1/applications", headers=theirs)).json()["items"] == []
    # it changes nothing: neither the workflow nor the review
    etag = (await flow.get(a2)).headers["etag"]
    r = await client.post(
        f"/api/v1/applications/{a2}/events",
        json={"event": "shortlist", "data": {}},
        headers={**mine, "If-Match": etag},
    )
    assert r.status_code == 403 and r.json()["type"].endswith("/read-only-role"), r.text
    assert (await flow.get(a2)).headers["etag"] == etag
    # its reads of the applications are in the read audit; the file downloaded as every download is
    admin = token("admin", sub="auditor")
    audit = await client.get("/api/v1/admin/read-audit", params={"subject": "discipline-1", "size": 100}, headers=admin)
    assert audit.status_code == 200, audit.text
    kinds = {(x["record_kind"], x["record_id"]) for x in audit.json()["items"]}
    assert {("supervision_application", a1), ("supervision_application", a2), ("material", material)} <= kinds
    assert not {x["record_id"] for x in audit.json()["items"]} & {draft}


async def test_the_cli_issues_a_supervisor_token_the_service_reads_as_one(client, settings, capsys, monkeypatch):
    """``qaward token --role supervisor --programme P`` (README: Running it): a programme's reader."""
    from app.cli import build_parser, cmd_token

    monkeypatch.setattr("app.cli.get_settings", lambda: settings)
    args = build_parser().parse_args(["token", "--role", "supervisor", "--programme", P, "--sub", "discipline-9"])
    assert cmd_token(args) == 0
    headers = {"Authorization": f"Bearer {capsys.readouterr().out.strip().splitlines()[-1]}"}
    assert (await client.get("/api/v1/applications", headers=headers)).status_code == 200
    r = await client.post(f"/api/v1/review/panels/{uuid.uuid4()}/pledge", headers=headers)
    assert r.status_code == 403 and r.json()["type"].endswith("/read-only-role"), r.text
