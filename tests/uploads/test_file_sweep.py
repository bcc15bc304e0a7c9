"""The sweep of stored files no record names (what a crash between storing a file and committing its row leaves).

Files a record names are kept however old; files younger than the grace period are kept (their
upload may still be committing); the rest go, half-written temporaries included; a dry run
deletes nothing. On local disk and on S3 alike.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.db.repositories import stored_files
from app.domain.files import blobs, intake
from app.domain.files import sweep as file_sweep
from app.domain.files.policy import MATERIAL, OBJECTION_EVIDENCE
from tests.intake.registry import changning_draft
from tests.uploads.conftest import BUCKET
from tests.uploads.test_s3_storage import PDF, _objects
from tests.workflow.flow import Flow

TWO_DAYS = 2 * 24 * 3600


def _age(path: Path, seconds: int = TWO_DAYS) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


async def _material(client, token) -> tuple[Flow, str, dict]:
    flow, app_id = await changning_draft(client, token)
    r = await client.post(
        f"/api/v1/applications/{app_id}/materials?kind=self_evaluation_report&filename=报告.pdf",
        content=PDF,
        headers=flow.headers["applicant"],
    )
    assert r.status_code == 201, r.text
    return flow, app_id, r.json()


def test_every_storage_area_is_swept_against_the_tables_that_name_its_files():
    assert set(stored_files.TABLES_BY_AREA) == {MATERIAL.area, OBJECTION_EVIDENCE.area}


async def test_old_unnamed_files_and_temporaries_go_named_and_recent_files_stay(app, client, token, settings):
    flow, app_id, material = await _material(client, token)
    store = blobs.store_for(settings)
    root = Path(settings.data_dir)
    named = root / "materials" / await _storage_key(app, material["id"])  # the material's own file
    _age(named)  # old, but a record names it
    await store.put("materials/0f/orphan-of-a-crash", b"%PDF-1.7 orphan")
    await store.put("files/objections/0f/orphan-evidence", b"%PDF-1.7 evidence")
    await store.put("materials/0e/orphan-just-now", b"%PDF-1.7 recent")
    staging = root / "materials" / "0f" / f"{intake.TMP_PREFIX}interrupted"
    staging.write_bytes(b"half an upload")
    half_put = root / "files" / "objections" / "0f" / f"{blobs.LocalBlobStore.TMP_PREFIX}orphan-evidence.1234"
    half_put.write_bytes(b"half a put")
    for path in (
        root / "materials/0f/orphan-of-a-crash",
        root / "files/objections/0f/orphan-evidence",
        staging,
        half_put,
    ):
        _age(path)
    expected = {
        "materials/0f/orphan-of-a-crash",
        "files/objections/0f/orphan-evidence",
        f"materials/0f/{staging.name}",
        f"files/objections/0f/{half_put.name}",
    }

    dry = await file_sweep.sweep(app.state.db, settings, dry_run=True)
    assert set(dry.deleted) == expected and dry.named >= 1
    assert all((root / key).exists() for key in expected)

    report = await file_sweep.sweep(app.state.db, settings)
    assert set(report.deleted) == expected
    assert not any((root / key).exists() for key in expected)
    assert named.exists() and (root / "materials/0e/orphan-just-now").exists()
    got = await client.get(
        f"/api/v1/applications/{app_id}/materials/{material['id']}/content", headers=flow.headers["office"]
    )
    assert got.status_code == 200 and got.content == PDF


async def test_the_grace_period_is_a_setting_and_the_wall_clock_not_the_test_clock_decides(
    app, client, token, settings
):
    await _material(client, token)
    store = blobs.store_for(settings)
    await store.put("materials/0d/orphan-three-hours-old", b"%PDF-1.7 three hours")
    _age(Path(settings.data_dir) / "materials/0d/orphan-three-hours-old", 3 * 3600)
    # the test clock far ahead changes nothing: the file is three hours old, younger than 24 h
    await Flow(client, token, "changning").at("2027-06-01T09:00:00+08:00")
    assert "materials/0d/orphan-three-hours-old" not in (await file_sweep.sweep(app.state.db, settings)).deleted
    shorter = settings.model_copy(update={"orphan_file_grace_hours": 2})
    assert "materials/0d/orphan-three-hours-old" in (await file_sweep.sweep(app.state.db, shorter)).deleted


async def test_on_s3_an_old_unnamed_object_goes_and_a_named_one_stays(s3_app, s3_client, token, s3, s3_settings):
    _flow, _app_id, material = await _material(s3_client, token)
    s3.put_object(Bucket=BUCKET, Key="materials/0c/orphan-in-the-bucket", Body=b"%PDF-1.7 orphan")
    named_key = f"materials/{await _storage_key(s3_app, material['id'])}"
    # S3 keeps its own LastModified: the sweep is asked as if a day and more had passed
    later = datetime.now(UTC) + timedelta(hours=25)
    report = await file_sweep.sweep(s3_app.state.db, s3_settings, now=later)
    assert "materials/0c/orphan-in-the-bucket" in report.deleted and named_key not in report.deleted
    keys = set(_objects(s3, "materials/"))
    assert named_key in keys and "materials/0c/orphan-in-the-bucket" not in keys


async def _storage_key(app, material_id: str) -> str:
    from app.db import lean

    async with app.state.db.sessionmaker() as session, session.begin():
        return await lean.fetchval(
            session, "SELECT storage_key FROM application_materials WHERE id = $1::uuid", material_id
        )


def _age_link(path: Path) -> None:
    then = time.time() - TWO_DAYS
    os.utime(path, (then, then), follow_symlinks=False)


async def test_an_old_symlink_in_a_storage_area_never_takes_the_named_file_it_points_to(app, client, token, settings):
    """The sweep deletes the link it listed, not the named file the link resolves to."""
    _flow, _app_id, material = await _material(client, token)
    root = Path(settings.data_dir)
    named = root / "materials" / await _storage_key(app, material["id"])
    _age(named)
    link = root / "materials" / "0b" / "link-to-a-named-file"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(named)
    _age_link(link)
    report = await file_sweep.sweep(app.state.db, settings)
    assert named.exists()
    assert not link.is_symlink() and "materials/0b/link-to-a-named-file" in report.deleted


async def test_a_symlink_out_of_the_data_folder_neither_stops_the_sweep_nor_loses_its_target(
    app, client, token, settings
):
    root = Path(settings.data_dir)
    outside = root.parent / f"outside-{os.getpid()}"
    outside.write_bytes(b"not ours")
    _age(outside)
    away = root / "materials" / "0b" / "link-out-of-the-data-folder"
    away.parent.mkdir(parents=True, exist_ok=True)
    away.symlink_to(outside)
    _age_link(away)
    await blobs.store_for(settings).put("materials/0b/orphan-next-to-it", b"%PDF-1.7 orphan")
    _age(root / "materials/0b/orphan-next-to-it")
    try:
        report = await file_sweep.sweep(app.state.db, settings)
        assert outside.exists() and not away.is_symlink()
        assert "materials/0b/orphan-next-to-it" in report.deleted
    finally:
        outside.unlink(missing_ok=True)


async def test_a_staging_file_gone_meanwhile_does_not_stop_the_sweep(s3_app, s3_settings, monkeypatch):
    """An upload finishing (or another sweep deleting) between the listing and the stat of its staging file."""
    gone = Path(s3_settings.data_dir) / "materials" / "0a" / f"{intake.TMP_PREFIX}finished-meanwhile"
    monkeypatch.setattr(intake, "leftovers", lambda settings: [gone])
    report = await file_sweep.sweep(s3_app.state.db, s3_settings)
    assert f"staging:{gone.name}" not in report.deleted
