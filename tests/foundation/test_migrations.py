"""Migrations over data a deployed database already holds, not only over an empty schema."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest

from app.db.runtime import downgrade, migrate


@pytest.fixture
def scratch_database(server_uri):
    name = f"qaward_migration_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(server_uri)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(server_uri)._replace(path="/" + name))
    finally:
        admin.cursor().execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


_ROUND = """INSERT INTO rounds (id, programme, programme_version, label, state, call_title, call_published_on, opens_at, closes_at,
                                overrides, override_log, version, created_by)
            VALUES (%s, 'changning', '2024', '2026', 'open', '征集', '2026-09-01', '2026-09-01', '2026-09-21', '{}', '[]', 1, 'clerk')"""
_APPLICATION = """INSERT INTO applications (id, round_id, programme, programme_version, category, applicant_kind, applicant_name,
                                            credit_code, id_number_hash, state, outcome, version, history_seq, history_head, created_by, created_at, updated_at)
                  VALUES (%s, %s, 'changning', '2024', 'model', %s, '某公司', %s, %s, %s, '{}', 1, 0, '', 'clerk', %s, %s)"""


@pytest.mark.no_database
def test_applications_a_race_already_duplicated_survive_the_unique_indexes_migration(scratch_database):
    """0006 builds its unique indexes over a database holding duplicates: the earliest live one stays
    indexed, the later live ones are marked ``duplicate_of`` it, nothing is deleted or withdrawn."""
    migrate(scratch_database, "20261121_0005")
    rnd = uuid.uuid4()
    first, second, third, withdrawn, person_a, person_b, other = (uuid.uuid4() for _ in range(7))
    conn = psycopg2.connect(scratch_database)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(_ROUND, (str(rnd),))
            rows = [
                (second, "organisation", "91310000MA1FL0000X", None, "draft", "2026-09-02T10:00:01Z"),
                (first, "organisation", "91310000MA1FL0000X", None, "submitted", "2026-09-02T10:00:00Z"),
                (third, "organisation", "91310000MA1FL0000X", None, "draft", "2026-09-02T10:00:02Z"),
                (withdrawn, "organisation", "91310000MA1FL0000X", None, "withdrawn", "2026-09-01T10:00:00Z"),
                (person_a, "individual", None, "h" * 64, "draft", "2026-09-03T10:00:00Z"),
                (person_b, "individual", None, "h" * 64, "draft", "2026-09-03T10:00:00Z"),
                (other, "organisation", "91310000MA1FL0001Y", None, "draft", "2026-09-02T10:00:00Z"),
            ]
            for app_id, kind, code, id_hash, state, at in rows:
                cur.execute(_APPLICATION, (str(app_id), str(rnd), kind, code, id_hash, state, at, at))
        migrate(scratch_database)
        with conn, conn.cursor() as cur:
            cur.execute("SELECT id, state, duplicate_of FROM applications")
            marked = {app_id: (state, dup) for app_id, state, dup in cur.fetchall()}
        earlier_person, later_person = sorted([str(person_a), str(person_b)])  # same instant: the id decides
        assert marked == {
            str(first): ("submitted", None),
            str(second): ("draft", str(first)),
            str(third): ("draft", str(first)),
            str(withdrawn): ("withdrawn", None),
            earlier_person: ("draft", None),
            later_person: ("draft", earlier_person),
            str(other): ("draft", None),
        }
        with conn, conn.cursor() as cur, pytest.raises(psycopg2.errors.UniqueViolation):
            cur.execute(
                _APPLICATION,
                (
                    str(uuid.uuid4()),
                    str(rnd),
                    "organisation",
                    "91310000MA1FL0000X",
                    None,
                    "draft",
                    "2026-09-04T00:00:00Z",
                    "2026-09-04T00:00:00Z",
                ),
            )
        downgrade(scratch_database, "20261121_0005")
    finally:
        conn.close()
