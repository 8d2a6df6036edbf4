"""A process SIGKILLed while signing (``zvhsign sign``, ``zvhsign report --format pdf``)
leaves no partial output file and the input untouched."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from zvhsign.testpki import TEST_PASSPHRASE, certs_dir

DELAYS = (0.4, 1.2, 2.0, 2.8, 3.6)  # spread over start-up, TSA/OCSP round trips and writing


def _cmd(ws, *args: str) -> list[str]:  # noqa: ANN001
    return [sys.executable, "-c", "from zvhsign.cli import main; main()", "--workspace", str(ws.root), *args]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run_and_kill(cmd: list[str], delay: float | None) -> int:
    env = {**os.environ, "ZVHSIGN_PASSPHRASE": TEST_PASSPHRASE}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        if delay is None:
            proc.wait(180)
        else:
            try:
                proc.wait(delay)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode


def _signature_count(data: bytes) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    return len(PdfFileReader(io.BytesIO(data)).embedded_signatures)


def _check(out_dir: Path, out: Path, expected_sigs: int, rc: int) -> bool:
    """Either nothing was written, or the whole signed file: never a partial one."""
    names = sorted(p.name for p in out_dir.iterdir())
    if not names:
        assert rc != 0
        return False
    assert names == [out.name], names  # no temporary or partial files left behind
    data = out.read_bytes()
    assert data.rstrip().endswith(b"%%EOF")
    assert _signature_count(data) >= expected_sigs
    return True


@pytest.mark.parametrize("delay", DELAYS)
def test_sigkill_while_signing(approved, tmp_path: Path, delay: float) -> None:  # noqa: ANN001
    before = _sha(approved.convenant)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "convenant-politie.pdf"
    key = certs_dir() / "out" / "politie.p12"
    rc = _run_and_kill(_cmd(approved.ws, "sign", str(approved.convenant), "--yes", "--key", str(key), "-o", str(out)), delay)
    assert rc == -signal.SIGKILL or rc == 0
    _check(out_dir, out, 2, rc)
    assert _sha(approved.convenant) == before


def test_sign_run_to_completion_writes_the_file(approved, tmp_path: Path) -> None:  # noqa: ANN001
    """The control: without a kill the same command does write (so the kills above mattered)."""
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "convenant-politie.pdf"
    key = certs_dir() / "out" / "politie.p12"
    rc = _run_and_kill(_cmd(approved.ws, "sign", str(approved.convenant), "--yes", "--key", str(key), "-o", str(out)), None)
    assert rc == 0
    assert _check(out_dir, out, 2, rc)


@pytest.mark.parametrize("delay", (1.0, 4.0, None))
def test_sigkill_while_signing_the_report(approved, signed_convenant, tmp_path: Path, delay) -> None:  # noqa: ANN001
    before = _sha(signed_convenant)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "rapport.pdf"
    key = certs_dir() / "out" / "secretariaat.p12"
    rc = _run_and_kill(
        _cmd(approved.ws, "report", "--format", "pdf", "--key", str(key), "-o", str(out), str(signed_convenant)),
        delay,
    )
    wrote = _check(out_dir, out, 1, rc)
    if delay is None:
        assert rc == 0 and wrote
    assert _sha(signed_convenant) == before
