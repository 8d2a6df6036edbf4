"""issue 11 rules on hand-made evidence: transient is not malformed, byte ranges, the new
change kinds. (Pure domain: the facts are typed fields of the evidence.)"""

from __future__ import annotations

from datetime import datetime, timezone

from zvhsign.domain.digests import Sha256
from zvhsign.domain.evidence import Change, ChangeKind, FileEvidence, Indication, SignatureEvidence, SignatureKind
from zvhsign.domain.findings import Level
from zvhsign.domain.rules import DEFAULT_RULES, Context, VerifyPolicy

T = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)
POLICY = VerifyPolicy(frozenset({"ab" * 32}))


def sig(**kw) -> SignatureEvidence:
    base = dict(
        field_name="ZVH_Handtekening_01", kind=SignatureKind.SIGNATURE, revision=3, signed_end=100,
        covers_whole_revision=True, intact=True, valid=True, trusted=True,
        indication=Indication.TOTAL_PASSED, subindication=None, failure=None,
        subfilter="/ETSI.CAdES.detached", signer=None, claimed_signing_time=T,
        signature_timestamp=None, content_timestamp=None, best_signature_time=T, pades_level="B-B",
    )
    base.update(kw)
    return SignatureEvidence(**base)


def judge(*sigs, **kw):
    base = dict(
        path="x.pdf", size=100, sha256=Sha256.of(b"x"), revision_ends=(10, 20, 30, 100),
        trailing_bytes=0, stamp=None, approved=None, approved_revision=None, changes=(),
        signatures=tuple(sigs),
    )
    base.update(kw)
    return DEFAULT_RULES.judge(FileEvidence(**base), Context(POLICY, None, T))


def test_interrupted_validation_is_indeterminate_not_tampering():
    v = judge(sig(intact=False, valid=False, trusted=False, indication=Indication.INDETERMINATE,
                  failure="validation did not complete: connection reset",
                  not_validated="an error or time-out while validating"))
    (s,) = v.signatures
    codes = {f.code: f for f in s.findings if f.level.blocks}
    assert set(codes) == {"SIGNATURE_NOT_VALIDATED"}
    assert codes["SIGNATURE_NOT_VALIDATED"].level is Level.WARN
    assert "verify again" in codes["SIGNATURE_NOT_VALIDATED"].message
    assert s.indication is Indication.INDETERMINATE
    assert not {"SIGNATURE_MALFORMED", "SIGNATURE_NOT_INTACT", "SIGNATURE_INVALID"} & set(codes)


def test_byte_range_problem_is_named_once():
    v = judge(sig(intact=False, valid=False, trusted=False, indication=Indication.TOTAL_FAILED,
                  subindication="FORMAT_FAILURE",
                  failure="the signature can't be processed: the signature's /ByteRange is missing or not an array",
                  byte_range_problem="the signature's /ByteRange is missing or not an array"))
    (s,) = v.signatures
    codes = [f.code for f in s.findings if f.level.blocks]
    assert "SIGNATURE_BYTE_RANGE_INVALID" in codes and "SIGNATURE_MALFORMED" not in codes
    assert s.indication is Indication.TOTAL_FAILED


def test_byte_range_gap_on_a_processable_signature():
    v = judge(sig(byte_range_problem="the signed ranges overlap"))
    (s,) = v.signatures
    assert "SIGNATURE_BYTE_RANGE_INVALID" in {f.code for f in s.findings}
    assert s.indication is Indication.TOTAL_FAILED


def test_new_change_kinds_have_their_codes_without_an_approved_version():
    v = judge(sig(), structure_base_revision=1, changes=(
        Change(4, ChangeKind.VALIDATION_DATA, "the document security store (/DSS) was removed"),
        Change(5, ChangeKind.DOCUMENT_METADATA, "document info /Title changed in an update that adds no signature"),
    ))
    found = {f.code: f for f in v.findings}
    assert {"VALIDATION_DATA_REMOVED", "DOCUMENT_METADATA_CHANGED"} <= set(found)
    assert "after the first signature (revision 2)" in found["VALIDATION_DATA_REMOVED"].message
    assert found["DOCUMENT_METADATA_CHANGED"].details == (
        "revision 6: document info /Title changed in an update that adds no signature",)
