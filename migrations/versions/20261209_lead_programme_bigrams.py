"""lead: an office's name search by its own programme's bigrams (issue 21)

The name search's GIN index (``qaward_bigrams``, migration 20261208_seed) holds each character pair once for the
whole table: on ten years of a province's awards a pair common in company names (医药, 科技, 有限) lists tens of
thousands of applications, and an office's search walked all of them before its programme filter: on the full
set it ran at 0.51 of its rate on the 1/100 set. Here the pairs are qualified by the programme
(``changning:医药``), so a search within one programme reads only that programme's postings.

Revision ID: 20261209_lead_2
Revises: 20261209_reads
Create Date: 2026-12-09
"""

from alembic import op

revision = "20261209_lead_2"
down_revision = "20261209_reads"
branch_labels = None
depends_on = None

FUNCTION_SQL = """
CREATE FUNCTION qaward_programme_bigrams(p text, t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT p || ':' || substr(lower(t), i, 2)), '{}')
  FROM generate_series(1, char_length(t) - 1) AS i
$$
"""


def upgrade() -> None:
    op.execute(FUNCTION_SQL)
    op.execute(
        "CREATE INDEX ix_applications_programme_name_bigrams ON applications"
        " USING gin (qaward_programme_bigrams(programme, applicant_name))"
    )


def downgrade() -> None:
    op.execute("DROP INDEX ix_applications_programme_name_bigrams")
    op.execute("DROP FUNCTION qaward_programme_bigrams(text, text)")
