"""Issue 18: a material uploaded as a browser form sends it (`multipart/form-data`), its UTF-8 name
through RFC 8187 `filename*`, the limits enforced as it streams; a browser of an allowed origin
(QAWARD_CORS_ORIGINS) uploads cross-origin."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

import httpx
import pytest
from asgi_lifespan import LifespanManager

from app.api.multipart_upload import MULTIPART_ROOM, disposition_filename
from app.domain.files.policy import MATERIAL
from app.main import create_app
from tests.intake.registry import changning_draft

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n" + b"x" * 3000
BOUNDARY = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
ORIGIN = "https://portal.example.gov.cn"


def browser_form(filename_header: str, content: bytes, *, before: bytes = b"", after: bytes = b"") -> bytes:
    """A body as Chrome builds it for ``<form enctype="multipart/form-data">`` with a file input named ``file``."""
    return (
        before
        + f"--{BOUNDARY}\r\n".encode()
        + f'Content-Disposition: form-data; name="file"; {filename_header}\r\n'.encode()
        + b"Content-Type: application/pdf\r\n\r\n"
        + content
        + f"\r\n--{BOUNDARY}\r\n".encode()
        + b'Content-Disposition: form-data; name="note"\r\n\r\n'
        + "自评报告".encode()
        + after
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def _form_headers(headers: dict) -> dict:
    return {**headers, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


@pytest.fixture
async def draft(client, token):
    return await changning_draft(client, token)


def _url(app_id: str) -> str:
    return f"/api/v1/applications/{app_id}/materials?kind=self_evaluation_report"


async def test_a_browser_form_uploads_a_file_with_its_raw_utf8_name(client, draft):
    flow, app_id = draft
    body = browser_form('filename="自我评价报告.pdf"', PDF)
    r = await client.post(_url(app_id), content=body, headers=_form_headers(flow.headers["applicant"]))
    assert r.status_code == 201, r.text
    got = r.json()
    assert (got["filename"], got["size"], got["sha256"]) == (
        "自我评价报告.pdf",
        len(PDF),
        hashlib.sha256(PDF).hexdigest(),
    )
    stored = await client.get(r.headers["location"] + "/content", headers=flow.headers["office"])
    assert stored.content == PDF


async def test_a_form_names_its_file_by_rfc_8187_filename_star(client, draft):
    flow, app_id = draft
    name = "质量奖申报材料（2026）.pdf"
    header = f"filename=\"fallback.pdf\"; filename*=UTF-8''{quote(name)}"
    r = await client.post(
        _url(app_id), content=browser_form(header, PDF), headers=_form_headers(flow.headers["applicant"])
    )
    assert r.status_code == 201, r.text
    assert r.json()["filename"] == name


async def test_a_raw_body_may_name_its_file_in_content_disposition(client, draft):
    flow, app_id = draft
    headers = {
        **flow.headers["applicant"],
        "Content-Type": "application/pdf",
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote('自评报告.pdf')}",
    }
    r = await client.post(_url(app_id), content=PDF, headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["filename"] == "自评报告.pdf"


async def test_a_form_file_over_the_limit_is_refused_as_it_streams_and_nothing_is_kept(client, draft, sync_db):
    flow, app_id = draft
    limit = MATERIAL.limit()
    too_big = PDF + b"x" * (limit - len(PDF) + 1)

    async def streamed():
        # no Content-Length: the limit is enforced on the file's bytes as they arrive
        body = browser_form('filename="big.pdf"', too_big)
        for i in range(0, len(body), 256 * 1024):
            yield body[i : i + 256 * 1024]

    r = await client.post(_url(app_id), content=streamed(), headers=_form_headers(flow.headers["applicant"]))
    assert r.status_code == 413, r.text
    assert r.json()["type"].endswith("/file-too-large") and r.json()["max_bytes"] == limit
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM application_materials")
        assert cur.fetchone()[0] == 0
    # a declared length over the file's limit and the form's room is refused before the body is read
    r = await client.post(
        _url(app_id),
        content=b"",
        headers={**_form_headers(flow.headers["applicant"]), "Content-Length": str(limit + MULTIPART_ROOM + 1)},
    )
    assert r.status_code == 413, r.text


async def test_a_form_bigger_than_its_room_around_the_file_is_refused(client, draft):
    flow, app_id = draft
    body = browser_form('filename="a.pdf"', PDF, after=b"y" * (MULTIPART_ROOM + 1))
    r = await client.post(_url(app_id), content=body, headers=_form_headers(flow.headers["applicant"]))
    assert r.status_code == 413, r.text
    assert r.json()["type"].endswith("/request-too-large")


async def test_a_form_without_a_file_or_malformed_is_refused_naming_the_field(client, draft):
    flow, app_id = draft
    no_file = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--{BOUNDARY}--\r\n'
    ).encode()
    r = await client.post(_url(app_id), content=no_file, headers=_form_headers(flow.headers["applicant"]))
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["file"]
    cut = browser_form('filename="a.pdf"', PDF)[:-200]
    r = await client.post(_url(app_id), content=cut, headers=_form_headers(flow.headers["applicant"]))
    assert r.status_code == 400, r.text
    no_boundary = {**flow.headers["applicant"], "Content-Type": "multipart/form-data"}
    r = await client.post(_url(app_id), content=b"x", headers=no_boundary)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "body"


def test_the_names_a_content_disposition_gives():
    assert disposition_filename("form-data; name=\"file\"; filename*=UTF-8''%E7%94%B3%E6%8A%A5.pdf") == "申报.pdf"
    assert disposition_filename('form-data; name="file"; filename="a.pdf"') == "a.pdf"
    assert disposition_filename('form-data; name="file"; filename="报告.pdf"'.encode().decode("latin-1")) == "报告.pdf"
    assert disposition_filename("attachment; filename*=UTF-8''%FF.pdf") is None
    assert disposition_filename(None) is None


async def test_a_browser_of_an_allowed_origin_uploads_a_form_cross_origin(settings, client, draft):
    """CORS (QAWARD_CORS_ORIGINS): the preflight allows the upload, the upload answers with the origin."""
    flow, app_id = draft
    app = create_app(settings.model_copy(update={"cors_origins": ORIGIN}), migrate=False)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
            pre = await browser.options(
                _url(app_id),
                headers={
                    "Origin": ORIGIN,
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "authorization, content-type",
                },
            )
            assert pre.status_code == 200, pre.text
            assert pre.headers["access-control-allow-origin"] == ORIGIN
            assert "POST" in pre.headers["access-control-allow-methods"]
            r = await browser.post(
                _url(app_id),
                content=browser_form('filename="自评.pdf"', PDF),
                headers={**_form_headers(flow.headers["applicant"]), "Origin": ORIGIN},
            )
            assert r.status_code == 201, r.text
            assert r.headers["access-control-allow-origin"] == ORIGIN
            assert "location" in r.headers["access-control-expose-headers"].lower()
            assert r.json()["filename"] == "自评.pdf"
