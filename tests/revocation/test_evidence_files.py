"""A revocation case's evidence files (证据材料, issue 16): the report, a credit-platform extract, the verification's
findings, kept through the one file intake as materials of the awarded application and named on the case."""

from __future__ import annotations

import hashlib

from tests.awards.drive import commended
from tests.revocation.drive import WINNERS, carry_through, open_case, read_case, revocation_no

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _materials(sync_db, app_id: str) -> list[tuple[str, str]]:
    with sync_db.cursor() as cur:
        cur.execute(
            "SELECT kind, sha256 FROM application_materials WHERE application_id = %s AND kind = 'revocation_evidence'"
            " ORDER BY sha256",
            (app_id,),
        )
        return cur.fetchall()


async def test_a_cases_evidence_files_are_kept_with_their_hashes_and_read_back__jinshan_26b_27b(
    client, token, sync_db, concurrently
):
    """Two files sent at once are both named on the case (neither lost), each read back byte for byte by its
    SHA-256; the case's ETag moves; an executable is refused; another programme's office learns nothing; once the
    case is decided its evidence stays as it was (409 `/revocation-case-closed`) (jinshan-26b, 27b)."""
    a = await commended(client, token, "jinshan", [WINNERS["jinshan"]])
    app_id = a.ids[0]
    case = (await open_case(a, app_id)).json()
    assert case["attachments"] == []
    url = f"/api/v1/revocation-cases/{case['id']}/evidence"
    office = a.flow.headers["office"]
    before = (await read_case(a, case["id"])).headers["etag"]
    files = [PDF, PDF.replace(b"%%EOF", b"% extract of the credit record\n%%EOF")]
    answers = await concurrently(
        2, lambda i: client.post(url, params={"filename": f"举报材料{i}.pdf"}, content=files[i], headers=office)
    )
    assert [r.status_code for r in answers] == [201, 201], [r.text for r in answers]
    got = await read_case(a, case["id"])
    assert got.headers["etag"] != before
    attachments = got.json()["attachments"]
    assert sorted(x["sha256"] for x in attachments) == sorted(hashlib.sha256(f).hexdigest() for f in files)
    assert sorted(x["filename"] for x in attachments) == ["举报材料0.pdf", "举报材料1.pdf"]
    assert _materials(sync_db, app_id) == sorted(("revocation_evidence", hashlib.sha256(f).hexdigest()) for f in files)
    for x in attachments:
        r = await client.get(x["content_url"], headers=office)
        assert r.status_code == 200 and hashlib.sha256(r.content).hexdigest() == x["sha256"]
    # a multipart form's file part goes through the same intake
    r = await client.post(url, files={"file": ("核查记录.pdf", files[0], "application/pdf")}, headers=office)
    assert r.status_code == 201 and r.json()["attachments"][-1]["filename"] == "核查记录.pdf", r.text
    # an executable is refused whatever its name
    r = await client.post(url, params={"filename": "a.pdf"}, content=b"MZ\x90\x00" + b"\x00" * 64, headers=office)
    assert r.status_code in (415, 422), r.text
    # another programme's office: as if there were no case; the supervision team reads, never adds
    r = await client.post(url, params={"filename": "a.pdf"}, content=PDF, headers=token("office", programme="linyi"))
    assert r.status_code == 404, r.text
    assert len((await read_case(a, case["id"])).json()["attachments"]) == 3
    # the case decided: its evidence stays as it was
    today = await a.today()
    await carry_through(a, (await read_case(a, case["id"])).json(), today, revocation_no("jinshan"))
    r = await client.post(url, params={"filename": "迟到.pdf"}, content=PDF, headers=office)
    assert r.status_code == 409 and r.json()["type"].endswith("/revocation-case-closed"), r.text
    assert len((await read_case(a, case["id"])).json()["attachments"]) == 3
    assert len(_materials(sync_db, app_id)) == 3
