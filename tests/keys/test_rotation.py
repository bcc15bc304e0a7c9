"""Key rotation (issue #13): ``qaward keys rotate`` moves every encrypted ID number and stored file to the
current key version while the service runs, resumably; old versions stay readable until it is done.

The service under test has its own settings, changed while it runs the way a rolling restart would:
a new version is listed and made current, every request begun under the old settings finishes, then
the rotation runs, concurrently with registrations, reads, uploads and downloads.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import uuid
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import SecretStr

from app.db.repositories import keys as keys_repo
from app.domain import personal_data
from app.domain.applicants.encryption import decrypt_id_number
from app.domain.files import sealing
from app.domain.keys import rotation
from app.domain.keys.keyring import derive
from app.domain.outbox import secrets
from tests.intake.registry import changning_draft
from tests.read_audit.test_read_audit import id_number
from tests.uploads.test_s3_storage import PDF

K2, K3 = "second-key-" + "2" * 32, "third-key-" + "3" * 32
# a material of several frames (64 KiB each), different per upload
BIG = PDF + b"%" * 150_000


class Live:
    """An app whose settings change while it runs, and the requests in flight under each generation."""

    def __init__(self, app, settings) -> None:
        self.app, self.settings = app, settings
        self.generation = 0
        self.in_flight: dict[int, int] = {0: 0}
        self.finished = asyncio.Condition()

    @asynccontextmanager
    async def request(self):
        gen = self.generation
        self.in_flight[gen] += 1
        try:
            yield
        finally:
            self.in_flight[gen] -= 1
            async with self.finished:
                self.finished.notify_all()

    async def deploy(self, keys: dict[int, str], current: int) -> None:
        """A rolling restart: new settings for every request from now; returns once the old ones finished."""
        self.settings.encryption_keys = {v: SecretStr(k) for v, k in keys.items()}
        self.settings.encryption_key_version = current
        old, self.generation = self.generation, self.generation + 1
        self.in_flight[self.generation] = 0
        async with self.finished:
            await self.finished.wait_for(lambda: not self.in_flight[old])


@pytest.fixture
async def live(settings):
    k1 = personal_data.key(settings).decode()  # version 1: what encrypted ID numbers before versions
    own = settings.model_copy(update={"encryption_keys": {1: SecretStr(k1)}, "encryption_key_version": 1})
    from app.main import create_app

    application = create_app(own, migrate=False)
    async with LifespanManager(application):
        yield Live(application, own), k1


@pytest.fixture
async def live_client(live):
    transport = httpx.ASGITransport(app=live[0].app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def _counts(live: Live) -> dict[str, dict[int, int]]:
    return await rotation.status(live.app.state.db)


async def _all_readable_under_only(live: Live, version: int, key: str, people: dict, files: dict) -> None:
    """Every ID number and file opens with ``version`` alone configured, and is what was stored."""
    only = live.settings.model_copy(update={"encryption_keys": {version: SecretStr(key)}})
    async with live.app.state.db.transaction() as session:
        from app.db import lean

        rows = await lean.fetch(session, "SELECT id, id_number_ciphertext FROM applicants WHERE kind = 'individual'")
        mats = await lean.fetch(session, "SELECT id, storage_key, sha256 FROM application_materials")
    assert {r.id: decrypt_id_number(only, r.id, r.id_number_ciphertext) for r in rows} == people
    got = {}
    for m in mats:
        plain = b"".join([c async for c in await sealing.open_plain(only, f"materials/{m.storage_key}")])
        assert hashlib.sha256(plain).hexdigest() == m.sha256
        raw = (Path(live.settings.data_dir) / "materials" / m.storage_key).read_bytes()
        assert sealing.version_of(raw) == version
        got[m.id] = plain
    assert got == files


async def _legacy(live: Live, k1: str, sync_db, client, flow, app_id) -> tuple[uuid.UUID, str, uuid.UUID, bytes]:
    """An ID number in the layout before key versions, and a file stored before encryption (plaintext)."""
    number = id_number(9001)
    r = await client.post(
        "/api/v1/applicants/individuals", json={"id_number": number, "name": "旧记录"}, headers=flow.headers["office"]
    )
    assert r.status_code == 201, r.text
    pid = uuid.UUID(r.json()["id"])
    nonce = os.urandom(12)
    old = (
        b"\x01"
        + nonce
        + AESGCM(derive(k1.encode(), b"qaward/id-number-encryption/v1")).encrypt(nonce, number.encode(), pid.bytes)
    )
    data = BIG + b"legacy"
    m = await client.post(
        f"/api/v1/applications/{app_id}/materials?kind=evidence&filename=旧.pdf",
        content=data,
        headers=flow.headers["applicant"],
    )
    assert m.status_code == 201, m.text
    mid = uuid.UUID(m.json()["id"])
    with sync_db.cursor() as cur:
        cur.execute("UPDATE applicants SET id_number_ciphertext = %s WHERE id = %s", (old, str(pid)))
        cur.execute("UPDATE application_materials SET key_version = 0 WHERE id = %s RETURNING storage_key", (str(mid),))
        (key,) = cur.fetchone()
    (Path(live.settings.data_dir) / "materials" / key).write_bytes(data)
    return pid, number, mid, data


async def test_rotating_twice_under_concurrent_requests_loses_nothing_and_leaves_every_row_on_the_newest_version(
    live, live_client, token, sync_db
):
    live_app, k1 = live
    client = live_client
    flow, app_id = await changning_draft(client, token)
    office, applicant = flow.headers["office"], flow.headers["applicant"]
    people: dict[uuid.UUID, str] = {}
    files: dict[uuid.UUID, bytes] = {}
    pid, number, mid, data = await _legacy(live_app, k1, sync_db, client, flow, app_id)
    people[pid], files[mid] = number, data
    assert await _counts(live_app) == {
        "id_numbers": {1: 1},
        "application_materials": {0: 1},
        "objection_files": {},
        "unit_posting_proofs": {},
        "webhook_secrets": {},
    }
    serial = iter(range(1, 10_000))
    rng = random.Random(13)
    stop = asyncio.Event()
    errors: list[str] = []

    async def register() -> None:
        n = id_number(next(serial))
        async with live_app.request():
            r = await client.post(
                "/api/v1/applicants/individuals", json={"id_number": n, "name": "张三"}, headers=office
            )
        if r.status_code != 201 or r.json()["id_number"] != n:
            errors.append(f"register {r.status_code} {r.text[:200]}")
            return
        people[uuid.UUID(r.json()["id"])] = n

    async def read() -> None:
        if not people:
            return
        pid = rng.choice(list(people))
        async with live_app.request():
            r = await client.get(f"/api/v1/applicants/{pid}", headers=office)
        if r.status_code != 200 or r.json()["id_number"] != people[pid]:
            errors.append(f"read {pid}: {r.status_code} {r.text[:200]}")

    async def upload() -> None:
        body = BIG + uuid.uuid4().bytes
        async with live_app.request():
            r = await client.post(
                f"/api/v1/applications/{app_id}/materials?kind=evidence&filename=证明.pdf",
                content=body,
                headers=applicant,
            )
        if r.status_code != 201:
            errors.append(f"upload {r.status_code} {r.text[:200]}")
            return
        files[uuid.UUID(r.json()["id"])] = body

    async def download() -> None:
        mid = rng.choice(list(files))
        async with live_app.request():
            r = await client.get(f"/api/v1/applications/{app_id}/materials/{mid}/content", headers=office)
        if r.status_code != 200 or r.content != files[mid]:
            errors.append(f"download {mid}: {r.status_code} {len(r.content)} bytes")

    done = [0]

    async def worker() -> None:
        while not stop.is_set():
            await rng.choice([register, read, upload, download, read, download])()
            done[0] += 1

    load = [asyncio.create_task(worker()) for _ in range(4)]
    try:
        await asyncio.sleep(0.5)  # some records under version 1 first
        reports = []
        for version, keys in ((2, {1: k1, 2: K2}), (3, {1: k1, 2: K2, 3: K3})):
            await live_app.deploy(keys, version)
            before = done[0]
            reports.append(await rotation.rotate(live_app.app.state.db, live_app.settings))
            assert done[0] > before, "no request was served while the rotation ran"
            await asyncio.sleep(0.3)  # records written under the new version meanwhile
    finally:
        stop.set()
        await asyncio.gather(*load)
    assert errors == []
    assert [r.version for r in reports] == [2, 3] and all(r.complete for r in reports)
    assert reports[0].id_numbers >= 1 and reports[0].files >= 1 and reports[1].id_numbers >= 1
    counts = await _counts(live_app)
    assert set(counts["id_numbers"]) == {3} and counts["id_numbers"][3] == len(people)
    assert set(counts["application_materials"]) == {3} and counts["application_materials"][3] == len(files)
    assert len(people) > 5 and len(files) > 5
    # versions 1 and 2 can go: everything opens under version 3 alone
    await _all_readable_under_only(live_app, 3, K3, people, files)


async def test_a_rotation_that_dies_midway_is_finished_by_a_rerun_and_nothing_is_unreadable_meanwhile(
    live, live_client, token, sync_db, monkeypatch
):
    live_app, k1 = live
    client = live_client
    flow, app_id = await changning_draft(client, token)
    people, files = {}, {}
    for i in range(3):
        r = await client.post(
            "/api/v1/applicants/individuals",
            json={"id_number": id_number(100 + i), "name": "李四"},
            headers=flow.headers["office"],
        )
        people[uuid.UUID(r.json()["id"])] = id_number(100 + i)
    for _ in range(4):
        body = BIG + uuid.uuid4().bytes
        r = await client.post(
            f"/api/v1/applications/{app_id}/materials?kind=evidence&filename=证明.pdf",
            content=body,
            headers=flow.headers["applicant"],
        )
        files[uuid.UUID(r.json()["id"])] = body
    await live_app.deploy({1: k1, 2: K2}, 2)

    # the process dies after re-sealing the second file, before its row is committed
    real, calls = keys_repo.set_file_key_version, []

    async def dies_on_the_second(session, table, file_id, version):
        calls.append(file_id)
        if len(calls) == 2:
            raise KeyboardInterrupt("killed")
        await real(session, table, file_id, version)

    monkeypatch.setattr(keys_repo, "set_file_key_version", dies_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        await rotation.rotate(live_app.app.state.db, live_app.settings, file_batch=10)
    monkeypatch.undo()
    counts = await _counts(live_app)
    assert counts["id_numbers"] == {2: 3}  # committed before the files' batch
    assert counts["application_materials"] == {1: 4}  # the files' batch rolled back whole
    assert await rotation.remaining(live_app.app.state.db, live_app.settings) == 4
    # meanwhile every file reads, whichever version its bytes or its row say
    for mid, body in files.items():
        r = await client.get(f"/api/v1/applications/{app_id}/materials/{mid}/content", headers=flow.headers["office"])
        assert r.status_code == 200 and r.content == body

    report = await rotation.rotate(live_app.app.state.db, live_app.settings)
    assert report.complete and report.files == 4 and report.id_numbers == 0
    assert await rotation.remaining(live_app.app.state.db, live_app.settings) == 0
    await _all_readable_under_only(live_app, 2, K2, people, files)


async def test_a_file_whose_content_no_longer_matches_its_record_is_reported_not_rewritten(
    live, live_client, token, sync_db
):
    live_app, k1 = live
    flow, app_id = await changning_draft(live_client, token)
    r = await live_client.post(
        f"/api/v1/applications/{app_id}/materials?kind=evidence&filename=证明.pdf",
        content=BIG,
        headers=flow.headers["applicant"],
    )
    mid = r.json()["id"]
    with sync_db.cursor() as cur:
        cur.execute("SELECT storage_key FROM application_materials WHERE id = %s", (mid,))
        (key,) = cur.fetchone()
    path = Path(live_app.settings.data_dir) / "materials" / key
    raw = bytearray(path.read_bytes())
    raw[-1] ^= 1  # a flipped bit at rest
    path.write_bytes(bytes(raw))
    await live_app.deploy({1: k1, 2: K2}, 2)
    report = await rotation.rotate(live_app.app.state.db, live_app.settings)
    assert not report.complete and list(report.failed) == [f"application_materials/{mid}"]
    assert path.read_bytes() == bytes(raw)  # left as found, for whoever investigates
    assert (await _counts(live_app))["application_materials"] == {1: 1}


async def test_webhook_signing_secrets_are_sealed_again_under_the_new_version_and_still_sign(live, live_client, token):
    """A subscription's secret and the previous one of its overlap are sealed at rest with the keyring:
    a rotation re-seals both, so the old key version can go and deliveries still sign with them."""
    live_app, k1 = live
    admin = token("admin", sub="admin-1")
    r = await live_client.post(
        "/api/v1/webhooks/subscriptions",
        json={
            "client": "portal-1",
            "url": "https://portal.example.gov.cn/hooks",
            "event_types": ["application.state_changed"],
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    sid, first = uuid.UUID(r.json()["subscription"]["id"]), r.json()["secret"]
    r = await live_client.post(
        f"/api/v1/webhooks/subscriptions/{sid}/secret", json={"overlap_hours": 24}, headers=admin
    )
    assert r.status_code == 200, r.text
    second = r.json()["secret"]
    assert (await _counts(live_app))["webhook_secrets"] == {1: 2}
    await live_app.deploy({1: k1, 2: K2}, 2)
    report = await rotation.rotate(live_app.app.state.db, live_app.settings)
    assert report.complete and report.webhook_secrets == 1
    assert (await _counts(live_app))["webhook_secrets"] == {2: 2}
    assert await rotation.remaining(live_app.app.state.db, live_app.settings) == 0
    # version 1 gone: both secrets open under version 2 alone, unchanged
    only = live_app.settings.model_copy(update={"encryption_keys": {2: SecretStr(K2)}})
    async with live_app.app.state.db.transaction() as session:
        from app.db import lean

        (row,) = await lean.fetch(
            session,
            "SELECT secret_ciphertext, previous_secret_ciphertext FROM webhook_subscriptions WHERE id = $1",
            sid,
        )
    assert secrets.open_secret(only, sid, row.secret_ciphertext) == second
    assert secrets.open_secret(only, sid, row.previous_secret_ciphertext) == first
