"""A signature's integrity facts are computed once per file examination (pdf/embedded.py),
and they are the facts pyHanko computes afresh. A real signed copy of the test PKI: the
secretariat's certification, a partner signature, document timestamps."""

from __future__ import annotations

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

from zvhsign.pdf.embedded import _once_class


def _signatures(data: bytes, cls):  # noqa: ANN001, ANN202
    import io

    reader = PdfFileReader(io.BytesIO(data))
    return [cls(reader, field, name) for name, _value, field in enumerate_sig_fields(reader, filled_status=True)]


class _Counting(_once_class()):
    """OnceIntegrity that counts the difference analyses it makes (a real one each time)."""

    analyses = 0

    def evaluate_modifications(self, diff_policy):  # noqa: ANN001, ANN201
        type(self).analyses += 1
        return super().evaluate_modifications(diff_policy)


def _facts(sig) -> tuple:
    d = sig.diff_result
    return (sig.coverage, getattr(d, "modification_level", d), sig.docmdp_level,
            sig.compute_digest())


def test_each_signature_is_analysed_once_per_policy(signed_convenant):
    sigs = _signatures(signed_convenant.read_bytes(), _Counting)
    assert len(sigs) >= 3  # certification, partner signature, document timestamp(s)
    for _ in range(3):  # as pyHanko's LTA validation does: every signature, for every signature
        for sig in sigs:
            sig.compute_integrity_info(DEFAULT_DIFF_POLICY)
            sig.compute_integrity_info(DEFAULT_DIFF_POLICY, skip_diff=True)  # the analysis in hand serves
    later = [s for s in sigs if s.signed_revision < max(x.signed_revision for x in sigs)]
    signatures = [s for s in sigs if s.sig_object_type != "/DocTimeStamp"]
    # (a signature of the last revision: nothing to analyse, once; a document timestamp: none)
    assert _Counting.analyses == len(signatures) < len(sigs)
    assert later  # revisions after a signature: the analyses are real work


def test_the_kept_facts_are_pyhankos_own(signed_convenant):
    data = signed_convenant.read_bytes()
    kept = _signatures(data, _once_class())
    for _ in range(2):
        for sig in kept:
            sig.compute_integrity_info(DEFAULT_DIFF_POLICY)
    fresh = _signatures(data, EmbeddedPdfSignature)
    for sig in fresh:
        sig.compute_integrity_info(DEFAULT_DIFF_POLICY)
    assert [_facts(s) for s in kept if s.sig_object_type != "/DocTimeStamp"] == [
        _facts(s) for s in fresh if s.sig_object_type != "/DocTimeStamp"]
    # a document timestamp: pyHanko's coverage and digest, no difference analysis (nothing reads it)
    stamps = [(k, f) for k, f in zip(kept, fresh) if k.sig_object_type == "/DocTimeStamp"]
    assert stamps
    for k, f in stamps:
        assert _facts(k)[0] == _facts(f)[0] and _facts(k)[3] == _facts(f)[3]
        assert k.diff_result is None and f.diff_result is not None


def test_another_policy_or_a_wanted_analysis_is_computed(signed_convenant):
    from pyhanko.sign.diff_analysis import StandardDiffPolicy

    (first, *_rest) = _signatures(signed_convenant.read_bytes(), _Counting)
    _Counting.analyses = 0
    first.compute_integrity_info(DEFAULT_DIFF_POLICY, skip_diff=True)
    assert _Counting.analyses == 0 and first.diff_result is None
    first.compute_integrity_info(DEFAULT_DIFF_POLICY)  # now wanted: made
    assert _Counting.analyses == 1
    other = StandardDiffPolicy(global_rules=DEFAULT_DIFF_POLICY.global_rules,
                               form_rule=DEFAULT_DIFF_POLICY.form_rule)
    first.compute_integrity_info(other)  # another policy: made again
    assert _Counting.analyses == 2


def test_a_changed_byte_under_a_document_timestamp_is_named_as_such(approved, signed_convenant, tmp_path):
    """A page reference changed in the first revision ("32 0 R" -> "32 4 R", the same length):
    every signature's digest fails. The document timestamp is judged on its own digest --
    TOTAL-FAILED, HASH_FAILURE -- and not "could not be validated" because a difference
    analysis of the revisions after it could not read the dangling reference (nothing
    zvhsign judges reads a timestamp's difference analysis; it is not made)."""
    import re

    from zvhsign.domain.evidence import Indication
    from zvhsign.services.operations import verify

    data = bytearray(signed_convenant.read_bytes())
    kids = re.search(rb"/Kids \[ \d+ 0 R (\d+) 0 R", data)
    assert kids is not None
    data[kids.end() - 3:kids.end() - 2] = b"4"
    copy = tmp_path / "changed-page-reference.pdf"
    copy.write_bytes(bytes(data))
    (judged,) = verify(approved.ws, [copy], online=False).files
    assert judged.status == "FAILED"
    (stamp,) = [s.evidence for s in judged.signatures if s.evidence.kind.value == "document-timestamp"]
    assert (stamp.indication, stamp.subindication) == (Indication.TOTAL_FAILED, "HASH_FAILURE")
    assert "SIGNATURE_NOT_INTACT" in {f.code for s in judged.signatures for f in s.findings}
