"""Approved versions: registering them with their PDF, superseding, and looking them up."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from zvhsign.domain.digests import Sha256
from zvhsign.domain.documents import ApprovedVersion, DocumentKind, check_version_label, version_key
from zvhsign.errors import RegistryError, UsageError

from ._blobs import _hex, _put_blob_stream
from ._db import ConflictError, DuplicateError, NotFoundError
from ._tx import RegistryBase, _Tx
from .models import ApprovedVersionRow, Blob


def _check_version(version: str) -> str:
    try:
        return check_version_label(version)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _to_domain(row: ApprovedVersionRow) -> ApprovedVersion:
    return ApprovedVersion(
        document=DocumentKind(row.document),
        version=row.version,
        source_sha256=Sha256(row.source_sha256),
        approved_sha256=Sha256(row.approved_sha256),
        approved_size=row.approved_size,
        decided_on=row.decided_on,
        approved_at=row.approved_at,
        approver_fingerprint=row.approver_fingerprint,
        superseded_by=row.superseded_by,
    )


def _refuse_duplicates(s: Session, av: ApprovedVersion) -> None:
    """DuplicateError when ``av``'s label or its approved PDF is already registered."""
    same_label = s.execute(
        select(ApprovedVersionRow).where(
            ApprovedVersionRow.document == av.document.value,
            ApprovedVersionRow.version == av.version,
        )
    ).scalar_one_or_none()
    if same_label is not None:
        raise DuplicateError(
            f"{av.label} is already registered "
            f"(approved PDF sha256 {Sha256(same_label.approved_sha256).short})",
            hint="give the new approved version a new version number",
        )
    same_bytes = s.execute(
        select(ApprovedVersionRow).where(
            ApprovedVersionRow.approved_sha256 == av.approved_sha256.hex
        )
    ).scalar_one_or_none()
    if same_bytes is not None:
        raise DuplicateError(
            f"this PDF (sha256 {av.approved_sha256.short}) is already registered as "
            f"{same_bytes.document} {same_bytes.version}"
        )


def _mismatch(av: ApprovedVersion, got: Sha256, size: int) -> RegistryError:
    return RegistryError(
        f"the PDF given for {av.label} does not match it: sha256 {got.short}, "
        f"{size} bytes; expected {av.approved_sha256.short}, {av.approved_size} bytes"
    )


def _store_approved(s: Session, av: ApprovedVersion, pdf: bytes | BinaryIO) -> None:
    """The blob (if new) and the approved-version row. ``pdf`` as a binary file is copied
    into the blob in chunks and checked on the way (:func:`._blobs._put_blob_stream`)."""
    if not isinstance(pdf, (bytes, bytearray, memoryview)):
        got, size = _put_blob_stream(s, av.approved_sha256, av.approved_size, pdf)
        if got != av.approved_sha256 or size != av.approved_size:
            raise _mismatch(av, got, size)  # the transaction is rolled back
    elif s.get(Blob, av.approved_sha256.hex) is None:
        s.add(
            Blob(
                sha256=av.approved_sha256.hex,
                size=len(pdf),
                data=bytes(pdf),
                created_at=datetime.now(timezone.utc),
            )
        )
        s.flush()  # the blob row first: approved_versions references it
    s.add(
        ApprovedVersionRow(
            document=av.document.value,
            version=av.version,
            source_sha256=av.source_sha256.hex,
            approved_sha256=av.approved_sha256.hex,
            approved_size=av.approved_size,
            decided_on=av.decided_on,
            approved_at=av.approved_at,
            approver_fingerprint=av.approver_fingerprint,
            superseded_by=av.superseded_by,
        )
    )
    s.flush()


def _approve_details(av: ApprovedVersion, imported_from: str | None) -> dict:
    details = {
        "document": av.document.value,
        "version": av.version,
        "source_sha256": av.source_sha256.hex,
        "approved_sha256": av.approved_sha256.hex,
        "approved_size": av.approved_size,
        "decided_on": av.decided_on.isoformat(),
        "approved_at": av.approved_at.isoformat(),
        "approver_fingerprint": av.approver_fingerprint,
    }
    if imported_from is not None:
        details["imported_from"] = imported_from
        details["superseded_by"] = av.superseded_by
    return details


class ApprovedVersions(RegistryBase):
    """Approved versions (part of :class:`~zvhsign.registry.Registry`)."""

    def add_approved_version(
        self, av: ApprovedVersion, pdf: bytes | BinaryIO, *, actor: str, actor_certificate: str | None,
        imported_from: str | None = None, supersede_older: bool = False,
    ) -> list[str]:
        """Register an approved version with its PDF bytes (blob + row + audit event, atomically).
        ``pdf`` may be a binary file open at its start instead: it is read in chunks (a large
        approved PDF is not held in memory) and checked against ``av`` while stored.
        ``imported_from``: the version was approved elsewhere (a partner kit copies the
        secretariat's records); the audit event says ``import-approved`` and where from.
        ``supersede_older``: every lower version of the same document not yet superseded
        is superseded by this one, in the same transaction (a ``supersede`` event each).
        Returns the versions it superseded."""
        _check_version(av.version)
        if isinstance(pdf, (bytes, bytearray, memoryview)):
            got = Sha256.of(pdf)
            if got != av.approved_sha256 or len(pdf) != av.approved_size:
                raise _mismatch(av, got, len(pdf))
        with self._write(f"registering {av.label}") as tx:
            _refuse_duplicates(tx.session, av)
            _store_approved(tx.session, av, pdf)
            self._append(
                tx,
                action="import-approved" if imported_from is not None else "approve",
                subject=av.label,
                actor=actor,
                actor_certificate=actor_certificate,
                object_sha256s=(av.approved_sha256.hex, av.source_sha256.hex),
                details=_approve_details(av, imported_from),
            )
            if not supersede_older:
                return []
            return self._supersede_older(tx, av, actor=actor, actor_certificate=actor_certificate)

    def _supersede_older(
        self, tx: _Tx, av: ApprovedVersion, *, actor: str, actor_certificate: str | None
    ) -> list[str]:
        """Supersede every lower version of ``av``'s document not yet superseded (in ``tx``)."""
        s = tx.session
        superseded: list[str] = []
        older = s.execute(
            select(ApprovedVersionRow).where(
                ApprovedVersionRow.document == av.document.value,
                ApprovedVersionRow.version != av.version,
                ApprovedVersionRow.superseded_by.is_(None),
            )
        ).scalars()
        for row in sorted(older, key=lambda r: version_key(r.version)):
            if version_key(row.version) >= version_key(av.version):
                continue
            row.superseded_by = av.version
            s.flush()
            superseded.append(row.version)
            self._append(
                tx, action="supersede", subject=f"{av.document.value} {row.version}",
                actor=actor, actor_certificate=actor_certificate,
                object_sha256s=(row.approved_sha256, av.approved_sha256.hex),
                details={"document": av.document.value, "version": row.version,
                         "superseded_by": av.version},
            )
        return superseded

    def approved_versions(self, document: DocumentKind | None = None) -> list[ApprovedVersion]:
        """Approved versions, ordered by document and then version number (1.2 < 1.10)."""
        with self._read("listing approved versions") as s:
            q = select(ApprovedVersionRow)
            if document is not None:
                q = q.where(ApprovedVersionRow.document == DocumentKind(document).value)
            rows = [_to_domain(r) for r in s.execute(q).scalars()]
        return sorted(rows, key=lambda a: (a.document.value, version_key(a.version)))

    def find_approved(self, sha256: Sha256 | str) -> ApprovedVersion | None:
        """The approved version whose approved PDF has this SHA-256, if any."""
        with self._read("looking up an approved version") as s:
            row = s.execute(
                select(ApprovedVersionRow).where(ApprovedVersionRow.approved_sha256 == _hex(sha256))
            ).scalar_one_or_none()
            return _to_domain(row) if row is not None else None

    def get_approved(self, document: DocumentKind, version: str) -> ApprovedVersion | None:
        """The approved version ``document version``, if registered."""
        with self._read("looking up an approved version") as s:
            row = self._row(s, document, version)
            return _to_domain(row) if row is not None else None

    def approved_sizes(self) -> dict[int, list[ApprovedVersion]]:
        """Approved versions by the byte size of their approved PDF.

        A signed file is an incremental update of an approved PDF, so its first
        ``size`` bytes are the approved PDF: callers hash those prefixes.
        """
        out: dict[int, list[ApprovedVersion]] = {}
        for av in self.approved_versions():
            out.setdefault(av.approved_size, []).append(av)
        return out

    @staticmethod
    def _row(s: Session, document: DocumentKind, version: str) -> ApprovedVersionRow | None:
        return s.execute(
            select(ApprovedVersionRow).where(
                ApprovedVersionRow.document == DocumentKind(document).value,
                ApprovedVersionRow.version == version,
            )
        ).scalar_one_or_none()

    def supersede(
        self,
        document: DocumentKind,
        old_version: str,
        new_version: str,
        *,
        actor: str,
        actor_certificate: str | None = None,
    ) -> None:
        """Mark ``old_version`` as superseded by ``new_version`` (both must be registered)."""
        document = DocumentKind(document)
        _check_version(old_version)
        _check_version(new_version)
        if old_version == new_version:
            raise UsageError(f"{document.value} {old_version} can't supersede itself")
        with self._write(f"superseding {document.value} {old_version}") as tx:
            old = self._row(tx.session, document, old_version)
            new = self._row(tx.session, document, new_version)
            for label, row in ((old_version, old), (new_version, new)):
                if row is None:
                    raise NotFoundError(
                        f"{document.value} {label} is not a registered approved version",
                        hint="list them with `zvhsign versions`",
                    )
            assert old is not None and new is not None
            if old.superseded_by is not None:
                raise ConflictError(
                    f"{document.value} {old_version} is already superseded by "
                    f"{document.value} {old.superseded_by}"
                )
            if new.superseded_by is not None:
                raise ConflictError(
                    f"{document.value} {new_version} is itself superseded "
                    f"(by {document.value} {new.superseded_by})"
                )
            old.superseded_by = new_version
            tx.session.flush()
            self._append(
                tx,
                action="supersede",
                subject=f"{document.value} {old_version}",
                actor=actor,
                actor_certificate=actor_certificate,
                object_sha256s=(old.approved_sha256, new.approved_sha256),
                details={
                    "document": document.value,
                    "version": old_version,
                    "superseded_by": new_version,
                },
            )
