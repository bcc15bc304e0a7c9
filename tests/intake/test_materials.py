"""Materials and the form: checked by content, hashed, stored whole or not at all, editable only in draft, frozen at submit."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.db_faults import inserts_refused
from tests.intake.registry import changning_draft

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n" + b"x" * 2000
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 500


def _files(settings) -> list[Path]:
    root = Path(settings.data_dir) / "materials"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _rows(sync_db) -> int:
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM application_materials")
        return cur.fetchone()[0]


@pytest.fixture
async def draft(client, token):
    return await changning_draft(client, token)


# the changning form's required fields (app/domain/programmes/definitions/changning.yaml)
COMPLETE_FIELDS = {
    "contact_name": "张三",
    "contact_phone": "021-62345678",
    "employees": 330,
    "industry": "C",
    "quality_summary": "推行卓越绩效管理",
}


def _url(app_id: str, kind: str = "self_evaluation_report", filename: str = "自我评价报告.pdf") -> str:
    return f"/api/v1/applications/{app_id}/materials?kind={kind}&filename={filename}"


async def test_pdf_is_stored_with_its_sha256_and_read_back_whole(client, draft, settings):
    flow, app_id = draft
    before = set(_files(settings))
    r = await client.post(_url(app_id), content=PDF, headers=flow.headers["applicant"])
    assert r.status_code == 201, r.text
    body = r.json()
    assert (
        body["sha256"] == hashlib.sha256(PDF).hexdigest()
        and body["size"] == len(PDF)
        and body["content_type"] == "application/pdf"
    )
    assert len(set(_files(settings)) - before) == 1
    got = await client.get(r.headers["location"] + "/content", headers=flow.headers["office"])
    assert got.status_code == 200 and got.content == PDF and got.headers["x-content-sha256"] == body["sha256"]
    listed = await client.get(f"/api/v1/applications/{app_id}/materials", headers=flow.headers["applicant"])
    assert [m["id"] for m in listed.json()] == [body["id"]]


async def test_executable_renamed_pdf_is_refused_and_nothing_is_stored(client, draft, settings, sync_db):
    flow, app_id = draft
    before = _files(settings)
    r = await client.post(_url(app_id, filename="报告.pdf"), content=EXE, headers=flow.headers["applicant"])
    assert r.status_code == 415 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"].endswith("/executable-refused") and r.json()["detected_type"] == "application/x-executable"
    assert _files(settings) == before and _rows(sync_db) == 0


async def test_a_file_over_the_limit_is_413_whether_announced_or_streamed(
    client, draft, settings, sync_db, monkeypatch
):
    flow, app_id = draft
    monkeypatch.setattr(settings, "material_max_bytes", 1024)
    before = _files(settings)
    announced = await client.post(_url(app_id), content=PDF, headers=flow.headers["applicant"])
    assert (
        announced.status_code == 413
        and announced.json()["type"].endswith("/file-too-large")
        and announced.json()["max_bytes"] == 1024
    )

    async def chunks():
        for i in range(0, len(PDF), 256):
            yield PDF[i : i + 256]

    streamed = await client.post(_url(app_id), content=chunks(), headers=flow.headers["applicant"])
    assert streamed.status_code == 413
    assert _files(settings) == before and _rows(sync_db) == 0


async def test_an_interrupted_upload_leaves_nothing(app, client, draft, settings, sync_db):
    flow, app_id = draft
    before = _files(settings)
    auth = flow.headers["applicant"]["Authorization"].encode()
    sent: list[dict] = []
    script = [
        {"type": "http.request", "body": PDF[:1000], "more_body": True},
        {"type": "http.request", "body": PDF[1000:1500], "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive():
        return script.pop(0) if script else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 1),
        "path": f"/api/v1/applications/{app_id}/materials",
        "raw_path": f"/api/v1/applications/{app_id}/materials".encode(),
        "root_path": "",
        "query_string": b"kind=evidence&filename=a.pdf",
        "headers": [
            (b"host", b"testserver"),
            (b"authorization", auth),
            (b"content-length", str(len(PDF)).encode()),
            (b"content-type", b"application/pdf"),
        ],
    }
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 400
    body = json.loads(b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"))
    assert body["type"].endswith("/upload-interrupted")
    assert _files(settings) == before and _rows(sync_db) == 0


async def test_a_failed_transaction_removes_the_stored_file(client, draft, settings, sync_db):
    flow, app_id = draft
    before = _files(settings)
    with inserts_refused(sync_db, "application_materials"):
        r = await client.post(_url(app_id), content=PDF, headers=flow.headers["applicant"])
        assert r.status_code == 500
    assert _files(settings) == before and _rows(sync_db) == 0


async def test_editing_only_in_draft_and_submit_freezes_a_version__changning_20a(client, draft, token):
    flow, app_id = draft
    h = flow.headers["applicant"]
    form = await client.put(
        f"/api/v1/applications/{app_id}/form",
        json={
            "fields": {"员工人数": 320},
            "self_assessment_score": "612.5",
            "statements": {"model_compliance": "依法经营，许可证齐全"},
        },
        headers=h,
    )
    assert form.status_code == 200 and form.headers["etag"] == '"v1"'
    assert (await client.put(f"/api/v1/applications/{app_id}/form", json={"fields": {}}, headers=h)).status_code == 428
    form = await client.put(
        f"/api/v1/applications/{app_id}/form",
        json={"fields": {"员工人数": 330, **COMPLETE_FIELDS}, "self_assessment_score": "615"},
        headers={**h, "If-Match": '"v1"'},
    )
    assert form.status_code == 200 and form.json()["version"] == 2
    report = (await client.post(_url(app_id), content=PDF, headers=h)).json()
    # the other materials changning-20a requires (issue 19: submit refuses without them)
    scan = (await client.post(_url(app_id, "application_form", "申报表.pdf"), content=PDF + b"s", headers=h)).json()
    evidence = (await client.post(_url(app_id, "evidence", "证书.pdf"), content=PDF + b"e", headers=h)).json()
    dropped = (await client.post(_url(app_id, "evidence", "旧证书.pdf"), content=PDF + b"old", headers=h)).json()
    assert (
        await client.delete(f"/api/v1/applications/{app_id}/materials/{dropped['id']}", headers=h)
    ).status_code == 204
    await flow.step(app_id, "submit", "awaiting_recommendation")
    # submitted: no more changes by the applicant
    late = await client.post(_url(app_id, "evidence"), content=PDF, headers=h)
    assert late.status_code == 409 and late.json()["type"].endswith("/application-not-editable")
    assert (
        await client.put(f"/api/v1/applications/{app_id}/form", json={"fields": {}}, headers={**h, "If-Match": '"v2"'})
    ).status_code == 409
    assert (
        await client.delete(f"/api/v1/applications/{app_id}/materials/{report['id']}", headers=h)
    ).status_code == 409
    versions = (await client.get(f"/api/v1/applications/{app_id}/versions", headers=flow.headers["office"])).json()
    assert len(versions) == 1
    v = versions[0]
    assert (
        v["seq"] == 1
        and v["event"] == "submit"
        and v["form"]["version"] == 2
        and v["form"]["self_assessment_score"] == 615.0
    )
    assert sorted((m["id"], m["sha256"]) for m in v["materials"]) == sorted(
        (m["id"], m["sha256"]) for m in (report, scan, evidence)
    )
    assert v["facts"]["registered_jurisdiction"] == "changning"
    # the recommending unit uploads its sealed opinion while the application awaits recommendation
    opinion = await client.post(
        _url(app_id, "recommendation_opinion", "推荐意见.pdf"), content=PDF, headers=flow.headers["recommender"]
    )
    assert opinion.status_code == 201, opinion.text
    assert (
        await client.post(
            _url(app_id, "recommendation_opinion"), content=PDF, headers=token("recommender", unit="unit-2")
        )
    ).status_code == 404
    # returned for correction: editable again, and the next submission freezes a second version
    await flow.step(
        app_id,
        "return_for_correction",
        "draft",
        {"correction_until": "2026-09-30T00:00:00+08:00"},
        reason="补充证实性材料",
    )
    assert (
        await client.post(_url(app_id, "evidence", "新证书.pdf"), content=PDF + b"new", headers=h)
    ).status_code == 201
    await flow.step(app_id, "submit", "awaiting_recommendation")
    versions = (await client.get(f"/api/v1/applications/{app_id}/versions", headers=h)).json()
    assert [v["seq"] for v in versions] == [1, 2] and len(versions[1]["materials"]) == 5


async def test_unknown_kind_and_other_applicants_are_refused(client, draft, token):
    flow, app_id = draft
    bad = await client.post(_url(app_id, kind="photo"), content=PDF, headers=flow.headers["applicant"])
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "kind"
    other = await client.post(_url(app_id), content=PDF, headers=token("applicant", applicant="someone-else"))
    assert other.status_code == 404


async def test_a_failed_commit_removes_the_stored_file(client, draft, settings, sync_db):
    """The upload's row fails only at COMMIT (a deferred constraint): no file may stay behind."""
    flow, app_id = draft
    before = set(_files(settings))
    with inserts_refused(sync_db, "application_materials", at_commit=True):
        r = await client.post(_url(app_id), content=PDF, headers=flow.headers["applicant"])
    assert r.status_code == 503 and r.json()["type"].endswith("/commit-failed")
    assert set(_files(settings)) == before and _rows(sync_db) == 0


async def test_a_garbled_or_negative_content_length_is_400_naming_the_header_and_stores_nothing(
    client, draft, settings, sync_db
):
    flow, app_id = draft
    before = _files(settings)
    for length in (b"abc", b"-5", b"1e3", "²".encode("latin-1")):  # ² is a digit to str.isdigit()
        r = await client.post(
            _url(app_id), content=PDF, headers={**flow.headers["applicant"], "Content-Length": length}
        )
        assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json", (length, r.text)
        assert r.json()["type"].endswith("/bad-request") and [e["field"] for e in r.json()["errors"]] == [
            "Content-Length"
        ]
    assert _files(settings) == before and _rows(sync_db) == 0


async def test_an_opinion_before_submission_is_409_saying_when_it_may_be_uploaded(client, draft, sync_db):
    flow, app_id = draft
    for lang, expected in (("zh", "等待推荐"), ("en", "awaiting recommendation")):
        r = await client.post(
            _url(app_id, "recommendation_opinion", "推荐意见.pdf"),
            content=PDF,
            headers={**flow.headers["recommender"], "Accept-Language": lang},
        )
        assert (
            r.status_code == 409
            and r.json()["type"].endswith("/application-not-editable")
            and r.json()["state"] == "draft"
        )
        assert (
            expected in r.json()["detail"]
            and "submitted" not in r.json()["detail"]
            and "已提交" not in r.json()["detail"]
        )
    assert _rows(sync_db) == 0
