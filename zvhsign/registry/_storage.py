"""Evidence at rest: re-hashing the stored files and the database's own integrity check."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ._governance_logged import governance_rows_as_logged
from ._rows_logged import approved_rows_as_logged
from ._tx import RegistryBase
from .models import ApprovedVersionRow, Blob, MandateRow, RecordedCopyRow


@dataclass(frozen=True)
class StorageProblem:
    """Evidence at rest that is not what the registry recorded (see :meth:`Registry.check_storage`).

    ``kind``: ``blob-altered`` (the stored bytes no longer have their SHA-256),
    ``blob-size`` (their length differs from the recorded one), ``blob-missing`` (a
    record points at a file that is not stored), ``blob-unreadable``, ``database-integrity`` (the
    database's own integrity check failed), ``registry-row-altered`` / ``registry-row-unlogged``
    (an approved version's, partner's, signatory's or mandate's row is not what the audit log
    registered: ``_rows_logged.py``, ``_governance_logged.py``).
    ``object`` names what is affected."""

    kind: str
    object: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.object}: {self.message}"


@dataclass(frozen=True)
class StorageCheck:
    """What re-hashing the stored files and the database's integrity check found."""

    blobs: int
    problems: tuple[StorageProblem, ...]
    notes: tuple[str, ...] = ()
    integrity_checked: bool = False

    @property
    def intact(self) -> bool:
        return not self.problems


INTEGRITY_MAX_LINES = 20
"""At most this many lines of SQLite's ``PRAGMA integrity_check`` are reported."""


def _blob_names(s: Session) -> dict[str, list[str]]:
    """What each stored file is, by its SHA-256: approved PDFs, mandates, recorded copies."""
    names: dict[str, list[str]] = {}
    for row in s.execute(select(ApprovedVersionRow)).scalars():
        names.setdefault(row.approved_sha256, []).append(f"approved PDF of {row.document} {row.version}")
    for sha, partner, mayor in s.execute(
        select(MandateRow.sha256, MandateRow.partner_key, MandateRow.mayor)
    ):
        names.setdefault(sha, []).append(f"signed mandate of {partner} ({mayor})")
    for sha, copy_id in s.execute(select(RecordedCopyRow.sha256, RecordedCopyRow.id)):
        names.setdefault(sha, []).append(f"recorded copy #{copy_id}")
    return names


def _sqlite_integrity(s: Session) -> list[StorageProblem]:
    problems: list[StorageProblem] = []
    conn = s.connection()
    try:
        lines = [str(r[0]) for r in conn.exec_driver_sql(
            f"PRAGMA integrity_check({INTEGRITY_MAX_LINES})")]
        fk = list(conn.exec_driver_sql("PRAGMA foreign_key_check"))
    except SQLAlchemyError as exc:
        orig = getattr(exc, "orig", None) or exc
        text = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
        return [StorageProblem("database-integrity", "the registry database",
                               f"SQLite's integrity check could not run: {text}")]
    if lines != ["ok"]:
        for line in lines:
            problems.append(StorageProblem("database-integrity", "the registry database",
                                           f"SQLite integrity check: {line}"))
    for table, rowid, parent, _fkid in fk:
        problems.append(StorageProblem(
            "database-integrity", f"row {rowid} of {table}",
            f"refers to a row of {parent} that does not exist"))
    return problems


def _check_blob(s: Session, key: str, names: dict[str, list[str]]) -> StorageProblem | None:
    """Re-hash one stored file against its key and recorded size."""
    what = " and ".join(names.get(key, [])) or "stored file"
    shown = f"{what} (sha256 {key[:16]}…)"
    try:
        size, data = s.execute(
            select(Blob.size, Blob.data).where(Blob.sha256 == key)
        ).one()
    except SQLAlchemyError as exc:
        orig = getattr(exc, "orig", None) or exc
        return StorageProblem("blob-unreadable", shown, f"can't be read: {str(orig).strip()[:200]}")
    data = bytes(data) if data is not None else b""
    got = hashlib.sha256(data).hexdigest()
    if got != key.lower():
        return StorageProblem(
            "blob-altered", shown, f"the stored bytes have SHA-256 {got[:16]}…, not the recorded one")
    if size != len(data):
        return StorageProblem("blob-size", shown, f"{len(data)} bytes stored, {size} recorded")
    return None


def _approved_sizes(s: Session, stored: set[str]) -> list[StorageProblem]:
    """Each stored approved PDF must be as long as recorded for its approved version."""
    problems: list[StorageProblem] = []
    for row in s.execute(select(ApprovedVersionRow)).scalars():
        if row.approved_sha256 in stored:
            blob_size = s.execute(
                select(func.length(Blob.data)).where(Blob.sha256 == row.approved_sha256)
            ).scalar_one()
            if blob_size != row.approved_size:
                problems.append(StorageProblem(
                    "blob-size", f"approved PDF of {row.document} {row.version}",
                    f"{blob_size} bytes stored, {row.approved_size} recorded as approved"))
    return problems


def _missing_blobs(names: dict[str, list[str]], stored: set[str]) -> list[StorageProblem]:
    return [
        StorageProblem("blob-missing", " and ".join(what),
                       f"the file (sha256 {sha[:16]}…) is not in the registry")
        for sha, what in sorted(names.items())
        if sha not in stored
    ]


class EvidenceAtRest(RegistryBase):
    """:meth:`check_storage` (part of :class:`~zvhsign.registry.Registry`)."""

    def _database_integrity(self, s: Session) -> tuple[list[StorageProblem], list[str], bool]:
        if self.dialect != "sqlite":
            return [], [
                f"the database's own integrity check is not run on {self.dialect} "
                "(use the server's tools, e.g. pg_amcheck)"
            ], False
        return _sqlite_integrity(s), [], True

    def check_storage(self) -> StorageCheck:
        """Re-hash every stored file (blob) against its recorded SHA-256 and size, check
        that every record's file is stored, and run the database's own integrity check
        (SQLite: ``PRAGMA integrity_check``; PostgreSQL: skipped, with a note).

        One blob is in memory at a time."""
        problems: list[StorageProblem] = []
        with self._read("checking the stored files") as s:
            integrity, notes, checked = self._database_integrity(s)
            names = _blob_names(s)
            keys = list(s.execute(select(Blob.sha256).order_by(Blob.sha256)).scalars())
            stored = set(keys)
            for key in keys:
                problem = _check_blob(s, key, names)
                if problem is not None:
                    problems.append(problem)
            problems += _approved_sizes(s, stored)
            problems += _missing_blobs(names, stored)
            problems += approved_rows_as_logged(s, StorageProblem)
            problems += governance_rows_as_logged(s, StorageProblem)
        return StorageCheck(len(keys), tuple(integrity + problems), tuple(notes), checked)
