"""An interrupt a library swallows still ends the command; a clean-up that hangs does not
keep it alive (CI once saw `verify` go on with its batch after SIGTERM, and once hang
after saying "interrupted").

The signal raises KeyboardInterrupt wherever the main thread is -- also inside a Python
callback of a library that turns every error into one of its own (pikepdf reading a
copy through a Python stream: qpdf takes the failed read for a damaged file and goes
on). zvhsign remembers the interrupt and stops at its next seam: no evidence examined
during an interrupt is kept, nothing gets a name. And a watchdog ends a process whose
clean-up or exit does not end within ``GRACE_S``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import copy_workspace
from zvhsign import errors
from zvhsign.registry import EvidenceCache
from zvhsign.services.registry_access import open_registry
from zvhsign.services.files import write_atomic
from zvhsign.services.operations import verify
from zvhsign.services.workspace import load_workspace


@pytest.fixture
def noted_interrupt():
    errors.note_interrupt(signal.SIGTERM)
    try:
        yield
    finally:
        errors._interrupts.clear()


def test_no_interrupt_no_stop():
    assert not errors.interrupted()
    errors.stop_if_interrupted()  # nothing happens


def test_an_examination_made_during_an_interrupt_is_not_kept(approved, signed_convenant, tmp_path,
                                                              noted_interrupt):
    ws = load_workspace(copy_workspace(approved.ws.root, tmp_path / "ws"))
    EvidenceCache(open_registry(ws)).clear()
    etsi = tmp_path / "out" / "etsi.xml"
    etsi.parent.mkdir()
    with pytest.raises(KeyboardInterrupt):
        verify(ws, [signed_convenant], online=False, cache=True)
    assert EvidenceCache(open_registry(ws)).clear() == 0  # nothing examined then was kept
    with pytest.raises(KeyboardInterrupt):
        verify(ws, [signed_convenant], online=False, etsi_report=etsi)
    assert list(etsi.parent.iterdir()) == []  # no report
    errors._interrupts.clear()
    (f,) = verify(ws, [signed_convenant], online=False, cache=True).files
    assert f.verified, [x.code for x in f.findings]
    assert EvidenceCache(open_registry(ws)).clear() == 1  # (a run not interrupted keeps it)


def test_an_interrupted_command_gives_no_file_a_name(tmp_path, noted_interrupt):
    out = tmp_path / "out.pdf"
    with pytest.raises(KeyboardInterrupt):
        write_atomic(out, b"%PDF-1.7\n")
    assert list(tmp_path.iterdir()) == []  # neither the file nor a .partial


_HANGING_CLEANUP = """
import threading, time
import zvhsign.cli.interrupts as i
i.GRACE_S = 1.0
i.install_interrupt_handlers()
try:
    print("ready", flush=True)
    time.sleep(60)
except KeyboardInterrupt:
    threading.Event().wait()  # a clean-up that never ends
"""


def test_a_hanging_cleanup_does_not_keep_the_command_alive():
    proc = subprocess.Popen([sys.executable, "-c", _HANGING_CLEANUP], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == "ready\n"
        start = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    took = time.monotonic() - start
    assert proc.returncode == 3, err
    assert 0.9 < took < 10, took
    assert err.strip().splitlines() == ["zvhsign: interrupted; stopped before the clean-up finished"], err


_LEFT_BEHIND = """
import sys, threading
import zvhsign.cli.interrupts as i
from zvhsign.cli import main
i.GRACE_S = 300.0  # (the watchdog is not what ends it)
threading.Thread(target=threading.Event().wait, name="left behind").start()  # never ends
main(sys.argv[1:])
"""


def test_an_interrupted_command_does_not_wait_for_threads_left_behind(approved, signed_convenant, tmp_path):
    """A thread a library leaves running (not a daemon) would keep the interpreter's exit
    waiting forever; the interrupted command ends once its clean-up is done."""
    batch = []
    for n in range(12):
        batch.append(tmp_path / f"kopie-{n}.pdf")
        batch[-1].write_bytes(signed_convenant.read_bytes() + b"%" * (n + 1) + b"\n")
    log = tmp_path / "debug.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZVHSIGN_")}
    env.update(ZVHSIGN_DEBUG_LOG=str(log))
    proc = subprocess.Popen(
        [sys.executable, "-c", _LEFT_BEHIND, "-w", str(approved.ws.root), "verify", "--no-cache",
         "--jobs", "1", *map(str, batch)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        end = time.monotonic() + 120
        while not (log.exists() and b"pyhanko" in log.read_bytes()):
            assert proc.poll() is None and time.monotonic() < end, proc.communicate()
            time.sleep(0.05)
        start = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    took = time.monotonic() - start
    assert proc.returncode == 3, err
    assert took < 30, took
    assert err.strip().splitlines() == ["zvhsign: interrupted; nothing was written"], err
    assert out == ""
    assert "SIGTERM received in:" in log.read_text()  # where it stopped, for whoever reads the log
