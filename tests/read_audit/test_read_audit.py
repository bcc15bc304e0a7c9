"""The read audit (GB/T 22239-2019 8.1.4.3 安全审计; issue #13): every read of a full ID number and every
download of a stored file is recorded (who, what, when, request id) in the read's own transaction,
queryable by an administrator, and kept at least 6 months.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from stdnum.cn import ric

from app.config import Settings
from app.domain import read_audit
from tests.db_faults import inserts_refused
from tests.intake.registry import PERSON, changning_draft
from tests.uploads.test_s3_storage import PDF

AUDIT = "/api/v1/admin/read-audit"


def id_number(n: int) -> str:
    """A valid 居民身份证号 (GB 11643 check digit), one per ``n``."""
    first17 = f"310105198{n // 365 % 10}01{1 + n % 28:02d}{n % 1000:03d}"
    return first17 + ric.calc_check_digit(first17 + "0")  # it reads the first 17 of 18


async def _audit(client, token, **params) -> dict:
    r = await client.get(AUDIT, params={"size": 100, **params}, headers=token("admin"))
    assert r.status_code == 200, r.text
    return r.json()


async def _person(client, office, number: str = PERSON) -> dict:
    r = await client.post("/api/v1/applicants/individuals", json={"id_number": number, "name": "张三"}, headers=office)
    assert r.status_code == 201, r.text
    return r.json()


async def test_reading_a_full_id_number_is_recorded_with_who_what_when_and_the_request__gbt22239(client, token):
    office = token("office", programme="changning", sub="clerk-1")
    person = await _person(client, office)
    before = datetime.now(UTC)
    r = await client.get(f"/api/v1/applicants/{person['id']}", headers={**office, "X-Request-ID": "audit-req-1"})
    assert r.status_code == 200 and r.json()["id_number"] == PERSON
    page = await _audit(client, token, subject="clerk-1", since=before.isoformat())
    [row] = page["items"]
    assert row["record_kind"] == "applicant_id_number" and row["record_id"] == person["id"]
    assert row["roles"] == "office" and row["request_id"] == "audit-req-1"
    assert before <= datetime.fromisoformat(row["read_at"]) <= datetime.now(UTC)

    # a read that shows no full number records nothing: another programme's office (which no longer
    # sees the record at all: least privilege, issue 13), the list (masked)
    other = token("office", programme="hangzhou", sub="clerk-2")
    r = await client.get(f"/api/v1/applicants/{person['id']}", headers=other)
    assert r.status_code == 404 and PERSON not in r.text
    assert (await client.get("/api/v1/applicants", headers=office)).status_code == 200
    assert (await _audit(client, token, subject="clerk-2"))["total"] == 0
    assert (await _audit(client, token, record_id=person["id"]))["total"] == 2  # registering echoed it too


async def test_a_read_whose_transaction_fails_is_neither_served_nor_recorded(client, token, sync_db):
    office = token("office", programme="changning", sub="clerk-3")
    person = await _person(client, office)
    with inserts_refused(sync_db, "read_audit", at_commit=True):
        r = await client.get(f"/api/v1/applicants/{person['id']}", headers=office)
    assert r.status_code == 503 and PERSON not in r.text
    assert (await _audit(client, token, subject="clerk-3"))["total"] == 1  # the registration's only


async def test_concurrent_downloads_record_one_row_each_none_lost__gbt22239(client, token):
    flow, app_id = await changning_draft(client, token)
    r = await client.post(
        f"/api/v1/applications/{app_id}/materials?kind=self_evaluation_report&filename=报告.pdf",
        content=PDF,
        headers=flow.headers["applicant"],
    )
    assert r.status_code == 201, r.text
    material = r.json()["id"]
    url = f"/api/v1/applications/{app_id}/materials/{material}/content"
    readers = [flow.headers["office"], flow.headers["applicant"]] * 15

    async def download(i: int, headers: dict) -> None:
        got = await client.get(url, headers={**headers, "X-Request-ID": f"dl-{i}"})
        assert got.status_code == 200 and got.content == PDF

    await asyncio.gather(*(download(i, h) for i, h in enumerate(readers)))
    page = await _audit(client, token, record_kind="material", record_id=material)
    assert page["total"] == 30
    assert sorted(r["request_id"] for r in page["items"]) == sorted(f"dl-{i}" for i in range(30))
    assert {r["roles"] for r in page["items"]} == {"office", "applicant"}


async def test_the_query_filters_by_subject_record_and_time_and_pages(client, token, sync_db):
    now = datetime.now(UTC)
    a, b = uuid.uuid4(), uuid.uuid4()
    rows = [
        (now - timedelta(days=3), "clerk-a", a),
        (now - timedelta(days=2), "clerk-a", b),
        (now - timedelta(days=1), "clerk-b", a),
    ]
    with sync_db.cursor() as cur:
        for at, who, rec in rows:
            cur.execute(
                "INSERT INTO read_audit (read_at, subject, roles, record_kind, record_id, request_id)"
                " VALUES (%s, %s, 'office', 'material', %s, 'r')",
                (at, who, str(rec)),
            )
    assert (await _audit(client, token, subject="clerk-a"))["total"] == 2
    assert (await _audit(client, token, record_id=str(a)))["total"] == 2
    window = await _audit(
        client,
        token,
        since=(now - timedelta(days=2, hours=1)).isoformat(),
        until=(now - timedelta(hours=12)).isoformat(),
    )
    assert [r["subject"] for r in window["items"]] == ["clerk-b", "clerk-a"]  # newest first
    paged = await client.get(AUDIT, params={"size": 1, "page": 2}, headers=token("admin"))
    assert paged.json()["total"] == 3 and [r["subject"] for r in paged.json()["items"]] == ["clerk-a"]
    # only an administrator; bad input is a problem naming the field
    assert (await client.get(AUDIT, headers=token("office", programme="changning"))).status_code == 403
    assert (await client.get(AUDIT)).status_code == 401
    bad = await client.get(
        AUDIT, params={"since": now.isoformat(), "until": (now - timedelta(days=1)).isoformat()}, headers=token("admin")
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "until"
    naive = await client.get(AUDIT, params={"since": "2026-12-01T00:00:00"}, headers=token("admin"))
    assert naive.status_code == 422 and naive.headers["content-type"].startswith("application/problem+json")


@pytest.mark.no_database
def test_a_retention_below_6_months_is_refused__gbt22239():
    with pytest.raises(ValueError, match="read_audit_retention_days"):
        Settings(read_audit_retention_days=183)
    assert Settings().read_audit_retention_days >= 184  # 6 calendar months are at most 184 days


async def test_the_retention_sweep_deletes_only_what_is_older_than_the_retention__gbt22239(app, settings, sync_db):
    now = datetime.now(UTC)
    ages = {"old": 200, "just-past": 184.01, "just-kept": 183.99, "fresh": 1}
    with sync_db.cursor() as cur:
        for who, days in ages.items():
            cur.execute(
                "INSERT INTO read_audit (read_at, subject, roles, record_kind, record_id)"
                " VALUES (%s, %s, 'office', 'material', %s)",
                (now - timedelta(days=days), who, str(uuid.uuid4())),
            )
    assert await read_audit.purge(app.state.db, settings, now=now) == 2
    longer = settings.model_copy(update={"read_audit_retention_days": 365})
    assert await read_audit.purge(app.state.db, longer, now=now) == 0
    with sync_db.cursor() as cur:
        cur.execute("SELECT subject FROM read_audit ORDER BY read_at")
        assert [r[0] for r in cur.fetchall()] == ["just-kept", "fresh"]


async def test_downloading_an_objections_evidence_is_recorded_too__gbt22239(client, token):
    import base64

    from tests.notices.driver import RECOMMENDED, NoticeFlow, objection, person

    flow = NoticeFlow(client, token, "changning")
    await flow.start()
    ids = await flow.applications(1)
    await flow.act(ids, RECOMMENDED)
    await flow.at("2026-09-29T10:00:00+08:00")
    notice = await flow.publish("qualification", ids)
    evidence = [{"filename": "处罚决定书.pdf", "content_base64": base64.b64encode(PDF).decode()}]
    lodged = await flow.object(notice["id"], objection(ids[0], person(3), evidence=evidence))
    assert lodged.status_code == 201, lodged.text
    oid = await flow.objection_id(lodged.json()["receipt_no"])
    [f] = (await flow.office_objection(oid)).json()["evidence"]
    got = await client.get(f"/api/v1/objections/{oid}/files/{f['id']}", headers=flow.headers["office"])
    assert got.status_code == 200 and got.content == PDF
    [row] = (await _audit(client, token, record_kind="objection_file"))["items"]
    assert row["record_id"] == f["id"] and row["roles"] == "office"
