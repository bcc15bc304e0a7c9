"""Retention runs and legal holds (issue 17): what is past retention and not held is purged, once.

changning-37: application and review materials are kept 10 years. The round of ``world`` ended in
2026; its years run from 2027-01-01, so it is past retention from 2037-01-01.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest

from app.db.session import Database
from app.domain.retention import purge
from app.workflow.commands import audit_verify
from tests.retention.world import World, closed_round

ADMIN_SUB = "records-admin"


@pytest.fixture
async def db(settings):
    database = Database(settings.database_url, pool_size=2)
    try:
        yield database
    finally:
        await database.dispose()


def _files_on_disk(settings, sync_db, app_id: str) -> dict[str, bool]:
    """Each stored file the application's records name: does it exist on disk?"""
    with sync_db.cursor() as cur:
        cur.execute(
            "SELECT 'materials/' || storage_key FROM application_materials WHERE application_id = %s"
            " UNION ALL SELECT 'files/' || f.storage_key FROM objection_files f JOIN objections o"
            " ON o.id = f.objection_id WHERE o.application_id = %s",
            (app_id, app_id),
        )
        keys = [r[0] for r in cur.fetchall()]
    return {k: (settings.data_dir / k).exists() for k in keys}


def _snapshot(sync_db) -> dict:
    """What a purge may change, for comparing two runs."""
    out = {}
    with sync_db.cursor() as cur:
        for sql in (
            "SELECT count(*), max(id) FROM application_events",
            "SELECT count(*) FROM retention_purges",
            "SELECT count(*) FROM retention_runs",
            "SELECT array_agg(applicant_name || version ORDER BY id) FROM applications",
            "SELECT array_agg(name || version ORDER BY id) FROM applicants",
            "SELECT array_agg(objector_name || objector_phone ORDER BY id) FROM objections",
            "SELECT array_agg(fields::text ORDER BY application_id) FROM application_forms",
        ):
            cur.execute(sql)
            out[sql] = cur.fetchone()
    return out


async def _hold(w: World, scope: str, target: str, reason: str = "（2036）沪0105民初1号案件证据保全") -> dict:
    r = await w.flow.client.post(
        "/api/v1/legal-holds",
        json={"scope": scope, "target_id": target, "reason": reason},
        headers=w.flow.token("admin", sub=ADMIN_SUB),
    )
    assert r.status_code == 201, r.text
    return r.json()


async def test_a_purge_removes_exactly_what_is_past_retention_and_not_held_and_twice_changes_nothing__changning_37(
    client, token, settings, sync_db, db
):
    w = await closed_round(client, token)
    held = await _hold(w, "application", w.c)
    before = {app: _files_on_disk(settings, sync_db, app) for app in (w.a, w.b, w.c)}
    assert all(all(v.values()) and len(v) >= 3 for v in before.values()), before
    assert len(before[w.a]) == 4  # three materials and the objector's evidence

    # the last day of the tenth year: nothing is past retention, and --apply changes nothing
    await w.flow.at("2036-12-31T23:00:00+08:00")
    report = await purge.run(db, settings, apply=True)
    assert (report.due, report.held, report.not_yet, report.run_id) == ([], [], 3, None)
    assert {app: _files_on_disk(settings, sync_db, app) for app in (w.a, w.b, w.c)} == before

    # the first day past it: a dry run lists A and B, C is held; nothing is touched
    await w.flow.at("2037-01-01T09:00:00+08:00")
    unchanged = _snapshot(sync_db)
    dry = await purge.run(db, settings)
    assert sorted(str(d.application_id) for d in dry.due) == sorted([w.a, w.b])
    assert [str(d.application_id) for d in dry.held] == [w.c] and dry.held[0].holds[0]["id"] == held["id"]
    assert dry.due[0].expires_on.isoformat() == "2037-01-01" and dry.due[0].clause == "changning-37"
    assert dry.files == 7 and _snapshot(sync_db) == unchanged
    # what it would redact is named, and only named (the snapshot above is unchanged)
    would = {str(d.application_id): d.redacted for d in dry.due}
    assert {"applications.applicant_name", "applications.id_number", "application_forms.fields.contact_phone"} <= set(
        would[w.b]
    )
    assert "applications.applicant_name" not in would[w.a] and any(".objector_phone" in x for x in would[w.a])
    assert {app: _files_on_disk(settings, sync_db, app) for app in (w.a, w.b, w.c)} == before

    applied = await purge.run(db, settings, apply=True, actor="test")
    assert sorted(str(d.application_id) for d in applied.due) == sorted([w.a, w.b]) and applied.files == 7
    for app in (w.a, w.b):
        assert not any(_files_on_disk(settings, sync_db, app).values()), app
    assert _files_on_disk(settings, sync_db, w.c) == before[w.c]  # held: every file stays

    with sync_db.cursor() as cur:
        cur.execute("SELECT applicant_name, id_number_hash, id_number_masked FROM applications WHERE id = %s", (w.b,))
        assert cur.fetchone() == (purge.PURGED_NAME, None, None)
        cur.execute(
            "SELECT p.name, p.id_number_ciphertext, p.id_number_hash FROM applicants p JOIN applications a"
            " ON a.applicant_id = p.id WHERE a.id = %s",
            (w.b,),
        )
        assert cur.fetchone() == (purge.PURGED_NAME, None, None)
        cur.execute("SELECT applicant_name FROM applications WHERE id = %s", (w.a,))
        assert cur.fetchone()[0].startswith("上海某某质量管理有限公司")  # a legal person's name is not personal data
        cur.execute(
            "SELECT objector_name, objector_phone, objector_id_number_masked FROM objections WHERE application_id = %s",
            (w.a,),
        )
        assert cur.fetchone() == (purge.PURGED_NAME, "", None)
        cur.execute("SELECT application_id::text, fields FROM application_forms")
        forms = dict(cur.fetchall())
        for app in (w.a, w.b):
            assert forms[app]["contact_name"] is None and forms[app]["contact_phone"] is None
        assert forms[w.c]["contact_name"] and forms[w.c]["contact_phone"]
        # the skeleton stays: every row, with its SHA-256 and size
        cur.execute("SELECT count(*) FROM application_materials WHERE application_id IN (%s, %s)", (w.a, w.b))
        assert cur.fetchone()[0] == 6
        # the purge record, in the application's own hash-chained history
        cur.execute(
            "SELECT event, actor, data FROM application_events WHERE application_id = %s ORDER BY seq DESC LIMIT 1",
            (w.a,),
        )
        event, actor, data = cur.fetchone()
        assert (event, actor) == ("retention_purge", "system")
        assert len(data["files"]) == 4 and all(len(f["sha256"]) == 64 for f in data["files"])
        assert "objections[" in " ".join(data["redacted"]) and data["run_id"] == str(applied.run_id)
        cur.execute("SELECT applied, summary->'files' FROM retention_runs WHERE id = %s", (str(applied.run_id),))
        assert cur.fetchone() == (True, 7)
    assert await audit_verify(db) == 0  # the chains still verify after the purge

    # the office downloads a purged material: gone, with its record
    r = await client.get(f"/api/v1/applications/{w.a}/materials", headers=w.flow.headers["office"])
    material = r.json()[0]
    r = await client.get(
        f"/api/v1/applications/{w.a}/materials/{material['id']}/content", headers=w.flow.headers["office"]
    )
    assert r.status_code == 410 and r.json()["type"].endswith("/file-purged"), r.text

    # a second run changes nothing
    after = _snapshot(sync_db)
    again = await purge.run(db, settings, apply=True)
    assert (again.due, again.run_id, [str(d.application_id) for d in again.held]) == ([], None, [w.c])
    assert _snapshot(sync_db) == after

    # the hold lifted, the next run purges C
    r = await client.post(
        f"/api/v1/legal-holds/{held['id']}/lift",
        json={"reason": "案件已审结"},
        headers=w.flow.token("admin", sub=ADMIN_SUB),
    )
    assert r.status_code == 200 and r.json()["active"] is False, r.text
    last = await purge.run(db, settings, apply=True)
    assert [str(d.application_id) for d in last.due] == [w.c]
    assert not any(_files_on_disk(settings, sync_db, w.c).values())
    assert await audit_verify(db) == 0


async def test_a_hold_on_the_round_or_the_applicant_keeps_every_application_it_covers(
    client, token, settings, sync_db, db
):
    w = await closed_round(client, token)
    with sync_db.cursor() as cur:
        cur.execute("SELECT applicant_id::text FROM applications WHERE id = %s", (w.b,))
        applicant = cur.fetchone()[0]
    await _hold(w, "applicant", applicant)
    await w.flow.at("2037-01-02T09:00:00+08:00")
    dry = await purge.run(db, settings)
    assert [str(d.application_id) for d in dry.held] == [w.b]
    assert [h["scope"] for h in dry.held[0].holds] == ["applicant"]
    await _hold(w, "round", w.round_id)
    applied = await purge.run(db, settings, apply=True)
    assert applied.due == [] and applied.run_id is None and len(applied.held) == 3
    assert all(_files_on_disk(settings, sync_db, w.a).values())


async def test_holds_need_an_admin_a_reason_and_a_real_target_and_are_lifted_once(client, token):
    w = await closed_round(client, token)
    admin = token("admin", sub=ADMIN_SUB)
    body = {"scope": "application", "target_id": w.a, "reason": "证据保全"}
    r = await client.post("/api/v1/legal-holds", json=body, headers=w.flow.headers["office"])
    assert r.status_code == 403, r.text
    r = await client.post("/api/v1/legal-holds", json={**body, "reason": "  "}, headers=admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason", r.text
    r = await client.post(
        "/api/v1/legal-holds",
        json={**body, "target_id": w.round_id},
        headers={**admin, "Accept-Language": "en"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "target_id", r.text
    assert "no application" in r.json()["detail"]
    hold = (await client.post("/api/v1/legal-holds", json=body, headers=admin)).json()
    assert (hold["set_by"], hold["active"], hold["reason"]) == (ADMIN_SUB, True, "证据保全")
    listed = (await client.get("/api/v1/legal-holds?active=true", headers=admin)).json()
    assert [h["id"] for h in listed["items"]] == [hold["id"]]
    r = await client.post(f"/api/v1/legal-holds/{hold['id']}/lift", json={"reason": "解除"}, headers=admin)
    assert r.status_code == 200 and r.json()["lift_reason"] == "解除"
    r = await client.post(f"/api/v1/legal-holds/{hold['id']}/lift", json={"reason": "再次"}, headers=admin)
    assert r.status_code == 409 and r.json()["type"].endswith("/legal-hold-lifted"), r.text


def test_a_hold_row_is_its_own_audit_record_deleted_or_rewritten_never(sync_db):
    with sync_db.cursor() as cur:
        cur.execute(
            "INSERT INTO legal_holds (id, scope, target_id, reason, set_by, set_at)"
            " VALUES (gen_random_uuid(), 'round', gen_random_uuid(), '保全', 'admin', now()) RETURNING id"
        )
        hold = cur.fetchone()[0]
        for sql in (
            "DELETE FROM legal_holds WHERE id = %s",
            "UPDATE legal_holds SET reason = '改写' WHERE id = %s",
        ):
            with pytest.raises(Exception, match="only lifted"):
                cur.execute(sql, (hold,))
        cur.execute(
            "UPDATE legal_holds SET lifted_at = now(), lifted_by = 'admin', lift_reason = '解除' WHERE id = %s", (hold,)
        )
        with pytest.raises(Exception, match="only lifted"):
            cur.execute("UPDATE legal_holds SET lift_reason = '改写' WHERE id = %s", (hold,))


def _qaward(settings, *args: str):
    env = {
        **os.environ,
        "QAWARD_ENVIRONMENT": "test",
        "QAWARD_DATABASE_URL": settings.database_url,
        "QAWARD_DATA_DIR": str(settings.data_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )


async def test_the_command_runs_dry_by_default_and_names_what_it_would_purge(client, token, settings, sync_db):
    w = await closed_round(client, token)
    await w.flow.at("2037-01-02T09:00:00+08:00")
    dry = await asyncio.to_thread(_qaward, settings, "retention", "run")
    assert dry.returncode == 0, dry.stderr
    assert "past retention (dry run" in dry.stdout and w.a in dry.stdout and "3 application(s) to purge" in dry.stdout
    assert all(_files_on_disk(settings, sync_db, w.a).values())
    hold = await asyncio.to_thread(_qaward, settings, "legal-hold", "set", "--application", w.a, "--reason", "审计调阅")
    assert hold.returncode == 0 and w.a in hold.stdout, hold.stderr
    bad = await asyncio.to_thread(_qaward, settings, "legal-hold", "lift", w.a, "--reason", "x")
    assert bad.returncode == 2 and "was not found" in bad.stderr
    applied = await asyncio.to_thread(_qaward, settings, "retention", "run", "--apply")
    assert applied.returncode == 0 and "2 application(s) purged" in applied.stdout, applied.stdout + applied.stderr
    assert f"held: application {w.a}" in applied.stdout


async def test_a_hold_committed_while_a_purge_runs_keeps_its_application__concurrency(
    client, token, settings, sync_db, database_url, db
):
    """The purge listed A as due; a hold being set at that moment (its transaction holding the holds'
    lock) makes the purge wait, and once committed it wins: A is reported held, its files stay."""
    import psycopg2

    w = await closed_round(client, token)
    await w.flow.at("2037-01-02T09:00:00+08:00")
    before = _files_on_disk(settings, sync_db, w.a)
    conn = psycopg2.connect(database_url)
    try:
        cur = conn.cursor()
        cur.execute("SELECT pg_advisory_xact_lock(hashtext('qaward.legal_holds'))")
        cur.execute(
            "INSERT INTO legal_holds (id, scope, target_id, reason, set_by, set_at)"
            " VALUES (gen_random_uuid(), 'application', %s, '纪检调阅', 'admin', now())",
            (w.a,),
        )
        running = asyncio.create_task(purge.run(db, settings, apply=True))
        await asyncio.sleep(1.0)
        assert not running.done()  # waiting for the hold's transaction
        conn.commit()
        report = await asyncio.wait_for(running, 60)
    finally:
        conn.close()
    assert [str(d.application_id) for d in report.held] == [w.a]
    assert sorted(str(d.application_id) for d in report.due) == sorted([w.b, w.c])
    assert _files_on_disk(settings, sync_db, w.a) == before and all(before.values())
