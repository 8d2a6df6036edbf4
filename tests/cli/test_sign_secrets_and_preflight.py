"""``zvhsign sign`` as a separate process: a SoftHSM2 token, the pre-flight, and
secrets (PIN, passphrase) never in output, debug logs or the process list."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from zvhsign.testpki import TEST_PASSPHRASE, certs_dir

P12 = certs_dir() / "out"


def _zvhsign() -> list[str]:
    exe = shutil.which("zvhsign", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "zvhsign.cli"]


def _argv_of_all_processes() -> list[bytes]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                out.append((entry / "cmdline").read_bytes())
            except OSError:
                pass
    return out


def _run_watching_ps(argv: list[str], env: dict, secret: str) -> tuple[subprocess.CompletedProcess, int]:
    """Run ``argv``; while it runs, look at every process's argv for ``secret``."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        # files, not pipes: a chatty debug log can't fill a pipe and stall the process
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=err)
        looks, seen = 0, []
        while proc.poll() is None:
            looks += 1
            seen += [c for c in _argv_of_all_processes() if secret.encode() in c]
            time.sleep(0.05)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    assert not seen, f"the secret is in a process list entry: {seen[:1]!r}"
    return subprocess.CompletedProcess(argv, proc.returncode, stdout.decode(), stderr.decode()), looks


def test_token_signing_keeps_the_pin_out_of_ps_output_and_logs(approved, softhsm_token, tmp_path):
    pin_file = tmp_path / "pin"
    pin_file.write_text(softhsm_token.pin + "\n")
    out = tmp_path / "om-token.pdf"
    env = {**os.environ, "ZVHSIGN_DEBUG": "1", "SOFTHSM2_CONF": str(softhsm_token.conf)}
    env.pop("ZVHSIGN_PIN", None)
    result, looks = _run_watching_ps(
        [*_zvhsign(), "-w", str(approved.ws.root), "sign", str(approved.convenant), "-o", str(out), "--yes",
         "--pkcs11-module", str(softhsm_token.module), "--token-label", softhsm_token.label,
         "--key-label", softhsm_token.key_label, "--pin-file", str(pin_file)],
        env, softhsm_token.pin,
    )
    assert result.returncode == 0, result.stderr
    assert looks > 3  # the process list was really looked at while signing
    assert softhsm_token.pin not in result.stdout + result.stderr
    assert "DEBUG" in result.stderr  # debug logging was on, and still no PIN
    # the pre-flight, in Dutch (the workspace's default [display] lang)
    assert "Controle vooraf" in result.stdout and "PKCS#11-token 'zvh-test-token'" in result.stdout
    verified = subprocess.run([*_zvhsign(), "-w", str(approved.ws.root), "verify", str(out)],
                              capture_output=True, text=True)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_passphrase_not_in_ps_output_or_logs(approved, tmp_path):
    pass_file = tmp_path / "passphrase"
    pass_file.write_text(TEST_PASSPHRASE)
    out = tmp_path / "ggz.pdf"
    env = {**os.environ, "ZVHSIGN_DEBUG": "1"}
    env.pop("ZVHSIGN_PASSPHRASE", None)
    result, _ = _run_watching_ps(
        [*_zvhsign(), "-w", str(approved.ws.root), "sign", str(approved.protocol), "-o", str(out),
         "--yes", "--key", str(P12 / "ggz.p12"), "--passphrase-file", str(pass_file)],
        env, TEST_PASSPHRASE,
    )
    assert result.returncode == 0, result.stderr
    assert TEST_PASSPHRASE not in result.stdout + result.stderr
    assert out.is_file()


def test_preflight_and_dry_run(approved, tmp_path):
    out = tmp_path / "never.pdf"
    env = {**os.environ, "ZVHSIGN_PASSPHRASE": TEST_PASSPHRASE}
    result = subprocess.run(
        [*_zvhsign(), "-w", str(approved.ws.root), "sign", str(approved.convenant), "-o", str(out),
         "--dry-run", "--key", str(P12 / "zandvoort-burgemeester.p12")],
        env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    text = result.stdout
    conv = [v for v in approved.versions.values() if v.document.value == "convenant"][0]
    for expected in (  # Dutch: the workspace's default [display] lang
        "Samenwerkingsconvenant Zorg&Veiligheidshuis Kennemerland, versie 1.0",
        f"SHA-256 {conv.approved_sha256.hex}",
        "besloten op 2026-11-02",
        "Ineke Zwaanswijk",
        "burgemeester, Gemeente Zandvoort",
        "geldig van 2025-01-01 tot 2035-01-01",
        "digital_signature, non_repudiation",
        "PAdES B-LTA, zichtbaar, in ZVH_Handtekening_01",
        "antwoordt",
        "proefrun: niets ondertekend, niets geschreven",
    ):
        assert expected in text, (expected, text)
    assert "!!" not in text
    assert not out.exists()


def test_b_b_preflight_marks_the_missing_timestamp(approved, tmp_path):
    level = "B-B"
    out = tmp_path / "bb.pdf"
    env = {**os.environ, "ZVHSIGN_PASSPHRASE": TEST_PASSPHRASE, "ZVHSIGN_LANG": "en"}  # English on request
    result = subprocess.run(
        [*_zvhsign(), "-w", str(approved.ws.root), "sign", str(approved.convenant), "-o", str(out),
         "--yes", "--level", level, "--key", str(P12 / "reclassering.p12")],
        env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert "!! timestamp" in result.stdout and "none (level B-B)" in result.stdout
    assert "warning: no timestamp" in result.stderr
    assert out.is_file()
