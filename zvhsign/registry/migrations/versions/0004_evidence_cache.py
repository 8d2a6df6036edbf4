"""A cache of examinations, keyed by everything the facts rest on (verify, issue 16).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_cache",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("examined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_evidence_cache"),
    )
    op.create_index("ix_evidence_cache_file_sha256", "evidence_cache", ["file_sha256"])


def downgrade() -> None:
    op.drop_index("ix_evidence_cache_file_sha256", table_name="evidence_cache")
    op.drop_table("evidence_cache")
