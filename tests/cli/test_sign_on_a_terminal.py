"""``zvhsign sign`` on a real terminal (a pseudo-terminal): the passphrase prompt
hides what is typed, the pre-flight is shown, the confirmation is asked, and the
answer decides whether anything is written."""

from __future__ import annotations

import os
import pty
import select
import sys
import time
from pathlib import Path

import pytest

from zvhsign.testpki import certs_dir

PASS = "zvh-test-only"


class Terminal:
    """A child process on a pseudo-terminal; a stand-in for a person at a keyboard."""

    def __init__(self, argv: list[str], env: dict[str, str]):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child
            os.execve(argv[0], argv, env)
        self.seen = b""

    def expect(self, text: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"waited for {text!r}; the terminal shows:\n{self.text}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:  # the child closed the terminal
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"ended before {text!r}; the terminal shows:\n{self.text}")
                self.seen += chunk

    def type(self, line: str) -> None:
        os.write(self.fd, line.encode() + b"\r")

    def finish(self, timeout: float = 180) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    chunk = b""
                self.seen += chunk
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
        os.kill(self.pid, 9)
        raise AssertionError(f"did not finish; the terminal shows:\n{self.text}")

    @property
    def text(self) -> str:
        return self.seen.decode("utf-8", "replace")


def _run(approved, out: Path) -> Terminal:
    exe = str(Path(sys.executable).with_name("zvhsign"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZVHSIGN_")}
    env["TERM"] = "dumb"
    return Terminal(
        [exe, "-w", str(approved.ws.root), "sign", str(approved.convenant),
         "--key", str(certs_dir() / "out" / "om.p12"), "-o", str(out)],
        env,
    )


@pytest.mark.parametrize("answer, written", [("y", True), ("n", False), ("j", True), ("Ja", True), ("nee", False)])
def test_prompts_on_a_terminal(approved, tmp_path, answer, written):
    out = tmp_path / "getekend.pdf"
    t = _run(approved, out)
    t.expect("Wachtwoord van uw sleutel")  # Dutch: the workspace's default [display] lang
    t.type(PASS)
    t.expect("Dit document ondertekenen? [j/N]")  # Dutch: j(a) says yes (click's own prompt knew only y)
    t.type(answer)
    code = t.finish()
    assert PASS not in t.text  # hidden input: never echoed
    assert "Saskia Terpstra" in t.text and "versie 1.0" in t.text  # the pre-flight was shown
    assert out.exists() is written
    assert code == (0 if written else 3), t.text  # declined: not done, nothing written


def test_wrong_passphrase_on_a_terminal_is_one_line(approved, tmp_path):
    out = tmp_path / "getekend.pdf"
    t = _run(approved, out)
    t.expect("Wachtwoord")
    t.type("not-the-passphrase")
    code = t.finish()
    assert code == 3 and "Traceback" not in t.text and not out.exists()
    assert "not-the-passphrase" not in t.text


def test_ctrl_c_at_the_confirmation_is_an_interruption_said_in_dutch(approved, tmp_path):
    out = tmp_path / "getekend.pdf"
    t = _run(approved, out)
    t.expect("Wachtwoord")
    t.type(PASS)
    t.expect("Dit document ondertekenen?")
    os.write(t.fd, b"\x03")  # Ctrl-C on the terminal: SIGINT to the command
    code = t.finish()
    assert code == 3, t.text  # interrupted (was click's "Aborted!", exit 1: "findings")
    assert "onderbroken; er is niets geschreven" in t.text and "Traceback" not in t.text
    assert not out.exists() and list(tmp_path.iterdir()) == []
