"""idempotency keys: a token per claim, so only the request holding the key can complete or free it

Revision ID: 20261122_0007
Revises: 20261122_0006
Create Date: 2026-11-22

A retry takes over a key whose first request outlived its lease; the first request may still
finish. Completing by (principal, key) let it store its answer over the retry's and commit its
work too. Each claim now carries a fresh token, and completing or freeing the key needs it.
Existing records get a random token: no request of this version holds them.
"""

import sqlalchemy as sa
from alembic import op

revision = "20261122_0007"
down_revision = "20261122_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "idempotency_keys", sa.Column("token", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False)
    )
    # the application always sets the token itself
    op.alter_column("idempotency_keys", "token", server_default=None)


def downgrade() -> None:
    op.drop_column("idempotency_keys", "token")
