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
    assert _Counting.analyses == len(sigs)  # (a signature of the last revision: nothing to analyse, once)
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
    assert [_facts(s) for s in kept] == [_facts(s) for s in fresh]


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
