"""Issue 15: Ctrl-C ends a command at once, nothing half-written; SIGTERM the same.

The first Ctrl-C during `verify` of a batch was swallowed (asyncio only cancels its
task at the next await: after the whole batch), and worker processes went on with
the batch. Now SIGINT and SIGTERM end the command within seconds with one line and
exit 3 ("could not complete"), no output or temporary file left, no worker left.

Also: a `report` killed mid-way leaves no copies of the signed PDFs (personal data)
under $TMPDIR (the report takes the copies' bytes in memory; nothing is copied).
"""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import copy_workspace

from ._util import zvhsign_argv

REPO = Path(__file__).resolve().parents[2]
CERTS = REPO / "certs" / "out"
PROMPT_S = 30  # "at once", with room for a machine busy with other work
SIGNALS = [signal.SIGINT, signal.SIGTERM]


def _env(tmp: Path, debug_log: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZVHSIGN_")}
    env.update(TMPDIR=str(tmp), ZVHSIGN_DEBUG_LOG=str(debug_log), ZVHSIGN_PASSPHRASE="zvh-test-only",
               PYTHONFAULTHANDLER="1")  # a command that hangs shows where (SIGABRT below)
    return env


def _start(args, env) -> subprocess.Popen:
    return subprocess.Popen(
        [*zvhsign_argv(), *map(str, args)], env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )


def _wait_for(cond, proc: subprocess.Popen, timeout: float = 240) -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < end, "the command never got going"
        time.sleep(0.05)


def _group_gone(pgid: int, timeout: float = 20) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def _interrupt(proc: subprocess.Popen, sig: int) -> tuple[float, bytes, bytes]:
    start = time.monotonic()
    os.kill(proc.pid, sig)
    try:
        out, err = proc.communicate(timeout=PROMPT_S * 4)
    except subprocess.TimeoutExpired:
        if proc.poll() is not None:  # it ended; what it left behind holds its output open
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=30)
            pytest.fail("the command ended, but a process it started lived on with its output open")
        os.kill(proc.pid, signal.SIGABRT)  # faulthandler prints every thread's stack
        _, err = proc.communicate(timeout=30)
        pytest.fail("the command did not end:\n" + err.decode("utf-8", "replace"))
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    took = time.monotonic() - start
    if not _group_gone(proc.pid):
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("worker processes outlived the interrupted command")
    return took, out, err


def _started(debug_log: Path, marker: bytes):
    return lambda: debug_log.exists() and marker in debug_log.read_bytes()


def _assert_one_line_and_exit_3(proc, took, err: bytes, *,
                                said: str = "zvhsign: interrupted; nothing was written") -> None:
    text = err.decode("utf-8", "replace")
    assert proc.returncode == 3, (proc.returncode, text)
    assert took < PROMPT_S, f"took {took:.1f} s to stop"
    assert text.strip().splitlines() == [said], text
    assert "Traceback" not in text


@pytest.fixture(scope="module")
def batch(signed_convenant, tmp_path_factory) -> list[Path]:
    """80 different copies (each with a different tail): a batch that takes minutes."""
    folder = tmp_path_factory.mktemp("batch")
    data = signed_convenant.read_bytes()
    out = []
    for i in range(80):
        path = folder / f"kopie-{i:03d}.pdf"
        path.write_bytes(data + b"%" * (i + 1) + b"\n")
        out.append(path)
    return out


@pytest.mark.parametrize("sig", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_first_ctrl_c_during_a_verify_batch_ends_it_at_once(approved, batch, tmp_path, sig):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    log = tmp_path / "debug.log"
    etsi = tmp_path / "out" / "etsi.xml"
    etsi.parent.mkdir()
    proc = _start(["-w", approved.ws.root, "verify", "--json", "--etsi-report", etsi, *batch],
                  _env(tmp, log))
    _wait_for(_started(log, b"pyhanko"), proc)  # examining signatures
    took, out, err = _interrupt(proc, sig)
    _assert_one_line_and_exit_3(proc, took, err)
    assert out == b""  # no half a JSON document
    assert list(etsi.parent.iterdir()) == []  # no report, no partial file
    assert list(tmp.iterdir()) == []  # nothing left in $TMPDIR


def test_an_interrupted_batch_on_two_cores_says_one_line(approved, batch, tmp_path):
    """Worker processes (--jobs 2): they end with the command, and multiprocessing's resource
    tracker does not add its own lines ("leaked semaphore objects") to the terminal."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    log = tmp_path / "debug.log"
    proc = _start(["-w", approved.ws.root, "verify", "--json", "--no-cache", "--jobs", "2", *batch],
                  _env(tmp, log))
    _wait_for(_started(log, b"pyhanko"), proc)  # the workers are examining
    took, out, err = _interrupt(proc, signal.SIGTERM)
    time.sleep(1)  # (the tracker speaks, if at all, just after the command ends)
    _assert_one_line_and_exit_3(proc, took, err)
    assert out == b""
    assert list(tmp.iterdir()) == []  # nothing left in $TMPDIR (multiprocessing's pymp-* folder)


def _fork_server_processes(pgid: int, at_least: int):
    """At least this many processes of the command's group run multiprocessing's fork server
    code: 1, the fork server has started (it imports what the workers need, then forks
    them); 2, it has forked a worker."""
    def running() -> bool:
        found = 0
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if os.getpgid(int(pid)) == pgid:
                    found += b"multiprocessing.forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:  # (ended meanwhile)
                continue
        return found >= at_least
    return running


@pytest.mark.parametrize("processes", [1, 2], ids=["fork-server-importing", "worker-forked"])
def test_a_batch_stopped_as_its_workers_start_leaves_none_behind(approved, batch, tmp_path, processes):
    """SIGTERM while the fork server still imports: the command stopped waiting for its first
    worker, which the fork server forked all the same -- a worker the command never knew of,
    waiting for work for ever and holding the command's standard output open (a script
    reading the output of `zvhsign verify` waited with it). Workers end when the command ends."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = _start(["-w", approved.ws.root, "verify", "--json", "--no-cache", "--jobs", "2", *batch],
                  _env(tmp, tmp_path / "debug.log"))
    _wait_for(_fork_server_processes(proc.pid, processes), proc, timeout=60)
    took, out, err = _interrupt(proc, signal.SIGTERM)  # (fails when a process of it lives on)
    _assert_one_line_and_exit_3(proc, took, err)
    assert out == b""


class BlackHoleTsa:
    """A TCP port that takes connections and never answers: `sign` waits on it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/tsa"

    def called(self) -> bool:
        return bool(select.select([self.sock], [], [], 0)[0])

    def close(self) -> None:
        self.sock.close()


@pytest.mark.parametrize("sig", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_first_ctrl_c_during_sign_ends_it_at_once_and_writes_nothing(approved, tmp_path, sig):
    ws = tmp_path / "ws"
    copy_workspace(approved.ws.root, ws)
    tsa = BlackHoleTsa()
    try:
        toml = (ws / "zvhsign.toml").read_text()
        start = toml.index("[tsa]")
        toml = toml[:start] + f'[tsa]\nurl = "{tsa.url}"\ntimeout = 600\n\n' + toml[toml.index("[testpki]"):]
        (ws / "zvhsign.toml").write_text(toml)
        tmp = tmp_path / "tmp"
        tmp.mkdir()
        out_dir = tmp_path / "out"
        out_dir.mkdir()
        proc = _start(["-w", ws, "sign", approved.convenant, "--key", CERTS / "om.p12", "--yes",
                       "-o", out_dir / "getekend.pdf"], _env(tmp, tmp_path / "debug.log"))
        _wait_for(tsa.called, proc)  # waiting for the TSA's answer
        took, _out, err = _interrupt(proc, sig)
    finally:
        tsa.close()
    # said in the signatory's language (the workspace's: Dutch), as sign's other messages
    _assert_one_line_and_exit_3(proc, took, err, said="zvhsign: onderbroken; er is niets geschreven")
    assert list(out_dir.iterdir()) == []
    assert list(tmp.iterdir()) == []


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=lambda s: signal.Signals(s).name)
def test_killed_report_leaves_no_copies_of_signed_pdfs_in_tmpdir(approved, batch, tmp_path, sig):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    log = tmp_path / "debug.log"
    out = tmp_path / "rapport.html"
    proc = _start(["-w", approved.ws.root, "report", "--format", "html", "-o", out, *batch[:20]],
                  _env(tmp, log))
    _wait_for(_started(log, b"pyhanko"), proc)  # mid-way: examining the copies
    os.kill(proc.pid, sig)
    proc.communicate(timeout=PROMPT_S * 4)
    assert _group_gone(proc.pid)
    assert not out.exists()
    left = [p for p in tmp.rglob("*")]
    assert not [p for p in left if p.name.startswith("zvhsign-report-")], left
    assert not [p for p in left if p.is_file() and b"%PDF" in p.read_bytes()], left
