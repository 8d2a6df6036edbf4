"""The signature about to be made, as evidence: what ``sign`` judges before signing.

The would-be signature is described with the facts ``verify`` will establish: the
signer's certificate (validated now against the workspace's trust roots, with
revocation data as far as it can be had), the field, the level, its timestamps
(a content and a signature timestamp at about now, when the level is timestamped)
and what it binds (mandate, capacity). The pipeline's rules then judge it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..domain.documents import PadesLevel
from ..domain.evidence import FileEvidence, Indication, SignatureBinding, SignatureEvidence, SignatureKind, TimestampEvidence


async def would_be_evidence(ev: FileEvidence, signer, env, field: str, level: PadesLevel,  # noqa: ANN001
                            capacity: str | None, mandate_sha256: str | None) -> SignatureEvidence:
    from ..pdf.certinfo import certificate_info
    from ..pdf.signer_check import check_signer

    extra = list(getattr(signer, "cert_registry", None) or ())
    now = datetime.now(UTC)
    checked = await check_signer(signer.signing_cert, env, extra, signing_time=now if level.timestamped else None)
    ts = TimestampEvidence(now, "the workspace's TSA", True, True, True) if level.timestamped else None
    ok = checked.indication is Indication.TOTAL_PASSED
    return SignatureEvidence(
        field_name=field, kind=SignatureKind.SIGNATURE, revision=len(ev.revision_ends),
        signed_end=ev.size, covers_whole_revision=True, intact=True, valid=True, trusted=ok,
        indication=checked.indication, subindication=checked.subindication, failure=checked.failure,
        subfilter="/ETSI.CAdES.detached", signer=certificate_info(signer.signing_cert),
        claimed_signing_time=now, signature_timestamp=ts, content_timestamp=ts,
        best_signature_time=now if ts else None, pades_level=level.value,
        binding=SignatureBinding(mandate_sha256, capacity),
        qualification=checked.qualification,
    )
