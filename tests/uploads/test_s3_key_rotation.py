"""Files sealed at rest and rotated in an S3 bucket as on local disk (issue #13)."""

from __future__ import annotations

import uuid

from pydantic import SecretStr

from app.domain import personal_data
from app.domain.files import sealing
from app.domain.keys import rotation
from tests.intake.registry import changning_draft
from tests.uploads.conftest import BUCKET
from tests.uploads.test_s3_storage import PDF

K2 = "bucket-key-2-" + "b" * 32


async def test_a_material_in_the_bucket_is_sealed_and_the_rotation_reseals_it_in_place(
    s3_client, s3_app, s3_settings, s3, token, sync_db
):
    flow, app_id = await changning_draft(s3_client, token)
    body = PDF + b"x" * 140_000 + uuid.uuid4().bytes
    r = await s3_client.post(
        f"/api/v1/applications/{app_id}/materials?kind=evidence&filename=证明.pdf",
        content=body,
        headers=flow.headers["applicant"],
    )
    assert r.status_code == 201, r.text
    with sync_db.cursor() as cur:
        cur.execute("SELECT storage_key, key_version FROM application_materials WHERE id = %s", (r.json()["id"],))
        storage_key, version = cur.fetchone()
    key = f"materials/{storage_key}"
    before = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert version == 1 and sealing.version_of(before) == 1 and body[:100] not in before

    k1 = personal_data.key(s3_settings).decode()
    new = s3_settings.model_copy(
        update={"encryption_keys": {1: SecretStr(k1), 2: SecretStr(K2)}, "encryption_key_version": 2}
    )
    report = await rotation.rotate(s3_app.state.db, new)
    assert report.complete and report.files == 1
    after = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert sealing.version_of(after) == 2 and after != before
    only_2 = new.model_copy(update={"encryption_keys": {2: SecretStr(K2)}})
    assert b"".join([c async for c in await sealing.open_plain(only_2, key)]) == body
    with sync_db.cursor() as cur:
        cur.execute("SELECT key_version FROM application_materials WHERE id = %s", (r.json()["id"],))
        assert cur.fetchone() == (2,)
