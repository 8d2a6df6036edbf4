"""Covenant participation: which partners have a valid covenant signature (part of the pipeline).

Only covenant participants sign the Privacy Protocol (``domain.rules.order``): a protocol
copy's verdict reads the covenant signatures that are valid now -- those of the copies
recorded with ``verify --record`` and those of the batch's own covenant copies. That rule
is the only reader, and it reads them for Privacy Protocol copies only; so the recorded
copies are read and judged only when a copy to judge is a protocol copy. A registry of
thousands of recorded copies (every stored evidence decoded and re-judged: ~0.6 ms each)
is then no fixed cost of every ``verify``, ``sign`` or ``extend`` of covenant copies.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..domain.attribution import CovenantSignature
from ..domain.documents import DocumentKind
from ..domain.evidence import FileEvidence
from ..domain.findings import Level
from ..domain.verdicts import FileVerdict


def needs_covenant(evidence: Iterable[FileEvidence | None]) -> bool:
    """Whether judging these copies reads covenant participation: one is a copy of an
    approved Privacy Protocol version."""
    return any(ev is not None and ev.approved is not None and ev.approved.document is DocumentKind.PROTOCOL
               for ev in evidence)


def covenant_signatures(verdicts: Sequence[FileVerdict]) -> tuple[CovenantSignature, ...]:
    """The valid partner signatures on approved covenant versions among ``verdicts``."""
    out = []
    for fv in verdicts:
        ev = fv.evidence
        if ev is None or ev.approved is None or ev.approved.document is not DocumentKind.CONVENANT:
            continue
        if any(f.level is Level.FAIL for f in fv.findings):
            continue
        for sv in fv.partner_signatures:
            if sv.ok and sv.who is not None:
                out.append(CovenantSignature(
                    sv.who.partner.key, fv.path, sv.evidence.signature_timestamp, sv.evidence.content_timestamp,
                ))
    return tuple(out)
