"""The verification page and the public revocation notice in headless chromium, against a real running server."""

from __future__ import annotations

import os

import pytest

from tests.awards.drive import certificate, commended
from tests.awards.test_verification_page_browser import CHROMIUM, _render
from tests.revocation.drive import WINNERS, carry_through, open_case, revocation_no

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("QAWARD_REQUIRE_BROWSER"),
    reason="Debian's chromium is not installed (.ci/run installs it and sets QAWARD_REQUIRE_BROWSER)",
)


async def test_a_certificate_verifies_valid_then_revoked_once_its_case_ends__linyi_19b_tianning_19b(
    client, token, live_server
):
    """Opened from the QR code's URL: 有效; a revocation case then runs its procedure to the government's approval
    (the same running service, never restarted): the page shows 已撤销 with the approval's number, and the public
    notice renders as a plain page naming the holder and the number, loading nothing from elsewhere. A forged code
    stays 无法核验, a page and not an error."""
    a = await commended(client, token, "linyi", [WINNERS["linyi"]])
    cert = await certificate(a, a.ids[0])
    url = f"{live_server}/api/v1/{cert['verification_url'].split('/api/v1/', 1)[1]}"
    dom = _render(url)
    assert 'data-status="valid"' in dom and "有效" in dom, dom

    today = await a.today()
    case = (await open_case(a, a.ids[0], "unit_fraud")).json()
    number = revocation_no("linyi")
    dom = _render(url)
    assert 'data-status="valid"' in dom, "an open case revokes nothing"
    case = await carry_through(a, case, today, number)
    assert case["status"] == "revoked"

    dom = _render(url)
    assert 'data-status="revoked"' in dom and "已撤销" in dom and number in dom, dom
    forged = url.rsplit("code=", 1)[0] + "code=ZZZZZ-ZZZZZ"
    dom = _render(forged)
    assert 'data-status="unknown"' in dom and "无法核验" in dom and WINNERS["linyi"].name not in dom, dom

    dom = _render(f"{live_server}{case['public_notice_url']}/page")
    assert "撤销" in dom and WINNERS["linyi"].name in dom and number in dom, dom
    for outside in ("src=", "href=", "@import", "url("):
        assert outside not in dom, outside
