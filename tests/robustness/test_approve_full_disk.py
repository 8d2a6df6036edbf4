"""Issue 15, half-done approve: with a full disk `approve` registered 1.1 and superseded
1.0 and then failed to write its output; a retry was refused as "already registered".

Now the output is written first (completely, not yet under its name) and the version
registered after: a failed approve leaves nothing registered and nothing written.
The full disk is real: a tiny tmpfs when we may mount one (root), else a file size
limit (RLIMIT_FSIZE) on the child process. No mocks.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import uuid
from pathlib import Path

import pytest

from zvhsign.registry import Registry

from ._util import run

REPO = Path(__file__).resolve().parents[2]
CERTS = REPO / "certs" / "out"
PASS = {"ZVHSIGN_PASSPHRASE": "zvh-test-only"}


@contextlib.contextmanager
def full_disk(tmp_path: Path, size_kb: int = 16, rlimit: int = 16 * 1024):
    """A folder on a nearly full file system, and the rlimit fallback (None or a limit)."""
    mnt = tmp_path / f"tiny-{uuid.uuid4().hex[:6]}"
    mnt.mkdir()
    mounted = False
    if os.geteuid() == 0 and shutil.which("mount"):
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(mnt)],
                           capture_output=True)
        mounted = r.returncode == 0
    try:
        yield mnt, (None if mounted else rlimit)
    finally:
        if mounted:
            subprocess.run(["umount", str(mnt)], check=True)


def _limit(size: int | None):
    if size is None:
        return None

    def preexec():  # a write beyond the limit fails with EFBIG instead of killing the process
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return preexec


def _approve(ws: Path, stamped: Path, out: Path, limit: int | None = None) -> subprocess.CompletedProcess:
    from ._util import zvhsign_argv

    env = {**os.environ, **PASS}
    env.pop("ZVHSIGN_DEBUG", None)
    return subprocess.run(
        [*zvhsign_argv(), "-w", str(ws), "approve", str(stamped), "--key", str(CERTS / "secretariaat.p12"),
         "--decided-on", "2026-11-02", "-o", str(out)],
        env=env, capture_output=True, timeout=300, stdin=subprocess.DEVNULL, preexec_fn=_limit(limit),
    )


def _versions(ws: Path):
    with Registry.open(f"sqlite:///{ws / 'zvhsign.db'}") as reg:
        return {a.version: a for a in reg.approved_versions()}, [e.action for e in reg.events()]


def test_half_done_approve_on_a_full_disk_registers_nothing_and_a_retry_works(tmp_path):
    ws = tmp_path / "ws"
    assert run(["init", ws, "--test-pki"]).returncode == 0
    s10, s11 = tmp_path / "s10.pdf", tmp_path / "s11.pdf"
    for version, stamped in (("1.0", s10), ("1.1", s11)):
        src = REPO / "fixtures" / f"samenwerkingsconvenant-{version}.pdf"
        r = run(["-w", ws, "stamp", src, "-d", "convenant", "-v", version, "-o", stamped])
        assert r.returncode == 0, r.stderr
    r = _approve(ws, s10, tmp_path / "a10.pdf")
    assert r.returncode == 0, r.stderr
    before, events_before = _versions(ws)
    assert set(before) == {"1.0"}

    # rlimit fallback: room for SQLite's shared-memory file (32 KB), not for the approved output
    assert (tmp_path / "a10.pdf").stat().st_size > 48 * 1024
    with full_disk(tmp_path, rlimit=48 * 1024) as (mnt, limit):
        # the approved file is larger than the tiny file system (or the size limit)
        assert s11.stat().st_size > 16 * 1024
        out = mnt / "convenant-1.1.pdf"
        r = _approve(ws, s11, out, limit)
        err = r.stderr.decode("utf-8")
        assert r.returncode == 3, err
        assert "Traceback" not in err and "internal error" not in err, err
        assert len(err.strip().splitlines()) <= 2, err  # the error and its hint
        assert "nothing was written" in err or "No space" in err or "too large" in err, err
        assert not out.exists()
        assert os.listdir(mnt) == []  # no partial file either
        after, events_after = _versions(ws)
        assert set(after) == {"1.0"}  # 1.1 not registered
        assert after["1.0"].superseded_by is None  # 1.0 not superseded
        assert events_after == events_before  # nothing logged

    # the retry (with room to write) is not refused as "already registered"
    out = tmp_path / "convenant-1.1.pdf"
    r = _approve(ws, s11, out)
    assert r.returncode == 0, r.stderr
    after, _ = _versions(ws)
    assert set(after) == {"1.0", "1.1"} and after["1.0"].superseded_by == "1.1"
    assert after["1.1"].approved_sha256.hex == __import__("hashlib").sha256(out.read_bytes()).hexdigest()


def test_a_failed_approve_leaves_no_partial_file_in_the_output_folder(tmp_path):
    """The staged output vanishes with the failed registration (here: a duplicate)."""
    from zvhsign.services.files import stage_output

    out = tmp_path / "out.pdf"
    with pytest.raises(RuntimeError):
        with stage_output(out, b"%PDF-1.7\n" * 1000):
            raise RuntimeError("registration failed")
    assert os.listdir(tmp_path) == []
    with stage_output(out, b"%PDF-1.7\n") as staged:
        assert not out.exists()
        staged.publish()
    assert out.read_bytes() == b"%PDF-1.7\n"
    assert os.listdir(tmp_path) == ["out.pdf"]
