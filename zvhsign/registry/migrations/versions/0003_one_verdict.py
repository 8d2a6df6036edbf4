"""One verdict everywhere: recorded evidence, retired signatories, revocation reasons.

* ``recorded_copies.evidence``: the typed facts established when the copy was examined
  (JSON), so status re-judges them against the current registry without re-reading the
  PDF; ``recorded_copies.trust_sha256``: the trust settings they were established under
  (a copy is examined again when those changed).
* ``signatories.retired_at``: from when a signatory no longer signs for the partner.
* ``mandates.revocation_reason``: why the College revoked it.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recorded_copies") as t:
        t.add_column(sa.Column("evidence", sa.Text(), nullable=True))
        t.add_column(sa.Column("trust_sha256", sa.String(64), nullable=True))
    with op.batch_alter_table("signatories") as t:
        t.add_column(sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("mandates") as t:
        t.add_column(sa.Column("revocation_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mandates") as t:
        t.drop_column("revocation_reason")
    with op.batch_alter_table("signatories") as t:
        t.drop_column("retired_at")
    with op.batch_alter_table("recorded_copies") as t:
        t.drop_column("trust_sha256")
        t.drop_column("evidence")
