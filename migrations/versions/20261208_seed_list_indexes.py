"""seed: indexes the growing lists need at a province's ten years (issue 21)

Every list endpoint's page is read straight off an index whatever the table's size (a test runs
EXPLAIN on the seeded data set and fails on a sequential scan): applications by programme (an
office), by programme and state, by round and state, by recommending unit (a recommender), all
(an admin), each ending on the id so a keyset cursor follows; objections and notices by their
list order.

The applicant's name is searched anywhere in it (ILIKE '%…%'). pg_trgm would serve, but it is a
contrib module the embedded server (pgserver ships no contrib) does not have, and its trigrams
need three characters where a Chinese search is often two (精密, 华东). So the name's character
pairs (bigrams, lower-cased) are an array kept in a GIN index (built in, array_ops): a name
containing the search text contains all of its pairs, which the index finds; ILIKE then checks
each candidate. One character matches too much to need an index.

Revision ID: 20261208_seed
Revises: 20261207_office
Create Date: 2026-12-08
"""

from alembic import op

revision = "20261208_seed"
down_revision = "20261208_pool"
branch_labels = None
depends_on = None

APPLICATION_INDEXES = {
    "ix_applications_created_at": ["created_at", "id"],
    "ix_applications_programme_updated_at": ["programme", "updated_at", "id"],
    "ix_applications_programme_state_created_at": ["programme", "state", "created_at", "id"],
    "ix_applications_programme_state_id": ["programme", "state", "id"],
    "ix_applications_round_id_state_created_at": ["round_id", "state", "created_at", "id"],
    "ix_applications_recommending_unit_created_at": ["recommending_unit", "created_at", "id"],
}


BIGRAMS_SQL = """
CREATE FUNCTION qaward_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(lower(t), i, 2)), '{}')
  FROM generate_series(1, char_length(t) - 1) AS i
$$
"""


def upgrade() -> None:
    op.execute(BIGRAMS_SQL)
    for name, columns in APPLICATION_INDEXES.items():
        op.create_index(name, "applications", columns)
    op.execute(
        "CREATE INDEX ix_applications_applicant_name_bigrams ON applications USING gin (qaward_bigrams(applicant_name))"
    )
    op.create_index("ix_objections_programme_received_at", "objections", ["programme", "received_at", "id"])
    op.create_index("ix_objections_received_at", "objections", ["received_at", "id"])
    # every list of objections first settles the open ones whose target waited for a calendar year
    op.create_index(
        "ix_objections_without_target",
        "objections",
        ["programme"],
        postgresql_where="verification_due_at IS NULL",
    )
    op.create_index("ix_notices_published_at", "notices", ["published_at", "id"])
    op.create_index("ix_notices_programme_published_at", "notices", ["programme", "published_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_notices_programme_published_at", table_name="notices")
    op.drop_index("ix_notices_published_at", table_name="notices")
    op.drop_index("ix_objections_without_target", table_name="objections")
    op.drop_index("ix_objections_received_at", table_name="objections")
    op.drop_index("ix_objections_programme_received_at", table_name="objections")
    op.drop_index("ix_applications_applicant_name_bigrams", table_name="applications")
    for name in reversed(APPLICATION_INDEXES):
        op.drop_index(name, table_name="applications")
    op.execute("DROP FUNCTION qaward_bigrams(text)")
