"""issue 11 item 5: a signature made with an algorithm zvhsign can't verify is INDETERMINATE
with the algorithm named -- never SIGNATURE_INVALID or SIGNATURE_MALFORMED; one it can
(brainpoolP256r1) verifies as a sound signature. Real signatures, made at test time by
pyHanko with keys certified by the test PKI's issuing CA."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from zvhsign.cli.main import cli
from zvhsign.testpki import certs_dir

from .conftest import foreign

BROKEN = {"SIGNATURE_INVALID", "SIGNATURE_MALFORMED", "SIGNATURE_NOT_INTACT", "SIGNATURE_BYTE_RANGE_INVALID"}


def verify_json(ws, path):
    result = CliRunner().invoke(cli, ["-w", str(ws.root), "verify", "--no-cache", "--json", str(path)])
    return result.exit_code, json.loads(result.stdout)["files"][0]


@pytest.fixture(scope="module")
def plain_ecdsa_signed(approved, tmp_path_factory):
    path = tmp_path_factory.mktemp("alg") / "plain-ecdsa.pdf"
    path.write_bytes(foreign.sign_with_ec_key(approved.convenant.read_bytes(), certs_dir(), "SECP256R1", plain=True))
    return path


@pytest.fixture(scope="module")
def brainpool_signed(approved, tmp_path_factory):
    path = tmp_path_factory.mktemp("alg") / "brainpool.pdf"
    path.write_bytes(foreign.sign_with_ec_key(approved.convenant.read_bytes(), certs_dir(), "BrainpoolP256R1"))
    return path


def test_plain_ecdsa_is_indeterminate_naming_the_algorithm(approved, plain_ecdsa_signed):
    exit_code, f = verify_json(approved.ws, plain_ecdsa_signed)
    assert exit_code == 1 and not f.get("error")
    (partner,) = [s for s in f["signatures"] if s["field"] == "ZVH_Handtekening_01"]
    assert partner["etsi"] == {"indication": "INDETERMINATE", "subindication": "FORMAT_FAILURE"}
    codes = {x["code"] for x in partner["findings"]}
    assert "SIGNATURE_NOT_VALIDATED" in codes and not codes & BROKEN, codes
    (msg,) = [x["message"] for x in partner["findings"] if x["code"] == "SIGNATURE_NOT_VALIDATED"]
    assert "ecdsa-plain-SHA256" in msg and "0.4.0.127.0.7.1.1.4.1.3" in msg, msg
    # the approval is judged as usual, and nothing about the copy's structure is blamed
    (approval,) = [s for s in f["signatures"] if s["field"] == "ZVH_Goedkeuring"]
    assert approval["etsi"]["indication"] == "TOTAL-PASSED"
    assert not {x["code"] for x in f["findings"] if x["level"] == "FAIL"}


def test_brainpool_signature_is_sound(approved, brainpool_signed):
    """brainpoolP256r1 verifies; its signer has no revocation information (a certificate made
    for this test), so trust is undecided -- but the signature itself is intact and valid,
    and the PDF version pyHanko declares for it (catalog /Version) is no structure change."""
    _, f = verify_json(approved.ws, brainpool_signed)
    (partner,) = [s for s in f["signatures"] if s["field"] == "ZVH_Handtekening_01"]
    assert partner["intact"] and partner["valid"], partner
    assert partner["etsi"]["indication"] != "TOTAL-FAILED"
    codes = {x["code"] for x in partner["findings"]} | {x["code"] for x in f["findings"]}
    assert not codes & (BROKEN | {"DOCUMENT_STRUCTURE_CHANGED", "CHANGED_AFTER_SIGNING"}), codes
