"""Commands that take seconds say what they are doing (issue 12 item 1): a spinner line on
stderr, only on a terminal -- never in a pipe, so scripts read exactly what they did
before. The real ``zvhsign`` on a real pseudo-terminal; nothing is mocked."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from zvhsign.testpki import TEST_PASSPHRASE, certs_dir

EXE = str(Path(sys.executable).with_name("zvhsign"))


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZVHSIGN_")}
    env.update(TERM="xterm-256color", COLUMNS="120", LINES="40", **extra)
    env.pop("NO_COLOR", None)
    return env


def _on_a_terminal(argv: list[str], env: dict[str, str], timeout: float = 300) -> tuple[int, str]:
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    out, deadline = b"", time.monotonic() + timeout
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                os.kill(pid, 9)
                raise AssertionError(f"timed out:\n{out.decode(errors='replace')}")
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), out.decode("utf-8", errors="replace")


def test_init_shows_progress_on_a_terminal_and_nothing_in_a_pipe(tmp_path):
    code, shown = _on_a_terminal([EXE, "init", str(tmp_path / "tty-ws"), "--test-pki"], _env())
    assert code == 0, shown
    assert "creating the workspace and its registry" in shown, shown
    assert "workspace ready" in shown

    piped = subprocess.run([EXE, "init", str(tmp_path / "pipe-ws"), "--test-pki"], env=_env(),
                           capture_output=True, text=True, timeout=300)
    assert piped.returncode == 0, piped.stderr
    assert "creating the workspace" not in piped.stdout + piped.stderr
    assert "workspace ready" in piped.stdout


def test_sign_shows_progress_in_dutch_around_the_preflight(approved, tmp_path):
    out = tmp_path / "getekend.pdf"
    code, shown = _on_a_terminal(
        [EXE, "-w", str(approved.ws.root), "sign", str(approved.convenant), "--key",
         str(certs_dir() / "out" / "om.p12"), "-o", str(out), "--yes"],
        _env(ZVHSIGN_PASSPHRASE=TEST_PASSPHRASE),
    )
    assert code == 0, shown
    checking = shown.find("het exemplaar, uw certificaat en de tijdstempeldienst worden gecontroleerd")
    preflight = shown.find("Controle vooraf: u staat op het punt te ondertekenen")
    signing = shown.find("bezig met ondertekenen: handtekening, tijdstempels en validatiegegevens")
    assert 0 <= checking < preflight < signing, shown  # the spinner stops for the pre-flight
    assert out.is_file()
