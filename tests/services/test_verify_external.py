"""Real PDFs signed by other products (../shared/external-signed, see its MANIFEST.md).

zvhsign must never crash on them, find every regular signature intact, validate
document timestamps as timestamps, call the trust untrusted/INDETERMINATE (their
roots are not ours) rather than broken, and report AD-RB.pdf's later changes as
changes after signing. None is an approved version, so each file also carries
APPROVED_VERSION_NOT_FOUND.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from zvhsign.domain.evidence import Indication, SignatureKind
from zvhsign.services.operations import verify

EXTERNAL = Path(__file__).resolve().parents[2].parent / "shared" / "external-signed"

# file: (regular signatures, document timestamps), from MANIFEST.md
MANIFEST = {
    "AD-RB.pdf": (2, 0),
    "DSS-1983.pdf": (1, 1),
    "DSS-2155.pdf": (1, 0),
    "DSS-2821.pdf": (1, 1),
    "DSS-3226.pdf": (2, 0),
    "DSS-3298.pdf": (1, 1),
    "doc-firmado-LT.pdf": (1, 0),
    "muestra-firmado-firmado.pdf": (2, 2),
    "pdfa2u-gray.pdf": (1, 0),
    "BILLS-106s761enr.pdf": (1, 0),
    "DigiCert_CP_v410-Sept-12-2016-signed.pdf": (1, 0),
    "minimal-two-fields-signed-twice.pdf": (2, 0),
    "minimal-signed-twice-second-created.pdf": (2, 0),
    # linearized (issue 11): the first-page cross-reference section is no revision end
    "adbe_ocsp_signed.pdf": (1, 0),
    "GlobalSign_CP_v5.8.pdf": (1, 0),
}
# zvhsign's own structure findings: none on these real files (issue 11: no false alarms);
# DSS-2155 (consistent hybrid cross-reference sections) and DSS-2821 (an xref stream's object
# number reused; qpdf reads it cleanly) get no MALFORMED_REVISION (docs/change-policy.md)
STRUCTURE_CODES = {
    "CONTENT_CHANGED_AFTER_APPROVAL", "PAGES_CHANGED_AFTER_APPROVAL", "ANNOTATION_CHANGED_AFTER_APPROVAL",
    "FORM_CHANGED_AFTER_APPROVAL", "SIGNATURE_FIELD_TAMPERED", "DOCUMENT_STRUCTURE_CHANGED",
    "STAMP_METADATA_CHANGED", "VALIDATION_DATA_REMOVED", "DOCUMENT_METADATA_CHANGED",
    "SIGNATURE_BYTE_RANGE_INVALID", "SIGNATURE_MALFORMED", "SIGNATURE_NOT_VALIDATED",
}
MALFORMED: set[str] = set()
CHANGED_AFTER_SIGNING = {"AD-RB.pdf"}


@pytest.fixture(scope="module")
def external_batch(approved):
    if not EXTERNAL.is_dir():
        pytest.skip(f"{EXTERNAL} is not present (it is in CI)")
    return {Path(f.path).name: f for f in verify(approved.ws, [EXTERNAL / n for n in MANIFEST]).files}


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_external_file_judged_without_false_alarms(external_batch, name):
    fv = external_batch[name]
    assert fv.completed, fv.error
    regular = [s for s in fv.signatures if s.evidence.kind is not SignatureKind.DOC_TIMESTAMP]
    stamps = [s for s in fv.signatures if s.evidence.kind is SignatureKind.DOC_TIMESTAMP]
    assert (len(regular), len(stamps)) == MANIFEST[name]
    for s in fv.signatures:
        ev = s.evidence
        assert ev.intact and ev.valid, (ev.field_name, ev.failure)
        assert ev.covers_whole_revision
        # not ours: untrusted or undecidable, never a broken signature
        assert ev.indication is Indication.INDETERMINATE, (ev.field_name, ev.subindication)
        assert ev.subindication not in {"HASH_FAILURE", "SIG_CRYPTO_FAILURE", "FORMAT_FAILURE"}
    for s in stamps:
        ts = s.evidence.signature_timestamp  # validated as an RFC 3161 timestamp
        assert ts is not None and ts.intact and ts.valid
        assert s.evidence.best_signature_time == ts.time
    codes = {f.code for f in fv.all_findings()}
    assert "APPROVED_VERSION_NOT_FOUND" in codes
    assert not codes & {"SIGNATURE_NOT_INTACT", "SIGNATURE_INVALID", "TRAILING_DATA"}
    assert ("CHANGED_AFTER_SIGNING" in codes) == (name in CHANGED_AFTER_SIGNING)
    assert not codes & STRUCTURE_CODES, codes & STRUCTURE_CODES
    assert ("MALFORMED_REVISION" in codes) == (name in MALFORMED)
    # the analysis ran from the first signed revision (no approved version in these files)
    assert fv.evidence.structure_base_revision == min(s.evidence.revision for s in fv.signatures)


def test_ad_rb_change_is_attributed_to_the_first_signature(external_batch):
    fv = external_batch["AD-RB.pdf"]
    first, second = sorted(fv.signatures, key=lambda s: s.evidence.revision)
    assert any(f.code == "CHANGED_AFTER_SIGNING" for f in first.findings)
    assert not any(f.code == "CHANGED_AFTER_SIGNING" for f in second.findings)
    assert first.evidence.intact  # changed after signing, not broken
