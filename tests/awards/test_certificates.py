"""Certificates (证书) issued with the commendation, read back as PDF, verified by anyone, revoked at once (issue 16)."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests.awards.drive import PREFIX, certificate, commended, revoke
from tests.commendation.drive import Winner
from tests.notices.driver import id_number

# per programme: a winner, the honour as the certificate states it, the clause requiring year and category stated
PROGRAMMES = {
    "changning": (Winner("achievement", "gold", "王晓明", individual=True), "长宁区质量金奖", "先进质量管理成果"),
    "jinshan": (Winner("model", "gold", "上海金山某某化工有限公司"), "金山区质量金奖", "先进质量管理模式"),
    "hangzhou": (Winner("organisation", "quality", "杭州某某电子股份有限公司"), "质量奖", "组织"),
    "linyi": (Winner("organisation", "mayor", "临沂某某机械有限公司"), "临沂市市长质量奖", "单位"),
    "tianning": (Winner("organisation", "mayor", "常州某某纺织有限公司"), "天宁区区长质量奖", "组织"),
}


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")


@pytest.mark.parametrize("programme", list(PROGRAMMES))
async def test_each_winner_gets_a_numbered_certificate_stating_year_and_category__changning_33a_jinshan_25a_hangzhou_6_4b_tianning_18a(
    client, token, programme
):
    """At the commendation decision each winner gets a certificate: its number, the honour with its award year and
    category, the decision's number; the PDF reads back with all of them, the code and the verification URL."""
    winner, tier_zh, category_zh = PROGRAMMES[programme]
    a = await commended(client, token, programme, [winner])
    app_id = a.ids[0]
    cert = await certificate(a, app_id)
    assert cert["number"] == f"{programme.upper()}-2026-0001"
    assert (cert["status"], cert["status_zh"]) == ("valid", "有效")
    assert (cert["tier_name_zh"], cert["category_name_zh"], cert["award_year"]) == (tier_zh, category_zh, 2026)
    assert "2026年度" in cert["award_zh"] and tier_zh in cert["award_zh"] and category_zh in cert["award_zh"]
    assert cert["commendation_no"] == f"{PREFIX[programme]}〔2026〕82号"
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}", cert["verification_code"])
    assert cert["verification_url"].endswith(
        f"/public/certificates/{cert['number']}/page?code={cert['verification_code']}"
    )
    # the holder reads the same certificate
    assert (await certificate(a, app_id, role="applicant"))["number"] == cert["number"]

    r = await client.get(f"/api/v1/applications/{app_id}/certificate.pdf", headers=a.flow.headers["applicant"])
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = _text(r.content)
    for expected in (
        "荣誉证书",
        winner.name,
        tier_zh,
        category_zh,
        "2026年度",
        cert["commendation_no"],
        cert["number"],
    ):
        assert expected in text, (expected, text)
    assert cert["verification_code"] in text and cert["verification_url"] in text
    if winner.individual:
        # an individual's ID number is on no certificate
        assert not re.search(r"\d{17}[\dX]", text)


async def test_an_individuals_certificate_never_shows_the_id_number__changning_33a(client, token):
    """A person's certificate and its public verification name the person and the employer, never the ID number."""
    a = await commended(client, token, "changning", [Winner("achievement", "gold", "王晓明", individual=True)])
    cert = await certificate(a, a.ids[0])
    number = a.id_numbers[a.ids[0]]
    assert number == id_number(300, "19790615")
    pub = await client.get(f"/api/v1/public/certificates/{cert['number']}", params={"code": cert["verification_code"]})
    page = await client.get(
        f"/api/v1/public/certificates/{cert['number']}/page", params={"code": cert["verification_code"]}
    )
    for body in (pub.text, page.text, str(cert)):
        assert number not in body and number[-6:] not in body
    assert pub.json()["holder_name"] == "王晓明" and pub.json()["employer"]


async def test_anyone_verifies_a_certificate_and_a_revocation_shows_at_once__changning_33d_tianning_19b_linyi_19b(
    client, token
):
    """The public verification: valid with number and code; revoked with its day and document number the moment the
    award is revoked (a client revalidating its cached copy gets the new answer); a forged code or an unknown
    number answers "unknown", never which of the two, and never an error."""
    a = await commended(client, token, "linyi", [Winner("organisation", "mayor", "临沂某某机械有限公司")])
    cert = await certificate(a, a.ids[0])
    url = f"/api/v1/public/certificates/{cert['number']}"
    good = {"code": cert["verification_code"]}

    r = await client.get(url, params=good)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["status"], body["status_zh"], body["holder_name"]) == ("valid", "有效", "临沂某某机械有限公司")
    assert "2026年度" in body["award_zh"] and "临沂市市长质量奖" in body["award_zh"]
    assert "no-cache" in r.headers["cache-control"]
    tag = r.headers["etag"]
    again = await client.get(url, params=good, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    # the code as a person types it from paper: lower case, no dash
    typed = await client.get(url, params={"code": cert["verification_code"].lower().replace("-", " ")})
    assert typed.json()["status"] == "valid"

    for params in ({"code": "00000-00000"}, {}, {"code": cert["verification_code"][::-1]}):
        r = await client.get(url, params=params)
        assert r.status_code == 200 and r.json() == {
            "number": cert["number"],
            "status": "unknown",
            "status_zh": "无法核验",
        } | {k: None for k in r.json() if k not in ("number", "status", "status_zh")}, r.text
    r = await client.get("/api/v1/public/certificates/LINYI-2026-9999", params=good)
    assert r.json()["status"] == "unknown"
    page = await client.get("/api/v1/public/certificates/伪造-证书/page", params={"code": "ABCDE-FGHJK"})
    assert page.status_code == 200 and "无法核验" in page.text

    await revoke(a, a.ids[0], "临政〔2027〕3号", ground="unit_fraud")
    r = await client.get(url, params=good, headers={"If-None-Match": tag})
    assert r.status_code == 200, "a cached valid answer must not survive the revocation"
    body = r.json()
    assert (body["status"], body["status_zh"], body["revocation_document_no"]) == (
        "revoked",
        "已撤销",
        "临政〔2027〕3号",
    )
    assert body["revoked_on"] == (await a.today())
    page = await client.get(f"{url}/page", params=good)
    assert "已撤销" in page.text and "临政〔2027〕3号" in page.text and "不再有效" in page.text
    assert (await certificate(a, a.ids[0]))["status"] == "revoked"


async def test_certificate_numbers_run_on_through_the_year_and_no_one_else_reads_a_certificate__changning_33a(
    client, token
):
    """Two winners of one decision get consecutive numbers; the certificate is the application's: another applicant
    account, or a caller with no access to the application, gets 404; before the decision there is none."""
    a = await commended(
        client,
        token,
        "changning",
        [Winner("model", "mayor", "上海长宁某某制造有限公司"), Winner("achievement", "gold", "李华", individual=True)],
    )
    numbers = [(await certificate(a, i))["number"] for i in a.ids]
    assert numbers == ["CHANGNING-2026-0001", "CHANGNING-2026-0002"]
    stranger = token("applicant", sub="someone-else", applicant="someone-else")
    r = await client.get(f"/api/v1/applications/{a.ids[0]}/certificate", headers=stranger)
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    other_office = token("office", sub="clerk-q", programme="jinshan")
    r = await client.get(f"/api/v1/applications/{a.ids[0]}/certificate.pdf", headers=other_office)
    assert r.status_code == 404
