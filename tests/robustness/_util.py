"""Helpers for the robustness tests: run zvhsign as its own process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def zvhsign_argv() -> list[str]:
    exe = shutil.which("zvhsign", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "zvhsign.cli"]


def run(args, *, timeout: float = 300, env: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
    """``zvhsign ARGS`` in a child process, bytes in and out (file names may not be UTF-8)."""
    full_env = {**os.environ, **(env or {})}
    for var in ("ZVHSIGN_PASSPHRASE", "ZVHSIGN_PIN", "ZVHSIGN_DEBUG", "ZVHSIGN_DEBUG_LOG"):
        if not env or var not in env:
            full_env.pop(var, None)
    return subprocess.run(
        [*zvhsign_argv(), *[os.fsencode(a) if isinstance(a, (str, os.PathLike)) else a for a in args]],
        env=full_env, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL, cwd=cwd,
    )
