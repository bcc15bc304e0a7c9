"""``qaward calendar load FILE``: the yearly State Council holiday notice, as ``PUT /calendar/years/{year}`` takes it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml

from tests.calendar.test_calendar_api import YEAR_2027


def _qaward(settings, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "QAWARD_ENVIRONMENT": "test",
        "QAWARD_DATABASE_URL": settings.database_url,
        "QAWARD_DATA_DIR": str(settings.data_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def _year(sync_db, year: int):
    with sync_db.cursor() as cur:
        cur.execute("SELECT revision, source FROM calendar_years WHERE year = %s", (year,))
        return cur.fetchone()


def test_a_notice_file_loads_as_a_new_revision_each_time(settings, sync_db, tmp_path):
    notice = tmp_path / "2027.json"
    notice.write_text(json.dumps({"year": 2027, **YEAR_2027}, ensure_ascii=False), encoding="utf-8")
    first = _qaward(settings, "calendar", "load", str(notice))
    assert first.returncode == 0, first.stderr
    assert "loaded 2027: 10 holidays, 1 make-up working days" in first.stdout
    revision, source = _year(sync_db, 2027)
    assert source == YEAR_2027["source"] and f"calendar revision {revision}" in first.stdout

    again = tmp_path / "2027.yaml"  # the same in YAML, the year given on the command line
    again.write_text(yaml.safe_dump({**YEAR_2027, "makeup_workdays": []}, allow_unicode=True), encoding="utf-8")
    second = _qaward(settings, "calendar", "load", str(again), "--year", "2027")
    assert second.returncode == 0, second.stderr
    assert _year(sync_db, 2027)[0] > revision
    with sync_db.cursor() as cur:
        cur.execute("SELECT count(*) FROM calendar_days WHERE year = 2027 AND kind = 'makeup_workday'")
        assert cur.fetchone()[0] == 0


def test_a_wrong_notice_is_refused_with_the_admin_apis_validation_naming_each_field_and_saves_nothing(
    settings, sync_db, tmp_path
):
    wrong = {
        "year": 2027,
        "holidays": [{"date": "2026-10-01", "name": "国庆节"}, {"date": "2027-01-01", "name": "元旦"}],
        "makeup_workdays": ["2027-01-01"],
        "source": "国务院办公厅关于2027年部分节假日安排的通知",
    }
    notice = tmp_path / "wrong.json"
    notice.write_text(json.dumps(wrong, ensure_ascii=False), encoding="utf-8")
    done = _qaward(settings, "calendar", "load", str(notice))
    assert done.returncode == 2, done.stdout
    assert "holidays[0]" in done.stderr and "makeup_workdays[0]" in done.stderr, done.stderr
    assert _year(sync_db, 2027) is None

    notice.write_text(json.dumps({**YEAR_2027, "year": 2027, "extra": 1}), encoding="utf-8")
    done = _qaward(settings, "calendar", "load", str(notice), "--year", "2028")
    assert done.returncode == 2 and "--year says 2028" in done.stderr, done.stderr
    assert _year(sync_db, 2027) is None and _year(sync_db, 2028) is None
