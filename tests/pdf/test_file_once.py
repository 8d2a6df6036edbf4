"""zvhsign/pdf/file_once.py: what pyHanko's LTA validation derives from the whole file (the
DSS's validation data, the document timestamps' proofs of existence and their validated
chain) is derived once per file -- and the verdicts are the ones pyHanko's own functions,
run afresh for every signature, give. A real copy of the test PKI: the secretariat's
certification, a partner signature (B-LTA), document timestamps."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest
from pyhanko.sign.validation import ades

from zvhsign.pdf import file_once, speedups

NAMES = ("_dss_to_local_knowledge", "_build_prima_facie_poe_index_from_pdf_timestamps",
         "_validate_prima_facie_poe")
ONCE = {"_dss_to_local_knowledge": file_once._dss_once,
        "_build_prima_facie_poe_index_from_pdf_timestamps": file_once._proofs_once,
        "_validate_prima_facie_poe": file_once._chain_once}


def _counted(name: str, calls: Counter):
    """pyHanko's own function (the original, also when file_once is installed), counted."""
    original = getattr(ades, name)
    original = getattr(original, "__wrapped__", original)
    if name == "_validate_prima_facie_poe":
        async def counted(*args, **kwargs):
            calls[name] += 1
            return await original(*args, **kwargs)
    else:
        def counted(*args, **kwargs):
            calls[name] += 1
            return original(*args, **kwargs)
    return counted


def _judged(evidence) -> list:
    """What the examination established, without the moments that differ between two runs."""
    return [(s.field_name, s.kind, s.indication, s.subindication, s.intact, s.valid, s.trusted,
             s.pades_level, s.modification_level, s.best_signature_time,
             s.signature_timestamp is not None and s.signature_timestamp.ok,
             [(r.source, r.sha256) for r in s.revocation_used if r.source == "file"])
            for s in evidence.signatures]


def _examined(ws, path, monkeypatch, *, once: bool) -> tuple[list, Counter]:
    """One file examined (zvhsign's examination, pyHanko's validation), counting pyHanko's
    own functions -- kept once per file, or run afresh each time (``once=False``)."""
    import asyncio

    from zvhsign.pdf.examine import examine
    from zvhsign.services.runtime import open_runtime

    calls: Counter = Counter()
    for name in NAMES:
        fn = _counted(name, calls)
        monkeypatch.setattr(ades, name, ONCE[name](fn) if once else fn)
    # the examination keeps what is set here
    monkeypatch.setattr(speedups, "_installed", speedups._installed | {"file_once"})

    async def run():
        async with open_runtime(ws, trusted_lists="lazy") as rt:
            return await examine(str(path), path.read_bytes(), rt.env, lambda _n: [], spec=rt.signature_spec())

    return _judged(asyncio.run(run())), calls


def test_derived_once_per_file_with_the_same_verdicts(approved, signed_convenant, monkeypatch):
    fresh, fresh_calls = _examined(approved.ws, signed_convenant, monkeypatch, once=False)
    once, once_calls = _examined(approved.ws, signed_convenant, monkeypatch, once=True)
    assert once == fresh
    assert all(s[2].name == "TOTAL_PASSED" for s in once)
    assert sum(1 for s in once if s[7] == "B-LTA") >= 2  # certification, partner signature: 2 LTA validations
    # the DSS read, the proofs gathered and the chain of document timestamps validated once
    # per file, not once per LTA signature and step
    assert once_calls == Counter(dict.fromkeys(NAMES, 1))
    assert fresh_calls["_validate_prima_facie_poe"] >= 2 and fresh_calls["_dss_to_local_knowledge"] >= 4


def _original(name: str):
    fn = getattr(ades, name)
    return getattr(fn, "__wrapped__", fn)


def _reader(path):
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(io.BytesIO(path.read_bytes()))


def _spec(knowledge):
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.sign.validation.policy_decl import (
        RevinfoOnlineFetchingRule,
        RevocationInfoGatheringSpec,
        SignatureValidationSpec,
    )
    from pyhanko_certvalidator.context import CertValidationPolicySpec
    from pyhanko_certvalidator.policy_decl import NO_REVOCATION, CertRevTrustPolicy
    from pyhanko_certvalidator.registry import SimpleTrustManager

    from zvhsign.testpki import certs_dir

    root = load_cert_from_pemder(str(certs_dir() / "out" / "zvh-root.cert.pem"))
    return SignatureValidationSpec(
        cert_validation_policy=CertValidationPolicySpec(
            # the chain of timestamps validated without revocation: what is kept is at stake here
            trust_manager=SimpleTrustManager.build([root]), revinfo_policy=CertRevTrustPolicy(NO_REVOCATION)),
        revinfo_gathering_policy=RevocationInfoGatheringSpec(RevinfoOnlineFetchingRule.LOCAL_ONLY),
        local_knowledge=knowledge)


def test_each_caller_gets_lists_of_its_own(signed_convenant):
    reader = _reader(signed_convenant)
    dss = file_once._dss_once(_original("_dss_to_local_knowledge"))
    first, second = dss(reader), dss(reader)
    assert first.known_certs and first.known_ocsps
    assert first.known_certs is not second.known_certs and first.known_certs == second.known_certs
    first.known_certs.clear()  # a caller changing its lists changes nobody else's
    assert dss(reader).known_certs == second.known_certs
    build = file_once._proofs_once(_original("_build_prima_facie_poe_index_from_pdf_timestamps"))
    proofs = build(reader, True, None)
    assert len(proofs) >= 1 and build(reader, True, None) is proofs and build(reader, False, None) is not proofs


@pytest.mark.parametrize("changed", ["nothing", "timing", "knowledge"])
def test_the_same_chain_kept_another_time_or_other_knowledge_validated_anew(signed_convenant, changed):
    import asyncio

    from pyhanko.sign.validation.policy_decl import LocalKnowledge
    from pyhanko_certvalidator.ltv.types import ValidationTimingInfo

    reader = _reader(signed_convenant)
    calls: Counter = Counter()
    validate = file_once._chain_once(_counted("_validate_prima_facie_poe", calls))
    proofs = file_once._proofs_once(_original("_build_prima_facie_poe_index_from_pdf_timestamps"))(reader, True, None)
    knowledge = _original("_dss_to_local_knowledge")(reader)
    spec = _spec(knowledge)
    timing = ValidationTimingInfo.now()
    other_timing = ValidationTimingInfo.now() if changed == "timing" else timing
    other_spec = spec if changed != "knowledge" else dataclasses.replace(
        spec, local_knowledge=LocalKnowledge(known_certs=knowledge.known_certs[:1]))

    async def run():
        return [await validate(proofs, spec, cur_timing_info=timing),
                await validate(proofs, spec, cur_timing_info=timing),
                await validate(proofs, other_spec, cur_timing_info=other_timing)]

    one, two, three = asyncio.run(run())
    assert len({id(one), id(two), id(three)}) == 3  # each caller adds to a manager of its own
    assert sorted(map(repr, one)) == sorted(map(repr, two)) and len(list(one)) >= 1
    assert calls["_validate_prima_facie_poe"] == (1 if changed == "nothing" else 2)
