"""Uploaded files on S3-compatible storage (``QAWARD_STORAGE=s3``), against a real S3 server on loopback (moto).

The same guarantees as on local disk (issue #6): a 201 means the object is in the bucket, whole
and with its checksum; a refused upload puts nothing there; an upload whose transaction fails
(at the insert or only at COMMIT) leaves nothing there.
"""

from __future__ import annotations

import base64
import hashlib

import pytest

from app.domain.files import blobs, sealing
from tests.db_faults import inserts_refused
from tests.intake.registry import changning_draft
from tests.notices.driver import RECOMMENDED, NoticeFlow, objection, person
from tests.uploads.conftest import BUCKET

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n" + b"s3" * 3000
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 500


def _objects(s3, prefix: str) -> dict[str, int]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return {o["Key"]: o["Size"] for page in pages for o in page.get("Contents", [])}


def _local_files(settings) -> set:
    """Files in the local stores' folders (the S3 app shares the data folder: its signing key lives there)."""
    return {p for area in ("materials", "files") for p in (settings.data_dir / area).rglob("*") if p.is_file()}


def _rows(sync_db, table: str) -> int:
    with sync_db.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {table}")
        return cur.fetchone()[0]


@pytest.fixture
async def draft(s3_client, token):
    return await changning_draft(s3_client, token)


async def _opened(settings, key: str) -> bytes:
    """The object's plaintext; it is sealed in the bucket (issue #13: files encrypted at rest)."""
    return b"".join([c async for c in await sealing.open_plain(settings, key)])


def _url(app_id: str, filename: str = "自我评价报告.pdf") -> str:
    return f"/api/v1/applications/{app_id}/materials?kind=self_evaluation_report&filename={filename}"


def test_the_settings_choose_the_store(settings, s3_settings):
    assert isinstance(blobs.store_for(settings), blobs.LocalBlobStore)
    store = blobs.store_for(s3_settings)
    assert isinstance(store, blobs.S3BlobStore) and store.bucket == BUCKET and blobs.store_for(s3_settings) is store


async def test_a_201_material_is_in_the_bucket_whole_and_reads_back_through_the_api(s3_client, draft, s3, s3_settings):
    flow, app_id = draft
    before, local = _objects(s3, "materials/"), _local_files(s3_settings)
    sent: list[dict] = []
    client = blobs.store_for(s3_settings).client

    def record(request, **_):
        sent.append(dict(request.headers))

    client.meta.events.register("before-send.s3.PutObject", record)
    try:
        r = await s3_client.post(_url(app_id), content=PDF, headers=flow.headers["applicant"])
    finally:
        client.meta.events.unregister("before-send.s3.PutObject", record)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest() and body["size"] == len(PDF)
    [key] = set(_objects(s3, "materials/")) - set(before)
    # one PutObject, carrying both digests for the server to check the body against
    [headers] = sent
    # straight from S3: the bytes, sealed (issue #13: files encrypted at rest), opening to the PDF
    stored = s3.get_object(Bucket=BUCKET, Key=key)
    sealed = stored["Body"].read()
    assert base64.b64decode(headers["x-amz-checksum-sha256"]) == hashlib.sha256(sealed).digest()
    assert base64.b64decode(headers["Content-MD5"]) == hashlib.md5(sealed).digest()
    assert sealed[:4] == sealing.MAGIC and stored["ContentLength"] == len(sealed)
    assert await _opened(s3_settings, key) == PDF
    # and through the API, as any reader gets it
    got = await s3_client.get(r.headers["location"] + "/content", headers=flow.headers["office"])
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["x-content-sha256"] == body["sha256"] and got.headers["content-type"] == "application/pdf"
    assert got.headers["content-length"] == str(len(PDF)) and "filename*=utf-8''" in got.headers["content-disposition"]
    # nothing was kept on the local disk (the staging file is gone)
    assert _local_files(s3_settings) == local


async def test_a_refused_executable_puts_nothing_in_the_bucket(s3_client, draft, s3, sync_db):
    flow, app_id = draft
    before = _objects(s3, "")
    r = await s3_client.post(_url(app_id, "报告.pdf"), content=EXE, headers=flow.headers["applicant"])
    assert r.status_code == 415 and r.json()["type"].endswith("/executable-refused")
    assert _objects(s3, "") == before and _rows(sync_db, "application_materials") == 0


async def test_a_failed_insert_or_commit_deletes_the_object(s3_client, draft, s3, sync_db):
    flow, app_id = draft
    before = _objects(s3, "")
    with inserts_refused(sync_db, "application_materials"):
        refused = await s3_client.post(_url(app_id), content=PDF, headers=flow.headers["applicant"])
    with inserts_refused(sync_db, "application_materials", at_commit=True):
        at_commit = await s3_client.post(_url(app_id), content=PDF, headers=flow.headers["applicant"])
    assert refused.status_code == 500
    assert at_commit.status_code == 503 and at_commit.json()["type"].endswith("/commit-failed")
    assert _objects(s3, "") == before and _rows(sync_db, "application_materials") == 0


async def _notice(s3_client, token):
    flow = NoticeFlow(s3_client, token, "changning")
    await flow.start()
    ids = await flow.applications(1)
    await flow.act(ids, RECOMMENDED)
    await flow.at("2026-09-29T10:00:00+08:00")
    return flow, ids[0], await flow.publish("qualification", ids)


async def test_objection_evidence_is_in_the_bucket_and_reads_back_and_a_failed_commit_deletes_it(
    s3_client, token, s3, sync_db, s3_settings
):
    flow, app_id, notice = await _notice(s3_client, token)
    evidence = PDF + b"evidence"
    body = objection(
        app_id,
        person(3),
        evidence=[{"filename": "处罚决定书.pdf", "content_base64": base64.b64encode(evidence).decode()}],
    )
    before = _objects(s3, "files/objections/")
    r = await flow.object(notice["id"], body)
    assert r.status_code == 201, r.text
    [key] = set(_objects(s3, "files/objections/")) - set(before)
    assert await _opened(s3_settings, key) == evidence
    oid = await flow.objection_id(r.json()["receipt_no"])
    [f] = (await flow.office_objection(oid)).json()["evidence"]
    got = await s3_client.get(f"/api/v1/objections/{oid}/files/{f['id']}", headers=flow.headers["office"])
    assert got.status_code == 200 and got.content == evidence and got.headers["content-type"] == "application/pdf"

    # the same evidence again, but the transaction fails only at COMMIT: the new object is deleted
    stored = _objects(s3, "")
    with inserts_refused(sync_db, "objection_files", at_commit=True):
        failed = await flow.object(notice["id"], objection(app_id, person(4), evidence=body["evidence"]))
    assert failed.status_code == 503, failed.text
    # the first objection's copy of the same bytes is untouched: each upload has a key of its own
    assert _objects(s3, "") == stored and await _opened(s3_settings, key) == evidence
    assert _rows(sync_db, "objection_files") == 1


def test_production_on_s3_needs_a_bucket_and_credentials():
    from app.config import Settings

    safe = {
        "environment": "production",
        "database_url": "postgresql://db/qaward",
        "jwks_url": "https://idp/jwks",
        "jwt_issuer": "https://idp",
        "personal_data_key": "k" * 40,
    }
    with pytest.raises(ValueError, match="QAWARD_S3_BUCKET"):
        Settings(**safe, storage="s3", s3_endpoint_url="http://minio:9000")
    ok = Settings(**safe, storage="s3", s3_bucket="awards", s3_access_key_id="id", s3_secret_access_key="hunter2-s3")
    assert "hunter2-s3" not in repr(ok)


async def test_the_local_store_puts_whole_files_reads_and_deletes(tmp_path):
    store = blobs.LocalBlobStore(tmp_path)

    async def chunks():
        yield b"%PDF-"
        yield b"streamed"

    staged = tmp_path / "staged"
    staged.write_bytes(b"adopted")
    await store.put("a/1", b"bytes")
    await store.put("a/2", chunks())
    await store.put("a/3", staged)
    assert await store.get("a/1") == b"bytes" and await store.get("a/2") == b"%PDF-streamed"
    assert b"".join([c async for c in await store.open("a/3")]) == b"adopted" and not staged.exists()
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["1", "2", "3"]  # no temporary file left
    await store.delete("a/1")
    await store.delete("a/1")
    with pytest.raises(blobs.BlobNotFound):
        await store.get("a/1")
    for bad in ("../x", "/etc/passwd", "a//b", "a/./b", ""):
        with pytest.raises(ValueError):
            await store.put(bad, b"x")


@pytest.mark.parametrize("failure", ["other-checksum", "timeout-after-store"])
async def test_a_put_that_fails_after_the_object_was_stored_leaves_no_object(s3, failure):
    """The caller learns no key when ``put`` raises, so nothing would ever delete the object: ``put`` does."""
    from botocore.exceptions import ReadTimeoutError

    class Flaky:
        def __init__(self, client):
            self.client = client

        def __getattr__(self, name):
            return getattr(self.client, name)

        def put_object(self, **kwargs):
            answer = self.client.put_object(**kwargs)
            if failure == "timeout-after-store":
                raise ReadTimeoutError(endpoint_url="http://s3")
            return {**answer, "ChecksumSHA256": "b3RoZXI="}

    store = blobs.S3BlobStore(Flaky(s3), BUCKET)
    key = f"materials/0f/put-fails-{failure}"
    with pytest.raises((OSError, ReadTimeoutError)):
        await store.put(key, b"%PDF-1.7 stored then refused")
    assert key not in _objects(s3, "materials/")
