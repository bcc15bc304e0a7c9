"""A complete application (issue 19): the form (申报表) as a typed schema and the required materials, checked at submit."""

from __future__ import annotations

from tests.intake.completing import PDF, complete_application
from tests.intake.drive import open_round
from tests.intake.registry import CODES, changning_draft, register_org
from tests.workflow.flow import Flow


def _url(app_id: str, kind: str) -> str:
    return f"/api/v1/applications/{app_id}/materials?kind={kind}&filename={kind}.pdf"


async def _submit(client, flow: Flow, app_id: str, headers: dict | None = None):
    got = await flow.get(app_id)
    return await client.post(
        f"/api/v1/applications/{app_id}/events",
        json={"event": "submit"},
        headers={**(headers or flow.headers["office"]), "If-Match": got.headers["etag"]},
    )


async def test_an_empty_draft_submit_names_every_missing_piece_with_its_clause__changning_20a(client, token):
    flow, app_id = await changning_draft(client, token)
    # one stray file, no form: what the issue found accepted
    assert (
        await client.post(_url(app_id, "evidence"), content=PDF, headers=flow.headers["applicant"])
    ).status_code == 201
    r = await _submit(client, flow, app_id, flow.headers["applicant"])
    body = r.json()
    assert r.status_code == 422 and body["type"].endswith("/application-incomplete"), r.text
    assert body["clause"] == "changning-20a"
    assert {m["piece"] for m in body["missing"]} == {
        "form",
        "materials.application_form",
        "materials.self_evaluation_report",
    }
    assert all(m["clause"] == "changning-20a" for m in body["missing"])
    assert "《自我评价报告》（changning-20a）" in body["detail"] and "长宁区政府质量奖申报表" in body["detail"]
    assert {e["field"] for e in body["errors"]} == {m["piece"] for m in body["missing"]}
    # nothing moved, and the refusal is in the history
    assert (await flow.get(app_id)).json()["state"] == "draft"
    history = (await client.get(f"/api/v1/applications/{app_id}/history", headers=flow.headers["office"])).json()
    assert history["items"][-1]["event"] == "submit" and history["items"][-1]["accepted"] is False
    en = await client.post(
        f"/api/v1/applications/{app_id}/events",
        json={"event": "submit"},
        headers={
            **flow.headers["applicant"],
            "If-Match": (await flow.get(app_id)).headers["etag"],
            "Accept-Language": "en",
        },
    )
    assert "Self-evaluation report (changning-20a)" in en.json()["detail"]


async def test_required_form_fields_are_named_and_the_complete_application_submits__changning_20a(client, token):
    flow, app_id = await changning_draft(client, token)
    h = flow.headers["applicant"]
    for kind in ("application_form", "self_evaluation_report", "evidence"):
        assert (await client.post(_url(app_id, kind), content=PDF, headers=h)).status_code == 201
    form = await client.put(
        f"/api/v1/applications/{app_id}/form", json={"fields": {"contact_name": "张三", "employees": 120}}, headers=h
    )
    assert form.status_code == 200, form.text
    r = await _submit(client, flow, app_id, h)
    assert r.status_code == 422
    assert {m["piece"] for m in r.json()["missing"]} == {
        "form.fields.contact_phone",
        "form.fields.industry",
        "form.fields.quality_summary",
    }
    shown = (await client.get(f"/api/v1/applications/{app_id}/completeness", headers=h)).json()
    assert shown["complete"] is False and len(shown["missing"]) == 3
    labels = {f["key"]: f["label_zh"] for f in shown["form"]["fields"]}
    # the organisation's form: the individual's fields (工作单位...) are another category's
    assert labels["contact_phone"] == "联系电话" and "employer_name" not in labels
    assert {m["kind"] for m in shown["materials"]} == {"application_form", "self_evaluation_report", "evidence"}
    full = {
        "contact_name": "张三",
        "employees": 120,
        "contact_phone": "13912345678",
        "industry": "C",
        "quality_summary": "卓越绩效",
    }
    form = await client.put(
        f"/api/v1/applications/{app_id}/form", json={"fields": full}, headers={**h, "If-Match": form.headers["etag"]}
    )
    assert form.status_code == 200
    assert (await client.get(f"/api/v1/applications/{app_id}/completeness", headers=h)).json()["complete"] is True
    r = await _submit(client, flow, app_id, h)
    assert r.status_code == 200 and r.json()["state"] == "awaiting_recommendation", r.text


async def test_a_field_outside_its_type_or_limits_is_refused_when_saved_naming_the_limit(client, token):
    flow, app_id = await changning_draft(client, token)
    h = flow.headers["applicant"]
    r = await client.put(
        f"/api/v1/applications/{app_id}/form",
        json={
            "fields": {
                "employees": 0,
                "contact_name": "张" * 51,
                "contact_phone": "12345",
                "industry": "制造业",
                "revenue_10k_yuan": "abc",
            }
        },
        headers=h,
    )
    body = r.json()
    assert r.status_code == 422 and body["type"].endswith("/validation-error")
    by_field = {e["field"]: e["message"] for e in body["errors"]}
    assert "1 至 10000000" in by_field["fields.employees"]
    assert "最多 50 个字" in by_field["fields.contact_name"]
    assert "手机号" in by_field["fields.contact_phone"]
    assert "应为代码" in by_field["fields.industry"] and "/api/v1/lookups/industries" in by_field["fields.industry"]
    assert "fields.revenue_10k_yuan" in by_field
    # nothing saved
    assert (await client.get(f"/api/v1/applications/{app_id}/form", headers=h)).status_code == 404


async def test_each_programme_requires_what_its_text_names__jinshan_18a_linyi_14b_hangzhou_3_3_1_tianning_12b(
    client, token
):
    expected = {
        "jinshan": (
            "jinshan-18a",
            {"materials.application_form", "materials.self_evaluation_report", "materials.evidence"},
        ),
        "linyi": (
            "linyi-14b",
            {"materials.application_form", "materials.self_evaluation_report", "materials.evidence"},
        ),
        "tianning": (
            "tianning-12b",
            {"materials.application_form", "materials.self_evaluation_report", "materials.evidence"},
        ),
        # 3.3.1 says only 相关申报材料: the service asks the form and evidence (stated: false)
        "hangzhou": ("hangzhou-3.3.1", {"materials.application_form", "materials.evidence"}),
    }
    for programme, (clause, materials) in expected.items():
        flow = Flow(client, token, programme)
        rnd = await open_round(flow, 2026)
        await register_org(client, flow.headers["office"], programme)
        r = await client.post(
            "/api/v1/applications",
            json={
                "round_id": rnd["id"],
                "category": "model" if programme == "jinshan" else "organisation",
                "applicant": {"name": "某某质量管理有限公司", "credit_code": CODES[programme]},
                "recommending_unit": "unit-1",
            },
            headers=flow.proving(credit_code=CODES[programme]),
        )
        assert r.status_code == 201, r.text
        app_id = r.json()["id"]
        refused = await _submit(client, flow, app_id)
        assert refused.status_code == 422, (programme, refused.text)
        pieces = {m["piece"]: m["clause"] for m in refused.json()["missing"]}
        assert set(pieces) == {"form", *materials}, programme
        assert set(pieces.values()) == {clause}, programme
        await complete_application(client, flow.headers["office"], app_id)
        assert (await client.get(f"/api/v1/applications/{app_id}/completeness", headers=flow.headers["office"])).json()[
            "complete"
        ]
