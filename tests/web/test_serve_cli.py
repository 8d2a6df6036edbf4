"""`zvhsign serve`: safe by default (loopback unless told; any other address needs accounts)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from zvhsign.cli.main import cli

pytestmark = pytest.mark.xdist_group("web")
ZVHSIGN = Path(sys.executable).with_name("zvhsign")


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    from zvhsign.services.setup import init_test_workspace

    return init_test_workspace(tmp_path_factory.mktemp("serve-cli") / "ws")


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "zvh.example"])
def test_non_loopback_bind_without_accounts_refuses_to_start(ws, host):
    r = CliRunner().invoke(cli, ["--workspace", str(ws.root), "serve", "--host", host])
    assert r.exit_code == 2
    assert f"refusing to serve on {host}" in r.output
    assert "--accounts" in r.output


def test_an_accounts_file_must_hold_hashed_passwords(ws, tmp_path):
    f = tmp_path / "accounts.toml"
    f.write_text('[[account]]\nname = "secretariaat"\nrole = "secretariaat"\npassword_hash = "geheim"\n')
    r = CliRunner().invoke(cli, ["--workspace", str(ws.root), "serve", "--host", "0.0.0.0", "--accounts", str(f)])
    assert r.exit_code == 2 and "argon2" in r.output
    f.write_text("")
    r = CliRunner().invoke(cli, ["--workspace", str(ws.root), "serve", "--host", "0.0.0.0", "--accounts", str(f)])
    assert r.exit_code == 2 and "has no accounts" in r.output
    f.write_text('[[account]]\nname = "om"\nrole = "partner"\npassword_hash = "$argon2id$x"\n')
    r = CliRunner().invoke(cli, ["--workspace", str(ws.root), "serve", "--accounts", str(f)])
    assert r.exit_code == 2 and "names its partner" in r.output


def test_hash_password_gives_an_argon2_hash_for_the_accounts_file(tmp_path):
    from zvhsign.web.accounts import check_password, load_accounts

    pw = "een-lang-wachtwoord-2026"
    r = CliRunner().invoke(cli, ["serve", "--hash-password"], input=f"{pw}\n{pw}\n")
    assert r.exit_code == 0, r.output
    digest = r.output.strip().splitlines()[-1]
    assert digest.startswith("$argon2id$") and pw not in digest
    f = tmp_path / "accounts.toml"
    f.write_text(f'[[account]]\nname = "politie"\nrole = "partner"\npartner = "politie"\npassword_hash = "{digest}"\n')
    acc = load_accounts(f)["politie"]
    assert check_password(acc, pw) and not check_password(acc, pw + "x")
    r = CliRunner().invoke(cli, ["serve", "--hash-password"], input="kort\nkort\n")
    assert r.exit_code == 2 and "12 characters" in r.output


def test_serve_starts_on_loopback_by_default(ws):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(ZVHSIGN), "--workspace", str(ws.root), "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/inname", timeout=5) as resp:
                    body = resp.read().decode()
                    headers = resp.headers
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.3)
        assert "Ondertekende kopie controleren" in body
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in out
    assert "GET /inname" not in out + err  # no access log (client addresses are personal data)


def _tls_pair(folder: Path, name: str, password: bytes | None = None) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its private key, as PEM files."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    crypt = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    certfile, keyfile = folder / f"{name}.cert.pem", folder / f"{name}.key.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, crypt))
    return certfile, keyfile


def test_tls_files_that_cannot_serve_https_are_a_usage_error_before_the_url_is_announced(ws, tmp_path):
    cert, key = _tls_pair(tmp_path, "a")
    other_cert, other_key = _tls_pair(tmp_path, "b")
    _locked_cert, locked_key = _tls_pair(tmp_path, "c", password=b"geheim-wachtwoord")
    text = tmp_path / "x.pem"
    text.write_text("hello\n")
    cases = [
        (text, text, f"--ssl-certfile {text}: not a PEM certificate"),
        (cert, text, f"--ssl-keyfile {text}: not a PEM private key"),
        (key, key, f"--ssl-certfile {key}: not a PEM certificate"),
        (cert, other_key, f"--ssl-keyfile {other_key} is not the private key of the certificate in "
                          f"--ssl-certfile {cert}"),
        (_locked_cert, locked_key, f"--ssl-keyfile {locked_key}: the private key is encrypted"),
    ]
    for certfile, keyfile, said in cases:
        r = CliRunner().invoke(cli, ["--workspace", str(ws.root), "serve", "--port", "0",
                                     "--ssl-certfile", str(certfile), "--ssl-keyfile", str(keyfile)])
        assert r.exit_code == 2, r.output
        assert r.output.startswith(f"zvhsign: error: {said}"), r.output
        assert "https://" not in r.output and "internal error" not in r.output
    assert other_cert.exists()


def test_a_busy_port_is_one_line_before_the_url_is_announced_and_no_library_log(ws):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        run = subprocess.run([str(ZVHSIGN), "--workspace", str(ws.root), "serve", "--port", str(port)],
                             capture_output=True, text=True, timeout=60)
    assert run.returncode == 3, run.stdout + run.stderr
    assert run.stdout == ""  # no URL announced
    assert run.stderr == (f"zvhsign: error: can't listen on 127.0.0.1:{port}: the port is in use (by another "
                          "program, or another zvhsign serve)\n  hint: stop that program, or choose another --port\n")


def test_serve_https_with_a_good_certificate_and_key(ws, tmp_path):
    import ssl

    cert, key = _tls_pair(tmp_path, "good")
    proc = subprocess.Popen([str(ZVHSIGN), "--workspace", str(ws.root), "serve", "--port", "0",
                             "--ssl-certfile", str(cert), "--ssl-keyfile", str(key)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()  # the URL, with the port the system chose
        assert line.startswith("zvhsign serve: https://127.0.0.1:"), line + proc.stderr.read()
        url = line.split()[2]
        assert not url.endswith(":0/")
        context = ssl.create_default_context(cafile=str(cert))
        with urllib.request.urlopen(url + "inname", timeout=30, context=context) as resp:
            assert "Ondertekende kopie controleren" in resp.read().decode()
    finally:
        proc.terminate()
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and err == ""  # stopped as with Ctrl+C: quietly
