"""Issue 12 item 5: errors name the real cause (TSA, keys, certificates)."""

from __future__ import annotations

import asyncio
import http.server
import socket
import threading
import time

import pytest

from zvhsign.pdf.signing import check_timestamper, retrying


def _problem(url: str, timeout: float = 1) -> str | None:
    from pyhanko.sign.timestamps import HTTPTimeStamper

    async def run():
        return await check_timestamper(retrying(HTTPTimeStamper(url, timeout=timeout)))

    return asyncio.run(run())


class _Server:
    def __init__(self, handler):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_port}/tsa"

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _handler(status: int, ctype: str, body: bytes, delay: float = 0):
    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if delay:
                time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    return H


def test_tsa_refusing_the_connection_says_refused():
    with socket.socket() as s:  # bound and never listened on: refuses, and no other test's server takes it
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        msg = _problem(f"http://127.0.0.1:{port}/tsa")
    assert "connection was refused" in msg and f"127.0.0.1:{port}" in msg
    assert "within" not in msg and "(tried twice)" in msg


def test_tsa_host_that_does_not_resolve_says_so():
    msg = _problem("http://tsa.does-not-exist.invalid/tsr")
    assert "does not resolve" in msg and "tsa.does-not-exist.invalid" in msg
    assert "within" not in msg


def test_tsa_timing_out_says_within():
    with _Server(_handler(200, "application/timestamp-reply", b"", delay=3)) as url:
        msg = _problem(url, timeout=0.5)
    assert "did not answer within 0.5 s (tried twice)" in msg


def test_tsa_answering_garbage_says_garbage():
    with _Server(_handler(200, "application/timestamp-reply", b"\x30\x03\x02\x01")) as url:
        msg = _problem(url)
    assert "garbage" in msg or "not usefully" in msg
    assert "within" not in msg


def test_tsa_answering_html_names_the_content_type():
    with _Server(_handler(200, "text/html", b"<html>login</html>")) as url:
        msg = _problem(url)
    assert "not with a timestamp (content type text/html)" in msg


def test_tsa_answering_an_http_error_names_the_status():
    with _Server(_handler(503, "text/plain", b"busy")) as url:
        msg = _problem(url)
    assert "HTTP 503" in msg and "within" not in msg


# ------------------------------------------------------------------ keys and certificates

from zvhsign.domain.secrets import Secret  # noqa: E402
from zvhsign.errors import SigningKeyError, WorkspaceError  # noqa: E402
from zvhsign.testpki import TEST_PASSPHRASE, certs_dir  # noqa: E402

OUT = certs_dir() / "out"
KEYS = certs_dir() / "keys"


def test_pem_given_as_key_says_pem_not_wrong_passphrase():
    from zvhsign.pdf.keys import load_pkcs12

    with pytest.raises(SigningKeyError) as info:
        load_pkcs12(OUT / "om.cert.pem", Secret(TEST_PASSPHRASE))
    assert "is a PEM certificate, not a PKCS#12 file" in info.value.message
    assert "passphrase" not in info.value.message and "--pem-key" in info.value.hint
    with pytest.raises(SigningKeyError, match="is a PEM private key, not a PKCS#12 file"):
        load_pkcs12(KEYS / "om.key.pem", None)


def test_pkcs12_with_a_wrong_passphrase_still_says_passphrase():
    from zvhsign.pdf.keys import load_pkcs12

    with pytest.raises(SigningKeyError, match="wrong passphrase"):
        load_pkcs12(OUT / "om.p12", Secret("not-the-passphrase"))


def test_pkcs12_given_as_pem_key_or_cert_says_so():
    from zvhsign.pdf.keys import load_pem

    with pytest.raises(SigningKeyError) as info:
        load_pem(OUT / "om.p12", OUT / "om.cert.pem", [], None)
    assert "is a PKCS#12 file" in info.value.message and "--key" in info.value.hint
    with pytest.raises(SigningKeyError, match="is a PEM private key, not a certificate as --pem-cert"):
        load_pem(KEYS / "om.key.pem", KEYS / "om.key.pem", [], None)


def test_p12_or_key_as_trust_root_is_named_not_an_asn1_error(tmp_path):
    from zvhsign.pdf.trust import certificate_names, load_certs
    from zvhsign.services.setup import init_workspace

    for fn in (load_certs, certificate_names):
        with pytest.raises(WorkspaceError) as info:
            fn([OUT / "om.p12"])
        msg = info.value.message
        assert "is a PKCS#12 file" in msg and "not a certificate" in msg
        assert "ASN" not in msg and "\n" not in msg
    with pytest.raises(WorkspaceError, match="is a PEM private key, not a certificate"):
        load_certs([KEYS / "om.key.pem"])
    with pytest.raises(WorkspaceError, match="PKCS#12"):
        init_workspace(tmp_path / "ws", trust_roots=[OUT / "om.p12"], secretariat=[OUT / "secretariaat.cert.pem"])
    assert not (tmp_path / "ws").exists()  # refused before anything was created


def test_pkcs11_module_with_two_tokens_lists_them(tmp_path):
    """Two initialised tokens and no --token-label: the message lists both labels
    (SoftHSM2 in a child process with its own configuration)."""
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    module = Path("/usr/lib/softhsm/libsofthsm2.so")
    if not module.is_file() or shutil.which("softhsm2-util") is None:
        pytest.skip("softhsm2 is not installed (apt-get install softhsm2)")
    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    for label in ("kaart-gemeente", "kaart-persoonlijk"):
        subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", label, "--pin", "1234",
                        "--so-pin", "5678"], check=True, capture_output=True, env=env)
    probe = (
        "from pathlib import Path\n"
        "from zvhsign.domain.secrets import Secret\n"
        "from zvhsign.errors import SigningKeyError\n"
        "from zvhsign.services.keys import KeySource\n"
        f"k = KeySource(pkcs11_module=Path({str(module)!r}), key_label='om', pin=Secret('1234'))\n"
        "try:\n"
        "    with k.open():\n"
        "        print('opened')\n"
        "except SigningKeyError as e:\n"
        "    print(e.diagnostic())\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "libsofthsm2.so has 2 tokens: " in out.stdout  # slot order is SoftHSM's
    assert "'kaart-gemeente' (slot " in out.stdout and "'kaart-persoonlijk' (slot " in out.stdout
    assert "--token-label" in out.stdout and "not present" not in out.stdout
