"""Blobs: ``data`` as the last column (large files, issue 16).

SQLite builds a whole row in memory when a value is followed by other columns; with the
blob's ``data`` last, the zeroblob that ``_blobs._put_blob_stream`` inserts (and then fills
through incremental BLOB I/O) stays a zeroblob in the record, so storing a 200 MB approved
PDF no longer holds 200 MB plus the row in memory (``zvhsign approve`` of 200 MB: peak RSS
500 -> ~300 MB).

SQLite can't reorder columns: ``blobs`` is rebuilt with the same rows (and rowids), the
same primary key (``pk_blobs``) and NOT NULL constraints; it has no other index. The
registry's connections enforce foreign keys (approved versions, mandates and recorded
copies reference ``blobs.sha256``), and the migration runs inside the caller's
transaction, where ``PRAGMA foreign_keys`` can't be switched off. So the rebuild defers
the checks to the commit instead (``PRAGMA defer_foreign_keys``, switched off again by
SQLite at COMMIT/ROLLBACK) and never renames the parent table (a rename would rewrite the
children's references): the rows are copied aside, ``blobs`` dropped and created anew,
and the rows copied back into it -- re-inserting every parent row resolves what the drop
left open, and the commit checks that nothing is left. (Alembic's batch mode -- copy,
drop, rename -- would leave the dropped parent's violations counted and fail at commit.)
Every byte is copied twice, once; the largest blob is held in memory while copied.

PostgreSQL: nothing to do. Column order does not matter there (a large ``bytea`` is
stored out of line, TOASTed, whatever its position) and ``_put_blob_stream`` sends the
bytes in one piece anyway; rebuilding a referenced table would mean dropping and
re-creating three foreign keys for no gain. A PostgreSQL registry keeps ``data`` before
``created_at``, also one made by ``zvhsign init``; nothing reads the columns by position.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_ASIDE = "_blobs_0005_aside"
_COLUMNS = "sha256, size, created_at, data"


def _rebuild_blobs(*, data_last: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    op.execute("PRAGMA defer_foreign_keys = ON")
    op.execute(
        f"CREATE TABLE {_ASIDE} (rid INTEGER PRIMARY KEY, sha256 VARCHAR(64) NOT NULL, "
        "size BIGINT NOT NULL, created_at DATETIME NOT NULL, data BLOB NOT NULL)"
    )
    op.execute(f"INSERT INTO {_ASIDE} (rid, {_COLUMNS}) SELECT rowid, {_COLUMNS} FROM blobs")
    op.drop_table("blobs")
    data = sa.Column("data", sa.LargeBinary(), nullable=False)
    created_at = sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        *((created_at, data) if data_last else (data, created_at)),
        sa.PrimaryKeyConstraint("sha256", name="pk_blobs"),
    )
    op.execute(
        f"INSERT INTO blobs (rowid, {_COLUMNS}) SELECT rid, {_COLUMNS} FROM {_ASIDE} ORDER BY rid"
    )
    op.execute(f"DROP TABLE {_ASIDE}")


def upgrade() -> None:
    _rebuild_blobs(data_last=True)


def downgrade() -> None:
    _rebuild_blobs(data_last=False)
