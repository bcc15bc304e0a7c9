"""The access matrix (访问权限矩阵): every operation of openapi/openapi.json, sent as every principal kind.

``matrix.yaml`` says who may call each operation; this walks role x scope x resource x action
against one seeded world (programme P with a round, applications, a notice and an objection;
programme Q the other) and fails on any cell that answers otherwise, and on an operation of the
contract the matrix does not list. The requests are built so that a caller let through is then
refused for the state or the data (409, 412, 422, 428) wherever success would change the world.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.intake.registry import register_org
from tests.notices.driver import (
    EVIDENCE,
    PDF,
    RECOMMENDED,
    TO_COMMITTEE,
    NoticeFlow,
    credit_code,
    objection,
    person,
)

ROOT = Path(__file__).resolve().parents[2]
MATRIX = yaml.safe_load((Path(__file__).parent / "matrix.yaml").read_text(encoding="utf-8"))
OPENAPI = json.loads((ROOT / "openapi" / "openapi.json").read_text(encoding="utf-8"))
P, Q = "jinshan", "changning"
UNIT, APPLICANT = "unit-1", "org-1"

# denied kinds first, so that a request let through (which may change the world) comes after them
KINDS = (
    "anonymous",
    "integration",
    "applicant_other",
    "recommender_other",
    "expert_other",
    "committee_other",
    "office_other",
    "supervisor_other",
    "review_body_own",
    "review_body_other",
    "supervisor_own",
    "applicant_own",
    "recommender_own",
    "expert_own",
    "committee_own",
    "admin",
    "office_own",
)
DENIED = {401, 403, 404}
STALE = {"If-Match": '"0"'}


def _operations() -> dict[str, tuple[str, str]]:
    return {op["operationId"]: (method, path) for path, item in OPENAPI["paths"].items() for method, op in item.items()}


def _allowed(op: str) -> set[str]:
    return _allowed_of(MATRIX["operations"][op]["allow"])


def _allowed_of(allow) -> set[str]:
    if allow == "everyone":
        return set(KINDS)
    if allow == "signed_in":
        return set(KINDS) - {"anonymous"}
    out: set[str] = set()
    for name in allow:
        out |= set(MATRIX["groups"].get(name, [name]))
    return out


@pytest.mark.no_database
def test_the_matrix_lists_every_operation_of_the_contract_and_only_those():
    ops = set(_operations())
    listed = set(MATRIX["operations"])
    assert not ops - listed, f"operations of openapi.json the access matrix does not list: {sorted(ops - listed)}"
    assert not listed - ops, f"operations of the access matrix not in openapi.json: {sorted(listed - ops)}"
    assert set(REQUESTS) == ops, f"operations without a request in this test: {sorted(ops - set(REQUESTS))}"
    for op in listed:
        assert _allowed(op) <= set(KINDS), (op, _allowed(op) - set(KINDS))
    for name, variant in MATRIX.get("variants", {}).items():
        for op, rule in variant["operations"].items():
            assert op in ops and _allowed_of(rule["allow"]) <= set(KINDS), (name, op)


@pytest.mark.no_database
def test_the_matrix_lets_through_only_what_each_route_declares():
    """A kind the matrix allows holds a role the route's declared permission names (app.api.deps)."""
    from app.api.deps import permission_of
    from app.api.problems import api_routes
    from app.config import Settings
    from app.main import create_app

    routes = api_routes(
        create_app(Settings(environment="development", database_url="postgresql://unused/unused"), migrate=False)
    )
    wider = []
    for op, (method, path) in _operations().items():
        permission = permission_of(routes[(path, method)])
        assert permission is not None, op
        for kind in _allowed(op):
            role = None if kind == "anonymous" else kind.rsplit("_", 1)[0]
            if not permission.public and (role is None or (permission.roles and role not in permission.roles)):
                wider.append(f"{op}: {kind} allowed, the route declares {permission.name}")
    assert not wider, wider


@dataclass
class World:
    client: Any
    flow: NoticeFlow
    headers: dict[str, dict[str, str]]
    ids: dict[str, str] = field(default_factory=dict)


Request = tuple[str, str, dict[str, Any]]
Builder = Callable[[World], Awaitable[Request] | Request]


async def _etag(w: World, url: str) -> dict[str, str]:
    r = await w.client.get(url, headers=w.headers["admin"])
    assert r.status_code == 200, r.text
    return {"If-Match": r.headers["etag"]}


def _app(w: World, suffix: str = "") -> str:
    return f"/api/v1/applications/{w.ids['app']}{suffix}"


async def _round_event(w: World) -> Request:
    # the round is closed: ``start_review`` is its next event, refused to all but P's office
    return (
        "post",
        f"/api/v1/rounds/{w.ids['round']}/events",
        {"json": {"event": "start_review"}, "headers": await _etag(w, f"/api/v1/rounds/{w.ids['round']}")},
    )


async def _unit_update(w: World) -> Request:
    url = f"/api/v1/recommending-units/{w.ids['unit']}"
    return "patch", url, {"json": {"name_zh": "金山区某某街道"}, "headers": await _etag(w, url)}


async def _confirm_deadline(w: World) -> tuple[str, str, dict]:
    app = (await w.client.get(_app(w), headers=w.headers["admin"])).json()
    deadline = next(d for d in app["deadlines"] if d["kind"] == "notice_end")
    return "post", f"/api/v1/calendar/affected-deadlines/{deadline['id']}/confirm", {"json": {"reason": "确认"}}


SUBSCRIPTION = {"client": "portal", "url": "https://portal.example/hooks", "event_types": ["notice.published"]}
CREDIT_RECORD = {
    "record_id": "CR-1",
    "credit_code": "91310116MA1J80000W",
    "kind": "legal_violations",
    "attributes": {"severity": "ordinary"},
    "occurred_on": "2025-01-01",
    "source": "信用中国",
}


async def _subscription(w: World, method: str, suffix: str, body: dict | None = None) -> Request:
    r = await w.client.post("/api/v1/webhooks/subscriptions", json=SUBSCRIPTION, headers=w.headers["admin"])
    assert r.status_code == 201, r.text
    url = f"/api/v1/webhooks/subscriptions/{r.json()['subscription']['id']}{suffix}"
    return method, url, {"json": body} if body is not None else {}


async def _legal_hold(w: World, suffix: str, body: dict | None = None) -> Request:
    """A fresh hold on the world's application (issue 17), so that each caller meets one in force."""
    hold = {"scope": "application", "target_id": w.ids["app"], "reason": "证据保全"}
    r = await w.client.post("/api/v1/legal-holds", json=hold, headers=w.headers["admin"])
    assert r.status_code == 201, r.text
    return (
        ("post" if body is not None else "get"),
        f"/api/v1/legal-holds/{r.json()['id']}{suffix}",
        ({"json": body} if body is not None else {}),
    )


NO_SUCH_EVENT = {"event": "no_such_event", "data": {}}
NO_CASE = "00000000-0000-4000-8000-000000000016"
CALL = {
    "title": "2026年度申报通知",
    "published_on": "2026-09-01",
    "opens_at": "2026-09-01T00:00:00+08:00",
    "closes_at": "2026-09-21T00:00:00+08:00",
}
REQUESTS: dict[str, Builder] = {
    "get_health": lambda w: ("get", "/api/v1/health", {}),
    "get_readiness": lambda w: ("get", "/api/v1/ready", {}),
    "list_programmes": lambda w: ("get", "/api/v1/programmes", {}),
    "get_programme": lambda w: ("get", f"/api/v1/programmes/{P}", {}),
    "list_programme_clauses": lambda w: ("get", f"/api/v1/programmes/{P}/clauses", {}),
    "list_programme_events": lambda w: ("get", f"/api/v1/programmes/{P}/events", {}),
    "list_calendar_years": lambda w: ("get", "/api/v1/calendar/years", {}),
    "get_calendar_day": lambda w: ("get", "/api/v1/calendar/days/2026-10-01", {}),
    "compute_period": lambda w: (
        "get",
        "/api/v1/calendar/periods",
        {"params": {"start": "2026-10-09", "length": 5, "unit": "working_day"}},
    ),
    "put_calendar_year": lambda w: ("put", "/api/v1/calendar/years/2027", {"json": {}}),
    "list_affected_deadlines": lambda w: ("get", "/api/v1/calendar/affected-deadlines", {}),
    "confirm_affected_deadline": _confirm_deadline,
    "create_recommending_unit": lambda w: (
        "post",
        "/api/v1/recommending-units",
        {"json": {"programme": P, "code": UNIT, "name_zh": "金山区某某街道", "kind": "street", "covers": []}},
    ),
    "list_recommending_units": lambda w: ("get", "/api/v1/recommending-units", {}),
    "get_recommending_unit": lambda w: ("get", f"/api/v1/recommending-units/{w.ids['unit']}", {}),
    "update_recommending_unit": _unit_update,
    "create_round": lambda w: (
        "post",
        "/api/v1/rounds",
        {"json": {"programme": P, "label": "2026", "call": CALL, "overrides": []}},
    ),
    "list_rounds": lambda w: ("get", "/api/v1/rounds", {}),
    "get_round": lambda w: ("get", f"/api/v1/rounds/{w.ids['round']}", {}),
    "fire_round_event": _round_event,
    "fire_round_action": lambda w: (
        "post",
        f"/api/v1/rounds/{w.ids['round']}/actions",
        {"json": {**NO_SUCH_EVENT, "applications": [w.ids["app"]]}},
    ),
    "create_application": lambda w: (
        "post",
        "/api/v1/applications",
        {
            "json": {
                "round_id": w.ids["round"],
                "category": "model",
                "applicant": {"name": "上海某某有限公司", "credit_code": credit_code(7)},
                "recommending_unit": UNIT,
            }
        },
    ),
    "list_applications": lambda w: ("get", "/api/v1/applications", {}),
    "get_application": lambda w: ("get", _app(w), {}),
    "fire_application_event": lambda w: ("post", _app(w, "/events"), {"json": NO_SUCH_EVENT}),
    "get_application_history": lambda w: ("get", _app(w, "/history"), {}),
    "get_application_eligibility": lambda w: ("get", _app(w, "/eligibility"), {}),
    "override_application_eligibility": lambda w: (
        "post",
        _app(w, "/eligibility/overrides"),
        {"json": {"criterion": "no_such_criterion", "result": "pass", "reason": "核实"}},
    ),
    "list_application_objections": lambda w: ("get", _app(w, "/objections"), {}),
    "upload_material": lambda w: (
        "post",
        _app(w, "/materials"),
        {"params": {"kind": "evidence", "filename": "证明.pdf"}, "content": PDF},
    ),
    "list_materials": lambda w: ("get", _app(w, "/materials"), {}),
    "download_material": lambda w: ("get", _app(w, f"/materials/{w.ids['material']}/content"), {}),
    "remove_material": lambda w: ("delete", _app(w, f"/materials/{w.ids['material']}"), {}),
    "get_application_form": lambda w: ("get", _app(w, "/form"), {}),
    "put_application_form": lambda w: ("put", _app(w, "/form"), {"json": {"fields": {}}, "headers": STALE}),
    "list_application_versions": lambda w: ("get", _app(w, "/versions"), {}),
    "register_organisation": lambda w: ("post", "/api/v1/applicants/organisations", {"json": {}}),
    "register_individual": lambda w: ("post", "/api/v1/applicants/individuals", {"json": {}}),
    "list_applicants": lambda w: ("get", "/api/v1/applicants", {}),
    "get_applicant": lambda w: ("get", f"/api/v1/applicants/{w.ids['applicant']}", {}),
    "get_applicant_history": lambda w: ("get", f"/api/v1/applicants/{w.ids['applicant']}/history", {}),
    "reassign_applicant": lambda w: (
        "post",
        f"/api/v1/applicants/{w.ids['applicant']}/owner",
        {"json": {"principal_ref": APPLICANT, "reason": "核实"}, "headers": STALE},
    ),
    "update_applicant": lambda w: ("patch", f"/api/v1/applicants/{w.ids['applicant']}", {"json": {}, "headers": STALE}),
    "list_bans": lambda w: ("get", "/api/v1/bans", {}),
    "record_ban": lambda w: ("post", "/api/v1/bans", {"json": {}}),
    "publish_notice": lambda w: (
        "post",
        f"/api/v1/rounds/{w.ids['round']}/notices",
        {"json": {"point": "qualification", "applications": [w.ids["app"]]}},
    ),
    "list_notices": lambda w: ("get", "/api/v1/notices", {}),
    "get_notice": lambda w: ("get", f"/api/v1/notices/{w.ids['notice']}", {}),
    # dates in the wrong order: refused (422) once the caller is let through
    "submit_unit_posting_proof": lambda w: (
        "post",
        f"/api/v1/notices/{w.ids['notice']}/entries/{w.ids['app']}/unit-posting",
        {"json": {**EVIDENCE[0], "posted_from_on": "2026-11-10", "posted_until_on": "2026-11-04"}},
    ),
    # a rejection without its reason: refused (422) once the caller is let through
    "review_unit_posting_proof": lambda w: (
        "post",
        f"/api/v1/notices/{w.ids['notice']}/entries/{w.ids['app']}/unit-posting/{w.ids['proof']}/review",
        {"json": {"accepted": False}},
    ),
    "list_objections": lambda w: ("get", "/api/v1/objections", {}),
    "list_overdue_verifications": lambda w: ("get", "/api/v1/objections/overdue", {}),
    "get_objection": lambda w: ("get", f"/api/v1/objections/{w.ids['objection']}", {}),
    "take_objection": lambda w: ("post", f"/api/v1/objections/{w.ids['objection']}/take", {"headers": STALE}),
    "record_objection_finding": lambda w: (
        "post",
        f"/api/v1/objections/{w.ids['objection']}/findings",
        {"json": {"text": "已电话核实"}},
    ),
    "decide_objection": lambda w: (
        "post",
        f"/api/v1/objections/{w.ids['objection']}/decision",
        {"json": {"decision": "dismissed", "reasons": "不属实"}, "headers": STALE},
    ),
    "preview_objection_result": lambda w: (
        "post",
        f"/api/v1/objections/{w.ids['objection']}/decision/preview",
        {"json": {"decision": "dismissed"}},
    ),
    "confirm_objector_identity": lambda w: (
        "post",
        f"/api/v1/objections/{w.ids['objection']}/identity",
        {"json": {"method": "phone_call"}, "headers": STALE},
    ),
    "download_objection_file": lambda w: (
        "get",
        f"/api/v1/objections/{w.ids['objection']}/files/{w.ids['objection_file']}",
        {},
    ),
    "create_expert": lambda w: ("post", "/api/v1/review/experts", {"json": {}}),
    "list_experts": lambda w: ("get", "/api/v1/review/experts", {}),
    "get_expert": lambda w: ("get", f"/api/v1/review/experts/{w.ids['expert']}", {}),
    "change_expert_status": lambda w: (
        "post",
        f"/api/v1/review/experts/{w.ids['expert']}/status",
        {"json": {"status": "active", "reason": "复核后维持"}},
    ),
    # naming neither an applicant nor an application: refused (422) once the caller is let through
    "declare_conflict": lambda w: (
        "post",
        f"/api/v1/review/experts/{w.ids['expert']}/conflicts",
        {"json": {"kind": "other", "detail": "曾有业务往来"}},
    ),
    "list_expert_conflicts": lambda w: ("get", f"/api/v1/review/experts/{w.ids['expert']}/conflicts", {}),
    "list_conflict_overrides": lambda w: (
        "get",
        "/api/v1/review/conflict-overrides",
        {"params": {"round_id": w.ids["round"]}},
    ),
    "override_conflict": lambda w: ("post", "/api/v1/review/conflict-overrides", {"json": {}}),
    "create_panel": lambda w: ("post", "/api/v1/review/panels", {"json": {}}),
    "get_panel": lambda w: ("get", f"/api/v1/review/panels/{w.ids['panel']}", {}),
    "list_round_panels": lambda w: ("get", f"/api/v1/review/rounds/{w.ids['round']}/panels", {}),
    "list_panel_assignments": lambda w: ("get", f"/api/v1/review/panels/{w.ids['panel']}/assignments", {}),
    "add_panel_member": lambda w: ("post", f"/api/v1/review/panels/{w.ids['panel']}/members", {"json": {}}),
    "remove_panel_member": lambda w: (
        "post",
        f"/api/v1/review/panels/{w.ids['panel']}/members/{w.ids['expert']}/removal",
        {"json": {}},
    ),
    "accept_pledge": lambda w: ("post", f"/api/v1/review/panels/{w.ids['panel']}/pledge", {}),
    "assign_application": lambda w: ("post", f"/api/v1/review/panels/{w.ids['panel']}/assignments", {"json": {}}),
    "close_assignment": lambda w: ("post", f"/api/v1/review/assignments/{w.ids['assignment']}/close", {"json": {}}),
    # a blank reason: refused (422) once the caller is let through
    "recuse_from_assignment": lambda w: (
        "post",
        f"/api/v1/review/assignments/{w.ids['assignment']}/recusal",
        {"json": {"reason": " "}},
    ),
    "list_my_assignments": lambda w: ("get", "/api/v1/review/my-assignments", {}),
    "read_assigned_application": lambda w: (
        "get",
        f"/api/v1/review/assignments/{w.ids['assignment']}/application",
        {},
    ),
    # a band off the 5% steps: refused (422) once the caller is let through
    "submit_score": lambda w: (
        "post",
        f"/api/v1/review/assignments/{w.ids['assignment']}/score",
        {"json": {"scores": {"4.1.2": 7}}},
    ),
    "get_panel_scores": lambda w: (
        "get",
        f"/api/v1/review/panels/{w.ids['panel']}/applications/{w.ids['app']}/scores",
        {},
    ),
    "export_panel_scores": lambda w: (
        "get",
        f"/api/v1/review/panels/{w.ids['panel']}/applications/{w.ids['app']}/scores/export",
        {},
    ),
    # before the member scored: refused (422 naming it) once the caller is let through
    "record_consensus": lambda w: (
        "post",
        f"/api/v1/review/panels/{w.ids['panel']}/applications/{w.ids['app']}/consensus",
        {"json": {"scores": {}, "rationale": {}}},
    ),
    "record_stage_report": lambda w: (
        "post",
        f"/api/v1/review/panels/{w.ids['panel']}/applications/{w.ids['app']}/report",
        {"json": {"summary": "材料评审意见"}},
    ),
    # no consensus yet: refused (422) once the caller is let through
    "issue_feedback_report": lambda w: (
        "post",
        f"/api/v1/review/panels/{w.ids['panel']}/applications/{w.ids['app']}/feedback",
        {"json": {}},
    ),
    "get_review_comparison": lambda w: ("get", f"/api/v1/review/applications/{w.ids['app']}/comparison", {}),
    "get_review_ranking": lambda w: ("get", f"/api/v1/review/rounds/{w.ids['round']}/ranking", {}),
    "decide_review_list": lambda w: ("post", f"/api/v1/review/rounds/{w.ids['round']}/lists", {"json": {}}),
    "export_review_ranking": lambda w: ("get", f"/api/v1/review/rounds/{w.ids['round']}/ranking/export", {}),
    # linyi's third-party review body (P has none: a body id is nobody's, a create is 409/422 once let through)
    "create_review_body": lambda w: ("post", "/api/v1/review/bodies", {"json": {}}),
    "list_review_bodies": lambda w: ("get", "/api/v1/review/bodies", {}),
    "get_review_body": lambda w: ("get", f"/api/v1/review/bodies/{NO_BODY}", {}),
    "change_review_body_status": lambda w: (
        "post",
        f"/api/v1/review/bodies/{NO_BODY}/status",
        {"json": {"status": "suspended", "reason": "矩阵"}},
    ),
    "engage_review_body": lambda w: (
        "post",
        f"/api/v1/review/bodies/{NO_BODY}/engagements",
        {
            "json": {
                "round_id": w.ids["round"],
                "engaged_on": "2026-08-25",
                "term_starts_on": "2026-08-25",
                "term_ends_on": "2027-06-30",
            }
        },
    ),
    "declare_review_body_tie": lambda w: (
        "post",
        f"/api/v1/review/bodies/{NO_BODY}/ties",
        {"json": {"kind": "guidance", "credit_code": credit_code(0), "detail": "辅导"}},
    ),
    # a survey dated after today: refused (422 naming conducted_on) once the caller is let through
    "record_opinion_survey": lambda w: (
        "post",
        f"/api/v1/review/applications/{w.ids['app']}/opinion-survey",
        {"json": {"sources": ["新闻媒体"], "conducted_on": "2030-01-01", "finding": "clear"}},
    ),
    "attach_opinion_survey_file": lambda w: (
        "post",
        f"/api/v1/review/applications/{w.ids['app']}/opinion-survey/attachments",
        {"params": {"filename": "截图.pdf"}, "content": PDF},
    ),
    "get_opinion_survey": lambda w: ("get", f"/api/v1/review/applications/{w.ids['app']}/opinion-survey", {}),
    # committees (issue 15): object rules after a valid body, so every kind meets them, not the validator
    "get_committee_procedure": lambda w: ("get", f"/api/v1/committees/rounds/{w.ids['round']}/procedure", {}),
    "create_committee_member": lambda w: ("post", "/api/v1/committees/members", {"json": {}}),
    "list_committee_members": lambda w: ("get", "/api/v1/committees/members", {}),
    "get_committee_member": lambda w: ("get", f"/api/v1/committees/members/{w.ids['member']}", {}),
    "declare_committee_conflict": lambda w: (
        "post",
        f"/api/v1/committees/members/{w.ids['member']}/conflicts",
        {"json": {"kind": "other", "application_id": w.ids["app"], "detail": "曾任该企业顾问"}},
    ),
    # the chair's conflict with the application: none (422) or, once declared, overridden (201, then 409)
    "override_committee_conflict": lambda w: (
        "post",
        "/api/v1/committees/conflict-overrides",
        {"json": {"member_id": w.ids["member"], "application_id": w.ids["app"], "reason": "经核实不构成利害关系"}},
    ),
    "list_committee_conflict_overrides": lambda w: (
        "get",
        f"/api/v1/committees/rounds/{w.ids['round']}/conflict-overrides",
        {},
    ),
    "propose_candidate_list": lambda w: (
        "post",
        f"/api/v1/committees/rounds/{w.ids['round']}/candidate-list",
        {"json": {}},
    ),
    "get_round_candidate_list": lambda w: (
        "get",
        f"/api/v1/committees/rounds/{w.ids['round']}/candidate-list",
        {},
    ),
    "revise_candidate_list": lambda w: (
        "put",
        f"/api/v1/committees/candidate-lists/{w.ids['candidate_list']}",
        {"json": {}},
    ),
    "convene_meeting": lambda w: ("post", "/api/v1/committees/meetings", {"json": {}}),
    "get_meeting": lambda w: ("get", f"/api/v1/committees/meetings/{w.ids['meeting']}", {}),
    "record_attendance": lambda w: ("put", f"/api/v1/committees/meetings/{w.ids['meeting']}/attendance", {"json": {}}),
    "hear_meeting_report": lambda w: (
        "put",
        f"/api/v1/committees/meetings/{w.ids['meeting']}/reports/review",
        {"json": {}},
    ),
    "cast_vote": lambda w: (
        "post",
        f"/api/v1/committees/meetings/{w.ids['meeting']}/votes",
        {"json": {"application_id": w.ids["app"], "choice": "for"}},
    ),
    "record_deliberation": lambda w: (
        "post",
        f"/api/v1/committees/meetings/{w.ids['meeting']}/deliberations",
        {"json": {"application_id": w.ids["app"], "decision": "select"}},
    ),
    "resolve_over_quota": lambda w: (
        "post",
        f"/api/v1/committees/meetings/{w.ids['meeting']}/resolutions",
        {"json": {"tier": "mayor", "category": "model", "selected": [], "reason": "主持人裁定"}},
    ),
    "get_meeting_tally": lambda w: ("get", f"/api/v1/committees/meetings/{w.ids['meeting']}/tally", {}),
    "close_meeting": lambda w: ("post", f"/api/v1/committees/meetings/{w.ids['meeting']}/close", {}),
    "get_meeting_minutes": lambda w: ("get", f"/api/v1/committees/meetings/{w.ids['meeting']}/minutes", {}),
    "list_read_audit": lambda w: ("get", "/api/v1/admin/read-audit", {}),
    "set_legal_hold": lambda w: (
        "post",
        "/api/v1/legal-holds",
        {"json": {"scope": "round", "target_id": w.ids["round"], "reason": "证据保全"}},
    ),
    "list_legal_holds": lambda w: ("get", "/api/v1/legal-holds", {}),
    "get_legal_hold": lambda w: _legal_hold(w, ""),
    "lift_legal_hold": lambda w: _legal_hold(w, "/lift", {"reason": "案件审结"}),
    "list_open_calls": lambda w: ("get", "/api/v1/public/calls", {}),
    "list_public_notices": lambda w: ("get", "/api/v1/public/notices", {}),
    "get_public_notice": lambda w: ("get", f"/api/v1/public/notices/{w.ids['notice']}", {}),
    "lodge_objection": lambda w: ("post", f"/api/v1/public/notices/{w.ids['notice']}/objections", {"json": {}}),
    "follow_objection": lambda w: (
        "get",
        f"/api/v1/public/objections/{w.ids['receipt']}",
        {"headers": {"X-Objection-Secret": w.ids["secret"]}},
    ),
    "get_test_clock": lambda w: ("get", "/api/v1/testing/clock", {}),
    "set_test_clock": lambda w: ("put", "/api/v1/testing/clock", {"json": {"now": "not a time"}}),
    "reset_test_clock": lambda w: ("delete", "/api/v1/testing/clock", {}),
    "run_due_deadlines": lambda w: ("post", "/api/v1/testing/deadlines/run", {}),
    # the government's acts (issue 15): the winners' notice still runs, so each is refused (409) once let through
    "submit_for_approval": lambda w: (
        "post",
        f"/api/v1/rounds/{w.ids['round']}/approval-submission",
        {"json": {"submitted_on": "2026-11-03", "applications": [w.ids["app"]]}},
    ),
    "record_government_approval": lambda w: (
        "post",
        f"/api/v1/rounds/{w.ids['round']}/approval",
        {"json": {"document_no": "金府〔2026〕1号", "approved_on": "2026-11-03"}},
    ),
    "record_commendation": lambda w: (
        "post",
        f"/api/v1/rounds/{w.ids['round']}/commendation",
        {"json": {"document_no": "金府〔2026〕2号", "decided_on": "2026-11-03"}},
    ),
    "get_round_government_acts": lambda w: ("get", f"/api/v1/rounds/{w.ids['round']}/government-acts", {}),
    "get_application_commendation": lambda w: ("get", _app(w, "/commendation"), {}),
    "get_public_winners": lambda w: ("get", f"/api/v1/public/rounds/{w.ids['round']}/winners", {}),
    "get_public_winners_html": lambda w: ("get", f"/api/v1/public/rounds/{w.ids['round']}/winners.html", {}),
    "get_public_winners_pdf": lambda w: ("get", f"/api/v1/public/rounds/{w.ids['round']}/winners.pdf", {}),
    "get_application_certificate": lambda w: ("get", _app(w, "/certificate"), {}),
    "get_application_certificate_pdf": lambda w: ("get", _app(w, "/certificate.pdf"), {}),
    "verify_certificate": lambda w: ("get", "/api/v1/public/certificates/P-2026-0001?code=00000-00000", {}),
    "get_certificate_verification_page": lambda w: ("get", "/api/v1/public/certificates/P-2026-0001/page", {}),
    # revocation cases (issue 16): the world's applications are not awarded (409 to P's office) and it has no case
    "open_revocation_case": lambda w: (
        "post",
        "/api/v1/revocation-cases",
        {"json": {"application_id": w.ids["app"], "source": "report", "ground": "fraud", "evidence": "核查"}},
    ),
    "list_revocation_cases": lambda w: ("get", "/api/v1/revocation-cases", {}),
    "get_revocation_case": lambda w: ("get", f"/api/v1/revocation-cases/{NO_CASE}", {}),
    "record_revocation_step": lambda w: (
        "post",
        f"/api/v1/revocation-cases/{NO_CASE}/steps",
        {"json": {"step": "verification", "result": "proceed", "decided_on": "2026-11-20"}, "headers": STALE},
    ),
    "record_item_recovered": lambda w: (
        "post",
        f"/api/v1/revocation-cases/{NO_CASE}/items/plaque/recovered",
        {"json": {"recovered_on": "2026-11-20"}, "headers": STALE},
    ),
    "attach_revocation_evidence": lambda w: (
        "post",
        f"/api/v1/revocation-cases/{NO_CASE}/evidence",
        {"params": {"filename": "举报材料.pdf"}, "content": PDF},
    ),
    "list_public_revocation_notices": lambda w: ("get", "/api/v1/public/revocation-notices", {}),
    "get_public_revocation_notice": lambda w: ("get", f"/api/v1/public/revocation-notices/{NO_CASE}", {}),
    "get_public_revocation_notice_page": lambda w: ("get", f"/api/v1/public/revocation-notices/{NO_CASE}/page", {}),
    # reward money (issue 16): valid bodies, so every kind meets the object rules, not the validator
    "get_application_reward": lambda w: ("get", _app(w, "/reward"), {}),
    "approve_application_reward": lambda w: ("post", _app(w, "/reward/approval"), {"json": {"amount_yuan": "1000.00"}}),
    "record_reward_disbursement": lambda w: (
        "post",
        _app(w, "/reward/disbursement"),
        {"json": {"paid_on": "2026-09-01", "voucher_no": "财拨〔2026〕1号"}, "headers": STALE},
    ),
    "record_reward_reclaim": lambda w: (
        "post",
        _app(w, "/reward/reclaim"),
        {"json": {"reclaimed_on": "2026-09-01", "voucher_no": "财缴〔2026〕1号"}, "headers": STALE},
    ),
    "list_round_rewards": lambda w: ("get", f"/api/v1/rounds/{w.ids['round']}/rewards", {}),
    "export_round_rewards": lambda w: ("get", f"/api/v1/rounds/{w.ids['round']}/rewards.xlsx", {}),
    "list_held_awards": lambda w: ("get", _app(w, "/held-awards"), {}),
    "record_held_award": lambda w: (
        "post",
        _app(w, "/held-awards"),
        {"json": {"award": "mayor", "year": 2020, "document_no": "金府〔2020〕1号"}},
    ),
    # integrations (issue 18): a subscription of the world's integration client ("portal") made first
    "list_webhook_event_types": lambda w: ("get", "/api/v1/webhooks/event-types", {}),
    "create_webhook_subscription": lambda w: ("post", "/api/v1/webhooks/subscriptions", {"json": SUBSCRIPTION}),
    "list_webhook_subscriptions": lambda w: ("get", "/api/v1/webhooks/subscriptions", {}),
    "get_webhook_subscription": lambda w: _subscription(w, "get", ""),
    "rotate_webhook_secret": lambda w: _subscription(w, "post", "/secret", {"overlap_hours": 1}),
    "set_webhook_subscription_active": lambda w: _subscription(w, "post", "/active", {"active": True}),
    "replay_webhook_deliveries": lambda w: _subscription(w, "post", "/replay", {}),
    "list_webhook_deliveries": lambda w: _subscription(w, "get", "/deliveries"),
    "read_feed": lambda w: ("get", "/api/v1/feed", {"params": {"after": 0}}),
    "receive_credit_record": lambda w: ("post", "/api/v1/integrations/credit-records", {"json": CREDIT_RECORD}),
    "list_credit_flags": lambda w: (
        "get",
        "/api/v1/integrations/credit-flags",
        {"params": {"application_id": w.ids["app"]}},
    ),
    "list_revocation_candidates": lambda w: ("get", "/api/v1/integrations/revocation-candidates", {}),
    # the office's daily work (issue 19)
    "list_lookups": lambda w: ("get", "/api/v1/lookups", {}),
    "get_lookup": lambda w: ("get", "/api/v1/lookups/localities", {}),
    "get_application_completeness": lambda w: ("get", _app(w, "/completeness"), {}),
    "list_covering_units": lambda w: ("get", _app(w, "/recommending-units"), {}),
    "list_units_covering_applicant": lambda w: (
        "get",
        f"/api/v1/applicants/{w.ids['applicant']}/recommending-units",
        {"params": {"programme": P}},
    ),
    "change_recommending_unit": lambda w: (
        "put",
        _app(w, "/recommending-unit"),
        {"json": {"unit": UNIT, "reason": "核实"}, "headers": STALE},
    ),
    "get_statistics": lambda w: ("get", "/api/v1/statistics", {"params": {"round_id": w.ids["round"]}}),
    "export_round_applications": lambda w: ("get", f"/api/v1/rounds/{w.ids['round']}/export", {}),
    "get_round_report": lambda w: ("get", f"/api/v1/rounds/{w.ids['round']}/report", {}),
    "get_public_notice_document": lambda w: ("get", f"/api/v1/public/notices/{w.ids['notice']}/document", {}),
    # after the award (issue 17)
    "list_award_duties": lambda w: ("get", "/api/v1/aftercare/duties", {"params": {"programme": P}}),
    "get_award_duty_summary": lambda w: ("get", "/api/v1/aftercare/duties/summary", {"params": {"programme": P}}),
    "submit_duty_report": lambda w: (
        "post",
        _app(w, "/duty-reports"),
        {"params": {"duty_id": NO_BODY, "filename": "报告.pdf"}, "content": PDF},
    ),
    "record_follow_up": lambda w: (
        "post",
        _app(w, "/follow-ups"),
        {"json": {"visited_on": "2026-11-01", "result": "fine", "findings": "良好"}},
    ),
    "list_follow_ups": lambda w: ("get", "/api/v1/aftercare/follow-ups", {"params": {"programme": P}}),
    "record_role_model_activity": lambda w: (
        "post",
        _app(w, "/role-model-activities"),
        {"json": {"held_on": "2026-11-01", "kind": "lecture", "audience": "企业", "description": "经验分享"}},
    ),
    "get_role_model_report": lambda w: (
        "get",
        "/api/v1/aftercare/role-model-activities/report",
        {"params": {"programme": P, "year": 2026}},
    ),
    # the incubation pool (issue 17): a bad credit code, a decline without reason: refused (422)
    # once let through; the world's member is only proposed (409 where a member is needed)
    "propose_incubation_member": lambda w: (
        "post",
        "/api/v1/incubation/members",
        {
            "json": {
                "programme": P,
                "name": "某公司",
                "credit_code": "123",
                "route": "industry_recommendation",
                "recommended_by": "协会",
            }
        },
    ),
    "list_incubation_members": lambda w: ("get", "/api/v1/incubation/members", {}),
    "get_incubation_member": lambda w: ("get", f"/api/v1/incubation/members/{w.ids['pool_member']}", {}),
    "decide_incubation_member": lambda w: (
        "post",
        f"/api/v1/incubation/members/{w.ids['pool_member']}/decision",
        {"json": {"admit": False}},
    ),
    "end_incubation_membership": lambda w: (
        "post",
        f"/api/v1/incubation/members/{w.ids['pool_member']}/departure",
        {"json": {"on": "2026-11-01", "reason": "退出"}},
    ),
    "record_cultivation_review": lambda w: (
        "post",
        f"/api/v1/incubation/members/{w.ids['pool_member']}/cultivation-review",
        {"json": {"passed_on": "2026-11-01", "document_no": "文号"}},
    ),
    "schedule_incubation_training": lambda w: (
        "post",
        "/api/v1/incubation/trainings",
        {"json": {"programme": P, "held_on": "2026-11-05", "topic": "培训", "place": "某地"}},
    ),
    "list_incubation_trainings": lambda w: ("get", "/api/v1/incubation/trainings", {}),
    "record_training_attendance": lambda w: (
        "put",
        f"/api/v1/incubation/trainings/{w.ids['training']}/attendance",
        {"json": {"member_ids": [w.ids["pool_member"]]}},
    ),
    "get_training_attendance": lambda w: ("get", f"/api/v1/incubation/trainings/{w.ids['training']}/attendance", {}),
    "get_application_incubation_history": lambda w: ("get", _app(w, "/incubation"), {}),
    # two-way supervision (issue 17): the world's application is past its review, so the parties' ratings count
    "rate_supervision": lambda w: (
        "post",
        "/api/v1/supervision-ratings",
        {"json": {"application_id": w.ids["app"], "expert_id": w.ids["expert"], "score": 4}},
    ),
    "list_pending_supervision_ratings": lambda w: ("get", "/api/v1/supervision-ratings/pending", {}),
    "list_round_supervision_ratings": lambda w: ("get", f"/api/v1/rounds/{w.ids['round']}/supervision-ratings", {}),
    "get_expert_record": lambda w: ("get", f"/api/v1/review/experts/{w.ids['expert']}/record", {}),
    "record_expert_sanction": lambda w: (
        "post",
        f"/api/v1/review/experts/{w.ids['expert']}/sanctions",
        {"json": {"kind": "warning", "breach": "迟到", "decided_on": "2099-01-01"}},
    ),
}
NOW = "2026-11-03T11:00:00+08:00"
NO_BODY = "00000000-0000-4000-8000-00000000b0d1"


async def _seed(client, token) -> World:
    """Programme P's round through its winners' notice, with everything the operations name."""
    flow = NoticeFlow(client, token, P)  # its recommender is UNIT, its applicant account APPLICANT
    await flow.start()
    # the applicant's registry record, linked to its first application by the credit code; the
    # account registers the code its identity-platform token verifies (issue 13)
    verified = token("applicant", applicant=APPLICANT, sub=f"{APPLICANT}-user", verified_credit_code=credit_code(0))
    record = await register_org(client, verified, P, credit_code=credit_code(0))
    ids = await flow.applications(2)
    # a third application of the account, never submitted (a draft)
    draft_app = (
        await flow.apply(flow.round["id"], "model", name="上海某某质量管理有限公司2", credit_code=credit_code(2))
    )["id"]
    r = await client.put(
        f"/api/v1/applications/{draft_app}/form", json={"fields": {}}, headers=flow.headers["applicant"]
    )
    assert r.status_code in (200, 201), r.text
    r = await client.post(
        f"/api/v1/applications/{ids[0]}/materials",
        params={"kind": "evidence", "filename": "证明.pdf"},
        content=PDF,
        headers=flow.headers["applicant"],
    )
    assert r.status_code == 201, r.text
    material = r.json()["id"]
    for app_id in ids:  # the second's form too: its variant (unassigned_app) reads it
        r = await client.put(
            f"/api/v1/applications/{app_id}/form", json={"fields": {}}, headers=flow.headers["applicant"]
        )
        assert r.status_code in (200, 201), r.text
    await flow.act(ids, RECOMMENDED)
    await flow.at("2026-09-29T10:00:00+08:00")
    await flow.publish("qualification", ids)
    await flow.at("2026-10-13T00:00:00+08:00")
    await flow.run_deadlines()
    await flow.act(ids, TO_COMMITTEE[P])
    await flow.act(ids, [("select", "committee", {"tier": "mayor"})])
    await flow.at("2026-11-03T10:00:00+08:00")
    notice = await flow.publish("winners", ids)
    url = f"/api/v1/notices/{notice['id']}/entries/{ids[0]}/unit-posting"
    r = await client.post(
        url,
        json={**EVIDENCE[0], "posted_from_on": "2026-11-04", "posted_until_on": "2026-11-10"},
        headers=flow.headers["applicant"],
    )
    assert r.status_code == 201, r.text
    proof = r.json()["id"]
    r = await flow.object(notice["id"], objection(ids[0], person(1)))
    assert r.status_code == 201, r.text
    receipt = r.json()
    objection_id = await flow.objection_id(receipt["receipt_no"])
    o = (await flow.office_objection(objection_id)).json()
    r = await client.post(
        "/api/v1/recommending-units",
        json={"programme": P, "code": UNIT, "name_zh": "金山区某某街道", "kind": "street", "covers": []},
        headers=flow.headers["office"],
    )
    assert r.status_code == 201, r.text
    # a round of P its office has not published (a draft)
    draft_call = {
        "title": "2028年度申报通知",
        "published_on": "2028-09-01",
        "opens_at": "2028-09-01T00:00:00+08:00",
        "closes_at": "2028-09-21T00:00:00+08:00",
    }
    r2 = await client.post(
        "/api/v1/rounds",
        json={"programme": P, "label": "2028", "call": draft_call, "overrides": []},
        headers=flow.headers["office"],
    )
    assert r2.status_code == 201, r2.text
    expert, panel, assignment = await _review_seed(client, flow, ids[0])
    await _unseat(client, flow, ids[1])
    committee = await _committee_seed(client, flow)
    pool = await _pool_seed(client, flow, verified)
    await flow.at(NOW)
    headers = {
        "anonymous": {},
        "admin": flow.headers["admin"],
        "integration": token("integration", client="portal"),
        "office_own": flow.headers["office"],
        "office_other": token("office", programme=Q),
        "expert_own": flow.headers["expert"],
        "expert_other": token("expert", programme=Q),
        "committee_own": flow.headers["committee"],
        "committee_other": token("committee", programme=Q),
        "supervisor_own": token("supervisor", programme=P, sub=f"{P}-supervisor"),
        "supervisor_other": token("supervisor", programme=Q, sub=f"{Q}-supervisor"),
        # a third-party review body (linyi-8b-d) acts in /review only, for the rounds that engage it:
        # P's round engages none, so the role of P reaches nothing at all, the role of Q less still
        "review_body_own": token("review_body", programme=P, body="B1", sub=f"{P}-body-b1"),
        "review_body_other": token("review_body", programme=Q, body="B1", sub=f"{Q}-body-b1"),
        "recommender_own": flow.headers["recommender"],
        "recommender_other": token("recommender", unit="unit-9"),
        "applicant_own": flow.headers["applicant"],
        "applicant_other": token("applicant", applicant="org-9"),
    }
    world = World(client, flow, headers)
    world.ids.update(
        round=flow.round["id"],
        app=ids[0],
        material=material,
        notice=notice["id"],
        proof=proof,
        objection=objection_id,
        objection_file=o["evidence"][0]["id"],
        receipt=receipt["receipt_no"],
        secret=receipt["secret"],
        applicant=record["id"],
        unit=r.json()["id"],
        draft_round=r2.json()["id"],
        draft_app=draft_app,
        unassigned_app=ids[1],
        expert=expert,
        panel=panel,
        assignment=assignment,
        **committee,
        **pool,
    )
    return world


async def _pool_seed(client, flow: NoticeFlow, verified: dict[str, str]) -> dict[str, str]:
    """P's incubation pool (issue 17): org-1 proposing itself (not yet admitted), and a training."""
    r = await client.post(
        "/api/v1/incubation/members",
        json={
            "programme": P,
            "name": "上海某某质量管理有限公司0",
            "credit_code": credit_code(0),
            "route": "self_application",
        },
        headers=verified,
    )
    assert r.status_code == 201, r.text
    member = r.json()["id"]
    r = await client.post(
        "/api/v1/incubation/trainings",
        json={"programme": P, "held_on": "2026-11-05", "topic": "卓越绩效培训", "place": "区行政中心"},
        headers=flow.headers["office"],
    )
    assert r.status_code == 201, r.text
    return {"pool_member": member, "training": r.json()["id"]}


async def _committee_seed(client, flow: NoticeFlow) -> dict[str, str]:
    """P's committee (issue 15): the flow's committee identity as the chair, a candidate list, a meeting."""
    office = flow.headers["office"]
    made = []
    for subject, position in ((f"{P}-committee", "chair"), (f"{P}-member-2", "member")):
        body = {"subject": subject, "name": subject, "position": position}
        body |= {"term_starts_on": "2025-01-01", "term_ends_on": "2029-12-31"}
        r = await client.post("/api/v1/committees/members", json=body, headers=office)
        assert r.status_code == 201, r.text
        made.append(r.json()["id"])
    r = await client.post(
        f"/api/v1/committees/rounds/{flow.round['id']}/candidate-list",
        json={"groups": [{"tier": "mayor", "category": "model", "chosen": []}]},
        headers=office,
    )
    assert r.status_code == 201, r.text
    listed = r.json()["id"]
    body = {"list_id": listed, "list_etag": r.headers["etag"], "chair_id": made[0], "held_on": "2026-11-01"}
    r = await client.post("/api/v1/committees/meetings", json=body, headers=office)
    assert r.status_code == 201, r.text
    return {"member": made[0], "candidate_list": listed, "meeting": r.json()["id"]}


async def _review_seed(client, flow: NoticeFlow, app_id: str) -> tuple[str, str, str]:
    """P's expert (the flow's expert identity) leading a material panel, assigned ``app_id``, pledged."""
    office = flow.headers["office"]
    # in the pool already: the flow seated it to fire the review's events (an expert acts only on
    # what is assigned to it: jinshan-21a, hangzhou-6.2a, linyi-20a)
    expert = await flow.expert_record()
    r = await client.post(
        "/api/v1/review/panels",
        json={"round_id": flow.round["id"], "stage": "material", "name": "材料评审组", "leader_id": expert},
        headers=office,
    )
    assert r.status_code == 201, r.text
    panel = r.json()["id"]
    r = await client.post(
        f"/api/v1/review/panels/{panel}/assignments",
        json={"application_id": app_id, "expert_ids": [expert]},
        headers=office,
    )
    assert r.status_code == 201, r.text
    assignment = r.json()[0]["id"]
    r = await client.post(f"/api/v1/review/panels/{panel}/pledge", headers=flow.headers["expert"])
    assert r.status_code == 200, r.text
    return expert, panel, assignment


async def _unseat(client, flow: NoticeFlow, app_id: str) -> None:
    """Close every open assignment P's expert holds of ``app_id``: it no longer sees the application."""
    office, expert = flow.headers["office"], await flow.expert_record()
    for panel in (await client.get(f"/api/v1/review/rounds/{flow.round['id']}/panels", headers=office)).json():
        for a in (await client.get(f"/api/v1/review/panels/{panel['id']}/assignments", headers=office)).json():
            if a["application_id"] == app_id and a["expert_id"] == expert and a["status"] == "open":
                r = await client.post(
                    f"/api/v1/review/assignments/{a['id']}/close", json={"reason": "调整分工"}, headers=office
                )
                assert r.status_code == 200, r.text


async def test_every_operation_answers_every_principal_kind_as_the_access_matrix_says(client, token):
    world = await _seed(client, token)
    wrong: list[str] = []
    cells = [(op, _allowed(op), MATRIX["operations"][op].get("refusal"), world, op) for op in _operations()]
    # the same operations on the world's objects in draft (least privilege, issue 13)
    for name, variant in MATRIX.get("variants", {}).items():
        drafted = World(world.client, world.flow, world.headers, {**world.ids, variant["replaces"]: world.ids[name]})
        for op, rule in variant["operations"].items():
            cells.append((op, _allowed_of(rule["allow"]), rule.get("refusal"), drafted, f"{op} on the {name}"))
    for op, allowed, refusal, w, label in cells:
        for kind in KINDS:
            built = REQUESTS[op](w)
            method, url, kwargs = await built if isinstance(built, Awaitable) else built
            headers = {**kwargs.pop("headers", {}), **w.headers[kind]}
            r = await client.request(method.upper(), url, headers=headers, **kwargs)
            if kind in allowed:
                ok = r.status_code < 500 and r.status_code not in DENIED and r.status_code != refusal
            elif kind == "anonymous":
                # a public route (no token read) refuses a missing object with its `refusal` 404, not 401
                ok = r.status_code == 401 or (refusal == 404 and r.status_code == 404)
            else:
                ok = r.status_code in DENIED or r.status_code == refusal
            if not ok:
                wrong.append(
                    f"{label} as {kind}: {r.status_code} ({'allowed' if kind in allowed else 'denied'} by the matrix) {r.text[:160]}"
                )
            if op == "reset_test_clock" and r.status_code == 200:
                await world.flow.at(NOW)  # the world's time again
    assert not wrong, f"{len(wrong)} cells answer otherwise than tests/access/matrix.yaml:\n" + "\n".join(wrong)
