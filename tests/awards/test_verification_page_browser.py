"""The certificate verification page in a real headless browser (Debian's chromium), served by a real server."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import pytest

from tests.awards.drive import certificate, commended, revoke
from tests.commendation.drive import Winner

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("QAWARD_REQUIRE_BROWSER"),
    reason="Debian's chromium is not installed (.ci/run installs it and sets QAWARD_REQUIRE_BROWSER)",
)


def _render(url: str) -> str:
    """The page's DOM once chromium loaded it; every host but the service's is unreachable, so a page needing an
    outside resource would show it missing rather than quietly fetch it."""
    assert CHROMIUM, "QAWARD_REQUIRE_BROWSER is set but chromium is not installed"
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                f"--user-data-dir={profile}",
                "--virtual-time-budget=3000",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


async def test_the_verification_page_renders_valid_then_revoked_and_unknown_in_a_browser__changning_33d_tianning_19b(
    client, token, live_server
):
    """Opened from the QR code's URL in headless chromium: 有效 with the holder and the honour; after a revocation
    (the same running service, no reload) 已撤销 with the revocation's document number; a forged code 无法核验,
    a page, not an error. The page names no outside resource."""
    a = await commended(client, token, "tianning", [Winner("organisation", "mayor", "常州某某纺织有限公司")])
    cert = await certificate(a, a.ids[0])
    path = cert["verification_url"].split("/api/v1/", 1)[1]
    url = f"{live_server}/api/v1/{path}"

    dom = _render(url)
    assert 'data-status="valid"' in dom and "有效" in dom and "常州某某纺织有限公司" in dom, dom
    assert "2026年度" in dom and "天宁区区长质量奖" in dom
    for outside in ("src=", "href=", "@import", "url("):
        assert outside not in dom, outside

    await revoke(a, a.ids[0], "天政〔2027〕5号")
    dom = _render(url)
    assert 'data-status="revoked"' in dom and "已撤销" in dom and "天政〔2027〕5号" in dom, dom

    forged = url.rsplit("code=", 1)[0] + "code=ZZZZZ-ZZZZZ"
    dom = _render(forged)
    assert 'data-status="unknown"' in dom and "无法核验" in dom and "常州" not in dom, dom
