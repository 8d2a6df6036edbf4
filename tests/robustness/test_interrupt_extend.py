"""An interrupted ``extend`` says which copies it had already extended: each copy is replaced
whole or not at all, but those before the interruption are extended -- it said "nothing was
written" (QA). A real command, a real signal, real copies (test PKI over HTTP on 127.0.0.1)."""

from __future__ import annotations

import hashlib
import shutil
import signal
import time

from tests.conftest import copy_workspace

from .test_interrupt import PROMPT_S, _env, _interrupt, _start


def _digest(path) -> str:  # noqa: ANN001
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_interrupted_extend_names_the_copies_it_extended(approved, signed_convenant, tmp_path):
    ws = tmp_path / "ws"
    copy_workspace(approved.ws.root, ws)
    copies = []
    for i in range(8):
        copies.append(tmp_path / f"kopie-{i}.pdf")
        shutil.copyfile(signed_convenant, copies[-1])
    before = _digest(signed_convenant)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = _start(["-w", ws, "extend", *copies], _env(tmp, tmp_path / "debug.log"))
    end = time.monotonic() + 240
    while all(_digest(c) == before for c in copies):  # until the first copy is extended
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < end, "no copy was extended"
        time.sleep(0.05)
    took, _out, err = _interrupt(proc, signal.SIGINT)
    text = err.decode("utf-8", "replace")
    extended = [c for c in copies if _digest(c) != before]
    assert proc.returncode == 3 and took < PROMPT_S, (proc.returncode, text)
    assert 1 <= len(extended) < len(copies), text  # (it was stopped while it worked)
    (line,) = text.strip().splitlines()
    assert line.startswith(f"zvhsign: interrupted; {len(extended)} of {len(copies)} copies were extended "
                           "before it ("), line
    assert all(str(c) in line for c in extended) and line.endswith("the others are unchanged"), line
    assert "nothing was written" not in line
