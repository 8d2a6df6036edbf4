"""Issue 15: secrets never echoed and never inherited by child processes; library
logging quiet on the terminal, the detail in ZVHSIGN_DEBUG_LOG."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from zvhsign.testpki import TEST_PASSPHRASE, certs_dir

from ._util import run

P12 = certs_dir() / "out"


@pytest.mark.parametrize("lang, says", [
    ("nl", "het wachtwoordbestand {pw} bevat geen UTF-8-tekst"),  # the Dutch words hold "wachtwoord" and "é"
    ("en", "the passphrase file {pw} is not UTF-8 text"),
])
def test_non_utf8_passphrase_file_shows_no_byte_of_the_secret(approved, tmp_path, lang, says):
    secret = "geheim-\u00e9\u00e9n-zonnebloem".encode("latin-1")  # not UTF-8
    pw = tmp_path / "pw.txt"
    pw.write_bytes(secret + b"\n")
    out = tmp_path / "out.pdf"
    result = run(["-w", approved.ws.root, "sign", approved.convenant, "-o", out, "--yes",
                  "--key", P12 / "om.p12", "--passphrase-file", pw], timeout=240, env={"ZVHSIGN_LANG": lang})
    assert result.returncode == 2, result.stderr
    err = result.stderr.decode("utf-8", "backslashreplace")
    assert says.format(pw=pw) in err and "Traceback" not in err
    for needle in ("0xe9", "\\xe9", "position", "geheim", "zonnebloem", "\u00e9\u00e9n-",
                   *(("\u00e9",) if lang == "en" else ())):
        assert needle not in err, needle
    assert not out.exists()


def test_secret_env_vars_are_not_inherited_by_child_processes(tmp_path):
    """The CLI takes ZVHSIGN_PASSPHRASE/ZVHSIGN_PIN out of its environment at start:
    a child process (here: one started by the process itself) does not see them,
    while the commands still can read them."""
    probe = (
        "import os, subprocess, sys\n"
        "from zvhsign.cli.keyopts import take_secret_env, read_passphrase, read_pin\n"
        "take_secret_env()\n"
        "child = subprocess.run([sys.executable, '-c', 'import os; print(sorted(k for k in os.environ if k.startswith(\"ZVHSIGN_\")))'],"
        " capture_output=True, text=True).stdout.strip()\n"
        "print(child)\n"
        "print(read_passphrase(None).reveal().decode(), read_pin(None).reveal().decode())\n"
    )
    # only our own ZVHSIGN_ variables (CI sets others, e.g. ZVHSIGN_TEST_POSTGRES_URL)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZVHSIGN_")}
    env.update({"ZVHSIGN_PASSPHRASE": "pw-123", "ZVHSIGN_PIN": "4711", "ZVHSIGN_OTHER": "x"})
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, timeout=60)
    assert out.returncode == 0, out.stderr
    child, secrets = out.stdout.splitlines()
    assert child == "['ZVHSIGN_OTHER']"
    assert secrets == "pw-123 4711"


def test_read_secret_removes_the_variable_once_read(monkeypatch):
    from click.testing import CliRunner
    import click

    from zvhsign.cli.keyopts import read_passphrase

    seen = {}

    @click.command()
    def cmd():
        seen["first"] = read_passphrase(None).reveal()
        seen["env_after"] = os.environ.get("ZVHSIGN_PASSPHRASE")
        seen["second"] = read_passphrase(None).reveal()  # same command: still known

    result = CliRunner().invoke(cmd, [], env={"ZVHSIGN_PASSPHRASE": TEST_PASSPHRASE})
    assert result.exit_code == 0, result.output
    assert seen == {"first": TEST_PASSPHRASE.encode(), "env_after": None, "second": TEST_PASSPHRASE.encode()}


_NOISY = (
    "import logging, warnings\n"
    "from zvhsign.cli.logsetup import configure_logging\n"
    "configure_logging()\n"
    "for name in ('pikepdf._core', 'pyhanko.sign.validation', 'weasyprint', 'fontTools.ttLib', 'asyncio'):\n"
    "    logging.getLogger(name).warning('library noise from %s', name)\n"
    "    logging.getLogger(name).error('library traceback', exc_info=ValueError('boom'))\n"
    "warnings.warn('a library UserWarning')\n"
    "print('done')\n"
)


def _noisy(env_extra: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZVHSIGN_DEBUG")}
    return subprocess.run([sys.executable, "-c", _NOISY], env={**env, **env_extra}, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=60)


def test_library_loggers_are_quiet_on_the_terminal():
    out = _noisy({})
    assert out.returncode == 0 and out.stdout == "done\n"
    assert out.stderr == ""


def test_debug_log_file_gets_the_detail(tmp_path):
    log = tmp_path / "debug.log"
    out = _noisy({"ZVHSIGN_DEBUG_LOG": str(log)})
    assert out.returncode == 0 and out.stderr == ""
    text = log.read_text(encoding="utf-8")
    for name in ("pikepdf._core", "pyhanko.sign.validation", "weasyprint", "fontTools.ttLib", "asyncio"):
        assert f"library noise from {name}" in text
    assert "ValueError: boom" in text and "a library UserWarning" in text


def test_verify_of_a_damaged_copy_prints_no_library_text(approved, signed_convenant, tmp_path):
    data = bytearray(signed_convenant.read_bytes())
    # damage the cross-reference data near the end: qpdf/pikepdf warn and recover
    data[-300:-200] = b"x" * 100
    bad = tmp_path / "beschadigd.pdf"
    bad.write_bytes(bytes(data))
    log = tmp_path / "debug.log"
    result = run(["-w", approved.ws.root, "verify", bad], timeout=240, env={"ZVHSIGN_DEBUG_LOG": str(log)})
    assert result.returncode in (1, 3)
    err = result.stderr.decode("utf-8", "replace")
    for noise in ("Traceback", "WARNING", "qpdf", "pikepdf", "pyhanko"):
        assert noise not in err, err
    assert log.exists()
