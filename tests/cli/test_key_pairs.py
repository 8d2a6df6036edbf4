"""A private key beside a certificate it does not belong to is refused before anything is signed,
written or registered -- `sign`, `approve` and the signed PDF `report` alike (they all open keys
through ``services.keys``). Such a pair used to sign a PDF no verifier accepts, with exit 0; an
approval made with it superseded the version before it and blocked its own version number."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from zvhsign.cli import cli
from zvhsign.registry import Registry
from zvhsign.testpki import TEST_PASSPHRASE, certs_dir

REPO = Path(__file__).resolve().parents[2]
OUT = certs_dir() / "out"
KEYS = certs_dir() / "keys"


def _run(ws: Path, *args: str):
    return CliRunner().invoke(
        cli, ["--workspace", str(ws), *args],
        env={"ZVHSIGN_PASSPHRASE": TEST_PASSPHRASE, "ZVHSIGN_LANG": "en"},
    )


def _error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("zvhsign: error:")]


def test_sign_refuses_a_pem_key_of_another_certificate(approved, tmp_path):
    inp = tmp_path / "in.pdf"
    shutil.copyfile(approved.convenant, inp)
    out = tmp_path / "out.pdf"
    result = _run(approved.ws.root, "sign", str(inp), "-o", str(out), "--yes",
                  "--pem-key", str(KEYS / "om.key.pem"), "--pem-cert", str(OUT / "politie.cert.pem"))
    assert result.exit_code == 3, result.output
    (line,) = _error_lines(result.output)
    assert "does not belong to the certificate" in line and "politie.cert.pem" in line, result.output
    assert "Traceback" not in result.output
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["in.pdf"]


def test_a_key_file_whose_key_and_certificate_do_not_belong_together_is_refused():
    # (a PKCS#12 file put together from the wrong parts: cryptography and OpenSSL refuse to make
    # one, so the signer is made from the parts, as pyHanko's PKCS#12 loading returns them)
    import pytest
    from asn1crypto import keys as a_keys, x509 as a_x509

    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from zvhsign.errors import SigningKeyError
    from zvhsign.pdf.keptkey import KeptKeySigner
    from zvhsign.pdf.keys import _paired

    key = serialization.load_pem_private_key((KEYS / "om.key.pem").read_bytes(), None)
    signer = KeptKeySigner(
        signing_cert=a_x509.Certificate.load(
            x509.load_pem_x509_certificate((OUT / "politie.cert.pem").read_bytes()).public_bytes(
                serialization.Encoding.DER)),
        signing_key=a_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        cert_registry=SimpleCertificateStore(),
    )
    assert not signer.belongs_to_certificate()
    with pytest.raises(SigningKeyError, match="does not belong to the certificate in it"):
        _paired(signer, Path("mixed.p12"))


def test_the_pairs_in_the_test_pki_do_belong_together():
    from zvhsign.domain.secrets import Secret
    from zvhsign.pdf.keys import load_pem, load_pkcs12

    secret = Secret(TEST_PASSPHRASE)
    assert load_pkcs12(OUT / "om.p12", secret).belongs_to_certificate()
    assert load_pem(KEYS / "om.key.pem", OUT / "om.cert.pem", [], secret).belongs_to_certificate()


def test_approve_with_a_mismatched_pair_registers_nothing(tmp_path):
    ws = tmp_path / "ws"
    assert CliRunner().invoke(cli, ["init", str(ws), "--test-pki"]).exit_code == 0
    stamped, approved = tmp_path / "s.pdf", tmp_path / "a.pdf"
    src = REPO / "fixtures" / "privacyprotocol-1.0.pdf"
    assert _run(ws, "stamp", str(src), "-d", "protocol", "-v", "1.0", "-o", str(stamped)).exit_code == 0
    with Registry.open(f"sqlite:///{ws / 'zvhsign.db'}") as reg:
        events_before = len(reg.events())
    result = _run(ws, "approve", str(stamped), "--decided-on", "2026-11-02", "-o", str(approved),
                  "--pem-key", str(KEYS / "om.key.pem"), "--pem-cert", str(OUT / "secretariaat.cert.pem"))
    assert result.exit_code == 3, result.output
    assert "does not belong to the certificate" in result.output
    assert not approved.exists()
    with Registry.open(f"sqlite:///{ws / 'zvhsign.db'}") as reg:
        assert reg.approved_versions() == [] and len(reg.events()) == events_before
    # the right key approves the same version afterwards: nothing of the refused attempt is in the way
    result = _run(ws, "approve", str(stamped), "--decided-on", "2026-11-02", "-o", str(approved),
                  "--key", str(OUT / "secretariaat.p12"))
    assert result.exit_code == 0, result.output


def test_signed_report_with_a_mismatched_pair_is_not_written(approved, signed_convenant, tmp_path):
    out = tmp_path / "rapport.pdf"
    result = _run(approved.ws.root, "report", "-f", "pdf", "-o", str(out),
                  "--pem-key", str(KEYS / "om.key.pem"), "--pem-cert", str(OUT / "secretariaat.cert.pem"),
                  str(signed_convenant))
    assert result.exit_code == 3, result.output
    assert "does not belong to the certificate" in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []
