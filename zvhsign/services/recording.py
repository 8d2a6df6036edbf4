"""``verify --record``: the judged copies stored in the registry with their verdicts, the
evidence they rest on and a row per partner signature (part of the pipeline)."""

from __future__ import annotations

from collections.abc import Sequence

from ..domain.digests import Sha256
from ..domain.verdicts import BatchVerdict


def record_examined(pipe, examined: Sequence, batch: BatchVerdict, *, actor: str) -> None:  # noqa: ANN001
    """Store every examined copy of ``pipe`` (a :class:`~.pipeline.Pipeline`) with its verdict and
    evidence (``verify --record``); a copy without evidence (unreadable, damaged) is not stored."""
    from ..errors import InputError, RegistryError

    if any(x.evidence is not None and x.data is not None for x in examined):
        # evidence is only added to a registry whose own evidence is intact
        if pipe.registry.verify_log() or not pipe.registry.check_storage().intact:
            raise RegistryError(
                "not recorded: the registry's audit log or stored files do not verify",
                hint="run `zvhsign log verify` to see what was changed",
            )
    for x, fv in zip(examined, batch.files):
        ev = x.evidence
        if ev is None or x.data is None:
            continue
        if Sha256.of(x.data) != ev.sha256:
            raise InputError(f"{fv.path} changed while it was verified; not recorded")
        rows = []
        if ev.approved is not None:
            for sv in fv.partner_signatures:
                signer = sv.evidence.signer
                rows.append({
                    "field": sv.evidence.field_name, "document": ev.approved.document.value,
                    "version": ev.approved.version, "approved_sha256": ev.approved.approved_sha256.hex,
                    "partner": sv.who.partner.key if sv.who else None,
                    "signer_name": signer.common_name if signer else None,
                    "signer_fingerprint": signer.fingerprint_sha256 if signer else None,
                    "indication": sv.indication.value,
                    "codes": [f.code for f in fv.findings if f.level.blocks] + list(sv.blocking_codes()),
                })
        pipe.registry.governance.record_copy(
            x.data, fv.to_json(), rows, actor=actor, evidence=ev, trust_sha256=pipe.trust_sha256)
