"""A reader that goes away (``zvhsign verify --json ... | head -1``): the command ends with exit 3
(its output was not all delivered) and nothing on stderr -- it said "internal error:
BrokenPipeError ... please report it"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_verify_into_a_closed_pipe_says_nothing(approved, signed_convenant):
    exe = str(Path(sys.executable).with_name("zvhsign"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZVHSIGN_")}
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line is written
    try:
        run = subprocess.run(
            [exe, "-w", str(approved.ws.root), "verify", "--json", str(signed_convenant)],
            stdout=write_end, stderr=subprocess.PIPE, env=env, timeout=300,
        )
    finally:
        os.close(write_end)
    assert run.returncode == 3
    assert run.stderr == b"", run.stderr.decode()
