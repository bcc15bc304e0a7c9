"""intake: applicant registry, eligibility overrides, reapplication bans, forms, materials, frozen versions

Revision ID: 20261121_0004
Revises: 20261121_0003
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "20261121_0004"
down_revision = "20261121_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applicants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("principal_ref", sa.String(length=200), nullable=True),
        sa.Column("registered_by_programme", sa.String(length=40), nullable=True),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("legal_form", sa.String(length=60), nullable=True),
        sa.Column("industry", sa.String(length=100), nullable=True),
        sa.Column("nonprofit", sa.Boolean(), nullable=True),
        sa.Column("size", sa.String(length=20), nullable=True),
        sa.Column("id_number_hash", sa.String(length=64), nullable=True),
        sa.Column("id_number_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("id_number_masked", sa.String(length=32), nullable=True),
        sa.Column("id_kind", sa.String(length=40), nullable=True),
        sa.Column("employer_id", sa.Uuid(), nullable=True),
        sa.Column("registered_jurisdiction", sa.String(length=40), nullable=True),
        sa.Column("work_jurisdiction", sa.String(length=40), nullable=True),
        sa.Column("locality", sa.String(length=60), nullable=True),
        sa.Column("competent_department", sa.String(length=60), nullable=True),
        sa.Column("registered_on", sa.Date(), nullable=True),
        sa.Column("operating_since", sa.Date(), nullable=True),
        sa.Column("legal_person", sa.Boolean(), nullable=True),
        sa.Column("sector", sa.String(length=40), nullable=True),
        sa.Column("four_new_field", sa.Boolean(), nullable=True),
        sa.Column("quality_work_since", sa.Date(), nullable=True),
        sa.Column("quality_work_in_jurisdiction_since", sa.Date(), nullable=True),
        sa.Column("jurisdiction_work_since", sa.Date(), nullable=True),
        sa.Column("is_top_manager", sa.Boolean(), nullable=True),
        sa.Column("certified_since", sa.Date(), nullable=True),
        sa.Column("excellence_model_since", sa.Date(), nullable=True),
        sa.Column("has_chief_quality_officer", sa.Boolean(), nullable=True),
        sa.Column("above_size_manufacturer", sa.Boolean(), nullable=True),
        sa.Column("mu_efficiency_grade", sa.String(length=1), nullable=True),
        sa.Column("mu_efficiency_year", sa.Integer(), nullable=True),
        sa.Column("frontier_industry", sa.Boolean(), nullable=True),
        sa.Column("civil_service_managed", sa.Boolean(), nullable=True),
        sa.Column("exporter", sa.Boolean(), nullable=True),
        sa.Column("credit_status", sa.String(length=40), nullable=True),
        sa.Column("records", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("other_level_applications", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["employer_id"], ["applicants.id"], name=op.f("fk_applicants_employer_id_applicants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applicants")),
        sa.UniqueConstraint("credit_code", name="uq_applicants_credit_code"),
        sa.UniqueConstraint("id_number_hash", name="uq_applicants_id_number_hash"),
        sa.UniqueConstraint("principal_ref", name="uq_applicants_principal_ref"),
    )
    op.create_table(
        "application_forms",
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("fields", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("self_assessment_score", sa.Numeric(precision=7, scale=2), nullable=True),
        sa.Column("statements", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_application_forms_application_id_applications")
        ),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_application_forms")),
    )
    op.create_table(
        "application_materials",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_application_materials_application_id_applications")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_materials")),
    )
    op.create_index(
        op.f("ix_application_materials_application_id"), "application_materials", ["application_id"], unique=False
    )
    op.create_table(
        "application_snapshots",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("form", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("materials", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("facts", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_application_snapshots_application_id_applications")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_snapshots")),
        sa.UniqueConstraint("application_id", "seq", name="uq_application_snapshots_application_id_seq"),
    )
    op.create_table(
        "eligibility_overrides",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("criterion", sa.String(length=80), nullable=False),
        sa.Column("computed", sa.String(length=20), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_eligibility_overrides_application_id_applications")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_overrides")),
    )
    op.create_index(
        "ix_eligibility_overrides_application_id_criterion",
        "eligibility_overrides",
        ["application_id", "criterion"],
        unique=False,
    )
    op.create_table(
        "reapplication_bans",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("applicant_id", sa.Uuid(), nullable=True),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("id_number_hash", sa.String(length=64), nullable=True),
        sa.Column("applicant_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("rule", sa.String(length=80), nullable=False),
        sa.Column("clause", sa.String(length=40), nullable=True),
        sa.Column("programme", sa.String(length=40), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("tier", sa.String(length=40), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source_application_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["applicants.id"], name=op.f("fk_reapplication_bans_applicant_id_applicants")
        ),
        sa.ForeignKeyConstraint(
            ["source_application_id"],
            ["applications.id"],
            name=op.f("fk_reapplication_bans_source_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reapplication_bans")),
    )
    op.create_index(op.f("ix_reapplication_bans_applicant_id"), "reapplication_bans", ["applicant_id"], unique=False)
    op.create_index(op.f("ix_reapplication_bans_credit_code"), "reapplication_bans", ["credit_code"], unique=False)
    op.create_index(
        op.f("ix_reapplication_bans_id_number_hash"), "reapplication_bans", ["id_number_hash"], unique=False
    )
    op.create_index(op.f("ix_reapplication_bans_programme"), "reapplication_bans", ["programme"], unique=False)
    op.add_column("applications", sa.Column("applicant_id", sa.Uuid(), nullable=True))
    op.create_index(op.f("ix_applications_applicant_id"), "applications", ["applicant_id"], unique=False)
    op.create_foreign_key(
        op.f("fk_applications_applicant_id_applicants"), "applications", "applicants", ["applicant_id"], ["id"]
    )


def downgrade() -> None:
    op.drop_constraint(op.f("fk_applications_applicant_id_applicants"), "applications", type_="foreignkey")
    op.drop_index(op.f("ix_applications_applicant_id"), table_name="applications")
    op.drop_column("applications", "applicant_id")
    op.drop_index(op.f("ix_reapplication_bans_programme"), table_name="reapplication_bans")
    op.drop_index(op.f("ix_reapplication_bans_id_number_hash"), table_name="reapplication_bans")
    op.drop_index(op.f("ix_reapplication_bans_credit_code"), table_name="reapplication_bans")
    op.drop_index(op.f("ix_reapplication_bans_applicant_id"), table_name="reapplication_bans")
    op.drop_table("reapplication_bans")
    op.drop_index("ix_eligibility_overrides_application_id_criterion", table_name="eligibility_overrides")
    op.drop_table("eligibility_overrides")
    op.drop_table("application_snapshots")
    op.drop_index(op.f("ix_application_materials_application_id"), table_name="application_materials")
    op.drop_table("application_materials")
    op.drop_table("application_forms")
    op.drop_table("applicants")
