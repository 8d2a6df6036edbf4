"""Stored files: content-addressed blobs (approved PDFs, mandates, recorded copies)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import BinaryIO

from sqlalchemy import func, insert, select
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


def _put_blob_stream(s: Session, sha256: Sha256, size: int, stream: BinaryIO) -> tuple[Sha256, int]:
    """Store the ``size`` bytes of ``stream`` as the blob ``sha256`` (if new) in the open
    transaction, read in chunks; returns the SHA-256 and size of what was read -- the caller
    compares them with ``sha256`` and ``size`` and raises (rolling the transaction back) when
    they differ. SQLite gets the bytes written into the new row piece by piece (a zeroblob of
    the right size filled through its incremental BLOB I/O), so a large file is never held
    in memory, not even as the bound parameter SQLite would copy; other databases get them
    in one piece."""
    stored = s.execute(select(Blob.sha256).where(Blob.sha256 == sha256.hex)).scalar_one_or_none()
    driver = s.connection().connection.driver_connection
    if stored is not None:
        return _hash_stream(stream)
    if not hasattr(driver, "blobopen"):  # not SQLite
        data = stream.read()
        got = Sha256.of(data)
        if got == sha256 and len(data) == size:
            s.add(Blob(sha256=sha256.hex, size=size, data=data, created_at=_now()))
            s.flush()
        return got, len(data)
    s.execute(insert(Blob.__table__).values(sha256=sha256.hex, size=size, data=func.zeroblob(size),
                                            created_at=_now()))
    rowid = s.connection().exec_driver_sql(
        f"SELECT rowid FROM {Blob.__tablename__} WHERE sha256 = ?", (sha256.hex,)).scalar_one()
    h, n = hashlib.sha256(), 0
    with driver.blobopen(Blob.__tablename__, "data", rowid) as blob:
        while chunk := stream.read(1 << 20):
            n += len(chunk)
            if n > size:
                break  # more than announced: a mismatch (the rest is not read)
            blob.write(chunk)
            h.update(chunk)
    return Sha256(h.hexdigest()), n


def _hash_stream(stream: BinaryIO) -> tuple[Sha256, int]:
    h, n = hashlib.sha256(), 0
    while chunk := stream.read(1 << 20):
        h.update(chunk)
        n += len(chunk)
    return Sha256(h.hexdigest()), n


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
