"""Partners, mandates and mayors' signatures end to end: real PDFs, real signatures by the
test PKI (TSA/OCSP/CRL over HTTP on 127.0.0.1), a real SQLite registry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from zvhsign.domain.documents import DocumentKind
from zvhsign.domain.evidence import Indication
from zvhsign.domain.verdicts import BatchVerdict
from zvhsign.errors import RefusedError
from zvhsign.services import governance as gov
from zvhsign.services.keys import KeySource
from zvhsign.services.operations import approve, stamp, verify
from zvhsign.services.signing import sign
from zvhsign.testpki import certs_dir

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def p12(label: str) -> Path:
    return certs_dir() / "out" / f"{label}.p12"


@dataclass
class Approved:
    ws: object
    convenant: Path
    protocol: Path


def make_approved_workspace(root: Path, passphrase) -> Approved:
    from zvhsign.services.setup import init_test_workspace

    ws = init_test_workspace(root / "ws")
    key = KeySource(pkcs12=p12("secretariaat"), passphrase=passphrase)
    out = {}
    for doc, name in ((DocumentKind.CONVENANT, "samenwerkingsconvenant-1.0.pdf"),
                      (DocumentKind.PROTOCOL, "privacyprotocol-1.0.pdf")):
        stamp(FIXTURES / name, doc, "1.0", root / f"{doc.value}-stamped.pdf")
        out[doc] = root / f"{doc.value}-approved.pdf"
        approve(ws, root / f"{doc.value}-stamped.pdf", key, out[doc], decided_on=date(2026, 11, 2))
    return Approved(ws, out[DocumentKind.CONVENANT], out[DocumentKind.PROTOCOL])


@dataclass
class World:
    root: Path
    approved: object
    half_signed_mandate: Path  # signed by the secretaris only
    signed_mandate: Path  # complete and registered
    key: object


@pytest.fixture(scope="module")
def world(tmp_path_factory, passphrase) -> World:
    root = tmp_path_factory.mktemp("governance")
    a = make_approved_workspace(root, passphrase)

    def key(label):
        return KeySource(pkcs12=p12(label), passphrase=passphrase)

    gov.write_test_pki_partners(root / "partners.toml", certs_dir() / "out")
    gov.import_partners(a.ws, root / "partners.toml")
    gov.draft_mandate(a.ws, "Haarlem", "Willemijn Bosschaart", date(2026, 11, 10), root / "m0.pdf")
    gov.sign_mandate(a.ws, root / "m0.pdf", key("haarlem-secretaris"), root / "m1.pdf", as_role="secretaris")
    gov.sign_mandate(a.ws, root / "m1.pdf", key("haarlem-burgemeester"), root / "m2.pdf", as_role="burgemeester")
    gov.register_mandate(a.ws, root / "m2.pdf")
    return World(root, a, root / "m1.pdf", root / "m2.pdf", key)


@pytest.fixture(scope="module")
def mayor_signed_with_bound_mandate(world) -> Path:
    sha, capacity = gov.mandate_binding(world.approved.ws, world.signed_mandate)
    out = world.root / "convenant-haarlem-bound.pdf"
    sign(world.approved.ws, world.approved.convenant, world.key("haarlem-burgemeester"), out,
         mandate_sha256=sha, capacity=capacity)
    return out


def codes(batch, field="ZVH_Handtekening_01"):
    sv = next(s for s in batch.files[0].signatures if s.evidence.field_name == field)
    return {f.code: f.level.value for f in sv.findings}, sv.indication


def test_mayor_with_bound_registered_mandate_verifies(world, mayor_signed_with_bound_mandate):
    batch = verify(world.approved.ws, [mayor_signed_with_bound_mandate])
    found, indication = codes(batch)
    assert found["SIGNER_AUTHORISED"] == "INFO"
    assert found["MANDATE_PRESENT"] == "INFO"
    assert found["MANDATE_PRECEDES_SIGNATURE"] == "INFO"
    assert indication is Indication.TOTAL_PASSED and batch.all_verified
    sig_json = batch.to_json()["files"][0]["signatures"][1]
    assert {f["code"] for f in sig_json["findings"]} >= {"MANDATE_PRESENT", "MANDATE_PRECEDES_SIGNATURE"}


def test_binding_is_inside_the_signed_attributes(world, mayor_signed_with_bound_mandate):
    from zvhsign.domain.digests import Sha256
    from zvhsign.pdf.mandate import read_bindings

    b = read_bindings(mayor_signed_with_bound_mandate.read_bytes())["ZVH_Handtekening_01"]
    assert b.mandate_sha256 == Sha256.of_file(world.signed_mandate).hex
    assert b.capacity == "namens het college van burgemeester en wethouders van Haarlem"


def test_mayor_signed_before_mandate_was_complete_fails(world, unchecked_signer):
    from zvhsign.domain.digests import Sha256

    out = world.root / "convenant-haarlem-too-early.pdf"
    half = Sha256.of_file(world.half_signed_mandate).hex
    with pytest.raises(RefusedError, match="MANDATE_INCOMPLETE_WHEN_SIGNED"):  # the pre-flight sees it
        sign(world.approved.ws, world.approved.convenant, world.key("haarlem-burgemeester"), out,
             mandate_sha256=half, capacity="namens het college van burgemeester en wethouders van Haarlem")
    assert not out.exists()
    unchecked_signer(world.approved.ws, world.approved.convenant, world.key("haarlem-burgemeester"), out,
                     mandate_sha256=half, capacity="namens het college van burgemeester en wethouders van Haarlem")
    batch = verify(world.approved.ws, [out])
    found, indication = codes(batch)
    assert found["MANDATE_INCOMPLETE_WHEN_SIGNED"] == "FAIL"
    assert indication is Indication.TOTAL_FAILED and not batch.all_verified


def test_mayor_without_mandate_option_signs_under_the_registered_mandate(world):
    """`sign` without --mandate binds the one registered mandate that covers the version."""
    from zvhsign.domain.digests import Sha256
    from zvhsign.pdf.mandate import read_bindings

    out = world.root / "convenant-haarlem-auto.pdf"
    sign(world.approved.ws, world.approved.convenant, world.key("haarlem-burgemeester"), out)
    b = read_bindings(out.read_bytes())["ZVH_Handtekening_01"]
    assert b.mandate_sha256 == Sha256.of_file(world.signed_mandate).hex
    found, indication = codes(verify(world.approved.ws, [out]))
    assert found["MANDATE_PRECEDES_SIGNATURE"] == "INFO" and indication is Indication.TOTAL_PASSED


def test_mayor_without_binding_at_b_b_is_indeterminate(world, unchecked_signer):
    from zvhsign.domain.documents import PadesLevel

    out = world.root / "convenant-haarlem-unbound.pdf"
    unchecked_signer(world.approved.ws, world.approved.convenant, world.key("haarlem-burgemeester"), out,
                     level=PadesLevel.B_B)
    found, indication = codes(verify(world.approved.ws, [out]))
    assert found["MANDATE_PRESENT"] == "INFO"
    assert found["MANDATE_ORDER_UNPROVEN"] == "WARN"  # a claimed time only
    assert indication is Indication.INDETERMINATE


def test_signing_under_someone_elses_mandate_is_refused_before_signing(world):
    sha, capacity = gov.mandate_binding(world.approved.ws, world.signed_mandate)  # Haarlem's, for Bosschaart
    out = world.root / "convenant-zandvoort-under-haarlem.pdf"
    with pytest.raises(RefusedError, match="MANDATE_OTHER_MUNICIPALITY.*MANDATE_OTHER_PERSON"):
        sign(world.approved.ws, world.approved.convenant, world.key("zandvoort-burgemeester"), out,
             mandate_sha256=sha, capacity=capacity)
    assert not out.exists()


def test_mandate_signed_by_one_only_is_refused(world):
    with pytest.raises(RefusedError, match="MANDATE_SIGNATURE_MISSING"):
        gov.register_mandate(world.approved.ws, world.half_signed_mandate)
    with pytest.raises(RefusedError, match="not a registered mandate"):
        gov.mandate_binding(world.approved.ws, world.half_signed_mandate)


def test_mandate_signed_by_another_municipality_is_refused(world, tmp_path):
    gov.draft_mandate(world.approved.ws, "Zandvoort", "Ineke Zwaanswijk", date(2026, 11, 11), tmp_path / "z0.pdf")
    # refused before signing, by the check registering uses (it used to sign, and fail at register)
    with pytest.raises(RefusedError, match="MANDATE_SIGNER_UNKNOWN"):
        gov.sign_mandate(world.approved.ws, tmp_path / "z0.pdf", world.key("haarlem-secretaris"), tmp_path / "z1.pdf",
                         as_role="secretaris")
    assert not (tmp_path / "z1.pdf").exists()
    gov.sign_mandate(world.approved.ws, tmp_path / "z0.pdf", world.key("zandvoort-secretaris"), tmp_path / "z1.pdf",
                     as_role="secretaris")
    with pytest.raises(RefusedError, match="MANDATE_SIGNER_WRONG_ROLE"):  # the secretaris as burgemeester
        gov.sign_mandate(world.approved.ws, tmp_path / "z1.pdf", world.key("zandvoort-secretaris"),
                         tmp_path / "z2.pdf", as_role="burgemeester")
    with pytest.raises(RefusedError, match="MANDATE_SIGNER_UNKNOWN"):  # a partner's key
        gov.sign_mandate(world.approved.ws, tmp_path / "z1.pdf", world.key("om"), tmp_path / "z2.pdf",
                         as_role="burgemeester")
    assert not (tmp_path / "z2.pdf").exists()


def test_protocol_signature_needs_covenant_signature_of_the_partner(world, tmp_path):
    out = tmp_path / "protocol-om.pdf"
    sign(world.approved.ws, world.approved.protocol, world.key("om"), out)
    found, _ = codes(verify(world.approved.ws, [out]))
    assert found["COVENANT_SIGNATURE_MISSING"] == "FAIL"
    conv = tmp_path / "convenant-om.pdf"
    sign(world.approved.ws, world.approved.convenant, world.key("om"), conv)
    batch = verify(world.approved.ws, [conv, out])  # the covenant counts, but came later
    found, _ = codes(BatchVerdict((batch.files[1],)))
    assert found["PROTOCOL_BEFORE_COVENANT"] == "FAIL"
    again = tmp_path / "protocol-om-again.pdf"
    sign(world.approved.ws, world.approved.protocol, world.key("om"), again)
    batch = verify(world.approved.ws, [conv, again])  # verified together: the covenant counts
    assert batch.all_verified, [f.to_json() for f in batch.files]
    found, _ = codes(BatchVerdict((batch.files[1],)))
    assert found["PROTOCOL_AFTER_COVENANT"] == "INFO"


def test_record_status_and_new_version_flips_to_needs_resigning(world, mayor_signed_with_bound_mandate, tmp_path):
    ws = world.approved.ws
    batch = verify(ws, [mayor_signed_with_bound_mandate], record=True)
    assert batch.all_verified
    before = json.loads(json.dumps(gov.status(ws).to_json()))
    haarlem = next(p for p in before["partners"] if p["partner"] == "haarlem")
    assert haarlem["documents"]["convenant"]["state"] == "signed"
    assert haarlem["documents"]["protocol"]["state"] == "missing"
    assert haarlem["mandate"]["state"] == "registered"
    zandvoort = next(p for p in before["partners"] if p["partner"] == "zandvoort")
    assert zandvoort["mandate"]["state"] == "missing"

    stamped = tmp_path / "convenant-1.1-stamped.pdf"
    stamp(FIXTURES / "samenwerkingsconvenant-1.1.pdf", DocumentKind.CONVENANT, "1.1", stamped)
    approve(ws, stamped, world.key("secretariaat"), tmp_path / "convenant-1.1.pdf", decided_on=date(2026, 12, 1))
    after = gov.status(ws).to_json()
    haarlem = next(p for p in after["partners"] if p["partner"] == "haarlem")
    assert haarlem["documents"]["convenant"]["state"] == "needs re-signing"
    assert haarlem["mandate"]["state"] == "does not cover current version"
    batch = verify(ws, [mayor_signed_with_bound_mandate])
    assert {f.code: f.level.value for f in batch.files[0].findings}["VERSION_SUPERSEDED"] == "WARN"
    assert batch.files[0].status == "FAILED"
    from zvhsign.services.registry_access import open_registry

    events = [e.action for e in open_registry(ws).events()]
    assert {"register-partner", "register-signatory", "register-mandate", "record-copy"} <= set(events)
