"""Recorded copies: copies verified with ``verify --record``, their verdicts and the
evidence they rest on (part of ``registry.governance``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from zvhsign.domain.digests import Sha256
from zvhsign.domain.documents import DocumentKind
from zvhsign.domain.evidence import FileEvidence
from zvhsign.domain.text import valid_tree

from ._blobs import _put_blob
from ._tx import _now
from .models import Blob, RecordedCopyRow, RecordedSignatureRow

if TYPE_CHECKING:
    from ._registry import Registry


@dataclass(frozen=True)
class RecordedCopy:
    """A copy recorded by ``verify --record``: its bytes are a blob; ``evidence`` the facts
    established then (None: recorded before evidence was kept, examine it again)."""

    sha256: str
    recorded_at: datetime
    status: str
    evidence: FileEvidence | None
    trust_sha256: str | None


class RecordedCopies:
    """Recorded copies (part of :class:`~zvhsign.registry._governance.GovernanceStore`)."""

    _reg: Registry

    # -- recorded copies -------------------------------------------------------

    def record_copy(
        self, data: bytes, verdict_json: dict, signatures: Sequence[dict], *, actor: str,
        evidence: FileEvidence | None = None, trust_sha256: str | None = None,
    ) -> Sha256:
        """Store a verified copy (content-addressed) with its verdict, the evidence it rests on,
        and a row per partner signature (``signatures``: field, document, version,
        approved_sha256, partner, signer_name, signer_fingerprint, indication, codes)."""
        from .evidence_codec import dumps

        digest = Sha256.of(data)
        with self._reg.write(f"recording copy {digest.short}") as tx:
            s = tx.session
            _put_blob(s, data)
            now = _now()
            row = RecordedCopyRow(
                sha256=digest.hex, verdict=json.dumps(valid_tree(verdict_json), sort_keys=True, ensure_ascii=False),
                status=str(verdict_json.get("status", "?")), recorded_at=now,
                evidence=dumps(evidence) if evidence is not None else None, trust_sha256=trust_sha256,
            )
            s.add(row)
            s.flush()
            for r in signatures:
                s.add(RecordedSignatureRow(
                    copy_id=row.id, field_name=r["field"], document=r["document"], version=r["version"],
                    approved_sha256=r["approved_sha256"], partner_key=r["partner"], signer_name=r["signer_name"],
                    signer_fingerprint=r["signer_fingerprint"], indication=r["indication"],
                    blocking_codes=json.dumps(list(r["codes"])),
                ))
            s.flush()
            tx.append(
                "record-copy", f"copy {digest.short} ({verdict_json.get('status')})", actor=actor,
                object_sha256s=(digest.hex,),
                details={
                    "status": verdict_json.get("status"), "size": len(data),
                    "signatures": [
                        {"field": r["field"], "partner": r["partner"], "indication": r["indication"]}
                        for r in signatures
                    ],
                },
            )
        return digest

    def recorded_copies(self, *, covenant_under_trust: str | None = None) -> list[RecordedCopy]:
        """Every recorded copy once (its latest recording), oldest first.

        ``covenant_under_trust``: leave out the copies known to be of another document than
        the covenant -- stored evidence established under these trust settings, whose
        partner signatures were recorded as another document's -- without decoding their
        evidence (what decides: the recorded signatures' ``document``, copied from that
        same evidence)."""
        from .evidence_codec import loads

        with self._reg._read("reading recorded copies") as s:
            rows = s.execute(select(RecordedCopyRow).order_by(RecordedCopyRow.id)).scalars()
            latest = {r.sha256: r for r in rows}
            documents: dict[int, set[str]] = {}
            if covenant_under_trust is not None:
                pairs = s.execute(select(RecordedSignatureRow.copy_id, RecordedSignatureRow.document))
                for copy_id, document in pairs:
                    documents.setdefault(copy_id, set()).add(document)
            return [
                RecordedCopy(r.sha256, r.recorded_at, r.status, loads(r.evidence) if r.evidence else None,
                             r.trust_sha256)
                for r in sorted(latest.values(), key=lambda r: r.id)
                if not (r.evidence and r.trust_sha256 == covenant_under_trust
                        and documents.get(r.id) and DocumentKind.CONVENANT.value not in documents[r.id])
            ]

    def covenant_copies_of(self, partner_keys: Sequence[str] | None) -> list[CopyRecord]:
        """The recorded copies with a covenant signature of one of ``partner_keys`` (None:
        of any partner), each once (its latest recording), oldest first: what a partner kit
        carries so that its protocol copies are judged as the secretariat judges them."""
        from .evidence_codec import loads

        with self._reg._read("reading recorded covenant copies") as s:
            rows = s.execute(select(RecordedCopyRow).order_by(RecordedCopyRow.id)).scalars()
            latest = {r.sha256: r for r in rows}
            sigs: dict[int, list[RecordedSignatureRow]] = {}
            for sr in s.execute(select(RecordedSignatureRow)).scalars():
                sigs.setdefault(sr.copy_id, []).append(sr)
            out = []
            for r in sorted(latest.values(), key=lambda r: r.id):
                mine = [sr for sr in sigs.get(r.id, ())
                        if sr.document == DocumentKind.CONVENANT.value
                        and (partner_keys is None or sr.partner_key in partner_keys)]
                if not mine or not r.evidence:
                    continue
                out.append(CopyRecord(
                    data=_blob_bytes(s, r.sha256), verdict=json.loads(r.verdict),
                    signatures=tuple(_signature_dict(sr) for sr in sigs[r.id]),
                    evidence=loads(r.evidence), trust_sha256=r.trust_sha256,
                ))
            return out


@dataclass(frozen=True)
class CopyRecord:
    """A recorded copy as ``record_copy`` takes it: to record it in another registry."""

    data: bytes | None
    verdict: dict
    signatures: tuple[dict, ...]
    evidence: FileEvidence
    trust_sha256: str | None


def _blob_bytes(session, sha256: str) -> bytes | None:  # noqa: ANN001
    blob = session.get(Blob, sha256)
    return bytes(blob.data) if blob is not None else None


def _signature_dict(sr: RecordedSignatureRow) -> dict:
    return {
        "field": sr.field_name, "document": sr.document, "version": sr.version,
        "approved_sha256": sr.approved_sha256, "partner": sr.partner_key, "signer_name": sr.signer_name,
        "signer_fingerprint": sr.signer_fingerprint, "indication": sr.indication,
        "codes": json.loads(sr.blocking_codes),
    }
