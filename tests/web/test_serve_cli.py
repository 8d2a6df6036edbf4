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
