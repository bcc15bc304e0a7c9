"""Every list endpoint's query reads an index on the seeded data set, never a whole large table (issue 21).

The statements each request sends are captured from the app's engine as it sends them, then
explained (``EXPLAIN``, the planner's choice on the seeded rows and their statistics) with the
same parameters. A sequential scan of a table that grows with the years fails the test: it is
what a missing index or a count over the whole table looks like, long before it is slow.
"""

from __future__ import annotations

import json

import asyncpg
import psycopg2
import pytest
from sqlalchemy import event
from stdnum.cn import uscc

# the tables that grow with the years (millions of rows in the target data set)
LARGE = {
    "applications",
    "application_events",
    "application_materials",
    "applicants",
    "objections",
    "notice_entries",
    "read_audit",
}


def large_tables(plan: dict) -> set[str]:
    found = {plan["Relation Name"]} if plan.get("Relation Name") in LARGE else set()
    for child in plan.get("Plans", []):
        found |= large_tables(child)
    return found


def sorts_of_large_tables(plan: dict) -> list[str]:
    """Sort nodes over rows of a large table: the order was not read from an index."""
    found = []
    if plan.get("Node Type") in ("Sort", "Incremental Sort") and (tables := large_tables(plan)):
        found.append(f"{plan['Node Type']} of {sorted(tables)} by {plan.get('Sort Key')}")
    for child in plan.get("Plans", []):
        found += sorts_of_large_tables(child)
    return found


# the pages whose order an index holds: without a search, the page is read off the index in its order, never
# sorted (a sort reads every row the filter finds: the cost grows with the years)
ORDERED_BY_INDEX = [
    ("office", {"sort": "-updated_at"}),
    ("office", {"sort": "-created_at", "size": 100}),
    ("office", {}),
    ("admin", {"sort": "-updated_at", "programme": "changning"}),
]


def seq_scans(plan: dict) -> list[str]:
    found = []
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in LARGE:
        found.append(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found += seq_scans(child)
    return found


class Captured:
    def __init__(self, engine) -> None:
        self.engine = engine
        self.statements: list[tuple[str, tuple]] = []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            self.statements.append((statement, tuple(parameters or ())))


@pytest.fixture
def facts(seeded_db) -> dict:
    with seeded_db.cursor() as cur:
        cur.execute("SELECT id FROM rounds WHERE programme = 'changning' ORDER BY label DESC LIMIT 1")
        round_id = str(cur.fetchone()[0])
        cur.execute(
            "SELECT id, applicant_name, credit_code, applicant_ref FROM applications"
            " WHERE programme = 'changning' AND credit_code IS NOT NULL ORDER BY id LIMIT 1"
        )
        app_id, name, code, ref = cur.fetchone()
        cur.execute("SELECT notice_id FROM objections WHERE programme = 'changning' LIMIT 1")
        notice_id = str(cur.fetchone()[0])
    return {
        "round_id": round_id,
        "application_id": str(app_id),
        "name": name[2:5],
        "credit_code": code[:10],
        "applicant_ref": ref,
        "notice_id": notice_id,
    }


def requests(f: dict) -> list[tuple[str, str, dict]]:
    """(caller, path, query) for each list and its filters, sorts and searches."""
    apps = "/api/v1/applications"
    return [
        ("office", apps, {}),
        ("office", apps, {"state": "material_review"}),
        ("office", apps, {"round_id": f["round_id"]}),
        ("office", apps, {"round_id": f["round_id"], "state": "qualification_review"}),
        ("office", apps, {"sort": "-updated_at"}),
        ("office", apps, {"sort": "state"}),
        ("office", apps, {"sort": "-created_at", "size": 100}),
        ("office", apps, {"sort": "score"}),
        ("office", apps, {"name": f["name"]}),
        ("office", apps, {"credit_code": f["credit_code"]}),
        ("admin", apps, {}),
        ("admin", apps, {"name": f["name"]}),
        ("admin", apps, {"credit_code": f["credit_code"]}),
        ("admin", apps, {"programme": "changning", "state": "awarded"}),
        ("admin", apps, {"sort": "-updated_at", "programme": "changning"}),
        ("recommender", apps, {}),
        ("applicant", apps, {}),
        ("office", f"{apps}/{f['application_id']}/history", {}),
        ("office", "/api/v1/notices", {}),
        ("admin", "/api/v1/notices", {}),
        ("office", "/api/v1/objections", {}),
        ("office", "/api/v1/objections", {"status": "open"}),
        ("office", "/api/v1/objections", {"notice_id": f["notice_id"]}),
        ("admin", "/api/v1/objections", {}),
    ]


async def test_every_list_query_reads_an_index_on_the_seeded_data_issue_21(
    seeded_app, seeded_client, seeded_url, token, facts
):
    callers = {
        "office": token("office", programme="changning", sub="clerk-1"),
        "admin": token("admin", sub="admin-1"),
        "recommender": token("recommender", unit="unit-1", sub="unit-1"),
        "applicant": token("applicant", applicant=facts["applicant_ref"], sub="acct"),
    }
    engine = seeded_app.state.db.engine.sync_engine
    problems: list[str] = []
    explained = 0
    conn = await asyncpg.connect(seeded_url)
    try:
        for caller, path, query in requests(facts):
            for deep in (False, True):
                with Captured(engine) as cap:
                    r = await seeded_client.get(path, params=query, headers=callers[caller])
                    assert r.status_code == 200, (caller, path, query, r.text)
                    if deep:  # the page after, by cursor: the keyset condition's plan
                        cursor = r.json()["next_cursor"]
                        if cursor is None:
                            continue
                        cap.statements.clear()
                        r = await seeded_client.get(path, params={**query, "cursor": cursor}, headers=callers[caller])
                        assert r.status_code == 200, (caller, path, query, r.text)
                        assert r.json()["total"] is None
                for sql, params in cap.statements:
                    plan = json.loads(await conn.fetchval("EXPLAIN (FORMAT JSON) " + sql, *params))[0]["Plan"]
                    explained += 1
                    where = f"{caller} GET {path} {query}{' (by cursor)' if deep else ''}"
                    if scans := seq_scans(plan):
                        problems.append(f"{where}: {scans}\n{sql}")
                    page_query = "count(" not in sql.lower()
                    if path.endswith("/applications") and caller == "office" and "name" in query and page_query:
                        # an office's search reads its own programme's postings, not the whole table's
                        if "ix_applications_programme_name_bigrams" not in json.dumps(plan):
                            problems.append(f"{where}: not through its programme's bigrams\n{sql}")
                    if path.endswith("/applications") and (caller, query) in ORDERED_BY_INDEX and page_query:
                        if sorted_rows := sorts_of_large_tables(plan):
                            problems.append(f"{where}: {sorted_rows}\n{sql}")
    finally:
        await conn.close()
    assert explained >= len(requests(facts)) * 2
    assert not problems, "sequential scans or sorts of large tables:\n\n" + "\n\n".join(problems)


def test_seeded_credit_codes_are_valid_per_python_stdnum(seeded_url):
    """统一社会信用代码 (GB 32100-2015): every seeded applicant's and application's passes python-stdnum."""
    conn = psycopg2.connect(seeded_url)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT credit_code FROM applicants UNION SELECT credit_code FROM applications WHERE credit_code IS NOT NULL"
        )
        codes = [r[0] for r in cur.fetchall()]
    conn.close()
    assert len(codes) > 1000
    assert [c for c in codes if not uscc.is_valid(c)] == []
