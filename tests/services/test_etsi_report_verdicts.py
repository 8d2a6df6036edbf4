"""The ETSI TS 119 102-2 report (``verify --etsi-report``) states the verdict ``verify`` gives:
for every signature of every file -- also one pyHanko's AdES process reports no result for --
the indication the evidence (and ``--json``'s ``etsi``) carries, corrected by zvhsign where
pyHanko is too lenient. Real signatures from the test PKI; attacked copies made as the attack
tests make them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from zvhsign.domain.evidence import Indication
from zvhsign.services.operations import verify
from zvhsign.testpki import certs_dir

_TESTS = Path(__file__).resolve().parents[1]


def _load(relative: str):
    spec = importlib.util.spec_from_file_location(f"zvh_etsi_{Path(relative).stem}", _TESTS / relative)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make, foreign, sigdict = (_load(f"attacks/{n}.py") for n in ("make", "make_foreign", "make_sigdict"))
etsi_xml = _load("etsi_xml.py")
reported, reported_timestamps, expected = etsi_xml.reported, etsi_xml.reported_timestamps, etsi_xml.expected


@pytest.fixture(scope="module")
def copies(approved, passphrase, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("etsi")
    forger = make.Forger(approved.ws, passphrase, lambda label: certs_dir() / "out" / f"{label}.p12")
    made = {}
    expired = folder / "expired-signer.pdf"
    expired.write_bytes(forger.sign(approved.convenant.read_bytes(), "expired-signer", level="B-T"))
    made["expired"] = expired
    made["plain-ecdsa"] = folder / "plain-ecdsa.pdf"
    made["plain-ecdsa"].write_bytes(
        foreign.sign_with_ec_key(approved.convenant.read_bytes(), certs_dir(), "SECP256R1", plain=True))
    made["zeroed"] = folder / "zeroed.pdf"
    made["zeroed"].write_bytes(sigdict.signature_contents_zeroed(expired.read_bytes()))
    return made


def test_a_corrected_indication_is_the_reports(approved, copies, tmp_path):
    """pyHanko 0.38 passes a signature made after its signer's certificate expired (a
    content timestamp of the same time); zvhsign's own check makes it OUT_OF_BOUNDS_NO_POE --
    and so does the report (pyHanko's own part said total-passed)."""
    out = tmp_path / "etsi.xml"
    batch = verify(approved.ws, [copies["expired"]], etsi_report=out)
    parts = reported(out.read_text(encoding="utf-8"))
    assert parts == expected(batch)
    assert ("ZVH_Handtekening_01", "indeterminate", "OUT_OF_BOUNDS_NO_POE") in parts
    (partner,) = [s.evidence for s in batch.files[0].signatures if s.evidence.field_name == "ZVH_Handtekening_01"]
    assert partner.indication is Indication.INDETERMINATE


def test_every_signature_is_reported_also_without_an_ades_result(approved, signed_convenant, copies, tmp_path):
    out = tmp_path / "etsi.xml"
    files = [signed_convenant, copies["plain-ecdsa"], copies["zeroed"]]
    batch = verify(approved.ws, files, etsi_report=out)
    xml = out.read_text(encoding="utf-8")
    parts = reported(xml)
    assert parts == expected(batch)
    assert len(parts) == 6  # the approval and the partner signature of each file
    # an algorithm zvhsign can't verify: no AdES result, reported with zvhsign's indication
    assert parts[3] == ("ZVH_Handtekening_01", "indeterminate", "FORMAT_FAILURE")
    # a /Contents that is no CMS at all: reported, and not as passed
    assert parts[5][0] == "ZVH_Handtekening_01" and parts[5][1] != "total-passed"
    # a signature whose value can be read is identified by it too
    assert xml.count("<ds:SignatureValue>") >= 5


def test_each_document_timestamp_is_a_timestamp_object_with_its_verdict(approved, signed_convenant, copies, tmp_path):
    """pyHanko's generator lists no document timestamp; each is a validation object of type
    timestamp with the indication verify gives it."""
    out = tmp_path / "etsi.xml"
    batch = verify(approved.ws, [signed_convenant, copies["expired"]], etsi_report=out)
    stamps = etsi_xml.expected_timestamps(batch)
    assert len(stamps) >= 1  # the partner signature's B-LTA document timestamp
    assert reported_timestamps(out.read_text(encoding="utf-8")) == stamps
