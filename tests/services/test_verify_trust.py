"""Trust verdicts (issue 4 item 1-2): revoked, expired, untrusted signers, signatures
without timestamp, offline validation from the file's DSS, validation at a past
time, and the ETSI TS 119 102-2 XML report. Signatures are real (test PKI); the
signer's own checks in ``zvhsign sign`` are bypassed by the attack generator's
Forger, as someone outside zvhsign could."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path

import pytest

from zvhsign.domain.evidence import Indication
from zvhsign.services.operations import verify
from zvhsign.testpki import certs_dir

_spec = importlib.util.spec_from_file_location(
    "zvh_attacks_make_trust", Path(__file__).resolve().parents[1] / "attacks" / "make.py"
)
make = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make)


@pytest.fixture(scope="module")
def signed_by(approved, passphrase, tmp_path_factory):
    forger = make.Forger(approved.ws, passphrase, lambda label: certs_dir() / "out" / f"{label}.p12")
    folder = tmp_path_factory.mktemp("trust")
    made: dict[tuple[str, str], Path] = {}

    def get(label: str, level: str = "B-T") -> Path:
        if (label, level) not in made:
            path = folder / f"{label}-{level}.pdf"
            path.write_bytes(forger.sign(approved.convenant.read_bytes(), label, level=level))
            made[(label, level)] = path
        return made[(label, level)]

    return get


def partner(fv):
    (sig,) = [s for s in fv.signatures if s.evidence.kind.value == "signature"]
    return sig


def codes(fv) -> set[str]:
    return {f.code for f in fv.all_findings() if f.level.blocks}


def test_revoked_signer(approved, signed_by):
    (fv,) = verify(approved.ws, [signed_by("revoked-signer")]).files
    sig = partner(fv)
    assert sig.evidence.intact and sig.evidence.valid and not sig.evidence.trusted
    assert sig.evidence.indication is Indication.INDETERMINATE
    assert sig.evidence.subindication == "REVOKED_NO_POE"  # revoked 2025-06-01, signed later
    assert "SIGNER_REVOKED" in codes(fv)
    assert sig.indication is Indication.TOTAL_FAILED and not fv.verified


def test_expired_signer_with_later_timestamp(approved, signed_by):
    """pyHanko 0.38 passes this one; zvhsign's own check gives OUT_OF_BOUNDS_NO_POE."""
    (fv,) = verify(approved.ws, [signed_by("expired-signer")]).files
    sig = partner(fv)
    assert sig.evidence.signature_timestamp is not None and sig.evidence.signature_timestamp.ok
    assert sig.evidence.signature_timestamp.time > sig.evidence.signer.not_after
    assert (sig.evidence.indication, sig.evidence.subindication) == (
        Indication.INDETERMINATE, "OUT_OF_BOUNDS_NO_POE"
    )
    assert "SIGNER_CERT_EXPIRED" in codes(fv) and not fv.verified


def test_untrusted_root(approved, signed_by):
    (fv,) = verify(approved.ws, [signed_by("untrusted-signer")]).files
    sig = partner(fv)
    assert (sig.evidence.indication, sig.evidence.subindication) == (
        Indication.INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND"
    )
    assert sig.evidence.intact and sig.evidence.pades_level == "B-T"
    assert codes(fv) == {"SIGNER_NOT_TRUSTED"}


def test_no_timestamp_passes_etsi_but_warns(approved, signed_by):
    (fv,) = verify(approved.ws, [signed_by("om", "B-B")]).files
    sig = partner(fv)
    assert sig.evidence.indication is Indication.TOTAL_PASSED  # ETSI basic validation
    assert sig.evidence.pades_level == "B-B" and sig.evidence.signature_timestamp is None
    assert codes(fv) == {"NO_SIGNATURE_TIMESTAMP"}  # zvhsign's own rule: order can't be proven


def test_timestamps_and_tsa_chain(approved, signed_convenant):
    (fv,) = verify(approved.ws, [signed_convenant]).files
    assert fv.verified
    for s in fv.signatures:
        ev = s.evidence
        if ev.kind.value == "document-timestamp":
            assert ev.indication is Indication.TOTAL_PASSED and ev.trusted
            assert "Time Stamping Authority" in ev.signature_timestamp.tsa
        else:
            ts = ev.signature_timestamp
            assert ts.intact and ts.valid and ts.trusted
            assert "Time Stamping Authority" in ts.tsa
            assert ev.best_signature_time is not None


def test_signature_timestamp_from_an_untrusted_tsa(approved, passphrase, tmp_path):
    """The TSA's own chain counts: a signature timestamp from a TSA outside the trust
    roots proves nothing, so the signature fails zvhsign's timestamp rule."""
    import dataclasses

    from zvhsign.testpki import TEST_PKI_ARCH, TEST_PKI_URL_PREFIX

    rogue_ws = dataclasses.replace(approved.ws, config=dataclasses.replace(
        approved.ws.config, tsa_url=f"{TEST_PKI_URL_PREFIX}/{TEST_PKI_ARCH}/tsa/rogue-tsa"
    ))
    forger = make.Forger(rogue_ws, passphrase, lambda label: certs_dir() / "out" / f"{label}.p12")
    copy = tmp_path / "om-rogue-tsa.pdf"
    copy.write_bytes(forger.sign(approved.convenant.read_bytes(), "om", level="B-T"))
    (fv,) = verify(approved.ws, [copy]).files
    sig = partner(fv)
    ts = sig.evidence.signature_timestamp
    assert ts is not None and "UNTRUSTED" in ts.tsa
    assert ts.intact and ts.valid and not ts.trusted
    # named as the timestamp's failure, not the signer's
    assert codes(fv) == {"TIMESTAMP_INVALID"}
    (finding,) = [f for f in sig.findings if f.code == "TIMESTAMP_INVALID"]
    assert "Rogue Time Stamping Authority" in finding.message
    assert sig.indication is Indication.TOTAL_FAILED and not fv.verified
    # the untrusted timestamp is no proof of existence
    assert sig.evidence.best_signature_time != ts.time


def test_offline_uses_the_files_validation_data(approved, signed_convenant, signed_by):
    bt = signed_by("om", "B-T")  # no revocation data embedded for the partner
    # each alone: a verdict never rests on another file's validation data
    (lta,) = verify(approved.ws, [signed_convenant], online=False).files
    (plain,) = verify(approved.ws, [bt], online=False).files
    assert lta.verified, lta.all_findings()  # B-LTA: everything is in the DSS
    assert not plain.verified
    assert partner(plain).evidence.indication is Indication.INDETERMINATE


def test_at_a_past_time(approved, signed_convenant):
    (fv,) = verify(approved.ws, [signed_convenant]).files
    signed_at = partner(fv).evidence.signature_timestamp.time
    (later,) = verify(approved.ws, [signed_convenant], at=signed_at + timedelta(minutes=1)).files
    assert later.verified, later.all_findings()
    (before,) = verify(approved.ws, [signed_convenant], at=signed_at - timedelta(days=400)).files
    assert not before.verified
    assert partner(before).evidence.indication is not Indication.TOTAL_PASSED


def test_etsi_report(approved, signed_convenant, signed_by, tmp_path):
    out = tmp_path / "etsi.xml"
    batch = verify(approved.ws, [signed_convenant, signed_by("revoked-signer")], etsi_report=out)
    xml = out.read_text(encoding="utf-8")
    assert xml.startswith("<?xml") and "ValidationReport" in xml
    assert xml.count("<vr:SignatureValidationReport>") == 4  # 2 regular signatures per file
    assert "urn:etsi:019102:mainindication:total-passed" in xml
    assert "urn:etsi:019102:mainindication:indeterminate" in xml
    assert "urn:etsi:019102:subindication:REVOKED_NO_POE" in xml
    assert len(batch.files) == 2


@pytest.mark.parametrize("level", ["B-B", "B-T"])
def test_expired_signer_that_is_itself_a_trust_root(approved, signed_by, level):
    """issue 11: a trust anchor's own validity is not checked by path validation; zvhsign
    checks the signer's validity period against the proof of existence all the same."""
    import dataclasses

    root_ws = dataclasses.replace(approved.ws, config=dataclasses.replace(
        approved.ws.config,
        trust_roots=approved.ws.config.trust_roots + (certs_dir() / "out" / "expired-signer.cert.pem",),
    ))
    (fv,) = verify(root_ws, [signed_by("expired-signer", level)]).files
    sig = partner(fv)
    assert sig.evidence.subindication == "OUT_OF_BOUNDS_NO_POE"  # zvhsign's own check
    assert sig.evidence.signer.not_after.year == 2022
    assert "SIGNER_CERT_EXPIRED" in codes(fv)
    assert sig.indication is not Indication.TOTAL_PASSED and not fv.verified


def test_offline_needs_revocation_data_in_the_file(approved, signed_by):
    """The offline question of issue 11, answered: offline validation of a signature needs
    revocation data for its signer in the file itself; without it the signature is
    INDETERMINATE (REVOCATION_UNKNOWN), whatever else is in the batch -- and it cannot
    pass by accident: the same copy verifies online, and its signer differs from the
    B-LTA copy's (whose DSS holds an OCSP response for the OM, not for this signer)."""
    bt = signed_by("politie", "B-T")  # a signer no other copy of this module embeds data for
    (online,) = verify(approved.ws, [bt]).files
    assert online.verified, online.all_findings()  # the only difference offline: revocation data
    alone = verify(approved.ws, [bt], online=False).files[0]
    sig = partner(alone)
    assert sig.evidence.indication is Indication.INDETERMINATE
    # pyHanko 0.38 names it a chain failure (the revocation check is part of the chain's);
    # either way: INDETERMINATE, never a pass, and named as not validated / revocation unknown
    assert sig.evidence.subindication in {"TRY_LATER", "REVOCATION_OUT_OF_BOUNDS_NO_POE",
                                          "CERTIFICATE_CHAIN_GENERAL_FAILURE"}
    assert codes(alone) and codes(alone) <= {"REVOCATION_UNKNOWN", "SIGNATURE_NOT_VALIDATED"}
    assert not any(r.source == "file" and any("politie" in a.lower() for a in r.about)
                   for r in sig.evidence.revocation_used)
    assert not [r for r in sig.evidence.revocation_used if r.source == "fetched"]
    assert not alone.verified
