"""Stored files: content-addressed blobs (approved PDFs, mandates, recorded copies)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.orm import Session

from zvhsign.domain.digests import Sha256

from ._tx import RegistryBase, _now, current_os_user
from .models import Blob


def _hex(sha256: Sha256 | str) -> str:
    return sha256.hex if isinstance(sha256, Sha256) else Sha256(str(sha256).lower()).hex


def _put_blob(s: Session, data: bytes) -> None:
    """Store bytes content-addressed in the open transaction, without an event of their own
    (the change that stores them logs one)."""
    digest = Sha256.of(data)
    if s.get(Blob, digest.hex) is None:
        s.add(Blob(sha256=digest.hex, size=len(data), data=bytes(data), created_at=_now()))
        s.flush()


class StoredFiles(RegistryBase):
    """Reading and storing blobs (part of :class:`~zvhsign.registry.Registry`)."""

    def get_blob(self, sha256: Sha256 | str) -> bytes | None:
        with self._read("reading a stored file") as s:
            blob = s.get(Blob, _hex(sha256))
            return bytes(blob.data) if blob is not None else None

    def put_blob(
        self, data: bytes, *, actor: str | None = None, actor_certificate: str | None = None
    ) -> Sha256:
        """Store bytes content-addressed; logs a ``store-blob`` event if they were new."""
        digest = Sha256.of(data)
        with self._write("storing a file") as tx:
            if tx.session.get(Blob, digest.hex) is None:
                tx.session.add(
                    Blob(
                        sha256=digest.hex,
                        size=len(data),
                        data=bytes(data),
                        created_at=datetime.now(timezone.utc),
                    )
                )
                tx.session.flush()
                self._append(
                    tx,
                    action="store-blob",
                    subject=f"file {digest.short}",
                    actor=actor or current_os_user(),
                    actor_certificate=actor_certificate,
                    object_sha256s=(digest.hex,),
                    details={"size": len(data)},
                )
        return digest
