"""key versions of encrypted ID numbers and stored files; the read audit

Revision ID: 20261206_keys
Revises: 20261122_0007
Create Date: 2026-12-06

ID numbers: ``applicants.id_number_key_version`` is generated from the ciphertext's own layout
(``01 ...`` is version 1; ``02 vv vv ...`` names its version), so existing rows read as version 1
and no writer keeps it. Stored files: ``key_version`` per row, 0 for every file stored before
this revision (plaintext until ``qaward keys rotate`` seals it). The read audit: one row per read
of a full ID number or download of a file (GB/T 22239).
"""

import sqlalchemy as sa
from alembic import op

revision = "20261206_keys"
down_revision = "20261122_0007"
branch_labels = None
depends_on = None

ID_NUMBER_KEY_VERSION_SQL = (
    "CASE get_byte(id_number_ciphertext, 0) WHEN 1 THEN 1"
    " ELSE get_byte(id_number_ciphertext, 1) * 256 + get_byte(id_number_ciphertext, 2) END"
)
FILE_TABLES = ("application_materials", "objection_files", "unit_posting_proofs")


def upgrade() -> None:
    op.add_column(
        "applicants",
        sa.Column("id_number_key_version", sa.Integer(), sa.Computed(ID_NUMBER_KEY_VERSION_SQL, persisted=True)),
    )
    op.create_index("ix_applicants_id_number_key_version", "applicants", ["id_number_key_version"])
    for table in FILE_TABLES:
        op.add_column(table, sa.Column("key_version", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "read_audit",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("roles", sa.String(200), nullable=False),
        sa.Column("record_kind", sa.String(40), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_read_audit"),
    )
    op.create_index("ix_read_audit_read_at", "read_audit", ["read_at"])
    op.create_index("ix_read_audit_record", "read_audit", ["record_kind", "record_id"])
    op.create_index("ix_read_audit_subject_read_at", "read_audit", ["subject", "read_at"])


def downgrade() -> None:
    op.drop_table("read_audit")
    for table in FILE_TABLES:
        op.drop_column(table, "key_version")
    op.drop_index("ix_applicants_id_number_key_version", table_name="applicants")
    op.drop_column("applicants", "id_number_key_version")
