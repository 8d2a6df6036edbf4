"""``zvhsign sign`` failures: one readable line, the documented exit code, no output
file, the input's bytes unchanged. Real keys, a real SoftHSM2 token, real HTTP."""

from __future__ import annotations

import http.server
import shutil
import socket
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.conftest import copy_workspace
from click.testing import CliRunner

from zvhsign.cli.main import cli
from zvhsign.testpki import TEST_PASSPHRASE, certs_dir

P12 = certs_dir() / "out"


def run_sign(ws_root: Path, inp: Path, out: Path, *args: str, env: dict | None = None):
    result = CliRunner().invoke(
        cli, ["-w", str(ws_root), "sign", str(inp), "-o", str(out), "--yes", *args],
        # these tests read the English texts ($ZVHSIGN_LANG overrides the workspace's Dutch)
        env={"ZVHSIGN_PASSPHRASE": TEST_PASSPHRASE, "ZVHSIGN_LANG": "en", **(env or {})},
    )
    return result


def assert_failed_cleanly(result, inp: Path, before: bytes, out: Path, *, code: int, says: str):
    assert result.exit_code == code, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("zvhsign: error:")]
    assert len(errors) == 1, result.output
    assert says in errors[0], result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".partial")]
    assert inp.read_bytes() == before


@pytest.fixture()
def inp(approved, tmp_path):
    """A private copy of the approved covenant (so its bytes can be compared after)."""
    path = tmp_path / "convenant-approved.pdf"
    shutil.copyfile(approved.convenant, path)
    return path


def test_wrong_passphrase(approved, inp, tmp_path):
    before, out = inp.read_bytes(), tmp_path / "out.pdf"
    result = run_sign(approved.ws.root, inp, out, "--key", str(P12 / "om.p12"),
                      env={"ZVHSIGN_PASSPHRASE": "not-the-passphrase"})
    assert_failed_cleanly(result, inp, before, out, code=3, says="wrong passphrase")
    assert "not-the-passphrase" not in result.output


def _token_args(token, **override):
    args = {"--pkcs11-module": str(token.module), "--token-label": token.label, "--key-label": token.key_label}
    args.update(override)
    return [x for kv in args.items() for x in kv]


def test_wrong_pin(approved, softhsm_token, inp, tmp_path):
    before, out = inp.read_bytes(), tmp_path / "out.pdf"
    result = run_sign(approved.ws.root, inp, out, *_token_args(softhsm_token),
                      env={"ZVHSIGN_PIN": "wrong-pin-1111"})
    assert_failed_cleanly(result, inp, before, out, code=3, says="the PIN of token 'zvh-test-token' is wrong")
    assert "wrong-pin-1111" not in result.output


def test_token_not_present(approved, softhsm_token, inp, tmp_path):
    before, out = inp.read_bytes(), tmp_path / "out.pdf"
    result = run_sign(approved.ws.root, inp, out,
                      *_token_args(softhsm_token, **{"--token-label": "kaart-van-de-burgemeester"}),
                      env={"ZVHSIGN_PIN": softhsm_token.pin})
    assert_failed_cleanly(result, inp, before, out, code=3, says="'kaart-van-de-burgemeester' is not present")


def test_key_not_found(approved, softhsm_token, inp, tmp_path):
    before, out = inp.read_bytes(), tmp_path / "out.pdf"
    result = run_sign(approved.ws.root, inp, out, *_token_args(softhsm_token, **{"--key-label": "handtekening"}),
                      env={"ZVHSIGN_PIN": softhsm_token.pin})
    assert_failed_cleanly(result, inp, before, out, code=3, says="labelled 'handtekening'")


# ------------------------------------------------------------------------ TSA


def _workspace_with_tsa(approved, tmp_path: Path, url: str, timeout: int) -> Path:
    root = tmp_path / "ws-tsa"
    copy_workspace(approved.ws.root, root)
    cfg = root / "zvhsign.toml"
    lines = []
    for line in cfg.read_text().splitlines():
        if line.startswith("url = \"http://pki."):
            line = f'url = "{url}"'
        elif line.startswith("timeout ="):
            line = f"timeout = {timeout}"
        lines.append(line)
    cfg.write_text("\n".join(lines) + "\n")
    return root


def test_tsa_unreachable(approved, inp, tmp_path):
    # a port bound here and never listened on refuses connections -- and, held for the whole
    # test, can't be taken by another test's server meanwhile (a port closed again could be:
    # CI once saw a 404 from a test PKI that had taken it)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        ws = _workspace_with_tsa(approved, tmp_path, f"http://127.0.0.1:{port}/tsa", 2)
        before, out = inp.read_bytes(), tmp_path / "out.pdf"
        result = run_sign(ws, inp, out, "--key", str(P12 / "om.p12"))
    assert_failed_cleanly(result, inp, before, out, code=3, says=f"127.0.0.1:{port}/tsa did not answer")
    assert "tried twice" in result.output


class _SlowTSA(http.server.BaseHTTPRequestHandler):
    requests = 0

    def do_POST(self):  # noqa: N802
        type(self).requests += 1
        time.sleep(2.5)
        try:
            self.send_error(503)
        except OSError:
            pass

    def log_message(self, *args):
        pass


def test_tsa_slow_times_out_after_one_retry(approved, inp, tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowTSA)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/tsa"
        ws = _workspace_with_tsa(approved, tmp_path, url, 1)
        before, out = inp.read_bytes(), tmp_path / "out.pdf"
        started = time.monotonic()
        result = run_sign(ws, inp, out, "--key", str(P12 / "om.p12"))
        elapsed = time.monotonic() - started
    finally:
        server.shutdown()
        server.server_close()
    assert_failed_cleanly(result, inp, before, out, code=3, says="did not answer within 1 s (tried twice)")
    assert _SlowTSA.requests == 2  # one retry, then the message
    assert elapsed < 30


# ------------------------------------------------------------------ certificates


def _issue(tmp_path: Path, name: str, *, non_repudiation: bool, not_before: datetime) -> tuple[Path, Path]:
    """A personal certificate from the test PKI's issuing CA (TEST ONLY)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    ca_key = serialization.load_pem_private_key((certs_dir() / "keys" / "zvh-ca.key.pem").read_bytes(), None)
    ca_cert = x509.load_pem_x509_certificate((P12 / "zvh-ca.cert.pem").read_bytes())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Gemeente Haarlem"),
        x509.NameAttribute(NameOID.COMMON_NAME, name),
    ])
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(ca_cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(not_before).not_valid_after(not_before + timedelta(days=3 * 365))
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=non_repudiation, key_encipherment=not non_repudiation,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key_path, cert_path = tmp_path / f"{name}.key.pem", tmp_path / f"{name}.cert.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def test_certificate_without_non_repudiation(approved, inp, tmp_path):
    keys = tmp_path / "keys"
    keys.mkdir()
    key, cert = _issue(keys, "Authenticatie Certificaat", non_repudiation=False,
                       not_before=datetime(2025, 1, 1, tzinfo=timezone.utc))
    before, out = inp.read_bytes(), tmp_path / "out.pdf"
    result = run_sign(approved.ws.root, inp, out, "--pem-key", str(key), "--pem-cert", str(cert),
                      "--pem-chain", str(P12 / "zvh-ca.cert.pem"))
    assert_failed_cleanly(result, inp, before, out, code=3, says="is not meant for signatures")
    assert "!! key usage" in result.output  # the pre-flight marks it


def test_certificate_not_yet_valid(approved, inp, tmp_path):
    keys = tmp_path / "keys"
    keys.mkdir()
    key, cert = _issue(keys, "Toekomstige Ondertekenaar", non_repudiation=True,
                       not_before=datetime.now(timezone.utc) + timedelta(days=400))
    before, out = inp.read_bytes(), tmp_path / "out.pdf"
    result = run_sign(approved.ws.root, inp, out, "--pem-key", str(key), "--pem-cert", str(cert))
    assert_failed_cleanly(result, inp, before, out, code=3, says="is valid only from")


def test_certificate_expired(approved, inp, tmp_path):
    before, out = inp.read_bytes(), tmp_path / "out.pdf"
    result = run_sign(approved.ws.root, inp, out, "--key", str(P12 / "expired-signer.p12"))
    assert_failed_cleanly(result, inp, before, out, code=3, says="expired on 2022-06-01")


# ------------------------------------------------------------- versions, usage


@pytest.fixture(scope="module")
def superseded(tmp_path_factory, passphrase):
    """A workspace where convenant 1.0 is superseded by 1.1."""
    from datetime import date

    from zvhsign.domain.documents import DocumentKind
    from zvhsign.services.keys import KeySource
    from zvhsign.services.operations import approve, stamp
    from zvhsign.services.registry_access import open_registry
    from zvhsign.services.setup import init_test_workspace

    root = tmp_path_factory.mktemp("superseded")
    ws = init_test_workspace(root / "ws")
    key = KeySource(pkcs12=P12 / "secretariaat.p12", passphrase=passphrase)
    fixtures = Path(__file__).resolve().parents[2] / "fixtures"
    paths = {}
    for version in ("1.0", "1.1"):
        stamp(fixtures / f"samenwerkingsconvenant-{version}.pdf", DocumentKind.CONVENANT, version,
              root / f"stamped-{version}.pdf")
        paths[version] = root / f"convenant-{version}.pdf"
        approve(ws, root / f"stamped-{version}.pdf", key, paths[version], decided_on=date(2026, 11, 2))
    # approving 1.1 superseded 1.0
    assert open_registry(ws).get_approved(DocumentKind.CONVENANT, "1.0").superseded_by == "1.1"
    return ws, paths


def test_superseded_version_is_refused_naming_the_current_one(superseded, tmp_path):
    ws, paths = superseded
    inp = tmp_path / "oud.pdf"
    shutil.copyfile(paths["1.0"], inp)
    before, out = inp.read_bytes(), tmp_path / "out.pdf"
    result = run_sign(ws.root, inp, out, "--key", str(P12 / "om.p12"))
    assert_failed_cleanly(result, inp, before, out, code=1,
                          says="convenant 1.0 is superseded by convenant 1.1")


def test_no_terminal_and_no_yes_refuses_with_a_hint(approved, inp, tmp_path):
    before, out = inp.read_bytes(), tmp_path / "out.pdf"
    result = CliRunner().invoke(
        cli, ["-w", str(approved.ws.root), "sign", str(inp), "-o", str(out), "--key", str(P12 / "om.p12")],
        env={"ZVHSIGN_PASSPHRASE": TEST_PASSPHRASE, "ZVHSIGN_LANG": "en"}, input="",
    )
    assert_failed_cleanly(result, inp, before, out, code=2, says="no terminal to ask on")
    assert "--yes" in result.output
    assert "Pre-flight" in result.output
