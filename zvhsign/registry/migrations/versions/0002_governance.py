"""Governance: partners, signatories (+ certificate fingerprints), mandates, recorded copies.

Revision ID: 0002
Revises: 0001
Create Date: 2025-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partners",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("oin", sa.String(20), nullable=True),
        sa.Column("kvk", sa.String(8), nullable=True),
        sa.Column("signing_roles", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_partners"),
        sa.UniqueConstraint("name", name="uq_partners_name"),
    )
    op.create_table(
        "signatories",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("partner_key", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_signatories"),
        sa.ForeignKeyConstraint(["partner_key"], ["partners.key"], name="fk_signatories_partner_key_partners"),
        sa.UniqueConstraint("partner_key", "name", "role", name="uq_signatories_partner_key"),
    )
    op.create_table(
        "signatory_certificates",
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("signatory_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint", name="pk_signatory_certificates"),
        sa.ForeignKeyConstraint(
            ["signatory_id"], ["signatories.id"], name="fk_signatory_certificates_signatory_id_signatories"
        ),
    )
    op.create_table(
        "mandates",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("partner_key", sa.String(64), nullable=False),
        sa.Column("mayor", sa.String(200), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("signatures", sa.Text(), nullable=False),
        sa.Column("revision_sha256s", sa.Text(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("sha256", name="pk_mandates"),
        sa.ForeignKeyConstraint(["sha256"], ["blobs.sha256"], name="fk_mandates_sha256_blobs"),
        sa.ForeignKeyConstraint(["partner_key"], ["partners.key"], name="fk_mandates_partner_key_partners"),
    )
    op.create_table(
        "recorded_copies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("verdict", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_recorded_copies"),
        sa.ForeignKeyConstraint(["sha256"], ["blobs.sha256"], name="fk_recorded_copies_sha256_blobs"),
    )
    op.create_index("ix_recorded_copies_sha256", "recorded_copies", ["sha256"])
    op.create_table(
        "recorded_signatures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("copy_id", sa.Integer(), nullable=False),
        sa.Column("field_name", sa.String(128), nullable=False),
        sa.Column("document", sa.String(32), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("approved_sha256", sa.String(64), nullable=False),
        sa.Column("partner_key", sa.String(64), nullable=True),
        sa.Column("signer_name", sa.String(200), nullable=True),
        sa.Column("signer_fingerprint", sa.String(64), nullable=True),
        sa.Column("indication", sa.String(32), nullable=False),
        sa.Column("blocking_codes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_recorded_signatures"),
        sa.ForeignKeyConstraint(
            ["copy_id"], ["recorded_copies.id"], name="fk_recorded_signatures_copy_id_recorded_copies"
        ),
    )
    op.create_index("ix_recorded_signatures_copy_id", "recorded_signatures", ["copy_id"])
    op.create_index("ix_recorded_signatures_partner_key", "recorded_signatures", ["partner_key"])


def downgrade() -> None:
    op.drop_index("ix_recorded_signatures_partner_key", table_name="recorded_signatures")
    op.drop_index("ix_recorded_signatures_copy_id", table_name="recorded_signatures")
    op.drop_table("recorded_signatures")
    op.drop_index("ix_recorded_copies_sha256", table_name="recorded_copies")
    op.drop_table("recorded_copies")
    op.drop_table("mandates")
    op.drop_table("signatory_certificates")
    op.drop_table("signatories")
    op.drop_table("partners")
