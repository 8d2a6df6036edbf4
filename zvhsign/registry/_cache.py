"""The evidence cache (table ``evidence_cache``): examinations reused by later ``verify`` runs.

The key is made by the caller (services/pipeline.py) from everything the facts rest on;
a hit returns the stored :class:`FileEvidence`, which the rules then judge again against
the registry as it is now. Not part of the audit log: it proves nothing, it saves time.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete

from zvhsign.domain.evidence import FileEvidence

from .evidence_codec import dumps, loads
from .models import EvidenceCacheRow


class EvidenceCache:
    def __init__(self, registry) -> None:  # noqa: ANN001
        self._reg = registry

    def get(self, key: str) -> FileEvidence | None:
        with self._reg._read("reading the evidence cache") as s:
            row = s.get(EvidenceCacheRow, key)
            return loads(row.evidence) if row is not None else None

    def put(self, key: str, file_sha256: str, ev: FileEvidence) -> None:
        with self._reg._write("writing the evidence cache", lock_head=False) as tx:
            tx.session.merge(EvidenceCacheRow(key=key, file_sha256=file_sha256,
                                              examined_at=datetime.now(UTC), evidence=dumps(ev)))

    def clear(self) -> int:
        with self._reg._write("clearing the evidence cache", lock_head=False) as tx:
            return tx.session.execute(delete(EvidenceCacheRow)).rowcount or 0
