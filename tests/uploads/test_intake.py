"""One file intake for every upload: materials (streamed), objection and verification evidence and unit-posting
proofs (base64 in JSON) share one policy, one refusal vocabulary, one filename cleaner and one store.

Issue #12 item 5. Through the real app and the real database; the cleaner and the staging file are also
exercised directly where the API cannot show them.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from urllib.parse import quote

import pytest

from app.db.repositories import stored_files
from app.domain.files import intake, names, sealing
from app.domain.files.filetypes import JPEG, PDF, PNG
from app.domain.files.policy import AREAS, MATERIAL, POLICIES, VERIFICATION_EVIDENCE
from tests.intake.registry import changning_draft
from tests.notices.driver import RECOMMENDED, NoticeFlow, objection, person

PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n" + b"i" * 1000
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 500
TEXT = "这是一个纯文本文件，不是 PDF。\n".encode() * 10
RLO = "\u202e"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _material_url(app_id: str, filename: str) -> str:
    return f"/api/v1/applications/{app_id}/materials?kind=evidence&filename={quote(filename)}"


async def _sealed_plaintext(settings, path: Path) -> bytes:
    """The stored file's plaintext, once checked that it is sealed (issue #13: files encrypted at rest)."""
    assert path.read_bytes()[:4] == sealing.MAGIC, "stored in clear"
    key = path.relative_to(Path(settings.data_dir).resolve()).as_posix()
    return b"".join([c async for c in await sealing.open_plain(settings, key)])


def _mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777


def _storage_key(sync_db, table: str, row_id: str) -> str:
    with sync_db.cursor() as cur:
        cur.execute(f"SELECT storage_key FROM {table} WHERE id = %s", (row_id,))
        return cur.fetchone()[0]


async def _qualification_notice(client, token) -> tuple[NoticeFlow, str, dict]:
    """A changning qualification notice in a round of its own (a test may also hold a draft in the "2026" round)."""
    flow = NoticeFlow(client, token, "changning")
    await flow.start("intake")
    ids = await flow.applications(1)
    await flow.act(ids, RECOMMENDED)
    await flow.at("2026-09-29T10:00:00+08:00")
    return flow, ids[0], await flow.publish("qualification", ids)


# --- the filename cleaner -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "content_type", "stored"),
    [
        ("invoice.exe", PDF, "invoice.pdf"),  # the name never claims another type than the content
        (f"报告{RLO}fdp.exe", PDF, "报告fdp.pdf"),  # shown as "报告exe.pdf" with the RLO in place
        ("invoice.pdf.exe", PDF, "invoice.pdf"),
        ("\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c证据.pdf", PDF, "证据.pdf"),
        ("照片.JPEG", JPEG, "照片.JPEG"),  # an extension of the type already: kept as the client wrote it
        ("照片.pdf", PNG, "照片.png"),
        ("C:\\Users\\me\\材料.pdf", PDF, "材料.pdf"),  # an old browser's full path: its last part
        ("../../etc/passwd", PDF, "passwd.pdf"),
        ("年报2024.12", PDF, "年报2024.12.pdf"),  # digits after a dot are no extension
        ("a\x00b\x1f\u200bc.pdf. ", PDF, "abc.pdf"),
        (
            "王\ue000明的证明.pdf",
            PDF,
            "王\ue000明的证明.pdf",
        ),  # a rare character in GB 18030's private-use area is a name's own
        ("  ", PDF, "file.pdf"),
        (None, PDF, "file.pdf"),
        ("x" * 300 + ".pdf", PDF, "x" * 251 + ".pdf"),  # the column holds 255 characters
    ],
)
def test_the_cleaner_drops_bidirectional_and_invisible_characters_and_gives_the_sniffed_extension(
    sent, content_type, stored
):
    assert names.clean(sent, content_type) == stored
    assert not set(names.clean(sent, content_type)) & names.BIDI_CONTROLS


async def test_a_material_is_stored_and_served_under_the_clean_name_with_the_extension_of_its_content(client, token):
    flow, app_id = await changning_draft(client, token)
    h = flow.headers["applicant"]
    for sent, stored in (("invoice.exe", "invoice.pdf"), (f"报告{RLO}fdp.exe", "报告fdp.pdf")):
        r = await client.post(_material_url(app_id, sent), content=PDF_BYTES, headers=h)
        assert r.status_code == 201, r.text
        assert r.json()["filename"] == stored and r.json()["content_type"] == PDF
        got = await client.get(r.headers["location"] + "/content", headers=flow.headers["office"])
        disposition = got.headers["content-disposition"]
        assert (
            got.status_code == 200
            and quote(stored) in disposition
            and quote(RLO) not in disposition
            and ".exe" not in disposition
        )
    # no name at all: the kind's fallback, with the extension of the content
    r = await client.post(f"/api/v1/applications/{app_id}/materials?kind=evidence", content=PDF_BYTES, headers=h)
    assert r.status_code == 201 and r.json()["filename"] == "material.pdf"


async def test_objection_and_verification_evidence_get_the_same_clean_names(client, token):
    flow, app_id, notice = await _qualification_notice(client, token)
    r = await flow.object(
        notice["id"],
        objection(
            app_id, person(1), evidence=[{"filename": f"处罚决定书{RLO}fdp.exe", "content_base64": _b64(PDF_BYTES)}]
        ),
    )
    assert r.status_code == 201, r.text
    oid = await flow.objection_id(r.json()["receipt_no"])
    finding = await client.post(
        f"/api/v1/objections/{oid}/findings",
        json={"text": "调取了原件", "evidence": [{"filename": "核查记录.docx.exe", "content_base64": _b64(PDF_BYTES)}]},
        headers=flow.headers["office"],
    )
    assert finding.status_code == 201, finding.text
    assert [f["filename"] for f in finding.json()["files"]] == ["核查记录.pdf"]
    assert [f["filename"] for f in (await flow.office_objection(oid)).json()["evidence"]] == ["处罚决定书fdp.pdf"]


# --- one refusal vocabulary -----------------------------------------------------------------------


async def test_one_vocabulary_refuses_a_file_whether_streamed_or_inside_json(client, token, settings):
    """The same file refused as a material (the request's body: 415) and as evidence (a JSON field: 422) carries the
    same code and the same message, naming the field; each route keeps the status HTTP gives its case."""
    flow, app_id = await changning_draft(client, token)
    nflow, entry, notice = await _qualification_notice(client, token)
    lodged = await nflow.object(notice["id"], objection(entry, person(2)))
    oid = await nflow.objection_id(lodged.json()["receipt_no"])

    for content, code, slug in ((EXE, "executable", "executable-refused"), (TEXT, "type", "unsupported-file-type")):
        for lang in ("zh", "en"):
            material = await client.post(
                _material_url(app_id, "a.pdf"),
                content=content,
                headers={**flow.headers["applicant"], "Accept-Language": lang},
            )
            finding = await client.post(
                f"/api/v1/objections/{oid}/findings",
                json={"text": "核查", "evidence": [{"filename": "a.pdf", "content_base64": _b64(content)}]},
                headers={**nflow.headers["office"], "Accept-Language": lang},
            )
            lodge = await nflow.object(
                notice["id"],
                objection(entry, person(3), evidence=[{"filename": "a.pdf", "content_base64": _b64(content)}]),
                {"Accept-Language": lang},
            )
            assert material.status_code == 415 and material.json()["type"].endswith(f"/{slug}"), material.text
            assert finding.status_code == 422 and finding.json()["type"].endswith("/invalid-file"), finding.text
            assert lodge.status_code == 422 and lodge.json()["type"].endswith("/objection-incomplete"), lodge.text
            [m], [f], [o] = material.json()["errors"], finding.json()["errors"], lodge.json()["errors"]
            assert (m["field"], f["field"], o["field"]) == ("body", "evidence[0]", "evidence[0]")
            assert m["code"] == f["code"] == o["code"] == code
            assert m["message"] == f["message"] == o["message"]
            assert (m["message"].isascii()) is (lang == "en")
            # the detail says the same reason, naming the kind of file (and the field inside JSON)
            assert material.json()["detail"].endswith(m["message"]) and finding.json()["detail"].endswith(m["message"])
            assert "evidence[0]" in finding.json()["detail"]
            assert material.json()["detected_type"] == finding.json()["detected_type"]
            assert material.json()["allowed_types"] == finding.json()["allowed_types"] == sorted(MATERIAL.allowed_types)

    # empty and too large: the same codes, the limit of each kind given as max_bytes
    empty = await client.post(_material_url(app_id, "a.pdf"), content=b"", headers=flow.headers["applicant"])
    assert (
        empty.status_code == 422
        and empty.json()["type"].endswith("/empty-file")
        and empty.json()["errors"][0]["code"] == "empty"
    )
    limit = VERIFICATION_EVIDENCE.max_bytes
    big = await client.post(
        f"/api/v1/objections/{oid}/findings",
        json={
            "text": "核查",
            "evidence": [{"filename": "big.pdf", "content_base64": _b64(b"%PDF-1.4\n" + b"0" * (limit - 8))}],
        },
        headers=nflow.headers["office"],
    )
    assert big.status_code == 422 and big.json()["errors"] == [
        {"field": "evidence[0]", "code": "too_large", "message": "超过大小上限（10MB）"}
    ]
    assert big.json()["max_bytes"] == limit
    settings.material_max_bytes, before = 1024, settings.material_max_bytes
    try:
        over = await client.post(_material_url(app_id, "a.pdf"), content=PDF_BYTES, headers=flow.headers["applicant"])
    finally:
        settings.material_max_bytes = before
    assert over.status_code == 413 and over.json()["errors"] == [
        {"field": "body", "code": "too_large", "message": "超过大小上限（1024字节）"}
    ]
    assert over.json()["max_bytes"] == 1024


async def test_a_unit_posting_proof_goes_through_the_same_intake__jinshan_18m(client, token, settings, sync_db):
    flow = NoticeFlow(client, token, "jinshan")
    ids, notice = await flow.jinshan_winners(["mayor"])
    url = f"/api/v1/notices/{notice['id']}/entries/{ids[0]}/unit-posting"
    refused = await client.post(
        url, json={"filename": "proof.pdf", "content_base64": _b64(TEXT)}, headers=flow.headers["applicant"]
    )
    assert refused.status_code == 422 and refused.json()["type"].endswith("/invalid-file")
    assert refused.json()["errors"] == [
        {
            "field": "content_base64",
            "code": "type",
            "message": "只接受PDF、JPEG、PNG、Word（docx）、Excel（xlsx）文件（按文件内容判断）",
        }
    ]
    r = await client.post(
        url,
        json={"filename": f"内部公示{RLO}gnp.exe", "content_base64": _b64(PDF_BYTES)},
        headers=flow.headers["applicant"],
    )
    assert r.status_code == 201, r.text
    assert r.json()["filename"] == "内部公示gnp.pdf"
    path = Path(settings.data_dir) / "files" / _storage_key(sync_db, "unit_posting_proofs", r.json()["id"])
    assert await _sealed_plaintext(settings, path.resolve()) == PDF_BYTES and _mode(path) == 0o600
    assert _mode(path.parent) == _mode(path.parent.parent) == 0o700


# --- files at rest: the service's user only --------------------------------------------------------


async def test_stored_files_are_0600_in_folders_0700_even_where_a_folder_was_made_wider_before(
    client, token, settings, sync_db
):
    root = Path(settings.data_dir)
    flow, app_id = await changning_draft(client, token)
    (root / "materials").mkdir(parents=True, exist_ok=True)
    os.chmod(root / "materials", 0o755)  # as a deployment before this rule left it
    r = await client.post(_material_url(app_id, "报告.pdf"), content=PDF_BYTES, headers=flow.headers["applicant"])
    assert r.status_code == 201, r.text
    path = root / "materials" / _storage_key(sync_db, "application_materials", r.json()["id"])
    assert await _sealed_plaintext(settings, path.resolve()) == PDF_BYTES and _mode(path) == 0o600
    folder = path.parent
    while folder != root:
        assert _mode(folder) == 0o700, folder
        folder = folder.parent

    nflow, entry, notice = await _qualification_notice(client, token)
    lodged = await nflow.object(
        notice["id"],
        objection(entry, person(4), evidence=[{"filename": "证据.pdf", "content_base64": _b64(PDF_BYTES)}]),
    )
    assert lodged.status_code == 201, lodged.text
    oid = await nflow.objection_id(lodged.json()["receipt_no"])
    [f] = (await nflow.office_objection(oid)).json()["evidence"]
    path = root / "files" / _storage_key(sync_db, "objection_files", f["id"])
    assert await _sealed_plaintext(settings, path.resolve()) == PDF_BYTES and _mode(path) == 0o600
    folder = path.parent
    while folder != root:
        assert _mode(folder) == 0o700, folder
        folder = folder.parent


async def test_a_staging_file_is_0600_while_the_upload_streams(settings):
    """The streamed body is on disk before it is checked: readable by the service's user only from its first byte."""
    seen: list[int] = []
    before = set(intake.leftovers(settings))

    async def chunks():
        yield PDF_BYTES[:100]
        [staged] = set(intake.leftovers(settings)) - before
        seen.append(_mode(staged))
        seen.append(_mode(staged.parent))
        yield PDF_BYTES[100:]

    accepted = await intake.receive(settings, MATERIAL, "a.pdf", chunks())
    try:
        assert seen == [0o600, 0o700] and accepted.size == len(PDF_BYTES) and accepted.filename == "a.pdf"
    finally:
        assert isinstance(accepted.content, Path)
        accepted.content.unlink()


# --- one policy table -----------------------------------------------------------------------------


def test_every_kind_of_file_has_one_policy_and_its_area_is_swept():
    assert set(POLICIES) == {"material", "objection_evidence", "verification_evidence", "unit_posting_proof"}
    assert set(stored_files.TABLES_BY_AREA) == AREAS
    for policy in POLICIES.values():
        assert policy.max_bytes > 0 and policy.allowed_types and policy.max_files >= 1
